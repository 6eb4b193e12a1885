package sim

import (
	"slices"

	"github.com/weftsim/weft/scheduler"
)

// footprint records the run's transitions (Config.Footprint): which process
// ran after each scheduling point, chosen by which decision among which
// processes, and which objects it touched, so that a search can tell the
// schedules that only reorder commuting operations (scheduler.Tree's
// DPOR). It is off the hot path unless asked for.
type footprint struct {
	ts        []scheduler.Transition
	decisions int // decisions made so far, of any kind
	// pending is the Schedule decision that the next transition starts
	// with (-1: none, the process was the only one that could run), and
	// options its processes.
	pending int
	options []int
}

// Objects a process touches that are not Objects: its mailbox, the
// history that Call and Return write (its order is what linearizability
// judges), and the counter that numbers new processes (two spawns in the
// other order give the new processes each other's ids). Negative, so they
// never meet an Object's id.
const (
	spawnObject   = -1
	historyObject = -2
)

func mailboxObject(proc int) int { return -3 - proc }

// transitions returns the recorded transitions; nil when fp is (the
// footprint is off).
func (fp *footprint) transitions() []scheduler.Transition {
	if fp == nil {
		return nil
	}
	return fp.ts
}

// fpDecided notes a decision; a Schedule decision's options become the
// next transition's.
func (w *World) fpDecided(kind scheduler.Kind, n int, procs scheduler.Procs) {
	fp := w.fp
	fp.decisions++
	if kind != scheduler.Schedule {
		return
	}
	fp.pending = fp.decisions - 1
	fp.options = make([]int, n)
	for i := range n {
		fp.options[i] = procs.ID(i)
	}
}

// fpBegin starts a transition of p, with the pending decision.
func (w *World) fpBegin(p *Proc) {
	fp := w.fp
	fp.ts = append(fp.ts, scheduler.Transition{Proc: p.id, Decision: fp.pending, Options: fp.options})
	fp.pending, fp.options = -1, nil
}

// fpBarrier starts the world's own transition: the clock advances, which
// it does only when every process is blocked.
func (w *World) fpBarrier() {
	w.fp.ts = append(w.fp.ts, scheduler.Transition{Proc: -1, Decision: -1, Global: true})
}

// fpTouch adds obj to the objects the current transition touched: one
// that an operation read without an event of its own (a select's channels
// other than the one it took).
func (w *World) fpTouch(obj *Object) {
	if len(w.fp.ts) > 0 {
		touchObject(&w.fp.ts[len(w.fp.ts)-1], obj.id)
	}
}

// touchObject adds object id to those t touched, once.
func touchObject(t *scheduler.Transition, id int) {
	if !slices.Contains(t.Objects, id) {
		t.Objects = append(t.Objects, id)
	}
}

// fpEvent adds what event op on obj touched to the current transition.
// Alarms fired between two transitions count as the earlier one's: a
// conservative choice (more conflicts, never fewer).
func (w *World) fpEvent(op EventKind, obj *Object, arg int64) {
	fp := w.fp
	if len(fp.ts) == 0 {
		return // before main's first transition: the run's setup
	}
	t := &fp.ts[len(fp.ts)-1]
	switch {
	case obj != nil:
		touchObject(t, obj.id)
	case op == EventSpawn:
		t.Spawned = append(t.Spawned, int(arg))
		touchObject(t, spawnObject)
	case op == EventCall || op == EventReturn:
		touchObject(t, historyObject)
	case op == EventSend:
		touchObject(t, mailboxObject(int(arg)))
	case (op == EventRecv || op == EventExit) && w.cur != nil:
		// A receive from its own mailbox; its exit, which its links and
		// monitors see (the signals they get are events of their own).
		touchObject(t, mailboxObject(w.cur.id))
	case op == EventRandom || op == EventSleep || op == EventYield:
		// Local: a draw; a sleep, whose waking is the clock's barrier; a
		// yield, which only lets others run (the plain variables a
		// process shares around it make its transitions plain, see
		// scheduler.Transition).
	default:
		// A fault, a crash, a note, a select that
		// looked at channels it does not name (its default, its block):
		// conflicts with all.
		t.Global = true
	}
}
