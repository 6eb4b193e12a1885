package sim

import (
	"fmt"
	"iter"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

type procState uint8

const (
	stateReady   procState = iota + 1 // in the ready queue
	stateRunning                      // the world's current process
	stateBlocked                      // waiting for a wake
	stateDone                         // returned, panicked, exited or was torn down
)

// Proc is a simulated process: a coroutine that runs only when the world's
// loop resumes it and runs until its next scheduling point.
type Proc struct {
	w     *World
	id    int
	name  string
	state procState
	body  func()

	resume func() (struct{}, bool) // from iter.Pull; only the loop calls it
	stop   func()
	yield  func(struct{}) bool

	// What a blocked process waits on, for deadlock and leak reports.
	waitIn string
	waitOn []*Object
	stack  []uintptr // where it waited when torn down blocked (park)

	g        uintptr  // its goroutine (curG), the only one that may call the world as it
	goexited bool     // ended by runtime.Goexit: its stop must run on a spare goroutine
	sleep    sleeping // its Sleep timer, reused: a process sleeps once at a time
	// resumedAt is the step of its latest resume: the stall detection
	// (stall.go) tells by it whether the main process ran since a wait began.
	resumedAt int64

	// Erlang/OTP semantics (otp.go). otp marks a process made with Spawn:
	// its panic is an exit reason, not a failure of the run.
	otp       bool
	trapExits bool
	mailbox   []any
	mailHigh  int        // the mailbox's high-water mark
	receiving *receiving // set while blocked in Receive
	links     []*Proc    // in link order; a slice, so exits signal deterministically
	monitors  []*monitor // monitors others hold on this process, in creation order
	atExit    []func(reason any)
	// exit is the reason of an exit signal that will end the process when
	// it next runs (nil: none); exiting is set once it has begun to unwind.
	exit    *any
	exiting bool
	reason  any // why it ended, once done
	// unwinding is set once the world made the process unwind (its run is
	// over, or it exits, with exitReason); forced once the world ended it
	// with runtime.Goexit because it recovered the unwinding (see
	// reentered).
	unwinding  bool
	forced     bool
	exitReason any
	// withdraw takes the process out of what it waits in, when an exit
	// signal ends it while blocked (see Kernel.Block).
	withdraw Withdrawer

	// clockWakes counts the times an alarm woke it while the main process
	// stayed blocked, since the main process last ran at step clockMark
	// (stall.go). Last, with the other fields a step does not touch.
	clockWakes int
	clockMark  int64
}

// ID is the process's id: 0 for the main process, then 1, 2, ... in spawn
// order. Ids are stable across replays of the same decisions.
func (p *Proc) ID() int { return p.id }

// Name is the name given to Go.
func (p *Proc) Name() string { return p.name }

// String is "p<id>": messages that carry a process (ExitMsg, Down) then
// render the same in every run's timeline, rather than as a pointer.
func (p *Proc) String() string { return "p" + strconv.Itoa(p.id) }

// abort is the panic value that unwinds a process's stack when its run ends
// early (a failure elsewhere, or teardown): it is not a failure of its own.
type abort struct{}

// Go starts f as a new process named name. Spawning is a scheduling point:
// the new process may run before its parent continues.
func (w *World) Go(name string, f func()) *Proc {
	p := w.spawn(name, f)
	w.point()
	return p
}

func (w *World) spawn(name string, f func()) *Proc {
	w.checkAlive()
	p := &Proc{w: w, id: len(w.procs), name: name, body: f, state: stateReady}
	w.procsMu.Lock()
	w.procs = append(w.procs, p)
	w.procsMu.Unlock()
	w.live++
	p.resume, p.stop = iter.Pull(p.run)
	w.ready.pushBack(p)
	w.event(EventSpawn, nil, int64(p.id), func() string { return "p" + strconv.Itoa(p.id) + " " + p.name })
	for _, f := range w.spawnHooks {
		f(w.cur, p)
	}
	return p
}

// run is the coroutine body. It turns every way a process can end into an
// ordinary return to the loop, so that neither a panic nor runtime.Goexit
// ever reaches the loop's goroutine (iter.Pull re-raises both in next).
func (p *Proc) run(yield func(struct{}) bool) {
	p.g = curG()
	p.yield = yield
	returned := false
	defer func() {
		if returned {
			return
		}
		r := recover()
		w := p.w
		switch v := r.(type) {
		case nil:
			// runtime.Goexit: it cannot be stopped, only kept from
			// reaching the loop. Record it, then park for good; teardown
			// resumes us from a spare goroutine, where the Goexit that
			// iter.Pull re-raises ends nothing that matters.
			p.goexited = true
			if !w.tearingDown {
				w.crash(p, Goexit, nil, string(debug.Stack()))
				yield(struct{}{})
			}
		case abort:
		case exitSignal:
			if !w.stopping {
				w.terminate(p, v.reason)
			}
		default:
			switch {
			case w.tearingDown:
			case p.otp && !w.stopping:
				// In OTP a crash is an exit reason: links and monitors
				// decide what it means. It is in the trace all the same.
				w.terminate(p, &Crash{Value: r, Stack: string(debug.Stack())})
			default:
				w.crash(p, Panic, r, string(debug.Stack()))
			}
		}
	}()
	if p.exit != nil {
		// Killed before it ever ran.
		w := p.w
		w.exitNow(p, *p.exit)
	}
	p.body()
	returned = true
	p.w.terminate(p, Normal)
}

// park hands control back to the loop until the loop resumes this process.
// The caller has already put the process in a state (ready or blocked).
func (w *World) park() {
	p := w.cur
	if !p.yield(struct{}{}) || w.stopping {
		// teardown (stop) or a failure elsewhere: unwind this process. One
		// torn down while blocked is a leak or a deadlock's party: where it
		// waits is on its stack, read now, off the steps' path.
		if p.state == stateBlocked {
			p.stack = callers()
		}
		w.unwind(abort{})
	}
	p.withdraw = nil
	if p.exit != nil && !p.exiting {
		// An exit signal arrived while it waited: unwind, running its
		// defers, which may still use the world.
		w.exitNow(p, *p.exit)
	}
}

// unwind makes the running process unwind with v: abort{} when its run is
// over, an exitSignal when it exits. The panic runs the process's deferred
// functions, which may still call the world; a process that recovers it and
// goes on is caught at its next call (see reentered).
func (w *World) unwind(v any) {
	p := w.cur
	if p == nil {
		// No process of the world is running: the caller is a goroutine
		// of its own, after the run (or, racing the world, during it).
		panic("sim: a world's operation was called outside its processes, after its run ended: a goroutine the scenario started, or a primitive kept past the run? A world is used only by its own processes, during the run")
	}
	p.unwinding = true
	panic(v)
}

// exitNow makes the running process p exit with reason: it unwinds, and its
// links and monitors fire when the unwinding is done.
func (w *World) exitNow(p *Proc, reason any) {
	p.exiting, p.exitReason = true, reason
	w.unwind(exitSignal{reason})
}

// reentered runs when process p, which the world made unwind, calls into
// the world again. From one of its deferred functions that is allowed: they
// run while it unwinds (a deferred Unlock, a last Send). Any other call
// means that p recovered the unwinding and went on, as a server loop that
// recovers every panic does; a Kill must end such a process all the same,
// and the end of the run must not wait on it. So p ends here: if it was
// exiting, with its exit reason, as if the unwinding had reached its end;
// then it parks for good, and at the run's teardown it is ended with
// runtime.Goexit, which no recover stops.
func (w *World) reentered(p *Proc) {
	if p.forced || panicking() {
		return
	}
	if w.tearingDown {
		p.forced = true
		runtime.Goexit()
	}
	if p.exiting && p.state != stateDone && !w.stopping {
		w.event(EventNote, nil, int64(p.id), func() string {
			return fmt.Sprintf("p%d recovered its exit (%v) and went on: it ends all the same", p.id, p.exitReason)
		})
		w.terminate(p, p.exitReason)
	}
	p.forced = true
	p.yield(struct{}{}) // only teardown resumes it
	runtime.Goexit()
}

// panicking reports whether the calling goroutine is running deferred
// functions of a panic: whether runtime.gopanic, which calls them, is on
// its stack. It costs a stack walk, paid only by a process that calls the
// world while the world unwinds it.
func panicking() bool {
	var pcs [128]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
	for {
		f, more := frames.Next()
		if f.Function == "runtime.gopanic" {
			return true
		}
		if !more {
			return false
		}
	}
}

// point is a scheduling point: the strategy may hand the processor to another
// runnable process. It is the hot path of every run; when nothing else is
// runnable it costs a counter, a compare and the watchdog's atomic store,
// and when the strategy keeps the current process running (the default) one
// decision more. A step that switches leaves the store to the loop's resume.
func (w *World) point() {
	w.enter()
	if w.costDue() {
		// Timers came due while it ran: back to the loop, which fires
		// them and then picks among every process ready.
		p := w.cur
		p.state = stateReady
		w.ready.pushBack(p)
		w.park()
		return
	}
	if w.ready.n == 0 {
		w.life.Store(lifeOf(w.step, w.cur.id))
		if w.fp != nil {
			w.fpBegin(w.cur)
		}
		return
	}
	c := w.decideSchedule(1+w.ready.n, &w.withCur, w.cur.id)
	if c == 0 {
		w.life.Store(lifeOf(w.step, w.cur.id))
		if w.fp != nil {
			w.fpBegin(w.cur)
		}
		return
	}
	next := w.ready.removeAt(c - 1)
	p := w.cur
	p.state = stateReady
	w.ready.pushBack(p)
	w.next = next
	w.park()
}

// slowest is the longest a FaultSlow step lasts: a thread descheduled or
// paused for the collector is back within about a millisecond, so a
// timer further away is not one that a slow step brings on.
const slowest = time.Millisecond

// costDue charges the step's Config.StepCost to the clock, or, when a
// FaultSlow strikes, the time to the next timer, and reports whether a
// timer came due by it.
func (w *World) costDue() bool {
	if w.cfg.StepCost <= 0 && !w.faults.slowOn {
		return false
	}
	w.now += w.cfg.StepCost
	if len(w.timers) == 0 {
		return false
	}
	if when := w.timers[0].when; w.faults.slowOn && w.ready.n == 0 && when > w.now && when-w.now <= slowest && when <= w.cfg.Horizon && w.fault(FaultSlow) {
		w.now = when
	}
	return w.timers[0].when <= w.now
}

// enter counts a step: the part every scheduling point shares. A kill fault
// strikes here, so it can land at any scheduling point, Yield included.
func (w *World) enter() {
	w.checkAlive()
	w.step++
	w.stepOps = 0
	if heapAfterGC.Load() > w.cfg.MaxHeap {
		w.overHeap()
	}
	if w.step&1023 == 0 {
		w.publish()
	}
	if w.faults.killOn {
		w.maybeKill()
	}
}

// Yield is an explicit scheduling point that, by default, lets every other
// runnable process go first (like runtime.Gosched).
func (w *World) Yield() {
	w.enter()
	w.event(EventYield, nil, 0, nil)
	if w.ready.n == 0 && !w.costDue() {
		w.life.Store(lifeOf(w.step, w.cur.id))
		return
	}
	p := w.cur
	p.state = stateReady
	w.ready.pushBack(p)
	w.park()
}

// block parks the current process until wake is called on it (see
// Kernel.Block).
func (w *World) block(in string, wd Withdrawer, on ...*Object) {
	p := w.cur
	p.state = stateBlocked
	p.withdraw = wd
	p.waitIn = in
	p.waitOn = append(p.waitOn[:0], on...)
	w.park()
}

// wake makes a blocked process runnable again, at the back of the queue.
func (w *World) wake(p *Proc) {
	if p.state != stateBlocked {
		if p.exit != nil {
			return // an exit signal already made it runnable, to die
		}
		panic("sim: internal error: wake of a process that is not blocked")
	}
	p.state = stateReady
	p.waitIn = ""
	p.waitOn = p.waitOn[:0]
	w.ready.pushBack(p)
}

// Self returns the running process.
func (w *World) Self() *Proc { return w.cur }

// withCurOptions maps the options of a scheduling point where the running
// process could continue: option 0 is the running process, option i the
// i-th oldest ready one.
type withCurOptions struct{ w *World }

func (o *withCurOptions) ID(i int) int {
	if i == 0 {
		return o.w.cur.id
	}
	return o.w.ready.at(i - 1).id
}

// readyOptions maps the options of a point where the running process
// blocked or ended: option i is the i-th oldest ready process.
type readyOptions struct{ w *World }

func (o *readyOptions) ID(i int) int { return o.w.ready.at(i).id }

// callers returns the calling process's stack, its program counters: at
// most 64 frames, kept at their number (a teardown may read thousands).
func callers() []uintptr {
	var pcs [64]uintptr
	n := runtime.Callers(3, pcs[:])
	return append([]uintptr(nil), pcs[:n]...)
}

// ownFrame reports whether a frame is the world's, not the process's code:
// package sim, the runtime of rewritten code (the package that installed
// the ambient hook, sim/gort, which stands in for Go's runtime; its generic
// functions are named after the code that instantiates them, so it is told
// by its files), the runtime and iter (the coroutine under a process). A
// test's own code is never the world's.
func ownFrame(fn, file string) bool {
	if strings.HasSuffix(file, "_test.go") {
		return false
	}
	if ambientDir != "" && strings.HasPrefix(file, ambientDir) && !strings.Contains(file[len(ambientDir):], "/") {
		return true
	}
	return strings.HasPrefix(fn, "github.com/weftsim/weft/sim.") || strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "iter.")
}

// frames symbolizes a process's stack, leaving out the world's own frames.
func frames(pcs []uintptr) []Frame {
	if len(pcs) == 0 {
		return nil
	}
	var out []Frame
	fs := runtime.CallersFrames(pcs)
	for {
		f, more := fs.Next()
		if f.Function != "" && !ownFrame(f.Function, f.File) {
			out = append(out, Frame{Func: f.Function, File: f.File, Line: f.Line})
		}
		if !more {
			return out
		}
	}
}

// placeBlocked fills in where each process of bs waited, from the stacks
// the teardown read (Blocked.Stack).
func (w *World) placeBlocked(bs []Blocked) {
	for i := range bs {
		if id := bs[i].Proc; id >= 0 && id < len(w.procs) && bs[i].Stack == nil {
			bs[i].Stack = frames(w.procs[id].stack)
		}
	}
}
