package sim_test

// Timers and tickers against the real language. Method: each script below is
// a sequence of operations on one timer or ticker by one process, run twice:
// on the real time package inside a testing/synctest bubble (whose fake clock
// makes real Go timers deterministic: time advances only when every
// goroutine of the bubble is blocked, as in a world), and in a world under 20
// random seeds. Both logs must equal the script's want, which was checked by
// hand against Go's documentation of time.Timer and time.Ticker (Go 1.23+
// channel semantics). Then the properties only a world has: exact virtual
// time, ties among timers explored and replayed, quiescence despite an
// unread ticker, reports that name timers, determinism.

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

type timerOp struct {
	name string
	d    time.Duration
}

func parseTimerScript(t testing.TB, script string) []timerOp {
	var ops []timerOp
	for _, f := range strings.Split(script, ";") {
		name, arg, _ := strings.Cut(strings.TrimSpace(f), " ")
		op := timerOp{name: name}
		if arg != "" {
			d, err := time.ParseDuration(arg)
			if err != nil {
				t.Fatalf("script %q: %v", script, err)
			}
			op.d = d
		}
		ops = append(ops, op)
	}
	return ops
}

// timerScripts: timer, after, afterfunc, ticker and tick make the object the
// later operations use; recv blocks and logs the value received and the
// time; poll is a non-blocking receive; stop and reset log a Timer's result
// (a Ticker's return nothing); len logs len and cap of the channel; f@t is
// AfterFunc's function running at t. Times are relative to the start.
var timerScripts = []struct{ script, want string }{
	// A fired, unreceived value counts as not delivered: Stop returns true
	// and discards it. Reset after a receive returns false.
	{"timer 1s; sleep 2s; len; stop; poll; stop; reset 1s; recv; reset 1s; stop",
		"len=0 cap=0; stop=true; poll=none; stop=false; reset=false; recv=3s@3s; reset=false; stop=true"},
	{"timer 1s; recv; stop; reset 2s; poll; sleep 2s; poll; poll",
		"recv=1s@1s; stop=false; reset=false; poll=none; poll=3s; poll=none"},
	// Due now: the value is there at once.
	{"timer 0s; poll; poll", "poll=0s; poll=none"},
	{"timer -1s; stop; poll", "stop=true; poll=none"},
	{"timer 1s; sleep 1s; poll", "poll=1s"},
	// Reset pushes the deadline back.
	{"timer 1s; sleep 500ms; reset 1s; sleep 600ms; poll; sleep 400ms; poll",
		"reset=true; poll=none; poll=1.5s"},
	{"timer 1s; stop; sleep 2s; poll; reset 0s; poll", "stop=true; poll=none; reset=false; poll=2s"},
	{"timer 2s; sleep 1s; reset 0s; recv", "reset=true; recv=1s@1s"},
	{"after 1500ms; poll; recv; len", "poll=none; recv=1.5s@1.5s; len=0 cap=0"},
	// AfterFunc: Stop after f started is false; Reset then schedules f again.
	{"afterfunc 1s; sleep 2s; stop; reset 1s; reset 1s; sleep 2s; stop",
		"f@1s; stop=false; reset=false; reset=true; f@3s; stop=false"},
	{"afterfunc 1s; stop; sleep 2s; reset 1s; sleep 2s; stop", "stop=true; reset=false; f@3s; stop=false"},
	{"afterfunc 0s; sleep 1s; stop", "f@0s; stop=false"},
	// A slow receiver gets the oldest undelivered tick, then the next one on
	// the original phase; the ticks in between are dropped.
	{"ticker 1s; sleep 5500ms; recv; recv; sleep 3s; stop; poll; reset 2s; recv; recv",
		"recv=1s@5.5s; recv=6s@6s; stop; poll=none; reset; recv=11s@11s; recv=13s@13s"},
	{"ticker 1s; recv; recv; recv; len", "recv=1s@1s; recv=2s@2s; recv=3s@3s; len=0 cap=0"},
	{"ticker 1s; sleep 1s; poll; poll; sleep 2500ms; poll; sleep 1s; poll",
		"poll=1s; poll=none; poll=2s; poll=4s"},
	{"ticker 1s; recv; sleep 2500ms; recv; sleep 2500ms; recv; recv",
		"recv=1s@1s; recv=2s@3.5s; recv=4s@6s; recv=7s@7s"},
	// Stop and Reset discard a waiting tick; Reset restarts the phase.
	{"ticker 1s; sleep 2s; reset 3s; poll; sleep 1s; poll; recv", "reset; poll=none; poll=none; recv=5s@5s"},
	{"ticker 2s; sleep 3s; reset 1s; poll; recv; stop; stop; sleep 5s; poll; reset 500ms; sleep 1s; recv",
		"reset; poll=none; recv=4s@4s; stop; stop; poll=none; reset; recv=9.5s@10s"},
	{"tick 1s; sleep 3s; recv; recv", "recv=1s@3s; recv=4s@4s"},
}

func runTimerScriptReal(t *testing.T, script string) string {
	ops := parseTimerScript(t, script)
	var mu sync.Mutex
	var out []string
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, fmt.Sprintf(format, args...))
	}
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var tm *time.Timer
		var tk *time.Ticker
		var c <-chan time.Time
		for _, op := range ops {
			switch op.name {
			case "timer":
				tm = time.NewTimer(op.d)
				c = tm.C
			case "after":
				c = time.After(op.d)
			case "afterfunc":
				tm = time.AfterFunc(op.d, func() { logf("f@%v", time.Since(start)) })
			case "ticker":
				tk = time.NewTicker(op.d)
				c = tk.C
			case "tick":
				c = time.Tick(op.d)
			case "sleep":
				time.Sleep(op.d)
			case "stop":
				if tk != nil {
					tk.Stop()
					logf("stop")
				} else {
					logf("stop=%v", tm.Stop())
				}
			case "reset":
				if tk != nil {
					tk.Reset(op.d)
					logf("reset")
				} else {
					logf("reset=%v", tm.Reset(op.d))
				}
			case "recv":
				v := <-c
				logf("recv=%v@%v", v.Sub(start), time.Since(start))
			case "poll":
				select {
				case v := <-c:
					logf("poll=%v", v.Sub(start))
				default:
					logf("poll=none")
				}
			case "len":
				logf("len=%d cap=%d", len(c), cap(c))
			default:
				t.Fatalf("unknown op %q", op.name)
			}
			// Let a function started by AfterFunc log before we go on.
			synctest.Wait()
		}
		if tk != nil {
			tk.Stop()
		}
	})
	return strings.Join(out, "; ")
}

func runTimerScriptSim(t *testing.T, script string, seed uint64) (string, *sim.Result) {
	ops := parseTimerScript(t, script)
	var out []string
	r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
		logf := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
		start := w.Now()
		var tm *sim.Timer
		var tk *sim.Ticker
		var c *sim.Chan[time.Time]
		for _, op := range ops {
			switch op.name {
			case "timer":
				tm = w.NewTimer(op.d)
				c = tm.C
			case "after":
				c = w.After(op.d)
			case "afterfunc":
				tm = w.AfterFunc(op.d, func() { logf("f@%v", w.Now().Sub(start)) })
			case "ticker":
				tk = w.NewTicker(op.d)
				c = tk.C
			case "tick":
				c = w.Tick(op.d)
			case "sleep":
				w.Sleep(op.d)
			case "stop":
				if tk != nil {
					tk.Stop()
					logf("stop")
				} else {
					logf("stop=%v", tm.Stop())
				}
			case "reset":
				if tk != nil {
					tk.Reset(op.d)
					logf("reset")
				} else {
					logf("reset=%v", tm.Reset(op.d))
				}
			case "recv":
				v := c.Recv()
				logf("recv=%v@%v", v.Sub(start), w.Elapsed())
			case "poll":
				var v time.Time
				if w.Select(c.RecvCase(&v, nil), sim.DefaultCase()) == 0 {
					logf("poll=%v", v.Sub(start))
				} else {
					logf("poll=none")
				}
			case "len":
				logf("len=%d cap=%d", c.Len(), c.Cap())
			default:
				w.Fatalf("unknown op %q", op.name)
			}
			// As synctest.Wait: let a process started by AfterFunc run.
			w.Yield()
		}
		if tk != nil {
			tk.Stop()
		}
	})
	return strings.Join(out, "; "), r
}

func TestTimerScriptsMatchGo(t *testing.T) {
	for _, tc := range timerScripts {
		t.Run(tc.script, func(t *testing.T) {
			if got := runTimerScriptReal(t, tc.script); got != tc.want {
				t.Fatalf("real Go:\n got  %s\n want %s", got, tc.want)
			}
			for seed := uint64(0); seed < 20; seed++ {
				got, r := runTimerScriptSim(t, tc.script, seed)
				if r.Failure != nil {
					t.Fatalf("seed %d: %v", seed, r.Failure)
				}
				if got != tc.want {
					t.Fatalf("seed %d:\n got  %s\n want %s", seed, got, tc.want)
				}
			}
		})
	}
}

// recoverValue runs f and returns what it panicked with.
func recoverValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestTimerMisuseMatchesGo(t *testing.T) {
	real := []any{
		recoverValue(func() { time.NewTicker(0) }),
		recoverValue(func() { time.NewTicker(-time.Second) }),
		recoverValue(func() { time.NewTicker(time.Second).Reset(0) }),
		recoverValue(func() { new(time.Timer).Stop() }),
		recoverValue(func() { new(time.Timer).Reset(time.Second) }),
		recoverValue(func() { new(time.Ticker).Reset(time.Second) }),
		recoverValue(func() { new(time.Ticker).Reset(0) }),
		recoverValue(func() { new(time.Ticker).Stop() }),
	}
	var got []any
	var tickNil bool
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		got = []any{
			recoverValue(func() { w.NewTicker(0) }),
			recoverValue(func() { w.NewTicker(-time.Second) }),
			recoverValue(func() { w.NewTicker(time.Second).Reset(0) }),
			recoverValue(func() { new(sim.Timer).Stop() }),
			recoverValue(func() { new(sim.Timer).Reset(time.Second) }),
			recoverValue(func() { new(sim.Ticker).Reset(time.Second) }),
			recoverValue(func() { new(sim.Ticker).Reset(0) }),
			recoverValue(func() { new(sim.Ticker).Stop() }),
		}
		tickNil = w.Tick(0) == nil && w.Tick(-1) == nil
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	if !slices.Equal(got, real) {
		t.Fatalf("panics:\n got  %q\n want %q", got, real)
	}
	if real[0] != "non-positive interval for NewTicker" || real[7] != nil {
		t.Fatalf("real Go changed: %q", real)
	}
	if !tickNil || time.Tick(0) != nil {
		t.Fatal("Tick(d <= 0) must return nil")
	}
}

// Virtual time is exact and costs no real time.
func TestTimerVirtualTimeIsExact(t *testing.T) {
	var slept, timedOut time.Duration
	var fired time.Time
	began := time.Now()
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		start := w.Now()
		if start != sim.Epoch {
			w.Fatalf("a run starts at %v, not at Epoch", start)
		}
		w.Sleep(3 * time.Second)
		slept = w.Now().Sub(start)
		at := w.Elapsed()
		fired = w.After(time.Hour).Recv()
		timedOut = w.Elapsed() - at
	})
	real := time.Since(began)
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	if slept != 3*time.Second || timedOut != time.Hour || r.Time != time.Hour+3*time.Second {
		t.Fatalf("slept %v, timed out after %v, run took %v of virtual time", slept, timedOut, r.Time)
	}
	if want := sim.Epoch.Add(time.Hour + 3*time.Second); !fired.Equal(want) {
		t.Fatalf("After sent %v, want %v", fired, want)
	}
	if real > time.Second {
		t.Fatalf("an hour of virtual time took %v of real time", real)
	}
}

// A "forever" timeout does not wrap around into the past.
func TestTimerHugeDurationDoesNotOverflow(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		w.Sleep(time.Second)
		tm := w.NewTimer(math.MaxInt64)
		var v time.Time
		if w.Select(tm.C.RecvCase(&v, nil), sim.DefaultCase()) == 0 {
			w.Fatalf("a timer of MaxInt64 fired at once: %v", v)
		}
		w.Sleep(math.MaxInt64)
	})
	if r.Failure == nil || r.Failure.Kind != sim.Horizon || r.Time != time.Second {
		t.Fatalf("want a horizon failure at 1s, got %v", r.Failure)
	}
}

// timerOnly decides Timer points from a seed and takes the default at every
// other point, so that what varies across seeds is the timer order alone.
type timerOnly struct{ r scheduler.Strategy }

func (s timerOnly) Choose(p scheduler.Point) int {
	if p.Kind != scheduler.Timer {
		return 0
	}
	return s.r.Choose(p)
}

// Timers due at the same instant fire in an order chosen by Timer decisions:
// every order occurs across seeds, and replaying a run's decisions repeats
// its order and its hash.
func TestTimerTiesAreExploredAndReplayed(t *testing.T) {
	var order string
	scenario := func(w *sim.World) {
		order = ""
		for _, name := range []string{"a", "b", "c"} {
			w.AfterFunc(time.Second, func() { order += name })
		}
		// A timer at the same instant with a waiting process.
		tm := w.NewTimer(time.Second)
		w.Go("d", func() { tm.C.Recv(); order += "d" })
		w.Sleep(2 * time.Second)
	}
	seen := map[string]bool{}
	for seed := uint64(0); seed < 400; seed++ {
		r := sim.Run(sim.Config{Seed: seed, Strategy: timerOnly{scheduler.RandomWalk(seed)}}, scenario)
		if r.Failure != nil {
			t.Fatal(r.Failure)
		}
		got, hash := order, r.Hash
		seen[got] = true
		if len(got) != 4 {
			t.Fatalf("seed %d: order %q", seed, got)
		}
		timers := 0
		for _, d := range r.Decisions {
			if d.Kind == scheduler.Timer {
				timers++
			}
		}
		if timers != 3 { // 4 tied, then 3, then 2
			t.Fatalf("seed %d: %d Timer decisions in %v", seed, timers, r.Decisions)
		}
		again := sim.Run(sim.Config{Strategy: scheduler.Replay(r.Decisions)}, scenario)
		if order != got || again.Hash != hash {
			t.Fatalf("seed %d: replay gave %q (hash %x), want %q (hash %x)", seed, order, again.Hash, got, hash)
		}
	}
	if len(seen) != 24 {
		t.Fatalf("saw %d of the 24 orders: %v", len(seen), seen)
	}
	// The calm schedule fires them in the order they were set.
	sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, scenario)
	if order != "abcd" {
		t.Fatalf("calm order %q, want abcd", order)
	}
}

// A ticker nobody reads does not keep a stuck world ticking to the horizon:
// once a tick waits unread, the world is quiescent, and the deadlock is found
// at once.
func TestTickerUnreadLetsWorldQuiesce(t *testing.T) {
	began := time.Now()
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		w.NewTicker(time.Millisecond)
		sim.NewChan[int](w, 0).Recv()
	})
	if r.Failure == nil || r.Failure.Kind != sim.Deadlock {
		t.Fatalf("want a deadlock, got %v", r.Failure)
	}
	// The first tick fills the slot at 1ms; the one at 2ms is dropped.
	if r.Time != 2*time.Millisecond {
		t.Fatalf("deadlock found at %v, want 2ms", r.Time)
	}
	if real := time.Since(began); real > time.Second {
		t.Fatalf("took %v of real time", real)
	}
}

// A slow consumer of a ticker, in virtual time: it always gets the oldest
// undelivered tick, never more than one late tick, and never a stale one.
func TestTickerSlowConsumerDropsTicks(t *testing.T) {
	var got []time.Duration
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		tk := w.NewTicker(10 * time.Millisecond)
		for range 5 {
			got = append(got, tk.C.Recv().Sub(sim.Epoch))
			w.Sleep(25 * time.Millisecond) // 2.5 periods per tick
		}
		tk.Stop()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	ms := time.Millisecond
	// Received at 10, 35, 60, 85, 110: each time the oldest waiting tick.
	want := []time.Duration{10 * ms, 20 * ms, 40 * ms, 70 * ms, 90 * ms}
	if !slices.Equal(got, want) {
		t.Fatalf("ticks %v, want %v", got, want)
	}
}

// A process blocked on a timer is reported with the timer's name and
// creation site.
func TestTimerNamedInReports(t *testing.T) {
	var line int
	r := sim.Run(sim.Config{KeepTrace: true}, func(w *sim.World) {
		var tm *sim.Timer
		tm, line = w.NewTimer(time.Second), thisLine()
		tm.Stop()
		tm.C.Recv()
	})
	if r.Failure == nil || r.Failure.Kind != sim.Deadlock || len(r.Failure.Blocked) != 1 {
		t.Fatalf("want a deadlock of one process, got %v", r.Failure)
	}
	b := r.Failure.Blocked[0]
	want := fmt.Sprintf("timer#1 created at sim/timer_test.go:%d", line)
	if b.In != "recv" || len(b.On) != 1 || b.On[0] != want {
		t.Fatalf("blocked %v, want recv on %s", b, want)
	}
	if s := r.Failure.Error(); !strings.Contains(s, "blocked in recv on "+want) {
		t.Fatalf("report %q does not name the timer", s)
	}
}

func thisLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

// Firing is in the trace: an EventTimer event on the timer's object, then the
// send, at the instant it was due.
func TestTimerFiringIsTraced(t *testing.T) {
	r := sim.Run(sim.Config{KeepTrace: true}, func(w *sim.World) {
		tk := w.NewTicker(time.Second)
		tk.C.Named("heartbeat")
		tk.C.Recv()
		tk.C.Recv()
		tk.Stop()
		w.AfterFunc(time.Second, func() {})
		w.Sleep(2 * time.Second)
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	var fired []string
	for _, e := range r.Trace {
		if e.Kind == sim.EventTimer && e.Obj != 0 { // Obj 0: a Sleep
			if e.Proc != -1 {
				t.Errorf("timer event %v not on the clock", e)
			}
			fired = append(fired, fmt.Sprintf("%v %s", e.Time, e.Detail))
		}
	}
	want := []string{`1s ticker#1 "heartbeat"`, `2s ticker#1 "heartbeat"`, "3s timer#2"}
	if !slices.Equal(fired, want) {
		t.Fatalf("timer events %q, want %q", fired, want)
	}
	if !slices.Contains(r.Procs, "AfterFunc timer#2") {
		t.Fatalf("processes %q: AfterFunc's has no name", r.Procs)
	}
}

// timerWorkload mixes every primitive of this file among a few processes.
func timerWorkload(w *sim.World) {
	tk := w.NewTicker(7 * time.Millisecond)
	done := sim.NewChan[int](w, 0)
	for i := range 4 {
		w.Go("worker", func() {
			tm := w.NewTimer(time.Duration(i+1) * 5 * time.Millisecond)
			n := 0
			for n < 6 {
				switch w.Select(tk.C.RecvCase(nil, nil), tm.C.RecvCase(nil, nil)) {
				case 0:
					n++
				case 1:
					tm.Reset(time.Duration(w.Intn(10)+1) * time.Millisecond)
					n++
				}
			}
			tm.Stop()
			done.Send(n)
		})
	}
	w.AfterFunc(12*time.Millisecond, func() { w.Sleep(time.Millisecond) })
	for range 4 {
		done.Recv()
	}
	tk.Stop()
}

func TestTimerDeterminism(t *testing.T) {
	hashes := map[uint64]bool{}
	for seed := uint64(0); seed < 30; seed++ {
		a := sim.Run(sim.Config{Seed: seed}, timerWorkload)
		b := sim.Run(sim.Config{Seed: seed}, timerWorkload)
		if a.Failure != nil {
			t.Fatalf("seed %d: %v", seed, a.Failure)
		}
		if a.Hash != b.Hash || a.Time != b.Time || a.Steps != b.Steps {
			t.Fatalf("seed %d: two runs differ: hash %x/%x, time %v/%v", seed, a.Hash, b.Hash, a.Time, b.Time)
		}
		hashes[a.Hash] = true
	}
	if len(hashes) < 20 {
		t.Fatalf("only %d distinct runs in 30 seeds: the seed hardly matters", len(hashes))
	}
}

// BenchmarkSleep measures one Sleep: a timer set, the clock advanced to it,
// the process woken. All b.N sleeps run in one world.
func BenchmarkSleep(b *testing.B) {
	b.ReportAllocs()
	r := sim.Run(sim.Config{MaxSteps: math.MaxInt64, Horizon: math.MaxInt64}, func(w *sim.World) {
		for b.Loop() {
			w.Sleep(time.Millisecond)
		}
	})
	if r.Failure != nil {
		b.Fatal(r.Failure)
	}
}

// TestAfterFuncNamed: a named AfterFunc timer runs its function in a process
// of that name.
func TestAfterFuncNamed(t *testing.T) {
	r := sim.Run(sim.Config{Seed: 1}, func(w *sim.World) {
		w.AfterFunc(time.Millisecond, func() {}).Named("main.F.func1")
		w.Sleep(2 * time.Millisecond)
	})
	if r.Failure != nil || !slices.Contains(r.Procs, "main.F.func1") {
		t.Fatalf("%v, processes %v", r.Failure, r.Procs)
	}
}
