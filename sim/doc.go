// Package sim runs a system's components as simulated processes in a
// deterministic world: a seeded strategy picks every interleaving, time is
// virtual, and each run is a pure function of its recorded decisions, so a
// failure found once replays exactly, shrinks, and reads as a timeline.
//
// # Usage
//
// A scenario is a func(*World). It runs as the world's main process and
// starts others with World.Go; they communicate through the world's
// primitives, never through real goroutines, channels, locks or clocks:
//
//	func TestCounter(t *testing.T) {
//		weft.Test(t, func(w *sim.World) {
//			mu, n := sim.NewMutex(w), 0
//			wg := sim.NewWaitGroup(w)
//			for i := 0; i < 2; i++ {
//				wg.Go("worker", func() {
//					mu.Lock()
//					v := n
//					w.Yield()
//					n = v + 1
//					mu.Unlock()
//				})
//			}
//			wg.Wait()
//			if n != 2 {
//				w.Fatalf("lost an update: n = %d", n)
//			}
//		})
//	}
//
// Run executes a single run; Replay runs one again from its decision log.
// Driving many runs belongs to the go test edge, package weft (the module's
// root): weft.Test runs many seeds, and on a failure shrinks it, saves its
// decision log under testdata/weft/, and prints the timeline and the command
// that replays it; weft.Explore is the same search as a function. End-of-run
// checks to put in Config.Properties are in package properties.
//
// # Terms
//
// A world is one run: its processes, virtual clock, primitives, trace and
// history. A process is a coroutine of the world; only the world's loop
// resumes it, and only one process of a world runs at a time.
//
// A scheduling point is any world operation that can block or that touches
// state other processes share: spawning (Go, Spawn), channel operations and
// Select, mutex, wait-group, cond and once operations, Sleep and Yield,
// timer and ticker Stop and Reset, deriving and cancelling a Context, Send
// and Receive, links, monitors and exit signals, and Kernel.Point, which
// every operation of a library built on the Kernel takes (a sim/net socket's
// or a sim/ets table's, say). A step is one scheduling point;
// the step count of a run is the number of them. Code between two scheduling
// points runs atomically with respect to other processes. Drawing a random
// value and Buggify are decisions but not scheduling points.
//
// A decision is a choice among n >= 2 options made by the run's strategy
// and recorded in its log (see package scheduler): which runnable process
// runs at a scheduling point, which ready case a Select takes, a random
// value, whether a fault fires, and which of several timers due at the same
// instant fires first. Option 0 is always the default: no preemption, the
// first ready case, no fault.
//
// A process is runnable when it could run now, blocked when it waits on a
// primitive (a channel, a mutex, a timer, ...), and done when it returned or
// crashed. The world is quiescent when no process is runnable and no timer is
// pending: nothing can ever happen again. Virtual time advances only when no
// process is runnable, by jumping to the next pending timer.
//
// A run ends when every process is done, or at quiescence, or when a budget
// runs out. At quiescence, processes still blocked are a deadlock if the
// main process is among them, and leaked otherwise. Time spent blocked
// outside the world (a real channel or lock, real I/O) is not blocking in
// this sense: the world cannot see it, and a real-time watchdog reports it.
//
// An event is one entry of the trace: a step, the virtual time, the process,
// the operation, the object and the outcome. Every event folds into the
// run's hash, its fingerprint: two runs with equal hashes did the same
// things in the same order.
//
// # Failures
//
// A run fails when a process panics or calls runtime.Goexit (t.FailNow),
// calls World.Fatalf, deadlocks or leaks processes, exceeds its step limit or
// virtual-time horizon, or blocks outside the world past the watchdog. The
// Failure says which process, what value, the stack, the step and the time;
// none of these ever crash or hang the test binary.
//
// # Two families of processes
//
// A process made with Go has Go's semantics: a panic in it fails the run, as
// a panic in a goroutine ends a Go program. A process made with Spawn has
// Erlang's: a panic ends it with a *Crash exit reason that its links and
// monitors see, and the run fails only if a check says so. Both have a
// mailbox, and both can be linked, monitored and sent exit signals.
//
// # Primitives without a world
//
// Primitives are created with their world (NewChan, NewMutex, ...). A zero
// value Mutex, or a nil channel, has no world of its own; it binds to the
// world through a package-level hook that only code rewritten from plain Go
// installs, and panics with guidance otherwise.
package sim
