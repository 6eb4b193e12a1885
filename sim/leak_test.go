package sim_test

// Leaks. Method: scenarios whose main process returns while others live on,
// blocked for good (a proven leak, found at quiescence), or kept alive by a
// timer or a polling loop (a suspected leak, found when the budget after main
// runs out). Each report is asserted field by field under the calm
// schedule, and each run must leave no goroutine behind.

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/sim"
)

func TestLeakAfterMainReturns(t *testing.T) {
	before := runtime.NumGoroutine()
	r := sim.Run(calm(), func(w *sim.World) {
		c, d := sim.NewChan[int](w, 0), sim.NewChan[int](w, 0)
		w.Go("finisher", func() {})
		w.Go("paired", func() { c.Send(2) })
		w.Go("selector", func() { w.Select(c.SendCase(1), d.RecvCase(nil, nil)) })
		w.Sleep(time.Second)
		// Senders queue in order: this pairs with "paired", blocked first.
		if v := c.Recv(); v != 2 {
			w.Fatalf("received %d", v)
		}
	})
	f := r.Failure
	want := []sim.Blocked{{Proc: 3, Name: "selector", In: "select", On: []string{"chan#1", "chan#2"}, Proven: true}}
	if f == nil || f.Kind != sim.Leak || !blockedEqual(f.Blocked, want) || !blockedEqual(r.Leaked, want) {
		t.Fatalf("failure %+v, want %v", f, want)
	}
	checkNoGoroutineLeft(t, before)

	// Exactly one process blocked on one channel; the full report.
	r = sim.Run(calm(), func(w *sim.World) {
		c := sim.NewChan[int](w, 0)
		w.Go("finisher", func() {})
		w.Go("stuck", func() { c.Recv() })
		w.Sleep(time.Second)
	})
	f = r.Failure
	want = []sim.Blocked{{Proc: 2, Name: "stuck", In: "recv", On: []string{"chan#1"}, Proven: true}}
	if f == nil || f.Kind != sim.Leak || !blockedEqual(f.Blocked, want) || !blockedEqual(r.Leaked, want) || f.Proc != -1 {
		t.Fatalf("failure %+v, want %v", f, want)
	}
	if got, wantMsg := f.Error(), "leak: processes still blocked after the main process returned (step 4, virtual time 1s)\n\tp2 \"stuck\" blocked in recv on chan#1"; got != wantMsg {
		t.Fatalf("Error() =\n%s\nwant\n%s", got, wantMsg)
	}
	if got := f.Signature(); got != "leak stuck:recv" {
		t.Fatalf("Signature() = %q", got)
	}
	checkNoGoroutineLeft(t, before)
}

func TestLeakAllowed(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := calm()
	cfg.AllowLeaks = true
	r := sim.Run(cfg, func(w *sim.World) {
		c := sim.NewChan[int](w, 0)
		w.Go("stuck", func() { c.Recv() })
	})
	want := []sim.Blocked{{Proc: 1, Name: "stuck", In: "recv", On: []string{"chan#1"}, Proven: true}}
	if r.Failure != nil || !blockedEqual(r.Leaked, want) {
		t.Fatalf("failure %v, leaked %v", r.Failure, r.Leaked)
	}
	checkNoGoroutineLeft(t, before)

	// A deadlock of the main process is not a leak: AllowLeaks does not
	// excuse it.
	r = sim.Run(cfg, func(w *sim.World) { sim.NewChan[int](w, 0).Recv() })
	if r.Failure == nil || r.Failure.Kind != sim.Deadlock {
		t.Fatalf("failure %v, want a deadlock", r.Failure)
	}
}

// A background process that sleeps in a loop keeps the world alive forever
// after main returns: the run ends when the budget after main is spent, and
// the process is a suspected leak.
func TestLeakSuspectedAfterMainSteps(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := calm()
	cfg.AfterMainSteps = 50
	ticks := 0
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("ticker", func() {
			for {
				w.Sleep(time.Second)
				ticks++
			}
		})
	})
	f := r.Failure
	want := []sim.Blocked{{Proc: 1, Name: "ticker", In: "sleep", Proven: false}}
	if f == nil || f.Kind != sim.Leak || !blockedEqual(f.Blocked, want) || !blockedEqual(r.Leaked, want) {
		t.Fatalf("failure %+v, want a suspected leak of the ticker", f)
	}
	// main returns at step 1 (its Go); the budget ends the run after the
	// 51st step past that.
	if r.Steps != 52 || ticks != 50 || r.Time != 50*time.Second {
		t.Fatalf("ended at step %d, %v, after %d ticks", r.Steps, r.Time, ticks)
	}
	if !strings.Contains(f.Error(), `p1 "ticker" blocked in sleep (suspected: the run was cut short)`) {
		t.Fatalf("Error() = %q", f.Error())
	}
	checkNoGoroutineLeft(t, before)

	cfg.AllowLeaks = true
	r = sim.Run(cfg, func(w *sim.World) {
		w.Go("ticker", func() {
			for {
				w.Sleep(time.Second)
			}
		})
	})
	if r.Failure != nil || !blockedEqual(r.Leaked, want) {
		t.Fatalf("allowed: failure %v, leaked %v", r.Failure, r.Leaked)
	}
	checkNoGoroutineLeft(t, before)
}

// A process that polls with Yield alone after main returns never blocks; the
// budget after main still ends the run, with the poller suspected.
func TestLeakSuspectedPoller(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := calm()
	cfg.AfterMainSteps = 5000
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("poller", func() {
			for {
				w.Yield()
			}
		})
	})
	f := r.Failure
	want := []sim.Blocked{{Proc: 1, Name: "poller", In: "running", Proven: false}}
	if f == nil || f.Kind != sim.Leak || !blockedEqual(f.Blocked, want) {
		t.Fatalf("failure %+v, want a suspected leak of the poller", f)
	}
	if r.Steps <= 5000 || r.Steps > 5000+1024+1 {
		t.Fatalf("ended at step %d", r.Steps)
	}
	checkNoGoroutineLeft(t, before)
}

// Passing the horizon after main returned is a suspected leak too, not a
// Horizon failure: the main process finished its work in time.
func TestLeakSuspectedAtHorizon(t *testing.T) {
	cfg := calm()
	cfg.Horizon = time.Hour
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("sleeper", func() {
			for {
				w.Sleep(40 * time.Minute)
			}
		})
	})
	f := r.Failure
	want := []sim.Blocked{{Proc: 1, Name: "sleeper", In: "sleep", Proven: false}}
	if f == nil || f.Kind != sim.Leak || !blockedEqual(f.Blocked, want) || r.Time != 40*time.Minute {
		t.Fatalf("failure %+v at %v", f, r.Time)
	}
}

// A background process that finishes within the budget is no leak.
func TestLeakNoneWhenBackgroundEnds(t *testing.T) {
	cfg := calm()
	cfg.AfterMainSteps = 50
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("worker", func() {
			for range 40 {
				w.Sleep(time.Second)
			}
		})
	})
	if r.Failure != nil || len(r.Leaked) != 0 || r.Time != 40*time.Second {
		t.Fatalf("failure %v, leaked %v, time %v", r.Failure, r.Leaked, r.Time)
	}
}

// TestLeakStack: a leaked process's Blocked.Stack is where it waits, its own
// frames innermost first, without the world's (package sim, the runtime), so
// a report can name the line of the blocking call.
func TestLeakStack(t *testing.T) {
	var line int
	r := sim.Run(calm(), func(w *sim.World) {
		c := sim.NewChan[int](w, 0)
		w.Go("stuck", func() {
			_, _, l, _ := runtime.Caller(0)
			line = l + 2 // the line of sendOn(c), below
			sendOn(c)
		})
		w.Sleep(time.Second)
	})
	if len(r.Leaked) != 1 {
		t.Fatalf("leaked %v", r.Leaked)
	}
	st := r.Leaked[0].Stack
	if len(st) != 2 || !strings.HasSuffix(st[0].Func, "sim_test.sendOn") || !strings.HasSuffix(st[1].File, "/leak_test.go") || st[1].Line != line {
		t.Fatalf("stack %v, want sendOn, then leak_test.go:%d", st, line)
	}
	if s := st[1].Site(); s != "sim/leak_test.go:"+strconv.Itoa(line) {
		t.Errorf("site %q", s)
	}
}

// sendOn sends on c from a frame of its own.
//
//go:noinline
func sendOn(c *sim.Chan[int]) { c.Send(1) }
