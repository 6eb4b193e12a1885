package sim

import (
	"fmt"
	"strings"
	"time"
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
	opEnd
)

var opNames = [...]string{
	OpSpawn: "spawn", OpExit: "exit", OpCrash: "crash", OpYield: "yield",
	OpSend: "send", OpRecv: "recv", OpClose: "close", OpSelect: "select",
	OpBlock: "block", OpWake: "wake", OpLock: "lock", OpUnlock: "unlock",
	OpSleep: "sleep", OpTimer: "timer", OpRandom: "random", OpFault: "fault",
	OpCall: "call", OpReturn: "return", OpNote: "note",
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
// names gives each process's column heading; events of the clock (Proc -1)
// go in their own leftmost column.
func Timeline(events []Event, names []string) string {
	const width = 30
	var b strings.Builder
	cols := len(names)
	fmt.Fprintf(&b, "%8s %12s | %-*s", "step", "time", 14, "clock")
	for _, n := range names {
		fmt.Fprintf(&b, "| %-*s", width, clip(n, width))
	}
	b.WriteString("\n")
	for _, e := range events {
		fmt.Fprintf(&b, "%8d %12v | ", e.Step, e.Time)
		text := e.Op.String()
		if e.Detail != "" {
			text += " " + e.Detail
		}
		if e.Proc < 0 || e.Proc >= cols {
			fmt.Fprintf(&b, "%-*s", 14, clip(text, 14))
			b.WriteString("\n")
			continue
		}
		fmt.Fprintf(&b, "%-*s", 14, "")
		for c := 0; c < cols; c++ {
			cell := ""
			if c == e.Proc {
				cell = text
			}
			fmt.Fprintf(&b, "| %-*s", width, clip(cell, width))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
