package main

// weft explore on a package: the zoo (examples/zoo) as a user's package,
// end to end. Method: explore two of its weft tests in two go test
// processes, the buggy one made to fail (TestBuggyChild runs the deadlock
// when WEFT_ZOO_CHILD says so), and check what a developer sees: the
// progress line, the failure's report, the replay commands, the summary;
// then run the printed replay commands, and replay the log's text from the
// summary in the package, as weft replay takes it.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/internal/progress"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

func TestExploreExamples(t *testing.T) {
	t.Setenv("WEFT_ZOO_CHILD", "Deadlock")
	saved := filepath.Join(moduleRoot, "examples/zoo/testdata/weft/TestBuggyChild")
	clean := func() {
		os.RemoveAll(saved)
		// The parents, if this test made them: Remove leaves a directory
		// that holds anything else.
		os.Remove(filepath.Dir(saved))
		os.Remove(filepath.Dir(filepath.Dir(saved)))
	}
	clean()
	t.Cleanup(clean)
	defer func(d time.Duration) { plainEvery = d }(plainEvery)
	plainEvery = 0 // a plain progress line at every tick

	summaryFile := filepath.Join(t.TempDir(), "summary.json")
	code, stdout, stderr := runWeft("explore", "-runs", "200", "-parallel", "2", "-run", "^(TestDeadlockFixed|TestBuggyChild)$",
		"-summary", summaryFile, "../../examples/zoo")
	if code != 1 {
		t.Fatalf("explore: exit %d, want 1 (a failure)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	mustMatch(t, "stderr", stderr,
		`weft explore: 2 tests in 1 package, shard 0/1 in 2 go test processes of -weft.shard 0/2 to 1/2`,
		`(?m)^weft: runs \d+ \(\d+/s\)  steps [\d.]+[kM]? \([\d.]+[kM]?/s\)  schedules ~\d+  failures [12]  processes 2/2 done  .*  done$`)
	m := mustMatch(t, "stdout", stdout,
		`(?m)^replay: (go test ./examples/zoo -run '\^TestBuggyChild\$' -weft\.replay=(examples/zoo/testdata/weft/TestBuggyChild/[0-9a-f]{16}))$`,
		`(?m)^--- FAIL: TestBuggyChild in github.com/weftsim/weft/examples/zoo \(-weft.shard [01]/2\)$`,
		`deadlock: all processes are blocked`,
		`(?m)^    or: weft replay examples/zoo/testdata/weft/TestBuggyChild/[0-9a-f]{16}$`,
		`(?m)^weft explore: \d+ runs, \d+ steps, ~\d+ distinct schedules in .*; [12] failures$`)

	s, err := readSummary(summaryFile)
	if err != nil {
		t.Fatal(err)
	}
	var fixed *TestSummary
	for i, ts := range s.Tests {
		if ts.Test == "TestDeadlockFixed" {
			fixed = &s.Tests[i]
		}
	}
	if fixed == nil || fixed.Result != "pass" || fixed.Runs != 200 || fixed.Planned != 200 || fixed.Schedules < 2 {
		t.Fatalf("TestDeadlockFixed in the summary: %+v; want a pass of its 200 runs, split over two shards", fixed)
	}
	var text string
	for _, f := range s.Failures {
		if f.Test == "TestBuggyChild" && f.LogText != "" {
			text = f.LogText
			if f.Log != m[2] || f.Replay != m[1] || !strings.Contains(f.Headline, "deadlock") {
				t.Fatalf("the summary's failure %+v does not match the printed one (%s)", f.Failure, m[1])
			}
		}
	}
	if _, err := scheduler.ParseLog(text); err != nil || !slicesContain(s.Logs, m[2]) {
		t.Fatalf("the summary holds no log text of the failure (%v), or its logs %v leave out %s", err, s.Logs, m[2])
	}

	// The printed commands replay the failure: go test from the module
	// root, and weft replay of the saved file.
	out, err := shell(t, moduleRoot, "go run ./cmd/weft replay "+m[2], nil)
	if err == nil || !strings.Contains(out, "deadlock: all processes are blocked") || !strings.Contains(out, "weft replay: the log of TestBuggyChild") {
		t.Fatalf("weft replay %s: err %v, want a failure with the deadlock:\n%s", m[2], err, out)
	}
	out, err = sh(t, moduleRoot, m[1], nil)
	if err == nil || !strings.Contains(out, "weft: replayed examples/zoo/testdata/weft/TestBuggyChild/") || !strings.Contains(out, "deadlock") {
		t.Fatalf("%s: err %v, want the replay to fail with the deadlock:\n%s", m[1], err, out)
	}
	// The log's text from the summary, replayed in its package.
	code, out, stderr = runWeft("replay", "../../examples/zoo", text)
	if code != 1 || !strings.Contains(out, "deadlock: all processes are blocked") {
		t.Fatalf("weft replay ../../examples/zoo TEXT: exit %d, want 1 with the deadlock:\n%s%s", code, out, stderr)
	}
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mustMatch checks that text matches every pattern and returns the first
// one's submatches.
func mustMatch(t *testing.T, what, text string, patterns ...string) []string {
	t.Helper()
	var first []string
	for i, p := range patterns {
		m := regexp.MustCompile(p).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("%s lacks %s:\n%s", what, p, text)
		}
		if i == 0 {
			first = m
		}
	}
	return first
}

// A package's weft tests are the Test functions that call weft.Test, by
// whatever name the file imports weft; the others are left to -run.
func TestWeftTestsFound(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x_test.go")
	src := `package x

import (
	"testing"

	w "github.com/weftsim/weft"
)

func TestDirect(t *testing.T) { w.Test(t, nil) }

func TestInSubtest(t *testing.T) {
	t.Run("a", func(t *testing.T) { w.Test(t, nil) })
}

func TestPlain(t *testing.T) { weft.Test(t, nil) } // another package's weft

func helper(t *testing.T) { w.Test(t, nil) }

func FuzzX(f *testing.F) { w.Fuzz(f, nil) }
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, all, err := weftTests(file)
	if err != nil || strings.Join(got, " ") != "TestDirect TestInSubtest" || strings.Join(all, " ") != "TestDirect TestInSubtest TestPlain" {
		t.Fatalf("weftTests = %q, %q, %v; want TestDirect TestInSubtest of TestDirect TestInSubtest TestPlain", got, all, err)
	}
	if p := runPattern(got); p != "^(TestDirect|TestInSubtest)$" {
		t.Fatalf("runPattern = %q", p)
	}
	if p := testPattern("TestX/a b.c"); p != `^TestX$/^a b\.c$` {
		t.Fatalf("testPattern = %q", p)
	}
}

// The rule that tells a package from a scenario, for the error when an
// argument is neither.
func TestLooksLikePackage(t *testing.T) {
	for arg, want := range map[string]bool{
		"./examples/zoo": true, "../x": true, "/abs/pkg": true, "./...": true, "example.com/m/pkg": true,
		"zoo/leak": false, "health/p3/converges": false, "fmt": false,
	} {
		if got := looksLikePackage(arg); got != want {
			t.Errorf("looksLikePackage(%q) = %v, want %v", arg, got, want)
		}
	}
}

// The progress line's counts and its estimate of the time left, from jobs
// in each state: the running one's test says how far it is, the finished
// one how long a job takes, which the queued one is expected to take too.
func TestTotals(t *testing.T) {
	now := time.Now()
	running := &job{pkg: testPackage{Tests: []string{"TestA", "TestB"}}, state: "running", started: now.Add(-10 * time.Second), tests: map[string]*testRun{}}
	running.test("TestA").result = "pass"
	running.test("TestA").line = progressLine(100, 100, 5)
	running.test("TestB").line = progressLine(100, 50, 5) // 5s more at its rate
	failed := &job{state: "done", started: now.Add(-20 * time.Second), ended: now.Add(-12 * time.Second), tests: map[string]*testRun{}}
	failed.test("TestA").result = "fail"
	failed.test("TestA").line = progressLine(100, 7, 1)
	c := &campaign{parallel: 2, start: now.Add(-20 * time.Second), jobs: []*job{running, failed, {state: "queued"}}}
	got := c.totals()
	if got.runs != 157 || got.steps != 1570 || got.failures != 1 || got.testsDone != 2 || got.jobsDone != 1 || got.jobs != 3 {
		t.Fatalf("totals %+v", got)
	}
	// Work left: 5s running, plus a queued job of the average (15s+8s)/2;
	// over two processes, 8.25s.
	if want := 8250 * time.Millisecond; got.left < want-200*time.Millisecond || got.left > want+200*time.Millisecond {
		t.Fatalf("left %v, want about %v", got.left, want)
	}
	if line := got.line(); !regexp.MustCompile(`^weft: runs 157 \(\d+/s\)  steps 1570 \(\d+/s\)  schedules ~\d+  failures 1  processes 1/3 done  20s  left ~8s$`).MatchString(line) {
		t.Fatalf("line %q", line)
	}
	// Nothing started: the time left is not known yet.
	c = &campaign{parallel: 2, start: now, jobs: []*job{{state: "queued"}}}
	if line := c.totals().line(); !strings.HasSuffix(line, "left ?") {
		t.Fatalf("line %q, want left ?", line)
	}
}

func progressLine(planned, runs int, elapsed float64) progress.Line {
	return progress.Line{Test: "T", Planned: planned, Runs: runs, Steps: 10 * int64(runs), Elapsed: elapsed}
}

// On a terminal the progress line is redrawn in place and erased before a
// line that stays; elsewhere it is a plain line, at most every plainEvery.
func TestLiveLine(t *testing.T) {
	var b strings.Builder
	l := &liveLine{w: &b, terminal: true}
	l.show("a")
	l.show("b")
	l.note("kept")
	l.show("c")
	l.done("last")
	if want := "\r\033[Ka\r\033[Kb\r\033[Kkept\n\r\033[Kc\r\033[Klast\n"; b.String() != want {
		t.Fatalf("terminal: %q, want %q", b.String(), want)
	}
	b.Reset()
	defer func(d time.Duration) { plainEvery = d }(plainEvery)
	plainEvery = time.Hour
	l = newLiveLine(&b)
	l.show("a")
	l.done("last")
	if b.String() != "last\n" {
		t.Fatalf("plain: %q, want only the last line within the hour", b.String())
	}
}

// A saved log of a test that lies outside any testdata/weft has no package
// to replay in: weft replay says to name it.
func TestReplayLogWithoutPackage(t *testing.T) {
	data, err := (&sim.Result{Scenario: "TestX", Seed: 3, Spec: "random"}).Log().MarshalFile()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runWeft("replay", file)
	if code != 2 || !strings.Contains(stderr, "is not under a package's testdata/weft, so its package is unknown: name it, weft replay ./pkg "+file) {
		t.Fatalf("exit %d, stderr %q; want 2 and to name the package", code, stderr)
	}
}
