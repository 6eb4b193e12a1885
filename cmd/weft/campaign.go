package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/weftsim/weft/internal/distinct"
	"github.com/weftsim/weft/internal/progress"
)

// campaign runs the weft tests of packages as go test -json processes,
// several at once, each on its own shard of the seed space, and follows
// them through the progress lines their tests print (-weft.progress).
type campaign struct {
	pkgs []testPackage
	// run is -run as given ("": each package's weft tests).
	run string
	// weftArgs are the -weft.* flags every test binary gets, besides its
	// shard and -weft.progress.
	weftArgs []string
	// shard, shards is the part of the seed space this campaign covers;
	// parallel splits it further, one go test process per part.
	shard, shards, parallel int
	budget                  time.Duration

	start time.Time
	// mu guards the jobs' states, tests and output, which the goroutine
	// reading each process writes and the progress line reads.
	mu   sync.Mutex
	jobs []*job
}

// job is one go test process: one package, one shard.
type job struct {
	pkg   testPackage
	shard string // i/n of the whole seed space, as -weft.shard takes it
	// tests holds each test's state by name, in the order they started.
	tests map[string]*testRun
	order []string
	// output is what belongs to no test (the package's own lines, a build
	// failure, a panic outside any test), and stderr go test's.
	output, stderr bytes.Buffer
	state          string // "queued", "running", "done"
	failed         bool   // the package failed
	started, ended time.Time
}

// testRun is one test of one job.
type testRun struct {
	name   string
	line   progress.Line // the last progress line
	result string        // "", "pass", "fail", "skip"
	output strings.Builder
	// partial is the start of a line of output whose end has not come.
	partial string
}

// event is a line of go test -json (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// subShard is the shard of job j of the campaign: the campaign's shard i of
// n, split in k, gives shards i, i+n, ..., i+(k-1)n of n*k, which between
// them run exactly the indices of shard i of n.
func (c *campaign) subShard(j int) string {
	return fmt.Sprintf("%d/%d", c.shard+c.shards*j, c.shards*c.parallel)
}

// execute runs every job, at most c.parallel at once, calling tick every
// interval while they run.
func (c *campaign) execute(ctx context.Context, interval time.Duration, tick func()) {
	c.start = time.Now()
	for _, p := range c.pkgs {
		for j := range c.parallel {
			c.jobs = append(c.jobs, &job{pkg: p, shard: c.subShard(j), tests: map[string]*testRun{}, state: "queued"})
		}
	}
	queue := make(chan *job, len(c.jobs))
	for _, jb := range c.jobs {
		queue <- jb
	}
	close(queue)
	var wg sync.WaitGroup
	for range c.parallel {
		wg.Go(func() {
			for jb := range queue {
				c.runJob(ctx, jb)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			tick()
		}
	}
}

// command is the go test command line of job jb.
func (c *campaign) command(jb *job) []string {
	run := c.run
	if run == "" {
		run = runPattern(jb.pkg.Tests)
	}
	args := []string{"test", "-json", "-count=1", "-run", run}
	if c.budget > 0 {
		// The budget bounds each test; go test's default -timeout (10m)
		// would cut a longer campaign short.
		args = append(args, "-timeout=0")
	}
	args = append(args, jb.pkg.ImportPath, "-args", "-weft.progress", "-weft.shard="+jb.shard)
	return append(args, c.weftArgs...)
}

// runJob runs the go test process of jb and reads its events.
func (c *campaign) runJob(ctx context.Context, jb *job) {
	c.mu.Lock()
	jb.state, jb.started = "running", time.Now()
	c.mu.Unlock()
	cmd := exec.CommandContext(ctx, "go", c.command(jb)...)
	cmd.Stderr = &lockedWriter{mu: &c.mu, w: &jb.stderr}
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		c.mu.Lock()
		fmt.Fprintf(&jb.output, "weft: go test: %v\n", err)
		jb.state, jb.failed, jb.ended = "done", true, time.Now()
		c.mu.Unlock()
		return
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		c.mu.Lock()
		jb.handle(sc.Bytes())
		c.mu.Unlock()
	}
	err = cmd.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	jb.state, jb.ended = "done", time.Now()
	if err != nil {
		jb.failed = true // a failing test, a build error, a crash: the events say which
	}
}

// handle takes one line of go test -json's output.
func (jb *job) handle(line []byte) {
	var e event
	if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
		jb.output.Write(line) // not an event: go test's own words
		jb.output.WriteByte('\n')
		return
	}
	if e.Test == "" {
		switch e.Action {
		case "output", "build-output":
			jb.output.WriteString(e.Output)
		case "fail":
			jb.failed = true
		}
		return
	}
	tr := jb.test(e.Test)
	switch e.Action {
	case "output":
		// test2json cuts a long line into several events: put it together.
		tr.partial += e.Output
		if !strings.HasSuffix(tr.partial, "\n") {
			return
		}
		line := tr.partial
		tr.partial = ""
		if l, ok := progress.Parse(line); ok {
			jb.test(l.Test).line = l
			return
		}
		tr.output.WriteString(line)
	case "pass", "fail", "skip":
		tr.output.WriteString(tr.partial)
		tr.partial = ""
		tr.result = e.Action
	}
}

// test returns the state of the test named name, made on first use.
func (jb *job) test(name string) *testRun {
	tr, ok := jb.tests[name]
	if !ok {
		tr = &testRun{name: name}
		jb.tests[name] = tr
		jb.order = append(jb.order, name)
	}
	return tr
}

// lockedWriter writes to w under mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// totals is the campaign so far, as the progress line and the summary
// show it.
type totals struct {
	runs, failures  int
	steps           int64
	sketch          distinct.Sketch
	testsDone, jobs int
	jobsDone        int
	elapsed         time.Duration
	left            time.Duration // -1: unknown
}

// totals adds up every job's tests. It takes c.mu.
func (c *campaign) totals() totals {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := totals{jobs: len(c.jobs), elapsed: time.Since(c.start), left: -1}
	var work, longest, took time.Duration // work left in running jobs; the most one has; what started jobs take
	measured, queued := 0, 0
	for _, jb := range c.jobs {
		if jb.state == "done" {
			t.jobsDone++
		}
		if jb.state == "done" && jb.failed && !jb.anyTestFailed() {
			t.failures++ // the package itself failed
		}
		var left, took1 time.Duration // the job's time left; what its explorations took
		started, explored := 0, 0
		for _, name := range jb.order {
			tr := jb.tests[name]
			t.runs += tr.line.Runs
			t.steps += tr.line.Steps
			if s, err := distinct.Parse(tr.line.Sketch); err == nil {
				t.sketch.Merge(s)
			}
			if topLevel(name) && tr.result == "fail" {
				t.failures++
			}
			if topLevel(name) && tr.result != "" {
				t.testsDone++
			}
			if topLevel(name) {
				started++
				if tr.result == "" {
					left += lineLeft(tr.line)
				}
			}
			if tr.line.Test != "" {
				explored++
				took1 += time.Duration(tr.line.Elapsed*float64(time.Second)) + lineLeft(tr.line)
			}
		}
		switch jb.state {
		case "queued":
			queued++
		case "running":
			if started == 0 {
				continue // building, or in its first test's first moments
			}
			// The tests still to start take their budget, or as long as
			// the explorations before them, or the tests before them.
			per := time.Since(jb.started) / time.Duration(started)
			switch {
			case c.budget > 0:
				per = c.budget
			case explored > 0:
				per = took1 / time.Duration(explored)
			}
			left += per * time.Duration(max(len(jb.pkg.Tests)-started, 0))
			work += left
			longest = max(longest, left)
			took += time.Since(jb.started) + left
			measured++
		case "done":
			took += jb.ended.Sub(jb.started)
			measured++
		}
	}
	if measured > 0 {
		// Queued jobs take what the others took, on average; all the work
		// left spreads over the processes, none ending before the longest.
		work += took / time.Duration(measured) * time.Duration(queued)
		t.left = max(longest, work/time.Duration(c.parallel))
	}
	return t
}

// lineLeft estimates the time a running exploration has left.
func lineLeft(l progress.Line) time.Duration {
	secs := 0.0
	switch {
	case l.Planned > 0 && l.Runs > 0:
		secs = l.Elapsed / float64(l.Runs) * float64(l.Planned-l.Runs)
	case l.Budget > 0:
		secs = l.Budget - l.Elapsed
	}
	return time.Duration(max(secs, 0) * float64(time.Second))
}

func topLevel(name string) bool { return !strings.Contains(name, "/") }

func (jb *job) anyTestFailed() bool {
	for _, tr := range jb.tests {
		if tr.result == "fail" {
			return true
		}
	}
	return false
}

// schedules estimates the distinct schedules among the runs, which it
// never exceeds.
func (t totals) schedules() int { return min(t.sketch.Count(), t.runs) }

// line is the progress line of t.
func (t totals) line() string {
	secs := max(t.elapsed.Seconds(), 1e-9)
	left := "left ?"
	switch {
	case t.jobsDone == t.jobs:
		left = "done"
	case t.left >= 0:
		left = "left ~" + t.left.Round(time.Second).String()
	}
	return fmt.Sprintf("weft: runs %d (%.0f/s)  steps %s (%s/s)  schedules ~%d  failures %d  processes %d/%d done  %v  %s",
		t.runs, float64(t.runs)/secs, count(t.steps), count(int64(float64(t.steps)/secs)), t.schedules(), t.failures,
		t.jobsDone, t.jobs, t.elapsed.Round(100*time.Millisecond), left)
}

// count writes n with a k or M suffix past ten thousand.
func count(n int64) string {
	switch {
	case n >= 10_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// failure is a failed test of the campaign, or a package that failed
// outside its tests (Test is "" then).
type failure struct {
	job    *job
	test   *testRun // nil for a package's own failure
	report string   // what the test (or go test) printed
}

// failures lists what failed, by package, test and shard. It takes c.mu.
func (c *campaign) failures() []failure {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []failure
	for _, jb := range c.jobs {
		any := false
		for _, name := range jb.order {
			tr := jb.tests[name]
			if tr.result != "fail" || (tr.line.Failure == nil && hasFailedSubtest(jb, name)) {
				continue // a parent fails with its subtest: report the subtest
			}
			any = true
			out = append(out, failure{job: jb, test: tr, report: testReport(tr.output.String())})
		}
		if jb.failed && !any {
			out = append(out, failure{job: jb, report: strings.TrimSpace(jb.output.String() + "\n" + jb.stderr.String())})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].job.pkg.ImportPath < out[j].job.pkg.ImportPath })
	return out
}

func hasFailedSubtest(jb *job, name string) bool {
	for sub, tr := range jb.tests {
		if strings.HasPrefix(sub, name+"/") && tr.result == "fail" {
			return true
		}
	}
	return false
}

// testReport is a test's output without go test's framing lines.
func testReport(out string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(out, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "=== ") || t == "" {
			continue
		}
		b.WriteString(l)
	}
	return strings.TrimRight(b.String(), "\n")
}

// isTerminal reports whether w is a terminal, where the progress line is
// redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
