package sim

import (
	"fmt"
	"time"
)

// EventKind says what an event did. Its value goes into the trace hash, so
// the numbers of the kinds never change.
type EventKind uint8

// The kinds of events. Libraries built on the Kernel use the same kinds for
// their own objects: a message or a datagram sent is EventSend, a process
// waiting on a socket EventBlock, anything else worth a line in the timeline
// EventNote.
const (
	EventSpawn   EventKind = iota + 1 // a process was made
	EventExit                         // a process ended (Arg: how, see exitArg)
	EventCrash                        // a process failed the run (Arg: the FailureKind)
	EventYield                        // World.Yield
	EventSend                         // a value or message was sent
	EventRecv                         // a value or message was received
	EventClose                        // something was closed
	EventSelect                       // a Select took a case (Arg: its index)
	EventBlock                        // the process is about to block
	EventWake                         // the process woke another (Arg: its id)
	EventLock                         // a lock was taken
	EventUnlock                       // a lock was released
	EventSleep                        // World.Sleep (Arg: the duration)
	EventTimer                        // an alarm went off on the clock
	EventRandom                       // a random draw (Arg: the value)
	EventFault                        // a fault struck
	EventCall                         // an operation of the history began
	EventReturn                       // an operation of the history ended
	EventNote                         // anything else a timeline should show
	EventDestroy                      // a resource went (a table with its owner, say)
	eventKindEnd
)

var eventKindNames = [...]string{
	EventSpawn: "spawn", EventExit: "exit", EventCrash: "crash", EventYield: "yield",
	EventSend: "send", EventRecv: "recv", EventClose: "close", EventSelect: "select",
	EventBlock: "block", EventWake: "wake", EventLock: "lock", EventUnlock: "unlock",
	EventSleep: "sleep", EventTimer: "timer", EventRandom: "random", EventFault: "fault",
	EventCall: "call", EventReturn: "return", EventNote: "note", EventDestroy: "destroy",
}

func (k EventKind) String() string {
	if k > 0 && k < eventKindEnd {
		return eventKindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one entry of a run's trace: at step Step and virtual time Time,
// process Proc (-1 for the clock) did an event of kind Kind on object Obj (0 for none), with Arg
// as its outcome (a select case, a random value, 1 for "closed", ...).
// Detail is a human-readable rendering, filled only when the trace is kept.
type Event struct {
	Step   int64
	Time   time.Duration
	Proc   int
	Kind   EventKind
	Obj    int
	Arg    int64
	Detail string
}

func (e Event) String() string {
	s := fmt.Sprintf("step %d  %v  p%d %s", e.Step, e.Time, e.Proc, e.Kind)
	if e.Detail != "" {
		s += " " + e.Detail
	}
	return s
}

// fnv-1a style mixing, one word at a time: a handful of multiplies per event
// keeps the fingerprint off the hot path's budget.
const (
	hashOffset = 14695981039346656037
	hashPrime  = 1099511628211
)

func mix(h, v uint64) uint64 { return (h ^ v) * hashPrime }

// event records an event: it always folds into the running hash, and is kept
// with a rendered detail only when the world keeps a trace.
func (w *World) event(op EventKind, obj *Object, arg int64, detail func() string) {
	id := 0
	if obj != nil {
		id = obj.id
	}
	pid := -1
	if w.cur != nil {
		pid = w.cur.id
	}
	h := mix(w.hash, uint64(w.step))
	h = mix(h, uint64(w.now))
	h = mix(h, uint64(pid)<<8|uint64(op))
	h = mix(h, uint64(id))
	w.hash = mix(h, uint64(arg))
	if w.fp != nil {
		w.fpEvent(op, obj, arg)
	}
	if !w.cfg.KeepTrace && !w.cfg.HashData {
		return
	}
	d := ""
	if detail != nil {
		d = detail()
	} else if obj != nil {
		d = obj.String()
	}
	if w.cfg.HashData {
		w.dataHash = mixDetail(w.dataHash, d)
	}
	if w.cfg.KeepTrace {
		w.trace = append(w.trace, Event{Step: w.step, Time: w.now, Proc: pid, Kind: op, Obj: id, Arg: arg, Detail: d})
	}
}

// mixString folds s into h, a byte at a time (FNV-1a), and then its length,
// so that "ab"+"c" and "a"+"bc" fold differently.
func mixString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = mix(h, uint64(s[i]))
	}
	return mix(h, uint64(len(s)))
}

// mixDetail folds an event's detail into h as mixString does, but with
// every memory address in it ("0x" and eight or more hex digits, as fmt
// prints a pointer or a channel inside a value) folded as one marker:
// addresses differ from run to run of a deterministic program, so a value
// that carries one (a request with its reply channel) would make the
// determinism check cry wolf. A program whose behaviour depends on an
// address still differs in its trace hash.
func mixDetail(h uint64, s string) uint64 {
	n := 0
	for i := 0; i < len(s); i++ {
		if j := addressEnd(s, i); j > 0 {
			h = mix(h, '@')
			n++
			i = j - 1
			continue
		}
		h = mix(h, uint64(s[i]))
		n++
	}
	return mix(h, uint64(n))
}

// addressEnd returns the end of the address at s[i:], or 0 if none starts
// there.
func addressEnd(s string, i int) int {
	if i+2 >= len(s) || s[i] != '0' || s[i+1] != 'x' {
		return 0
	}
	j := i + 2
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] >= 'a' && s[j] <= 'f') {
		j++
	}
	if j-(i+2) < 8 {
		return 0
	}
	return j
}

// finishDataHash folds what a run's events do not carry into its data hash:
// the processes' names and the history's inputs and outputs.
func (w *World) finishDataHash() uint64 {
	h := w.dataHash
	for _, p := range w.procs {
		h = mixString(h, p.name)
	}
	for _, op := range w.history.ops {
		h = mixString(h, fmt.Sprintf("%d %v %v %d %d", op.Client, op.Input, op.Output, op.Call, op.Return))
	}
	return h
}

// boolArg is an event's Arg for a yes-or-no outcome: 1 for true, 0 for false.
func boolArg(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// DecisionPoint says where in a run a decision was made: at step Step and
// virtual time Time, while process Proc ran (-1: the world's loop, between
// processes). For a Schedule decision, Default is the process of option 0
// and Ran the process it ran next (equal when it took the default; the
// running one itself for a calm decision at a scheduling point); both are
// -1 for the other kinds.
type DecisionPoint struct {
	Step         int64
	Time         time.Duration
	Proc         int
	Default, Ran int
}
