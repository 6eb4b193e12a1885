package sim_test

// The world's ways of ending a run. Method: one small scenario per ending
// (deadlock, panic, Goexit, Fatalf, step limit, horizon, watchdog), each run
// under the calm schedule so that steps and times are exact, with every
// field of the Failure asserted; then a check that the run left no goroutine
// behind. Last, many worlds at once must compute what they compute alone.

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// here returns the caller's file:line as object creation sites render it.
func here() string {
	_, file, line, _ := runtime.Caller(1)
	parts := strings.Split(file, "/")
	return fmt.Sprintf("%s:%d", strings.Join(parts[len(parts)-2:], "/"), line)
}

// calm is the configuration of exact-step tests: every decision takes the
// default.
func calm() sim.Config { return sim.Config{Strategy: scheduler.Replay(nil)} }

// checkNoGoroutineLeft waits up to a second for the goroutine count to come
// back to before: a finished run's goroutines end just after Run returns.
func checkNoGoroutineLeft(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines before the run, %d after:\n%s", before, runtime.NumGoroutine(), buf[:n])
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWorldDeadlockReport(t *testing.T) {
	before := runtime.NumGoroutine()
	var siteC, siteD, siteE string
	cfg := calm()
	cfg.KeepTrace = true
	r := sim.Run(cfg, func(w *sim.World) {
		c, s := sim.NewChan[int](w, 0), here()
		siteC = s
		d, s := sim.NewChan[string](w, 0).Named("replies"), here()
		siteD = s
		e, s := sim.NewChan[int](w, 1), here()
		siteE = s
		e.Send(0)
		w.Go("waiter", func() { c.Recv() })
		w.Go("sender", func() { e.Send(1) })
		w.Select(c.RecvCase(nil, nil), d.RecvCase(nil, nil))
	})
	f := r.Failure
	if f == nil || f.Kind != sim.Deadlock {
		t.Fatalf("failure %v, want a deadlock", f)
	}
	want := []sim.Blocked{
		{Proc: 0, Name: "main", In: "select", On: []string{"chan#1 created at " + siteC, `chan#2 "replies" created at ` + siteD}, Proven: true},
		{Proc: 1, Name: "waiter", In: "recv", On: []string{"chan#1 created at " + siteC}, Proven: true},
		{Proc: 2, Name: "sender", In: "send", On: []string{"chan#3 created at " + siteE}, Proven: true},
	}
	if !blockedEqual(f.Blocked, want) {
		t.Fatalf("blocked:\n%v\nwant:\n%v", f.Blocked, want)
	}
	if !blockedEqual(r.Leaked, want) {
		t.Fatalf("Result.Leaked %v, want the blocked processes", r.Leaked)
	}
	if f.Proc != -1 || f.ProcName != "" || f.Step != r.Steps || f.Time != 0 {
		t.Fatalf("failure fields %+v", f)
	}
	msg := f.Error()
	for _, s := range []string{
		"deadlock: all processes are blocked",
		`p0 "main" blocked in select on chan#1 created at ` + siteC,
		`p1 "waiter" blocked in recv on chan#1`,
		`p2 "sender" blocked in send on chan#3 created at ` + siteE,
	} {
		if !strings.Contains(msg, s) {
			t.Fatalf("report %q\ndoes not contain %q", msg, s)
		}
	}
	if !strings.HasPrefix(siteC, "sim/world_test.go:") {
		t.Fatalf("site %q", siteC)
	}
	checkNoGoroutineLeft(t, before)

	// Without KeepTrace the report names objects without their sites.
	r = sim.Run(calm(), func(w *sim.World) { sim.NewChan[int](w, 0).Recv() })
	if got := r.Failure.Blocked; len(got) != 1 || !slices.Equal(got[0].On, []string{"chan#1"}) {
		t.Fatalf("blocked %v", got)
	}
}

func blockedEqual(a, b []sim.Blocked) bool {
	return slices.EqualFunc(a, b, func(x, y sim.Blocked) bool {
		return x.Proc == y.Proc && x.Name == y.Name && x.In == y.In && slices.Equal(x.On, y.On) && x.Proven == y.Proven
	})
}

//go:noinline
func explode(w *sim.World, c *sim.Chan[int]) {
	for i := range 3 {
		c.Send(i)
	}
	panic(fmt.Sprintf("boom at %v", w.Elapsed()))
}

func TestWorldPanic(t *testing.T) {
	before := runtime.NumGoroutine()
	r := sim.Run(calm(), func(w *sim.World) {
		c := sim.NewChan[int](w, 3)
		w.Sleep(time.Second)
		w.Go("bomber", func() { explode(w, c) })
		w.Sleep(time.Second)
		w.Fatalf("not reached")
	})
	f := r.Failure
	// Steps: Sleep 1, Go 2, Sleep 3, three sends 4..6.
	if f == nil || f.Kind != sim.Panic || f.Proc != 1 || f.ProcName != "bomber" || f.Value != "boom at 1s" || f.Step != 6 || f.Time != time.Second {
		t.Fatalf("failure %+v", f)
	}
	if !strings.Contains(f.Stack, "sim_test.explode(") {
		t.Fatalf("stack does not show the panicking function:\n%s", f.Stack)
	}
	if got := f.Error(); got != `process p1 "bomber" panicked: boom at 1s (step 6, virtual time 1s)` {
		t.Fatalf("Error() = %q", got)
	}
	checkNoGoroutineLeft(t, before)
}

// A panic with a runtime error (not a string) keeps its value.
func TestWorldPanicRuntimeError(t *testing.T) {
	r := sim.Run(calm(), func(w *sim.World) {
		var m map[string]int
		m["x"] = 1
	})
	if f := r.Failure; f == nil || f.Kind != sim.Panic || !isRuntimeError(f.Value) || fmt.Sprint(f.Value) != "assignment to entry in nil map" {
		t.Fatalf("failure %+v", f)
	}
}

func TestWorldGoexit(t *testing.T) {
	for _, inMain := range []bool{false, true} {
		before := runtime.NumGoroutine()
		afterGoexit := false
		r := sim.Run(calm(), func(w *sim.World) {
			if inMain {
				runtime.Goexit()
			}
			w.Go("quitter", func() {
				w.Yield()
				runtime.Goexit()
				afterGoexit = true
			})
			w.Sleep(time.Second)
		})
		// Reaching this line is the test that the calling goroutine is
		// unaffected.
		f := r.Failure
		wantProc, wantName := 1, "quitter"
		if inMain {
			wantProc, wantName = 0, "main"
		}
		if f == nil || f.Kind != sim.Goexit || f.Proc != wantProc || f.ProcName != wantName || afterGoexit {
			t.Fatalf("inMain=%v: failure %+v", inMain, f)
		}
		if !strings.Contains(f.Error(), "runtime.Goexit") || f.Stack == "" {
			t.Fatalf("report %q, stack %q", f.Error(), f.Stack)
		}
		checkNoGoroutineLeft(t, before)
	}
}

// Processes still blocked when a run ends are unwound, running their
// deferred functions. One of those may call runtime.Goexit (t.FailNow in a
// defer) or use the world; neither may keep the other processes from being
// torn down.
func TestWorldTeardownWithGoexitInDefer(t *testing.T) {
	before := runtime.NumGoroutine()
	deferred := 0
	r := sim.Run(calm(), func(w *sim.World) {
		c := sim.NewChan[int](w, 0)
		w.Go("a", func() {
			defer runtime.Goexit()
			c.Recv()
		})
		w.Go("b", func() {
			defer func() { deferred++ }()
			defer c.Close() // the world is over: this unwinds at once
			c.Recv()
		})
		w.Go("c", func() {
			defer func() { deferred++ }()
			c.Recv()
		})
		w.Sleep(time.Second)
	})
	if f := r.Failure; f == nil || f.Kind != sim.Leak || len(f.Blocked) != 3 {
		t.Fatalf("failure %v, want a leak of a, b and c", f)
	}
	if deferred != 2 {
		t.Fatalf("%d deferred functions ran, want 2", deferred)
	}
	checkNoGoroutineLeft(t, before)
}

func TestWorldFatalf(t *testing.T) {
	before := runtime.NumGoroutine()
	reached := false
	r := sim.Run(calm(), func(w *sim.World) {
		w.Go("checker", func() {
			w.Fatalf("bad balance %d", -3)
			reached = true
		})
		w.Sleep(time.Minute)
		reached = true
	})
	f := r.Failure
	if f == nil || f.Kind != sim.Fatal || f.Proc != 1 || f.ProcName != "checker" || f.Value != "bad balance -3" || reached {
		t.Fatalf("failure %+v, reached %v", f, reached)
	}
	if got := f.Error(); got != `process p1 "checker": bad balance -3 (step 2, virtual time 0s)` {
		t.Fatalf("Error() = %q", got)
	}
	if r.Time != 0 {
		t.Fatalf("the run went on to %v after Fatalf", r.Time)
	}
	checkNoGoroutineLeft(t, before)
}

func TestWorldStepLimit(t *testing.T) {
	before := runtime.NumGoroutine()
	const limit = 5000
	cfg := calm()
	cfg.MaxSteps = limit
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("spinner", func() {
			for {
				w.Yield()
			}
		})
		sim.NewChan[int](w, 0).Recv()
	})
	f := r.Failure
	if f == nil || f.Kind != sim.StepLimit {
		t.Fatalf("failure %v, want the step limit", f)
	}
	// The limit is checked every 1024 steps, off the per-step path.
	if f.Step <= limit || f.Step > limit+1024 {
		t.Fatalf("stopped at step %d, want in (%d, %d]", f.Step, limit, limit+1024)
	}
	if want := fmt.Sprintf("step limit: more than %d scheduling points (a livelock, or a process that loops forever?)", limit); !strings.HasPrefix(f.Error(), want) {
		t.Fatalf("Error() = %q, want prefix %q", f.Error(), want)
	}
	checkNoGoroutineLeft(t, before)
}

func TestWorldHorizon(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := calm()
	cfg.Horizon = time.Minute
	ticks := 0
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("ticker", func() {
			for {
				w.Sleep(time.Second)
				ticks++
			}
		})
		sim.NewChan[int](w, 0).Recv()
	})
	f := r.Failure
	if f == nil || f.Kind != sim.Horizon || f.Time != time.Minute || ticks != 60 {
		t.Fatalf("failure %+v after %d ticks", f, ticks)
	}
	if want := "horizon: virtual time would pass the horizon of 1m0s (next timer at 1m1s)"; !strings.HasPrefix(f.Error(), want) {
		t.Fatalf("Error() = %q, want prefix %q", f.Error(), want)
	}
	checkNoGoroutineLeft(t, before)
}

// The step limit's report names every live process: what each blocked one
// waits on, and which one was running.
func TestStepLimitNamesProcesses(t *testing.T) {
	cfg := calm()
	cfg.MaxSteps = 5000
	cfg.KeepTrace = true // for the holder's name
	var site string
	r := sim.Run(cfg, func(w *sim.World) {
		mu, s := sim.NewMutex(w).Named("m"), here()
		site = s
		w.Go("holder", func() { mu.Lock(); w.Sleep(time.Hour) })
		w.Go("spinner", func() {
			for {
				w.Yield()
			}
		})
		w.Yield()
		mu.Lock()
	})
	f := r.Failure
	if f == nil || f.Kind != sim.StepLimit {
		t.Fatalf("failure %v, want the step limit", f)
	}
	want := []sim.Blocked{
		{Proc: 0, Name: "main", In: "lock", On: []string{`mutex#1 "m" created at ` + site}},
		{Proc: 1, Name: "holder", In: "sleep"},
		{Proc: 2, Name: "spinner", In: "running"},
	}
	if !blockedEqual(f.Blocked, want) || f.Blocked[0].Held != `held by p1 "holder"` {
		t.Fatalf("blocked %v, want %v", f.Blocked, want)
	}
	for _, s := range []string{
		"step limit: more than 5000 scheduling points",
		`p0 "main" blocked in lock on mutex#1 "m" created at ` + site + `, held by p1 "holder" (suspected: the run was cut short)`,
		`p1 "holder" blocked in sleep (suspected: the run was cut short)`,
		`p2 "spinner" running`,
	} {
		if !strings.Contains(f.Error(), s) {
			t.Fatalf("report does not say %q:\n%s", s, f.Error())
		}
	}
	if f.Signature() != "step limit" {
		t.Fatalf("Signature() = %q", f.Signature())
	}
}

// So does the horizon's, here with main blocked behind a poller.
func TestHorizonNamesProcesses(t *testing.T) {
	cfg := calm()
	cfg.Horizon = time.Minute
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("poller", func() {
			for {
				w.Sleep(time.Second)
			}
		})
		sim.NewChan[int](w, 0).Named("done").Recv()
	})
	f := r.Failure
	want := []sim.Blocked{
		{Proc: 0, Name: "main", In: "recv", On: []string{`chan#1 "done"`}},
		{Proc: 1, Name: "poller", In: "sleep"},
	}
	if f == nil || f.Kind != sim.Horizon || !blockedEqual(f.Blocked, want) {
		t.Fatalf("failure %v, want the horizon with %v", f, want)
	}
	if !strings.Contains(f.Error(), `p0 "main" blocked in recv on chan#1 "done" (suspected: the run was cut short)`) {
		t.Fatalf("report:\n%s", f.Error())
	}
}

// A process blocked on a real channel is outside the world: the watchdog
// names it and the run returns, leaving the stuck goroutine (and the run's
// own) behind until the real channel lets go. Then they all end, and none of
// the abandoned world's processes runs any further.
func TestWorldWatchdog(t *testing.T) {
	before := runtime.NumGoroutine()
	release := make(chan struct{})
	resumed := make(chan string, 4)
	var ticks atomic.Int64
	cfg := calm()
	cfg.Watchdog = 100 * time.Millisecond
	cfg.RealBlock = -1 // the watchdog's own report
	start := time.Now()
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("ticker", func() {
			for {
				w.Sleep(time.Second)
				ticks.Add(1)
			}
		})
		w.Go("stuck", func() {
			w.Sleep(time.Minute)
			<-release
			resumed <- "after the real channel"
			w.Yield() // the world is abandoned: this unwinds the process
			resumed <- "after a scheduling point"
		})
		sim.NewChan[int](w, 0).Recv()
	})
	elapsed := time.Since(start)
	f := r.Failure
	if f == nil || f.Kind != sim.Watchdog || f.Proc != 2 || f.ProcName != "stuck" {
		t.Fatalf("failure %+v", f)
	}
	// Steps: main's Go, Go, Recv (1..3); the ticker's first Sleep (4), the
	// stuck process's Sleep (5), the ticker's 59 more (6..64).
	if f.Step != 64 {
		t.Fatalf("watchdog at step %d, want 64", f.Step)
	}
	if !strings.Contains(f.Error(), `watchdog: process p2 "stuck" did not reach a scheduling point for 100ms of real time`) {
		t.Fatalf("Error() = %q", f.Error())
	}
	if elapsed > 2*time.Second {
		t.Fatalf("the watchdog took %v", elapsed)
	}
	// At one minute the stuck process's timer (set first) fires first, and
	// it runs first: the ticker is ready but has not run its 60th tick.
	if n := ticks.Load(); n != 59 {
		t.Fatalf("the ticker ticked %d times before the stuck process blocked, want 59", n)
	}
	close(release)
	select {
	case s := <-resumed:
		if s != "after the real channel" {
			t.Fatalf("resumed %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stuck process did not resume")
	}
	checkNoGoroutineLeft(t, before)
	if len(resumed) != 0 || ticks.Load() != 59 {
		t.Fatalf("the abandoned world ran on: %d more resumptions, %d ticks", len(resumed), ticks.Load())
	}
}

// Many worlds run at once, one per goroutine, and each computes exactly what
// it computes alone.
func TestWorldParallelWorlds(t *testing.T) {
	const goroutines, perG = 8, 200
	n := goroutines * perG
	if testing.Short() {
		n = goroutines * 25
	}
	sequential := make([]uint64, n)
	for i := range n {
		sequential[i] = sim.Run(sim.Config{Seed: uint64(i)}, mixedScenario).Hash
	}
	parallel := make([]uint64, n)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += goroutines {
				parallel[i] = sim.Run(sim.Config{Seed: uint64(i)}, mixedScenario).Hash
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if parallel[i] != sequential[i] {
			t.Fatalf("seed %d: hash %x in parallel, %x alone", i, parallel[i], sequential[i])
		}
	}
}

// A Config's zero fields take their documented defaults, and the Result
// reports the scenario, seed and strategy it was given.
func TestWorldResultFields(t *testing.T) {
	r := sim.Run(sim.Config{Name: "fields", Seed: 42}, func(w *sim.World) {
		w.Go("child", func() {})
		w.Sleep(3 * time.Second)
	})
	if r.Failure != nil || r.Scenario != "fields" || r.Seed != 42 || r.Spec != "random" || r.Time != 3*time.Second {
		t.Fatalf("result %+v", r)
	}
	if !slices.Equal(r.Procs, []string{"main", "child"}) {
		t.Fatalf("procs %v", r.Procs)
	}
	l := r.Log()
	if l.Scenario != "fields" || l.Seed != 42 || l.Spec != "random" || l.WeftVersion != sim.Version || l.GoVersion != runtime.Version() || !slices.Equal(l.Decisions, r.Decisions) {
		t.Fatalf("log %+v", l)
	}
}
