package sim_test

// Misuse that must not pass silently (issue 12), where sim catches it.
// Method: each test runs the misuse inside a process and checks the failure
// a user sees (its kind, the process, the stack, what to do instead), and
// that the run comes back at once rather than after the real wait.

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
)

// A process blocked outside the simulation fails its run within a few
// times Config.RealBlock, naming the process, what blocked it and what to
// use instead, with its stack; the run does not wait for the real call.
// (Before, a real 10ms sleep passed, after 10ms of real time a run.)
func TestRealBlockIsReported(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var mu sync.Mutex
	mu.Lock()
	defer mu.Unlock()
	var wg sync.WaitGroup
	wg.Add(1)
	defer wg.Done()
	for _, tc := range []struct {
		name, state, what, instead string
		block                      func()
	}{
		{"sleep", "[sleep]", "a real time.Sleep", "use w.Sleep", func() { time.Sleep(3 * time.Second) }},
		{"channel", "[chan receive]", "a receive from a real channel", "use a sim.Chan", func() { <-release }},
		{"select", "[select]", "a select on real channels", "use w.Select", func() {
			select {
			case <-release:
			case <-time.After(3 * time.Second):
			}
		}},
		{"mutex", "[sync.Mutex.Lock]", "a real sync.Mutex", "use sim.NewMutex", func() { mu.Lock() }},
		{"waitgroup", "[sync.WaitGroup.Wait]", "a real sync.WaitGroup", "use sim.NewWaitGroup", wg.Wait},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := sim.Run(sim.Config{Strategy: calm().Strategy}, func(w *sim.World) {
				w.Go("blocker", func() { blockOutside(tc.block) })
				w.Yield()
			})
			elapsed := time.Since(start)
			f := r.Failure
			require.NotNil(t, f)
			require.Equal(t, sim.RealBlock, f.Kind)
			require.Equal(t, 1, f.Proc)
			require.Equal(t, "blocker", f.ProcName)
			require.Equal(t, int64(2), f.Step, "main's Go and Yield, then the blocker's first step")
			require.Less(t, elapsed, time.Second, "reported after %v", elapsed)
			require.Contains(t, f.Stack, tc.state)
			require.Contains(t, f.Stack, "blockOutside")
			require.Contains(t, f.Error(), `process p1 "blocker" is blocked outside the simulation: `+tc.what+" held it for more than 5ms of real time in one step")
			require.Contains(t, f.Error(), tc.instead)
		})
	}
}

//go:noinline
func blockOutside(block func()) { block() }

// A step busy computing for longer than RealBlock is not blocked outside
// the world: only the watchdog's period bounds it. Nor does a short real
// wait trip the bound, nor any wait when the bound is off.
func TestRealBlockSparesBusyStepsAndShortWaits(t *testing.T) {
	busy := func(d time.Duration) {
		for start := time.Now(); time.Since(start) < d; {
		}
	}
	for _, tc := range []struct {
		name string
		cfg  sim.Config
		step func()
	}{
		{"busy 50ms", sim.Config{}, func() { busy(50 * time.Millisecond) }},
		{"sleep 100us", sim.Config{}, func() { time.Sleep(100 * time.Microsecond) }},
		{"sleep 20ms, off", sim.Config{RealBlock: -1}, func() { time.Sleep(20 * time.Millisecond) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sim.Run(tc.cfg, func(w *sim.World) {
				w.Go("worker", func() {
					for range 3 {
						tc.step()
						w.Yield()
					}
				})
				w.Yield()
			})
			require.Nil(t, r.Failure)
		})
	}
}

// The watchdog sees every step, even when every step switches between the
// same two processes: its sign of life names the step as well as the
// process, so it never reads the same value twice from two moments of a
// run. (Before, it read the running process and the step of the last step
// that did not switch: two processes handing over at every step looked the
// same at every other look, and a run of them could be taken for stuck;
// this test failed five times in six with a 30 ms watchdog over 500 ms.)
// The watchdog looks 15 times here, as then, but each look waits 100 ms: a
// loaded CI machine can keep the world's thread off a core for 30 ms and
// the run would be taken for stuck for a reason that is not weft's.
func TestWatchdogSeesEverySwitch(t *testing.T) {
	cfg := calm() // a Yield hands over to the other process, every time
	cfg.Watchdog = 100 * time.Millisecond
	cfg.MaxSteps, cfg.AfterMainSteps = 1<<40, 1<<40
	start := time.Now()
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("pong", func() {
			for time.Since(start) < 1500*time.Millisecond {
				w.Yield()
			}
		})
		for time.Since(start) < 1500*time.Millisecond {
			w.Yield()
		}
	})
	require.Nil(t, r.Failure)
}

// A goroutine that is not the world's running process and calls the world
// during the run panics at the call, saying so, before it touches the
// world: the run goes on as if the call had not been made. Such a goroutine
// is one the scenario started with go (here it recovers the panic, to hand
// it to the test; unrecovered, it takes the test binary down with the
// message), or a process of another world. (Before, the call raced the
// running process and corrupted the world in silence; only -race said so.)
func TestForeignCallPanics(t *testing.T) {
	for _, tc := range []struct {
		name, op string
		call     func(w *sim.World, mu *sim.Mutex, c *sim.Chan[int])
	}{
		{"Yield", "sim.(*World).Yield", func(w *sim.World, _ *sim.Mutex, _ *sim.Chan[int]) { w.Yield() }},
		{"Mutex.Lock", "sim.(*Mutex).Lock", func(_ *sim.World, mu *sim.Mutex, _ *sim.Chan[int]) { mu.Lock() }},
		{"Chan.Send", "sim.(*Chan[...]).Send", func(_ *sim.World, _ *sim.Mutex, c *sim.Chan[int]) { c.Send(1) }},
		{"Intn", "sim.(*World).Intn", func(w *sim.World, _ *sim.Mutex, _ *sim.Chan[int]) { w.Intn(3) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scenario := func(foreign bool) func(w *sim.World) {
				return func(w *sim.World) {
					mu, c := sim.NewMutex(w), sim.NewChan[int](w, 1)
					w.Go("peer", func() { w.Yield(); mu.Lock(); mu.Unlock() })
					if foreign {
						got := make(chan any)
						go func() {
							defer func() { got <- recover() }()
							tc.call(w, mu, c)
						}()
						v := <-got // a real wait, with RealBlock off
						if s, _ := v.(string); !strings.Contains(s, "sim: "+tc.op+" was called from a goroutine that is not the world's running process") ||
							!strings.Contains(s, "start the goroutine with w.Go instead of go") {
							w.Fatalf("the foreign call: %v", v)
						}
					}
					w.Yield()
					w.Intn(2)
				}
			}
			cfg := sim.Config{Seed: 3, RealBlock: -1}
			with, without := sim.Run(cfg, scenario(true)), sim.Run(cfg, scenario(false))
			require.Nil(t, with.Failure)
			require.Equal(t, without.Hash, with.Hash, "the foreign call left the world alone")
			require.Equal(t, without.Steps, with.Steps)
		})
	}
	t.Run("another world's process", func(t *testing.T) {
		r := sim.Run(sim.Config{RealBlock: -1}, func(a *sim.World) {
			inner := sim.Run(sim.Config{}, func(b *sim.World) { a.Yield() })
			if inner.Failure == nil || inner.Failure.Kind != sim.Panic ||
				!strings.Contains(fmt.Sprint(inner.Failure.Value), "sim: sim.(*World).Yield was called from a goroutine that is not the world's running process (a goroutine the scenario started with go, or a process of another world?)") {
				a.Fatalf("the inner world's run: %v", inner.Failure)
			}
		})
		require.Nil(t, r.Failure)
	})
}
