package sim_test

// Reliability: what a hostile or careless scenario does to the world, from
// the reliability run's findings. Method: each test builds the smallest
// scenario that showed the defect (a process that recovers every panic, a
// main process that can be killed, a process that loops without a
// scheduling point, ...) and checks that the run now ends the way the
// package doc says, fast, with its real failure, and without leaving work
// behind.

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
)

// A kill fault never ends the main process, whatever Killable says: a
// scenario whose main process always fails at its end fails every run.
func TestKillFaultSparesMain(t *testing.T) {
	everyone := func(*sim.Proc) bool { return true }
	cfg := sim.Config{Faults: sim.FaultPlan{Killable: everyone}.With(sim.FaultKill, 0.5)}
	killed := 0
	for seed := range uint64(300) {
		cfg.Seed = seed
		r := sim.Run(cfg, func(w *sim.World) {
			w.Spawn("worker", func() { w.Yield(); w.Yield() })
			for range 5 {
				w.Yield()
			}
			w.Fatalf("the end of main")
		})
		require.NotNil(t, r.Failure, "seed %d passed: its main process never reached its end", seed)
		require.Equal(t, sim.Fatal, r.Failure.Kind, "seed %d", seed)
		if r.Processes[1].Reason == sim.Killed {
			killed++
		}
	}
	require.Greater(t, killed, 50, "the plan kills the other processes")
}

// A main process ended by an exit signal fails the run: what it would have
// checked after that point never ran.
func TestMainEndedBySignalFails(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		w.SpawnLink("crasher", func() { panic("boom") })
		w.Sleep(time.Second)
		w.Fatalf("unreachable: the crash ends main first")
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.MainExited, r.Failure.Kind)
	require.Contains(t, r.Failure.Error(), "the main process p0 exited with reason crash: boom before it returned")

	normal := sim.Run(sim.Config{}, func(w *sim.World) { w.Exit(sim.Normal) })
	require.Nil(t, normal.Failure, "exiting normally is returning")
}

// serveForever is the server-loop idiom that recovers every panic: each
// request is handled in a function whose deferred recover swallows
// whatever it raised, and the loop goes on.
func serveForever(w *sim.World, handled *int) func() {
	return func() {
		for {
			func() {
				defer func() { recover() }()
				w.Receive(nil, sim.Infinity)
				*handled++
			}()
		}
	}
}

// Kill ends a process that recovers every panic: the exit signal unwinds
// it, its recover swallows that, and its next call into the world ends it
// anyway, with its links and monitors told, as on the BEAM.
func TestKillEndsARecoveringLoop(t *testing.T) {
	handled := 0
	r := sim.Run(sim.Config{KeepTrace: true, Watchdog: 3 * time.Second}, func(w *sim.World) {
		p, ref := w.SpawnMonitor("server", serveForever(w, &handled))
		w.Send(p, "request")
		w.Sleep(time.Second)
		w.Kill(p)
		m, _ := w.Receive(func(m any) bool { d, ok := m.(sim.Down); return ok && d.Ref == ref }, sim.Infinity)
		require.Equal(t, sim.Killed, m.(sim.Down).Reason)
		require.False(t, p.Alive())
		w.Send(p, "after the kill") // dropped: nobody handles it
		w.Sleep(time.Second)
	})
	require.Nil(t, r.Failure)
	require.Equal(t, 1, handled)
	found := false
	for _, e := range r.Trace {
		found = found || e.Kind == sim.EventNote && e.Detail == "p1 recovered its exit (killed) and went on: it ends all the same"
	}
	require.True(t, found, "the trace says what happened")
}

// A run that ends while such a process is blocked ends promptly, with its
// own failure: the teardown ends the process with runtime.Goexit, which no
// recover stops. (Before, the teardown looped until the watchdog blamed
// main, and the real failure was lost.)
func TestRunEndsDespiteARecoveringLoop(t *testing.T) {
	handled := 0
	for _, tc := range []struct {
		name string
		end  func(w *sim.World)
		want sim.FailureKind
	}{
		{"Fatalf in main", func(w *sim.World) { w.Fatalf("the check failed") }, sim.Fatal},
		{"a leak", func(w *sim.World) {}, sim.Leak},
		{"Fatalf inside the loop", func(w *sim.World) {
			w.Go("checker", func() {
				for {
					func() {
						defer func() { recover() }()
						w.Fatalf("the checker's check failed")
					}()
				}
			})
			w.Sleep(time.Hour)
		}, sim.Fatal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sim.Run(sim.Config{Watchdog: 3 * time.Second}, func(w *sim.World) {
				w.Go("server", serveForever(w, &handled))
				w.Sleep(time.Second)
				tc.end(w)
			})
			require.NotNil(t, r.Failure)
			require.Equal(t, tc.want, r.Failure.Kind, "%v", r.Failure)
		})
	}
}

// Every step is progress: a process alone in its world that takes real time
// at every step (slow code between scheduling points, not a hang) is not
// mistaken for a stuck one, however few steps it takes.
func TestWatchdogCountsEveryStep(t *testing.T) {
	cfg := sim.Config{Watchdog: 50 * time.Millisecond, RealBlock: -1} // the sleep stands for work
	r := sim.Run(cfg, func(w *sim.World) {
		for range 60 {
			time.Sleep(2 * time.Millisecond) // real work between two points
			w.Yield()
		}
	})
	require.Nil(t, r.Failure, "60 steps of 2ms each, 120ms in all, under a 50ms watchdog")
}

// A stuck process is reported within the watchdog's period and a second,
// with its stack, which says where it is stuck.
func TestWatchdogReportsTheStuckStack(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	cfg := sim.Config{Watchdog: 200 * time.Millisecond, RealBlock: -1} // the watchdog's report, not RealBlock's
	start := time.Now()
	r := sim.Run(cfg, func(w *sim.World) {
		w.Go("stuck", func() { waitOnARealChannel(release) })
		w.Sleep(time.Second)
	})
	elapsed := time.Since(start)
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Watchdog, r.Failure.Kind)
	require.Equal(t, "stuck", r.Failure.ProcName)
	require.Less(t, elapsed, cfg.Watchdog+time.Second+500*time.Millisecond, "reported %v after it got stuck", elapsed)
	require.Contains(t, r.Failure.Stack, "[chan receive")
	require.Contains(t, r.Failure.Stack, "waitOnARealChannel")
	require.Contains(t, r.Failure.Stack, "reliability_test.go")
	require.Contains(t, r.Failure.Error(), "cannot be stopped")
}

//go:noinline
func waitOnARealChannel(c chan struct{}) { <-c }

// Work between two scheduling points is bounded: a loop of random draws or
// of history marks that never yields fails the run, naming the process,
// long before it fills memory.
func TestWorkBetweenStepsIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name string
		loop func(w *sim.World)
	}{
		{"random draws", func(w *sim.World) {
			for {
				w.Intn(10)
			}
		}},
		{"history marks", func(w *sim.World) {
			for {
				w.Return(w.Call(0, "op"), "done")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sim.Run(sim.Config{MaxStepOps: 1000}, func(w *sim.World) {
				w.Go("spinner", func() { tc.loop(w) })
				w.Sleep(time.Second)
			})
			require.NotNil(t, r.Failure)
			require.Equal(t, sim.Runaway, r.Failure.Kind)
			require.Equal(t, "spinner", r.Failure.ProcName)
			require.Contains(t, r.Failure.Error(), "more than 1000 decisions and history marks")
		})
	}
}

// A run whose heap grows without bound fails with its seed instead of
// taking the program down.
func TestHeapIsBounded(t *testing.T) {
	var keep [][]byte
	r := sim.Run(sim.Config{MaxHeap: 64 << 20}, func(w *sim.World) {
		for {
			keep = append(keep, make([]byte, 4<<20))
			w.Yield()
		}
	})
	keep = nil
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Runaway, r.Failure.Kind)
	require.Contains(t, r.Failure.Error(), "live heap reached")
}

// A fatal error the world cannot catch (here a stack overflow) still names
// the seed: the run's loop goroutine carries it as an argument that a
// goroutine dump prints exactly. The test runs the crash in a child process
// of its own binary.
func TestFatalErrorNamesTheSeed(t *testing.T) {
	if os.Getenv("WEFT_TEST_CRASH") == "1" {
		debug.SetMaxStack(16 << 20) // overflow fast
		var recurse func(n int) int
		recurse = func(n int) int { return recurse(n+1) + 1 }
		sim.Run(sim.Config{Seed: 42}, func(w *sim.World) { recurse(0) })
		t.Fatal("the run survived its stack overflow")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFatalErrorNamesTheSeed$")
	cmd.Env = append(os.Environ(), "WEFT_TEST_CRASH=1", "GOTRACEBACK=all")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the child must die")
	require.Contains(t, string(out), "fatal error: stack overflow")
	require.Regexp(t, `sim\.\(\*World\)\.runLoop\(0x[0-9a-f]+\??, \{0x2a, 0x5eed\}`, string(out), "the dump names seed 42 (0x2a)")
}

// A goroutine of the scenario's own that calls the world after the run
// dies with a message that says what went wrong, not with sim's internal
// unwinding value. (During the run, see TestForeignCallPanics.)
func TestForeignGoroutineAfterTheRun(t *testing.T) {
	if os.Getenv("WEFT_TEST_CRASH") == "1" {
		var kept *sim.World
		sim.Run(sim.Config{}, func(w *sim.World) { kept = w })
		kept.Yield()
		t.Fatal("the call returned")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestForeignGoroutineAfterTheRun$")
	cmd.Env = append(os.Environ(), "WEFT_TEST_CRASH=1")
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "panic: sim: sim.(*World).Yield was called after its world's run ended, by a goroutine the scenario started with go")
}

// The data hash fingerprints what the trace hash does not see, and is as
// deterministic: the same seed gives the same data hash; without HashData
// there is none.
func TestDataHash(t *testing.T) {
	scenario := func(w *sim.World) {
		c := sim.NewChan[string](w, 1)
		w.Go("sender", func() { c.Send(fmt.Sprint("value ", w.Intn(100))) })
		w.Return(w.Call(0, c.Recv()), "ok")
	}
	plain := sim.Run(sim.Config{Seed: 3}, scenario)
	require.Zero(t, plain.DataHash)
	a := sim.Run(sim.Config{Seed: 3, HashData: true}, scenario)
	b := sim.Run(sim.Config{Seed: 3, HashData: true}, scenario)
	require.NotZero(t, a.DataHash)
	require.Equal(t, a.DataHash, b.DataHash)
	require.Equal(t, plain.Hash, a.Hash, "hashing data leaves the trace hash alone")
	other := sim.Run(sim.Config{Seed: 4, HashData: true}, scenario)
	require.NotEqual(t, a.DataHash, other.DataHash, "another value sent, another data hash")
}

// An abandoned run costs nothing once its stuck process calls into the
// world again, even one that recovers every panic: the process unwinds (or,
// having swallowed that, parks for good), the loop tears the world down,
// and every goroutine of the run ends. (Before, a recovering process spun
// on for the life of the binary. A process that never calls the world
// again cannot be stopped; the watchdog's failure says so.)
func TestAbandonedRunEndsWhenItsProcessReturns(t *testing.T) {
	before := runtime.NumGoroutine()
	var iterations atomic.Int64
	r := sim.Run(sim.Config{Watchdog: 50 * time.Millisecond, RealBlock: -1}, func(w *sim.World) {
		w.Go("slow", func() {
			for {
				func() {
					defer func() { recover() }()
					time.Sleep(20 * time.Millisecond) // real work, no scheduling point
					iterations.Add(1)
					w.Intn(2) // a decision: not a step, but a call into the world
				}()
			}
		})
		w.Sleep(time.Second)
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Watchdog, r.Failure.Kind)
	checkNoGoroutineLeft(t, before)
	n := iterations.Load()
	time.Sleep(100 * time.Millisecond)
	require.Equal(t, n, iterations.Load(), "the abandoned process stopped")
}

// A value that carries an address (a request with its reply channel, a
// pointer inside a struct) prints differently from run to run of the same
// seed; the data hash folds every address as one marker, so only the data
// around it counts.
func TestDataHashIgnoresAddresses(t *testing.T) {
	type request struct {
		n     int
		reply *int
	}
	scenario := func(w *sim.World) {
		c := sim.NewChan[request](w, 1)
		w.Go("client", func() { c.Send(request{n: w.Intn(100), reply: new(int)}) })
		c.Recv()
	}
	hashes := map[uint64]bool{}
	for range 4 {
		hashes[sim.Run(sim.Config{Seed: 3, HashData: true}, scenario).DataHash] = true
	}
	require.Len(t, hashes, 1, "the same seed gave different data hashes")
	require.Equal(t, sim.MixDetailForTest("sent 0xc000123456 ok"), sim.MixDetailForTest("sent 0xc0000abcde ok"))
	require.NotEqual(t, sim.MixDetailForTest("sent 0xc000123456 ok"), sim.MixDetailForTest("sent 0xc000123456 no"))
	require.NotEqual(t, sim.MixDetailForTest("value 0x1f"), sim.MixDetailForTest("value 0x2f"), "a short hex number is data, not an address")
}
