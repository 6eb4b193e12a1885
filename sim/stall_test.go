package sim_test

// Runs that end without quiescence name what every process was doing, and a
// main process blocked for good behind a ticker or a polling loop is caught
// early. Method: the calm schedule, which is exact, on small scenarios: a
// hopeless one for each kind of clock that keeps a world alive (a ticker, a
// sleeping poller, a receive timeout), asserting that the run ends as a
// suspected deadlock within the bound rather than at the step limit, with
// the report's fields; then one scenario for each way the clock may still
// end main's wait (main asleep, on a timer, on a context's deadline, behind
// an AfterFunc, behind a process that sleeps long once), which must run to
// its end; then the bound's edge, both ways; and that the detection adds
// nothing to a run: the stalled run's trace is a prefix of the same run's
// without the detection.

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/sim"
)

// tickerStuck is the run: main waits for good on a channel nobody
// sends on, while a process reads a ticker forever.
func tickerStuck(w *sim.World) {
	tk := w.NewTicker(time.Second)
	w.Go("poller", func() {
		for range tk.C.Range() {
		}
	})
	sim.NewChan[int](w, 0).Named("done").Recv()
}

func TestStallTicker(t *testing.T) {
	r := sim.Run(calm(), tickerStuck)
	f := r.Failure
	if f == nil || f.Kind != sim.Deadlock {
		t.Fatalf("failure %v, want a suspected deadlock", f)
	}
	// Ten thousand ticks, a step each: not the million of the step limit.
	if r.Steps > 10_010 || r.Time != 10_000*time.Second {
		t.Fatalf("ended at step %d, virtual time %v", r.Steps, r.Time)
	}
	want := []sim.Blocked{
		{Proc: 0, Name: "main", In: "recv", On: []string{`chan#2 "done"`}},
		{Proc: 1, Name: "poller", In: "recv", On: []string{"ticker#1"}},
	}
	if !blockedEqual(f.Blocked, want) || !blockedEqual(r.Leaked, want) {
		t.Fatalf("blocked %v, want %v", f.Blocked, want)
	}
	msg := f.Error()
	for _, s := range []string{
		"deadlock (suspected): the main process has waited in recv since virtual time 0s while only the clock kept the world going",
		`every process it wakes (p1 "poller") has woken at least 10000 times since, and none woke main`,
		"no pending timer (ticker#1 at 2h46m41s) can wake main itself",
		"Config.MainStallWakes",
		`p0 "main" blocked in recv on chan#2 "done" (suspected: the run was cut short)`,
		`p1 "poller" blocked in recv on ticker#1 (suspected: the run was cut short)`,
	} {
		if !strings.Contains(msg, s) {
			t.Fatalf("report does not say %q:\n%s", s, msg)
		}
	}
	if got := f.Signature(); got != "deadlock main:recv,poller:recv" {
		t.Fatalf("Signature() = %q", got)
	}
}

// Every clock that keeps a world alive: a sleeping poller, a receive
// timeout, a Select on a fresh After each time, two pollers at different
// rates, a poller that feeds a worker. And main may wait on anything the
// clock does not act on: a channel, a WaitGroup, a mutex.
func TestStallKinds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scenario func(w *sim.World)
		mainIn   string
		pollers  string
	}{
		{"sleeping poller, main on a WaitGroup", func(w *sim.World) {
			wg := sim.NewWaitGroup(w)
			wg.Add(1)
			w.Go("poller", func() {
				for {
					w.Sleep(time.Millisecond)
				}
			})
			wg.Wait()
		}, "wait", `p1 "poller"`},
		{"receive timeout, main on a mutex", func(w *sim.World) {
			mu := sim.NewMutex(w)
			mu.Lock()
			w.Spawn("server", func() {
				for {
					w.Receive(nil, time.Second)
				}
			})
			mu.Lock()
		}, "lock", `p1 "server"`},
		{"a fresh After each time", func(w *sim.World) {
			never := sim.NewChan[int](w, 0)
			w.Go("poller", func() {
				for {
					w.Select(w.After(time.Millisecond).RecvCase(nil, nil), never.RecvCase(nil, nil))
				}
			})
			never.Recv()
		}, "recv", `p1 "poller"`},
		{"two pollers, one slow", func(w *sim.World) {
			for _, d := range []time.Duration{time.Millisecond, 3 * time.Millisecond} {
				w.Go(fmt.Sprint("poller ", d), func() {
					for {
						w.Sleep(d)
					}
				})
			}
			sim.NewChan[int](w, 0).Recv()
		}, "recv", `p1 "poller 1ms", p2 "poller 3ms"`},
		{"a poller that feeds a worker", func(w *sim.World) {
			work := sim.NewChan[int](w, 0)
			w.Go("worker", func() {
				for range work.Range() {
				}
			})
			w.Go("poller", func() {
				for {
					w.Sleep(time.Millisecond)
					work.Send(1)
				}
			})
			sim.NewChan[int](w, 0).Recv()
		}, "recv", `p2 "poller"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sim.Run(calm(), tc.scenario)
			f := r.Failure
			if f == nil || f.Kind != sim.Deadlock || f.Value == nil {
				t.Fatalf("failure %v, want a suspected deadlock", f)
			}
			if r.Steps > 100_000 {
				t.Fatalf("ended at step %d", r.Steps)
			}
			if f.Blocked[0].Name != "main" || f.Blocked[0].In != tc.mainIn || f.Blocked[0].Proven {
				t.Fatalf("blocked %v", f.Blocked)
			}
			if want := "every process it wakes (" + tc.pollers + ")"; !strings.Contains(f.Error(), want) {
				t.Fatalf("report does not say %q:\n%s", want, f.Error())
			}
		})
	}
}

// Whenever the clock itself may still end main's wait, or a process it has
// not yet woken that often may, the run goes on: each of these passes,
// however often a poller beside it wakes.
func TestStallNotWhileTheClockMayWakeMain(t *testing.T) {
	poller := func(w *sim.World) {
		w.Go("poller", func() {
			for {
				w.Sleep(time.Millisecond)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		scenario func(w *sim.World)
	}{
		{"main asleep", func(w *sim.World) {
			poller(w)
			w.Sleep(time.Minute)
		}},
		{"main on a timer's channel", func(w *sim.World) {
			poller(w)
			w.After(time.Minute).Recv()
		}},
		{"main in a select with a timeout", func(w *sim.World) {
			poller(w)
			never := sim.NewChan[int](w, 0)
			w.Select(never.RecvCase(nil, nil), w.After(time.Minute).RecvCase(nil, nil))
		}},
		{"main in a receive with a timeout", func(w *sim.World) {
			poller(w)
			w.Receive(nil, time.Minute)
		}},
		{"main on a context's deadline, through a child", func(w *sim.World) {
			poller(w)
			ctx, cancel := sim.WithTimeout(w.Background(), time.Minute)
			defer cancel()
			child, cancelChild := sim.WithCancel(ctx)
			defer cancelChild()
			child.Done().Recv()
		}},
		{"an AfterFunc will wake main", func(w *sim.World) {
			poller(w)
			done := sim.NewChan[int](w, 0)
			w.AfterFunc(time.Minute, func() { done.Close() })
			done.Recv()
		}},
		{"a process sleeps long once, then wakes main", func(w *sim.World) {
			poller(w)
			done := sim.NewChan[int](w, 0)
			w.Go("source", func() {
				w.Sleep(time.Minute)
				done.Close()
			})
			done.Recv()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := calm()
			cfg.AllowLeaks = true // the poller
			r := sim.Run(cfg, tc.scenario)
			if r.Failure != nil {
				t.Fatalf("%v", r.Failure)
			}
			if r.Time < time.Minute {
				t.Fatalf("ended at %v", r.Time)
			}
		})
	}
}

// The bound is a count of wakes, and what it cannot know is the future: a
// process that wakes main on its 20,000th tick is taken for a poller under
// the default bound, and runs to its end under a higher one. A lower bound
// ends the hopeless run sooner.
func TestStallBound(t *testing.T) {
	counter := func(w *sim.World) {
		done := sim.NewChan[int](w, 0)
		w.Go("counter", func() {
			for range 20_000 {
				w.Sleep(time.Millisecond)
			}
			done.Close()
		})
		done.Recv()
	}
	r := sim.Run(calm(), counter)
	if f := r.Failure; f == nil || f.Kind != sim.Deadlock || f.Value == nil {
		t.Fatalf("default bound: failure %v, want a suspected deadlock", f)
	}
	cfg := calm()
	cfg.MainStallWakes = 20_001
	if r := sim.Run(cfg, counter); r.Failure != nil {
		t.Fatalf("bound 20,001: %v", r.Failure)
	}
	cfg.MainStallWakes = 50
	r = sim.Run(cfg, tickerStuck)
	if f := r.Failure; f == nil || f.Kind != sim.Deadlock || r.Time != 50*time.Second {
		t.Fatalf("bound 50: failure %v at %v", f, r.Time)
	}
}

// The detection adds no event and no decision: the stalled run's trace is
// the beginning of the trace of the same run left to reach the step limit.
func TestStallAddsNothing(t *testing.T) {
	for seed := range uint64(5) {
		scenario := func(w *sim.World) {
			tk := w.NewTicker(time.Second)
			for i := range 3 {
				w.Go(fmt.Sprint("poller", i), func() {
					for range tk.C.Range() {
						w.Yield()
						_ = w.Intn(3)
					}
				})
			}
			sim.NewChan[int](w, 0).Recv()
		}
		cfg := sim.Config{Seed: seed, KeepTrace: true, MainStallWakes: 100}
		stalled := sim.Run(cfg, scenario)
		cfg.MainStallWakes, cfg.MaxSteps = 1_000_000, 5000
		limited := sim.Run(cfg, scenario)
		if stalled.Failure == nil || stalled.Failure.Kind != sim.Deadlock || limited.Failure == nil || limited.Failure.Kind != sim.StepLimit {
			t.Fatalf("seed %d: %v, then %v", seed, stalled.Failure, limited.Failure)
		}
		n := len(stalled.Trace)
		if n == 0 || len(limited.Trace) < n || !slices.Equal(stalled.Trace, limited.Trace[:n]) {
			t.Fatalf("seed %d: the stalled run's %d events are not the first of the other's %d", seed, n, len(limited.Trace))
		}
		if !slices.Equal(stalled.Decisions, limited.Decisions[:len(stalled.Decisions)]) {
			t.Fatalf("seed %d: decisions differ", seed)
		}
	}
}
