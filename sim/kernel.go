package sim

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/weftsim/weft/scheduler"
)

// Kernel is the world as a library sees it: the operations a primitive needs
// to take part in a run the way sim's own do (the network, owned tables and
// supervisors are built on it, in packages of their own). A scenario never
// needs it; a library gets it with World.Kernel.
//
// # What a primitive is made of
//
// A primitive (a socket, a table, a disk) embeds an Object and gives it its
// identity with Register, so that events and reports name it. Each of its
// operations called by a process starts with Point, the scheduling point
// where the strategy may run another process first; then it acts on the
// primitive's state, records what it did with Event, and, if it must wait,
// parks the process with Block until something calls Wake. Whatever happens
// in virtual time (a packet arriving, a timeout) is an Alarm set with
// SetAlarm. Whatever could go more than one way is a decision: Decide for a
// choice, Fault or Chance for a fault, so that it replays and shrinks.
// State the library keeps per world (its hosts, its tables) lives in a Local.
//
// # Contracts
//
// A Kernel belongs to one world and, like the world, is used only from that
// world's processes and from the Fire functions of its alarms. Which of the
// two may call an operation is written on it:
//
//   - From a process only: Point and Block, which park the running process,
//     and CheckRun, which unwinds it.
//   - From a process or an alarm: every other operation. During an alarm's
//     Fire no process runs (Running is nil): Fire must not reach a
//     scheduling point or block, and Deliver and Event then act for the
//     world rather than for a process.
//
// No kernel operation is a scheduling point except Point and Block, and none
// but Point, Block, Decide, Fault and Chance asks the strategy anything: a
// library decides where its operations' scheduling points and decisions are,
// and every run that makes the same calls in the same order is the same run.
// The costs are those of the world's own primitives: Point is the hot path
// (a counter and a compare when nothing else can run, one decision
// otherwise), Event a handful of multiplies unless the world keeps a trace
// or hashes data (Config.HashData), when it also renders the detail,
// SetAlarm and StopAlarm O(log n) in the pending alarms.
type Kernel World

// Kernel returns the world's kernel, for libraries that build primitives.
func (w *World) Kernel() *Kernel { return (*Kernel)(w) }

// World returns the kernel's world.
func (k *Kernel) World() *World { return (*World)(k) }

// Withdrawer takes a blocked process out of what it waits in. Block takes
// one: when an exit signal (Kill, a linked process's crash, a kill fault)
// ends the process while it is blocked, the world calls Withdraw before the
// process unwinds, so that the primitive no longer counts it as a waiter
// (and a Wake meant for it goes nowhere). Withdraw runs on the world's loop
// or on the process that sent the signal: like an alarm's Fire, it must not
// reach a scheduling point. When a run ends, blocked processes are unwound
// without it: nothing can use the primitive any more.
type Withdrawer interface{ Withdraw() }

// Register gives o its identity: the next object id of the world, kind
// ("conn", "table", ...), and, when the world keeps a trace, the source line
// that made it. skip counts the calls between the user's code and Register:
// 1 when Register is called from the function the user called (NewHost, say),
// so that the line is the user's.
func (k *Kernel) Register(o *Object, kind string, skip int) {
	k.World().newObject(o, kind, skip+1)
}

// Site is the source line (file:line) skip calls above the caller of Site,
// when the world keeps a trace, and "" otherwise; see Object.SetSite.
func (k *Kernel) Site(skip int) string { return k.World().site(skip + 1) }

// Tracing reports whether the world keeps a trace: whether Event keeps its
// details and Register the creation sites. A library may skip work that only
// a trace would show.
func (k *Kernel) Tracing() bool { return k.cfg.KeepTrace }

// Running is the process that is running, or nil during an alarm's Fire (or
// after the run).
func (k *Kernel) Running() *Proc { return k.cur }

// Step is the number of scheduling points the run has taken so far.
func (k *Kernel) Step() int64 { return k.step }

// Point is a scheduling point of the running process: the strategy may run
// another process first, and a kill fault may end the running process here.
// Every operation of a primitive that a process calls should start with
// one, before it looks at the primitive's state, so that what it sees
// depends on the schedule. It unwinds the process when the run is over.
// From a process only.
func (k *Kernel) Point() { k.World().point() }

// CheckRun unwinds the running process when its run is over (it failed
// elsewhere, a budget ran out, or the watchdog abandoned it), as every world
// operation does before it acts, and otherwise does nothing. It is not a
// scheduling point and asks nothing. Point and Block check the same
// themselves; an operation that may answer before its Point (a spec it
// rejects before anything is made, a misuse it reports) calls CheckRun
// first, so that a process whose run is over unwinds there instead of
// acting on the answer, as it would inside sim. From a process only.
func (k *Kernel) CheckRun() { k.World().checkAlive() }

// Block parks the running process until Wake is called on it. in says what
// it waits in ("recv", "accept", "fsync") and on the objects it waits on:
// when the run ends in a deadlock or with leaked processes, the report says
// "blocked in <in> on <objects>". wd, if not nil, is called when an exit
// signal ends the process while it waits (see Withdrawer). When Block
// returns the process runs again; it may have been woken for a reason it
// must check (a closed socket, a timeout it set). From a process only,
// after the operation's Point.
func (k *Kernel) Block(in string, wd Withdrawer, on ...*Object) { k.World().block(in, wd, on...) }

// Wake makes a process that Block parked runnable again, behind the
// processes already runnable. Waking a process that is not blocked panics,
// unless an exit signal already made it runnable to die (then Wake does
// nothing): a primitive must take a process off its queues when it wakes it,
// and in its Withdrawer.
func (k *Kernel) Wake(p *Proc) { k.World().wake(p) }

// Deadline is the virtual instant (time since the run began, as Alarm and
// World.Elapsed count it) d from now, saturating rather than overflowing: a
// "forever" d lies beyond any horizon.
func (k *Kernel) Deadline(d time.Duration) time.Duration { return k.World().when(d) }

// SetAlarm sets a to go off at virtual instant at (now, if at has passed):
// its Fire then runs on the world's loop, when no process can run any more
// at an earlier instant. An alarm already set is moved. Fire may Wake
// processes, Deliver messages, record Events, ask for decisions and faults,
// and set or stop alarms, but not reach a scheduling point or block.
func (k *Kernel) SetAlarm(a *Alarm, at time.Duration) {
	w := k.World()
	w.stopTimer(a)
	w.addTimer(a, at)
}

// StopAlarm unsets a and reports whether it was set.
func (k *Kernel) StopAlarm(a *Alarm) bool { return k.World().stopTimer(a) }

// Decide asks the strategy to choose among n options and records the
// decision, which replays and shrinks with the rest of the run: option 0 is
// the default, the one shrinking moves toward, so make it the calmest (no
// delay, the first candidate, no fault). kind is scheduler.Select,
// scheduler.Random, scheduler.Fault or scheduler.Timer; Schedule decisions
// belong to the world. With n == 1 nothing is asked and Decide returns 0.
// Decide records no event: record what the choice meant with Event.
func (k *Kernel) Decide(kind scheduler.Kind, n int) int {
	switch {
	case kind == scheduler.Schedule || !kind.Valid():
		panic(fmt.Sprintf("sim: Kernel.Decide: %v is not a kind a library may ask for (Select, Random, Fault or Timer)", kind))
	case n < 1:
		panic(fmt.Sprintf("sim: Kernel.Decide: %d options", n))
	case n == 1:
		return 0
	}
	return k.World().decide(kind, n, nil)
}

// Fault reports whether a fault of the given kind strikes now, as the run's
// FaultPlan says: when the plan turns the kind on, it asks a Fault decision
// and, when the fault fires, records an EventFault naming the kind. Call it
// where the fault would strike (a packet sent, an accept, a write).
func (k *Kernel) Fault(kind FaultKind) bool { return k.World().fault(kind) }

// Chance is a fault that fires with probability rate, whatever the
// FaultPlan says: a Fault decision that fires on its top options, so that
// shrinking turns it off. A rate of 0 or less never fires and asks nothing;
// 1 or more always fires and asks nothing. Rates are rounded to multiples of
// 1/1024. It records no event.
func (k *Kernel) Chance(rate float64) bool {
	switch {
	case !(rate > 0):
		return false
	case rate >= 1:
		return true
	}
	n := min(max(int(rate*faultScale+0.5), 1), faultScale-1)
	return k.World().decide(scheduler.Fault, faultScale, nil) >= faultScale-n
}

// Event records an event of the running process (of the clock during an
// alarm's Fire) on obj (nil for none): its kind, obj's id and arg always go
// into the run's hash, so arg should say what happened in a way that tells
// outcomes apart (a byte count, an error code, 1 for "closed"). detail, when
// not nil, renders the event for people; it is called only when the world
// keeps a trace (without it the event shows obj).
func (k *Kernel) Event(kind EventKind, obj *Object, arg int64, detail func() string) {
	k.World().event(kind, obj, arg, detail)
}

// OnExit registers f to run when p ends, however it ends, with its exit
// reason: on p's own coroutine, after its deferred functions and before its
// links and monitors fire (as the BEAM releases a process's ports and
// tables before it signals its links), in registration order. f must not
// reach a scheduling point. p must be alive. It is how a resource that
// belongs to a process (a socket, a table) goes with it.
func (k *Kernel) OnExit(p *Proc, f func(reason any)) {
	if !p.Alive() {
		panic(fmt.Sprintf("sim: Kernel.OnExit: %v %q has already ended", p, p.name))
	}
	p.atExit = append(p.atExit, f)
}

// OnSpawn registers f to run whenever a process is spawned from now on
// (by Go, Spawn, SpawnLink or SpawnMonitor, from any library), with the
// spawning process as parent: after the child is made and before it can
// run, in registration order. f must not reach a scheduling point. It is how
// a library that places processes somewhere (a node) keeps the processes
// they start in the same place, as erlang:spawn starts a process on the
// caller's node. Register it once per world (in a Local's make function).
func (k *Kernel) OnSpawn(f func(parent, child *Proc)) {
	if f == nil {
		panic("sim: Kernel.OnSpawn with a nil function")
	}
	k.spawnHooks = append(k.spawnHooks, f)
}

// Kill ends p with reason, whatever p does: an exit signal that cannot be
// trapped, as World.Kill's, but with a reason of the caller's choosing,
// which p's links and monitors then get; and without World.Kill's
// scheduling point, so a library can end many processes in one step (a node
// going down takes all of its processes at once). A process that has ended
// already, or that is already ending (an exit signal, its own exit), is
// left alone. If p
// is the running process, Kill does not return: p unwinds at once.
// Otherwise p ends when it next runs (a blocked process is withdrawn from
// what it waits on, as by any exit signal). From a process or an alarm.
func (k *Kernel) Kill(p *Proc, reason any) {
	w := k.World()
	if p.state == stateDone || p.exit != nil || p.exiting {
		return
	}
	w.event(EventNote, nil, int64(p.id), func() string {
		return fmt.Sprintf("exit signal p%d -> p%d: %v (untrappable)", idOf(w.cur), p.id, reason)
	})
	w.end(p, reason)
}

// Deliver puts msg at the end of p's mailbox and wakes p if it waits in
// Receive for such a message, as Send does, without Send's scheduling
// point; a message to a process that has ended is dropped. It records an
// EventSend.
func (k *Kernel) Deliver(p *Proc, msg any) { k.World().deliver(p, msg) }

// Mailbox is p's mailbox, oldest message first. The slice is the mailbox
// itself: read it, do not change it, and do not keep it past the next
// operation.
func (k *Kernel) Mailbox(p *Proc) []any { return p.mailbox }

// TakeMessages removes from p's mailbox every message match accepts and
// returns them in order; the others keep theirs. It records no event.
func (k *Kernel) TakeMessages(p *Proc, match func(any) bool) []any {
	var taken []any
	kept := p.mailbox[:0]
	for _, m := range p.mailbox {
		if match(m) {
			taken = append(taken, m)
		} else {
			kept = append(kept, m)
		}
	}
	clear(p.mailbox[len(kept):])
	p.mailbox = kept
	return taken
}

// Link links a and b, as World.Link does for the running process, without
// its scheduling point: when either ends, the other gets an exit signal.
// Both must be alive.
func (k *Kernel) Link(a, b *Proc) {
	if !a.Alive() || !b.Alive() {
		panic("sim: Kernel.Link of a process that has ended")
	}
	k.World().link(a, b)
}

// DemonitorFlush turns off a monitor the running process holds and drops
// its Down message if one is already in the mailbox, as
// erlang:demonitor(Ref, [flush]); without World.Demonitor's scheduling
// point. A library that monitors a process for the length of a call (a
// request and its reply) ends the monitor this way.
func (k *Kernel) DemonitorFlush(ref MonitorRef) { k.World().demonitorFlush(ref) }

// Unwinding reports whether v, a value recovered from a panic, is the world
// unwinding a process (its run ended, or an exit signal ends it) rather than
// a panic of the process's own. A library that recovers panics of user code
// it calls must panic again with such a value.
func (k *Kernel) Unwinding(v any) bool {
	switch v.(type) {
	case abort, exitSignal:
		return true
	}
	return false
}

// A Local is a library's state in each world: one *T per world, made by the
// Local's make function the first time the world asks for it. Declare one
// per kind of state, as a package-level variable:
//
//	var hosts = sim.NewLocal(func(k *sim.Kernel) *hostTable { return &hostTable{} })
//
// so that a world that never uses the library pays nothing for it. The
// state outlives the run in its Result (see Of), for checks of what the run
// left behind.
type Local[T any] struct {
	id   int
	make func(k *Kernel) *T
}

// localCount numbers the Locals of the process. It is not state of any run:
// a Local's number only says where a world keeps its value.
var localCount atomic.Int32

// NewLocal makes a Local whose value in a world is make(k) the first time it
// is asked for.
func NewLocal[T any](make func(k *Kernel) *T) *Local[T] {
	if make == nil {
		panic("sim: NewLocal with a nil make function")
	}
	return &Local[T]{id: int(localCount.Add(1) - 1), make: make}
}

// Get returns the world's value, making it on first use.
func (l *Local[T]) Get(k *Kernel) *T {
	if l.id < len(k.locals) {
		if v, ok := k.locals[l.id].(*T); ok {
			return v
		}
	}
	v := l.make(k)
	if l.id >= len(k.locals) {
		k.locals = append(k.locals, make([]any, l.id+1-len(k.locals))...)
	}
	k.locals[l.id] = v
	return v
}

// Peek returns the world's value, or nil when the world never made one; it
// makes nothing.
func (l *Local[T]) Peek(k *Kernel) *T {
	if l.id < len(k.locals) {
		v, _ := k.locals[l.id].(*T)
		return v
	}
	return nil
}

// Of returns the value a finished run left, or nil when its world never
// made one: what properties read to judge the resources a run left behind.
func (l *Local[T]) Of(r *Result) *T {
	if l.id < len(r.locals) {
		v, _ := r.locals[l.id].(*T)
		return v
	}
	return nil
}
