package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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
	if w.cfg.KeepTrace {
		e := Event{Step: w.step, Time: w.now, Proc: pid, Kind: op, Obj: id, Arg: arg}
		if detail != nil {
			e.Detail = detail()
		} else if obj != nil {
			e.Detail = obj.String()
		}
		w.trace = append(w.trace, e)
	}
}

// boolArg is an event's Arg for a yes-or-no outcome: 1 for true, 0 for false.
func boolArg(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Timeline renders events with one column per process, so the order of what
// each process did reads top to bottom and who ran when reads left to right.
// Only processes that appear in events get a column, headed "p<id> <name>"
// from names; events of the clock (Proc -1) get the leftmost column when
// there are any. Columns are as wide as their widest cell, up to 28
// characters; longer cells are clipped with "…".
func Timeline(events []Event, names []string) string {
	const maxWidth = 28
	// slot maps Proc+1 to its column (or -1): slot 0 is the clock.
	top := -1
	for _, e := range events {
		top = max(top, e.Proc)
	}
	slot := make([]int, top+2)
	for i := range slot {
		slot[i] = -1
	}
	for _, e := range events {
		slot[max(e.Proc, -1)+1] = 0
	}
	var heads []string
	for i, s := range slot {
		if s < 0 {
			continue
		}
		slot[i] = len(heads)
		switch p := i - 1; {
		case p < 0:
			heads = append(heads, "clock")
		case p < len(names):
			heads = append(heads, "p"+strconv.Itoa(p)+" "+names[p])
		default:
			heads = append(heads, "p"+strconv.Itoa(p))
		}
	}
	cellOf := func(e Event) string {
		if e.Detail == "" {
			return e.Kind.String()
		}
		return e.Kind.String() + " " + e.Detail
	}
	widths := make([]int, len(heads))
	for c, h := range heads {
		widths[c] = min(utf8.RuneCountInString(h), maxWidth)
	}
	stepW, timeW := len("step"), len("time")
	for _, e := range events {
		c := slot[max(e.Proc, -1)+1]
		widths[c] = min(max(widths[c], utf8.RuneCountInString(cellOf(e))), maxWidth)
		stepW = max(stepW, len(strconv.FormatInt(e.Step, 10)))
		timeW = max(timeW, len(e.Time.String()))
	}

	var b strings.Builder
	row := func(step, at string, col int, cell string) {
		line := fmt.Sprintf("%*s %*s", stepW, step, timeW, at)
		for c := range heads {
			text := ""
			if c == col || col < 0 {
				text = cell
				if col < 0 {
					text = heads[c]
				}
			}
			line += " | " + pad(clip(text, widths[c]), widths[c])
		}
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	row("step", "time", -1, "")
	for _, e := range events {
		row(strconv.FormatInt(e.Step, 10), e.Time.String(), slot[max(e.Proc, -1)+1], cellOf(e))
	}
	return b.String()
}

// clip shortens s to at most n characters, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(n-1, 0)]) + "…"
}

// pad right-pads s with spaces to n characters.
func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}
