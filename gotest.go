package weft

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft/internal/artifacts"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// tb is the part of testing.TB that Test uses, so that its own tests can run
// it against a tbRecorder. A Fatalf or Skipf here does not stop the caller:
// the code returns right after every Fatalf and Skipf.
type tb interface {
	Helper()
	Name() string
	Log(args ...any)
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	Failed() bool
}

var (
	_ tb = (*testing.T)(nil)
	_ tb = (*testing.F)(nil)
)

// deadliner is the part of *testing.T that says when go test's -timeout
// runs out; *testing.F has no Deadline.
type deadliner interface {
	Deadline() (time.Time, bool)
}

var _ deadliner = (*testing.T)(nil)

// Test explores scenario under many seeds as part of a go test, the way a
// fuzz test runs its corpus and then fuzzes:
//
//  1. It replays every log saved under testdata/weft/<test name>/ (a
//     subtest's name maps to subdirectories). A log that fails again fails
//     the test; one that cannot be read fails it too, saying why; one that
//     passes means the bug it recorded stays fixed, and go test -v says so.
//  2. It explores seeds (1000 by default, a tenth of them with go test
//     -short; see the options and flags), stops at the first failure,
//     shrinks it, saves the shrunk log as testdata/weft/<test name>/<hash>,
//     and fails the test with a report: the failure, the seed, the shrunk
//     run's timeline, and the go test commands that replay it. Exploring
//     stops early, and says how far it got, when go test's -timeout draws
//     near (t.Deadline).
//
// A file that a failing run's checks write for people (porcupine's page of
// a linearizability violation) goes to the test's artifacts, and the
// failure names it: t.ArtifactDir() with go test -artifacts, else
// weft-reports/<test name> in the package directory (see
// sim.Config.ReportDir, which a test's options may set instead).
//
// With -weft.replay, only that log runs, and its timeline is logged; a
// test that the log was not recorded for is skipped, unless -run selects it
// and not the log's own (see the package documentation's # Flags). A
// scenario's panics, deadlocks and hangs fail the test; they never crash or
// hang it. Test may be called from subtests and parallel tests: each call
// has its own worlds.
//
// Inside a scenario, fail with sim.World.Fatalf, not t.Errorf or t.Fatal:
// the run during which the test is marked failed (t.Errorf inside a
// process, or a data race under -race) stops the exploration and is
// reported by its seed, neither shrunk nor saved, since every replay would
// fail the test again and print its message again. A process blocked
// outside the simulation (a real sleep, channel, lock or I/O) fails its run
// (sim.Config.RealBlock), and real goroutines that the scenario starts with
// go and leaves running fail the test, counted and named with their stacks.
func Test(t *testing.T, scenario func(*sim.World), opts ...Option) {
	t.Helper()
	label := trackGoroutines(t.Name())
	defer func() {
		t.Helper()
		if left := leftGoroutines(label); len(left) > 0 {
			t.Errorf("%s", goroutinesStory(left))
		}
	}()
	runTest(t, ".", commandLine(os.LookupEnv), scenario, opts)
}

// runTest is Test, for the package directory dir and the flags fv. It
// reports whether the test passed (a skipped test passed).
func runTest(t tb, dir string, fv flagValues, scenario func(*sim.World), opts []Option) bool {
	t.Helper()
	crashTraceback()
	s, err := newSettings(t.Name(), fv, opts)
	if err != nil {
		t.Fatalf("%v", err)
		return false
	}
	if s.explore.Config.ReportDir == "" {
		s.explore.Config.ReportDir = artifacts.Dir(t, dir)
	}
	loc := locatePackage(dir)
	if s.replay != "" {
		return replayFlag(t, s, loc, dir, scenario)
	}

	corpus := corpusDir(dir, t.Name())
	if !replaySaved(t, s, loc, corpus, scenario) {
		return false
	}

	timeout := ""
	if d, ok := t.(deadliner); ok {
		if deadline, ok := d.Deadline(); ok {
			timeout = s.fitDeadline(time.Until(deadline))
		}
	}
	s.explore.testFailed = t.Failed
	rep := Explore(s.explore, scenario)
	if rep.Failure == nil {
		t.Logf("%s%s", rep, s.explored(rep, timeout))
		return true
	}
	f := rep.Failure
	var how strings.Builder
	seedArgs := []string{fmt.Sprintf("-weft.seed=%d", f.Seed), "-weft.strategy=" + f.Spec, "-weft.runs=1"}
	if s.explore.Shards > 1 {
		// The seed is absolute; a shard given by $WEFT_SHARD would leave
		// its one run out.
		seedArgs = append(seedArgs, "-weft.shard=0/1")
	}
	if f.Nondeterministic != "" || f.seedOnly != "" {
		// A replay would not show it: the failure is that runs differ, or
		// only the seed reproduces it (the report says why).
		if f.Nondeterministic != "" {
			seedArgs = append(seedArgs, "-weft.check-determinism")
		}
		fmt.Fprintf(&how, "\nTo reproduce (from the module root %s):\n    %s\n", loc.root, loc.testCommand(t.Name(), seedArgs...))
		t.Fatalf("%s%s", f.text(s.style()), how.String())
		return false
	}
	path, saveErr := saveLog(corpus, f.Log, savedNote(t.Name(), loc, f))
	if saveErr == nil {
		fmt.Fprintf(&how, "\nSaved the shrunk log as %s; Test replays it first from now on.\n", loc.rel(path))
	}
	fmt.Fprintf(&how, "To replay it (from the module root %s):\n", loc.root)
	if saveErr == nil {
		fmt.Fprintf(&how, "    %s\n", loc.testCommand(t.Name(), "-weft.replay="+loc.rel(path)))
	}
	if text := f.Log.String(); saveErr != nil || len(text) <= maxTextInReport {
		fmt.Fprintf(&how, "    %s\n", loc.testCommand(t.Name(), "-weft.replay="+text))
	}
	fmt.Fprintf(&how, "or run the seed again:\n    %s\n", loc.testCommand(t.Name(), seedArgs...))
	if saveErr != nil {
		t.Errorf("weft: could not save the failing log: %v", saveErr)
	}
	t.Fatalf("%s%s", f.text(s.style()), how.String())
	return false
}

// maxTextInReport bounds the one-line log a report prints beside the saved
// file: longer ones are noise in a terminal.
const maxTextInReport = 400

// Of the time go test's -timeout leaves a test (t.Deadline), exploring
// takes at most deadlineExploreShare and shrinking deadlineShrinkShare,
// in tenths; the rest is for the report, and for the tests after this one.
const (
	deadlineExploreShare = 8
	deadlineShrinkShare  = 1
)

// fitDeadline bounds the exploration to the time left before go test's
// -timeout: Options.Budget to 8 tenths of it and Options.ShrinkTime to a
// tenth, where they do not bound it more already. It returns what the
// report says when the bound cuts the runs short.
func (s *settings) fitDeadline(left time.Duration) string {
	o := &s.explore
	if o.Runs == 0 && o.Budget == 0 {
		o.Runs = defaultRuns // the budget set below must not lift the count
	}
	note := ""
	// At least a nanosecond: a Budget of 0 would mean no bound at all. A
	// deadline already past still runs one seed, as any Budget does.
	if explore := max(left*deadlineExploreShare/10, time.Nanosecond); o.Budget == 0 || explore < o.Budget {
		o.Budget = explore
		note = fmt.Sprintf("stopped at %v, 8 tenths of the %v that go test's -timeout left (t.Deadline)", explore.Round(time.Millisecond), left.Round(time.Millisecond))
	}
	if shrink := max(left*deadlineShrinkShare/10, time.Millisecond); o.ShrinkTime == 0 || shrink < o.ShrinkTime {
		o.ShrinkTime = shrink
	}
	return note
}

// explored is what the report adds after an exploration's counts: the
// shard, what -short cut, and where the runs were cut short by the time
// go test's -timeout left (timeout, from fitDeadline).
func (s *settings) explored(rep *Report, timeout string) string {
	var notes []string
	o := s.explore
	if o.Shards > 1 {
		notes = append(notes, fmt.Sprintf("shard %d/%d, that is %dof%d", o.Shard, o.Shards, o.Shard+1, o.Shards))
	}
	if s.short != "" {
		notes = append(notes, s.short)
	}
	if o.Runs == 0 && timeout != "" {
		notes = append(notes, timeout) // a budget alone, cut to fit
	}
	if o.Runs > 0 && !rep.Exhausted {
		planned := o.Runs / max(o.Shards, 1)
		if o.Shard < o.Runs%max(o.Shards, 1) {
			planned++
		}
		if rep.Runs < planned {
			why := "the budget ran out"
			if timeout != "" {
				why = timeout
			}
			notes = append(notes, fmt.Sprintf("%d of the %d runs asked did not run: %s; only the runs that ran passed", planned-rep.Runs, planned, why))
		}
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

// replayFlag runs the log that -weft.replay names, if it is this test's:
// one recorded for another test is skipped, unless go test's -run selects
// this test and not the log's own, which says the developer wants it
// replayed here; then the replay says whose log it is.
func replayFlag(t tb, s *settings, loc location, dir string, scenario func(*sim.World)) bool {
	t.Helper()
	l, path, err := loadLog(s.replay, dir)
	if err != nil {
		t.Fatalf("weft: -weft.replay: %v", err)
		return false
	}
	name := "the log"
	if path != "" {
		name = loc.rel(path)
	}
	foreign := l.Scenario != "" && l.Scenario != t.Name()
	if foreign && runSelects(s.run, l.Scenario) && !packageHasTest(dir, l.Scenario) {
		// No test here is the log's: every one would skip, and go test
		// would pass having replayed nothing. The first says so.
		first := false
		orphanLog.Do(func() { first = true })
		if first {
			t.Fatalf("weft: -weft.replay=%s is a log of %s, and this package has no test of that name: run it in the package where %[2]s is, or give -run a pattern that selects the test to replay it in",
				quoteControls(name), quoteControls(l.Scenario))
			return false
		}
		t.Skipf("weft: -weft.replay=%s is a log of %s, which this package has no test of (reported once)", quoteControls(name), quoteControls(l.Scenario))
		return true
	}
	if foreign && runSelects(s.run, l.Scenario) {
		t.Skipf("weft: -weft.replay=%s is a log of %s, not of %s: skipped; a log replays in the test it was recorded for (to replay it in this one, give -run a pattern that selects this test and not %[2]s)",
			quoteControls(name), quoteControls(l.Scenario), t.Name())
		return true
	}
	if foreign {
		t.Logf("weft: warning: -weft.replay=%s was recorded for %s, not for %s; replaying it here because -run selects this test and not that one",
			quoteControls(name), quoteControls(l.Scenario), t.Name())
	}
	return replayLog(t, s, loc, l, path, false, scenario)
}

// replayLog replays l (read from path, or given as text when path is "")
// and fails the test with a report when it fails. A log saved under
// testdata (saved) that passes says "passes now" in a line that go test -v
// shows, with the timeline under -weft.v; a log -weft.replay gave is shown
// with its timeline.
func replayLog(t tb, s *settings, loc location, l *scheduler.Log, path string, saved bool, scenario func(*sim.World)) bool {
	t.Helper()
	cfg := s.explore.Config
	cfg.Name = t.Name()
	r, st := replayWith(cfg, l, scenario)
	name := "the log"
	if path != "" {
		name = loc.rel(path)
	}
	drift := ""
	if d := st.Diverged(); d > 0 {
		if l.Scenario != "" && l.Scenario != t.Name() {
			drift = fmt.Sprintf(" (%d of its %d decisions do not fit %s, which is not the test the log was recorded for: %s)", d, len(l.Decisions), t.Name(), quoteControls(l.Scenario))
		} else {
			drift = fmt.Sprintf(" (%d of its %d decisions no longer fit the code: it has changed since the log was saved)", d, len(l.Decisions))
		}
	}
	if r.Failure == nil {
		verdict := "passed"
		if saved {
			verdict = "passes now" // it failed when it was saved
		}
		if !saved || s.verbose {
			t.Logf("weft: replayed %s: %s%s, %d steps, virtual time %v\n%s", name, verdict, drift, r.Steps, r.Time, indentLines(s.style().replayTimeline(r), "    "))
		} else {
			t.Logf("weft: replayed %s: %s%s", name, verdict, drift)
		}
		return true
	}
	f := &Finding{
		Seed: l.Seed, Spec: l.Spec, Original: r, Shrunk: r, Log: l,
		PreemptionsBefore: scheduler.Preemptions(l.Decisions), PreemptionsAfter: scheduler.Preemptions(l.Decisions),
	}
	arg := l.String()
	if path != "" {
		arg = loc.rel(path)
	}
	t.Fatalf("weft: replayed %s: it fails%s\n%s\nTo replay it (from the module root %s):\n    %s\n",
		name, drift, f.text(s.style()), loc.root, loc.testCommand(t.Name(), "-weft.replay="+arg))
	return false
}

// crashTraceback makes the goroutine dump of a fatal error (a stack
// overflow, say) show every goroutine, the running seed's loop among them,
// whose frame names the seed (see package sim's doc), unless GOTRACEBACK
// says otherwise.
func crashTraceback() {
	if os.Getenv("GOTRACEBACK") == "" {
		debug.SetTraceback("all")
	}
}

// orphanLog reports, once per test binary, a -weft.replay log that no test
// of the package can take.
var orphanLog sync.Once

// packageHasTest reports whether the package in dir declares the top-level
// test or fuzz target of name ("TestX" of "TestX/sub"), by its _test.go
// files; when they cannot be read it says yes, so that nothing fails on
// a doubt.
func packageHasTest(dir, name string) bool {
	top, _, _ := strings.Cut(name, "/")
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		return true
	}
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			return true
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == top {
				return true
			}
		}
	}
	return false
}
