package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Op names what an event did.
type Op uint8

const (
	OpSpawn Op = iota + 1
	OpExit
	OpCrash
	OpYield
	OpSend
	OpRecv
	OpClose
	OpSelect
	OpBlock
	OpWake
	OpLock
	OpUnlock
	OpSleep
	OpTimer
	OpRandom
	OpFault
	OpCall
	OpReturn
	OpNote
	OpDestroy
	opEnd
)

var opNames = [...]string{
	OpSpawn: "spawn", OpExit: "exit", OpCrash: "crash", OpYield: "yield",
	OpSend: "send", OpRecv: "recv", OpClose: "close", OpSelect: "select",
	OpBlock: "block", OpWake: "wake", OpLock: "lock", OpUnlock: "unlock",
	OpSleep: "sleep", OpTimer: "timer", OpRandom: "random", OpFault: "fault",
	OpCall: "call", OpReturn: "return", OpNote: "note", OpDestroy: "destroy",
}

func (o Op) String() string {
	if o > 0 && o < opEnd {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Event is one entry of a run's trace: at step Step and virtual time Time,
// process Proc (-1 for the clock) did Op on object Obj (0 for none), with Arg
// as its outcome (a select case, a random value, 1 for "closed", ...).
// Detail is a human-readable rendering, filled only when the trace is kept.
type Event struct {
	Step   int64
	Time   time.Duration
	Proc   int
	Op     Op
	Obj    int
	Arg    int64
	Detail string
}

func (e Event) String() string {
	s := fmt.Sprintf("step %d  %v  p%d %s", e.Step, e.Time, e.Proc, e.Op)
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
func (w *World) event(op Op, obj *object, arg int64, detail func() string) {
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
		e := Event{Step: w.step, Time: w.now, Proc: pid, Op: op, Obj: id, Arg: arg}
		if detail != nil {
			e.Detail = detail()
		} else if obj != nil {
			e.Detail = obj.String()
		}
		w.trace = append(w.trace, e)
	}
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
			return e.Op.String()
		}
		return e.Op.String() + " " + e.Detail
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
