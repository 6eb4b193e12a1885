package weft

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// tb is the part of testing.TB that Test uses, so that its own tests can run
// it against a tbRecorder. A Fatalf here does not stop the caller: the code
// returns right after every Fatalf.
type tb interface {
	Helper()
	Name() string
	Log(args ...any)
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Failed() bool
}

var (
	_ tb = (*testing.T)(nil)
	_ tb = (*testing.F)(nil)
)

// Test explores scenario under many seeds as part of a go test, the way a
// fuzz test runs its corpus and then fuzzes:
//
//  1. It replays every log saved under testdata/weft/<test name>/ (a
//     subtest's name maps to subdirectories). A log that fails again fails
//     the test; one that cannot be read fails it too, saying why; one that
//     passes means the bug it recorded stays fixed.
//  2. It explores seeds (1000 by default, see the options and flags), stops
//     at the first failure, shrinks it, saves the shrunk log as
//     testdata/weft/<test name>/<hash>, and fails the test with a report:
//     the failure, the seed, the shrunk run's timeline, and the go test
//     commands that replay it.
//
// With -weft.replay, only that log runs, and its timeline is logged. A
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
	runTest(t, ".", commandLine(), scenario, opts)
}

// runTest is Test, for the package directory dir and the flags fv. It
// reports whether the test passed.
func runTest(t tb, dir string, fv flagValues, scenario func(*sim.World), opts []Option) bool {
	t.Helper()
	crashTraceback()
	s, err := newSettings(t.Name(), fv, opts)
	if err != nil {
		t.Fatalf("%v", err)
		return false
	}
	loc := locatePackage(dir)
	if s.replay != "" {
		l, path, err := loadLog(s.replay, dir)
		if err != nil {
			t.Fatalf("weft: -weft.replay: %v", err)
			return false
		}
		return replayLog(t, s, loc, l, path, true, scenario)
	}

	corpus := corpusDir(dir, t.Name())
	if !replaySaved(t, s, loc, corpus, scenario) {
		return false
	}

	s.explore.testFailed = t.Failed
	rep := Explore(s.explore, scenario)
	shard := ""
	if s.explore.Shards > 1 {
		shard = fmt.Sprintf(" (shard %d/%d)", s.explore.Shard, s.explore.Shards)
	}
	if rep.Failure == nil {
		t.Logf("%s%s", rep, shard)
		return true
	}
	f := rep.Failure
	var how strings.Builder
	seedArgs := []string{fmt.Sprintf("-weft.seed=%d", f.Seed), "-weft.strategy=" + f.Spec, "-weft.runs=1"}
	if f.Nondeterministic != "" || f.seedOnly != "" {
		// A replay would not show it: the failure is that runs differ, or
		// only the seed reproduces it (the report says why).
		if f.Nondeterministic != "" {
			seedArgs = append(seedArgs, "-weft.check-determinism")
		}
		fmt.Fprintf(&how, "\nTo reproduce (from the module root %s):\n    %s\n", loc.root, loc.testCommand(t.Name(), seedArgs...))
		t.Fatalf("%s%s", f, how.String())
		return false
	}
	path, saveErr := saveLog(corpus, f.Log)
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
	t.Fatalf("%s%s", f, how.String())
	return false
}

// maxTextInReport bounds the one-line log a report prints beside the saved
// file: longer ones are noise in a terminal.
const maxTextInReport = 400

// replayLog replays l (read from path, or given as text when path is "")
// and fails the test with a report when it fails. show logs its timeline
// even when it passes.
func replayLog(t tb, s *settings, loc location, l *scheduler.Log, path string, show bool, scenario func(*sim.World)) bool {
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
		drift = fmt.Sprintf(" (%d of its %d decisions no longer fit the code: it has changed since the log was saved)", d, len(l.Decisions))
	}
	if r.Failure == nil {
		if show {
			t.Logf("weft: replayed %s: passed%s, %d steps, virtual time %v\n%s", name, drift, r.Steps, r.Time, indentLines(Timeline(r.Trace, r.Procs), "    "))
		} else if drift != "" {
			t.Logf("weft: replayed %s: passed%s", name, drift)
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
		name, drift, f, loc.root, loc.testCommand(t.Name(), "-weft.replay="+arg))
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
