package weft

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/weftsim/weft/internal/progress"
)

// progressLineEvery is how often, in real time, -weft.progress prints a
// test's progress line: twice a second, so that the weft command, which
// redraws its own line every second, always has news.
const progressLineEvery = 500 * time.Millisecond

// maxLogTextInProgress bounds the log text a progress line carries; a
// longer log is named by its file alone.
const maxLogTextInProgress = 64 << 10

// reporter prints the progress lines of one Test under -weft.progress
// (package internal/progress): a line twice a second while seeds run, and
// a last one with the failure, if any. A nil reporter prints nothing.
type reporter struct {
	out  io.Writer
	line progress.Line
	last time.Time
}

// newReporter returns the reporter of test t with settings s, or nil when
// -weft.progress is off. Lines go to the test's own output (t.Output), so
// that go test -json attributes them to the test.
func newReporter(t tb, s *settings, loc location, on bool) *reporter {
	if !on {
		return nil
	}
	out := io.Writer(os.Stdout)
	if o, ok := t.(interface{ Output() io.Writer }); ok {
		out = o.Output()
	}
	o := s.explore
	o.fill() // the strategy Explore will run: the zero Spec is the portfolio
	shards := max(o.Shards, 1)
	return &reporter{out: out, line: progress.Line{
		Test: t.Name(), Pkg: loc.pkg, Shard: fmt.Sprintf("%d/%d", o.Shard, shards),
		Seed: o.Seed, Strategy: o.Spec.String(), Planned: plannedRuns(o), Budget: o.Budget.Seconds(),
	}}
}

// plannedRuns is how many runs the shard of o is to run; 0 when a budget
// alone bounds them.
func plannedRuns(o Options) int {
	if o.Runs == 0 {
		if o.Budget > 0 {
			return 0
		}
		o.Runs = defaultRuns
	}
	shards := max(o.Shards, 1)
	planned := o.Runs / shards
	if o.Shard < o.Runs%shards {
		planned++
	}
	return planned
}

// stats prints st, at most every progressLineEvery; it is Explore's
// Options.Progress.
func (r *reporter) stats(st Stats) {
	if r == nil || time.Since(r.last) < progressLineEvery {
		return
	}
	r.last = time.Now()
	r.print(st)
}

// done prints the last line: the final counts, and f when the test failed.
func (r *reporter) done(st Stats, f *progress.Failure) {
	if r == nil {
		return
	}
	r.line.Done, r.line.Failure = true, f
	r.print(st)
}

func (r *reporter) print(st Stats) {
	l := &r.line
	l.Runs, l.Steps, l.Elapsed, l.Schedules = st.Runs, st.Steps, st.Elapsed.Seconds(), st.Schedules
	if st.sketch != nil {
		l.Sketch = st.sketch.String()
	}
	fmt.Fprintln(r.out, progress.Format(*l))
}

// progressFailure is what a progress line says of finding f, replayed by
// the command replay; path is the saved log's, from the module root ("" when
// none was saved).
func progressFailure(f *Finding, path, replay string) *progress.Failure {
	pf := &progress.Failure{Seed: f.Seed, Strategy: f.Spec, Log: path, Replay: replay}
	switch run := f.Shrunk; {
	case f.Nondeterministic != "":
		pf.Headline = "nondeterminism: " + f.Nondeterministic
	case run != nil && run.Failure != nil:
		pf.Headline = headline(run.Failure)
	case f.Original != nil && f.Original.Failure != nil:
		pf.Headline = headline(f.Original.Failure)
	default:
		pf.Headline = "failure"
	}
	pf.Headline, _, _ = strings.Cut(quoteControls(pf.Headline), "\n")
	if f.seedOnly == "" && f.Nondeterministic == "" && f.Log != nil {
		if text := f.Log.String(); len(text) <= maxLogTextInProgress {
			pf.LogText = text
		}
	}
	return pf
}
