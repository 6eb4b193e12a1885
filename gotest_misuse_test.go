package weft

// Misuse that must not pass silently (issue 12): each test reproduces a
// misuse a new user makes inside a scenario and checks what the test now
// says. Method as in gotest_test.go: runTest against a tbRecorder where a
// failing test must not fail this one, and this test binary re-run on a
// helper test where the misuse fails or crashes a real test.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weftsim/weft/sim"
)

// t.Errorf called inside a process (the scenario's closure holds the real
// *testing.T, which weft cannot intercept) fails the run during which the
// test was marked failed: the exploration stops there and reports that
// seed, with the command that runs it again, and says why it neither
// shrinks nor saves it. The message is printed once. (Before, every run
// called it again, the message came a thousand times, and weft said "no
// failure".)
func TestErrorfInsideAProcess(t *testing.T) {
	_, pkg := tempModule(t)
	scenario := func(t tb) func(w *sim.World) {
		return func(w *sim.World) {
			v := w.Intn(10)
			w.Go("checker", func() {
				if v == 7 {
					t.Errorf("bad value %d", v)
				}
			})
			w.Yield()
		}
	}
	rec := &tbRecorder{name: "TestErrorf"}
	if runTest(rec, pkg, flagValues{}, scenario(rec), []Option{Runs(1000)}) {
		t.Fatalf("passed:\n%s", rec.all())
	}
	if len(rec.errs) != 1 || len(rec.fatals) != 1 || rec.errs[0] != "bad value 7" {
		t.Fatalf("want the scenario's message once and one report:\n%s", rec.all())
	}
	m := mustMatchAll(t, "report", rec.fatals[0],
		`(?m)^    go test ./pkg -run '\^TestErrorf\$' -weft\.seed=(\d+) -weft\.strategy=[a-z0-9:+]+ -weft\.runs=1$`,
		`(?m)^weft: the test was marked failed during this run: t\.Errorf, t\.Error or t\.Fail called inside a process`,
		`(?m)^  not shrunk, and no log saved: every replay would fail the test again and print its message again\. Inside a process, fail the run with w\.Fatalf`)
	if strings.Contains(rec.all(), "no failure") || strings.Contains(rec.all(), "Saved") {
		t.Fatalf("report:\n%s", rec.all())
	}
	if _, err := os.Stat(filepath.Join(pkg, "testdata")); err == nil {
		t.Fatal("testdata written")
	}
	// The seed named is the run that called t.Errorf.
	again := &tbRecorder{name: "TestErrorf"}
	runTest(again, pkg, flagValues{seed: m[1], runs: "1"}, scenario(again), nil)
	if len(again.errs) != 1 || !strings.Contains(again.all(), "weft: the test was marked failed during this run") {
		t.Fatalf("seed %s alone:\n%s", m[1], again.all())
	}
}

// A real time.Sleep inside a process fails the test at once, naming the
// process, the call and its line, and what to use instead; the seed runs it
// again. (Before, a 10ms sleep passed, after 1000 runs and 10s of real
// time.)
func TestRealSleepInsideAProcess(t *testing.T) {
	_, pkg := tempModule(t)
	rec := &tbRecorder{name: "TestSleep"}
	start := time.Now()
	if runTest(rec, pkg, flagValues{}, func(w *sim.World) {
		w.Go("sleeper", func() { time.Sleep(10 * time.Millisecond) })
		w.Yield()
	}, []Option{Runs(1000)}) {
		t.Fatalf("passed:\n%s", rec.all())
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("took %v", elapsed)
	}
	mustMatchAll(t, "report", rec.all(),
		`(?m)^weft: process p1 "sleeper" is blocked outside the simulation: a real time\.Sleep held it for more than 5ms of real time in one step \(Config\.RealBlock\); the world can neither see nor schedule what it waits for: use w\.Sleep`,
		`(?m)^  not shrunk, and no log saved: the run was abandoned while blocked`,
		`(?m)^stack of p1 "sleeper":\n    time\.Sleep\n.*\n    github\.com/weftsim/weft\.TestRealSleepInsideAProcess\.func1\.1\n        .*gotest_misuse_test\.go:\d+$`,
		// Seed 0 sleeps as every seed does; on a loaded machine its look
		// may come late, and a later seed is reported.
		`(?m)^    go test ./pkg -run '\^TestSleep\$' -weft\.seed=\d+ -weft\.strategy=[a-z0-9:+]+ -weft\.runs=1$`)
	if _, err := os.Stat(filepath.Join(pkg, "testdata")); err == nil {
		t.Fatal("testdata written")
	}
}

// A wait outside the simulation that does not come back when its seed runs
// again is not the scenario's doing (a lock of the test binary's that
// another goroutine held a while, a write to a full pipe): Explore judges
// the seed by its second run, with half the bound, and goes on.
func TestOneOffRealWaitIsNotReported(t *testing.T) {
	_, pkg := tempModule(t)
	release := make(chan struct{})
	time.AfterFunc(2*time.Second, func() { close(release) })
	var runs atomic.Int64
	rec := &tbRecorder{name: "TestOnce"}
	if !runTest(rec, pkg, flagValues{}, func(w *sim.World) {
		if runs.Add(1) == 1 {
			<-release
		}
		w.Yield()
	}, []Option{Runs(20)}) {
		t.Fatalf("failed:\n%s", rec.all())
	}
	mustMatchAll(t, "logs", rec.all(), `weft: 20 runs, \d+ steps .*: no failure`)
	if n := runs.Load(); n != 21 {
		t.Fatalf("%d runs, want 21: the first seed twice, then the 19 others", n)
	}
}

// Helper tests for the misuse that fails a real test: they run only when
// a test below re-runs this binary.

func TestWeftHelperForeignCall(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by TestForeignCallPanicsAtTheCall")
	}
	Test(t, func(w *sim.World) {
		stop := make(chan struct{})
		defer close(stop)
		go func() { // a real goroutine calling the world: the misuse
			for {
				select {
				case <-stop:
					return
				default:
					w.Yield()
				}
			}
		}()
		for range 10000 {
			w.Yield()
		}
	}, Runs(100))
}

func TestWeftHelperLeaks(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by TestLeftGoroutinesFailTheTest")
	}
	Test(t, func(w *sim.World) {
		done := make(chan struct{}) // nobody closes it
		w.Go("starter", func() {
			go func() { <-done }()
		})
	}, Runs(3))
}

// runHelperOutput re-runs this test binary on the helper test run and
// returns what it printed, whether it passed, crashed or failed.
func runHelperOutput(t *testing.T, run string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run="+run, "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// A real goroutine of the scenario's own that calls the world during the
// run panics at the call with a message that says what is wrong and what
// to do instead; its stack points at the call. (Before, the call raced the
// world's process, corrupted the world in silence, and the test passed.)
func TestForeignCallPanicsAtTheCall(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	out := runHelperOutput(t, "^TestWeftHelperForeignCall$")
	mustMatchAll(t, "output", out,
		`(?m)^panic: sim: sim\.\(\*World\)\.Yield was called from a goroutine that is not the world's running process \(a goroutine the scenario started with go, or a process of another world\?\): only a world's own processes may use it, one at a time; start the goroutine with w\.Go instead of go`,
		`(?m)^github\.com/weftsim/weft\.TestWeftHelperForeignCall\.func1\.1\(\)\n\t.*gotest_misuse_test\.go:\d+`)
	if regexp.MustCompile(`(?m)^(ok|PASS)`).MatchString(out) {
		t.Fatalf("the misuse passed:\n%s", out)
	}
}

// Real goroutines that a scenario starts and leaves running fail the test,
// counted and named with their stacks; the world's own goroutines, and
// those of other tests, do not. (Before, the test passed.)
func TestLeftGoroutinesFailTheTest(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	out := runHelperOutput(t, "^TestWeftHelperLeaks$")
	// One goroutine per run: the 3 seeds and the calm run in which the
	// default portfolio counts a run's steps.
	mustMatchAll(t, "output", out,
		`--- FAIL: TestWeftHelperLeaks`,
		`(?m)^\s+gotest_misuse_test\.go:\d+: weft: the scenario left 4 real goroutines running after its runs \(started with go inside the scenario, not with w\.Go\)`,
		`(?m)^\s+4 running at:\n\s+github\.com/weftsim/weft\.TestWeftHelperLeaks\.func1\.1\.1\n\s+.*gotest_misuse_test\.go:\d+$`)
}

// Only the goroutines started, directly or not, from the tracked goroutine
// while it is tracked count: not those it started before, nor those of
// another goroutine (a parallel test), nor the world's own, even those of
// a run abandoned with its process blocked.
func TestLeftGoroutinesAreTheScenarios(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	wait := func() { <-stop }
	go wait() // before tracking
	label := trackGoroutines(t.Name())
	go func() { go wait() }() // from the tracked goroutine, through another
	other := make(chan struct{})
	go func() { // a parallel test: unlabelled, it starts its own
		pprof.SetGoroutineLabels(context.Background())
		go wait()
		close(other)
	}()
	<-other
	r := sim.Run(sim.Config{}, func(w *sim.World) { // abandoned, its process blocked
		w.Go("blocked", func() { wait() })
		w.Yield()
	})
	if r.Failure == nil || r.Failure.Kind != sim.RealBlock {
		t.Fatalf("run: %v", r.Failure)
	}
	left := leftGoroutines(label)
	if len(left) != 1 || left[0].count != 1 || !strings.Contains(left[0].frames[0][0], "TestLeftGoroutinesAreTheScenarios.func1") {
		t.Fatalf("left: %+v", left)
	}
}
