package scheduler

import "slices"

// Tree enumerates, depth first, every decision log that differs from the
// calm run in at most Bound changes (non-default decisions, a hold of one
// process counting once: see RecordHolds): bounded exhaustive search, as in
// CHESS's iterative context bounding (Musuvathi and Qadeer, PLDI'07), over
// all kinds of decisions (a preemption, a select case, a fault, a draw).
// Each log is visited once: a run replaying prefix P records decisions D
// (P, then the calm continuation), and its children are D[:i] with D[i]
// changed to another option, for every i past P, while the changes stay
// within Bound. A search that ends having visited the whole
// tree has shown that no run within the bound fails.
//
// Tree is a pure function of the runs it is told about: the same scenario
// gives the same order of logs, so run indices of a search can be sharded.
//
// Usage: for p, ok := t.Next(); ok; p, ok = t.Next() { run Replay(p);
// t.Record(recorded) }.
type Tree struct {
	bound   int
	pending []node // the stack of logs still to run
	current node   // the log Next returned last
	started bool
}

type node struct {
	prefix  []Decision
	changed int // non-default decisions in prefix
}

// NewTree returns a search over logs with at most bound non-default
// decisions (bound 0 runs only the calm run).
func NewTree(bound int) *Tree {
	if bound < 0 {
		panic("scheduler: NewTree: negative bound")
	}
	return &Tree{bound: bound}
}

// Next returns the next log to run, and false when the tree is exhausted.
// Each log it returns must be run, and what the run recorded given to
// Record, before Next is called again.
func (t *Tree) Next() ([]Decision, bool) {
	if !t.started {
		t.started = true
		t.current = node{}
		return nil, true
	}
	if len(t.pending) == 0 {
		return nil, false
	}
	t.current = t.pending[len(t.pending)-1]
	t.pending = t.pending[:len(t.pending)-1]
	return t.current.prefix, true
}

// Record takes the decisions the run of the last log recorded, and adds its
// children to the search. It is RecordHolds without holds: every
// non-default decision counts one change.
func (t *Tree) Record(recorded []Decision) { t.RecordHolds(recorded, nil) }

// RecordHolds is Record with the run's holds (sim's Result.Holds): the
// bound then counts changes as Changes does, so that holding one process
// back for many steps costs one change. A preemption that continues a hold
// (option 1 at a hold) costs nothing; a draw still costs one, as every
// other non-default decision does, so that the tree stays finite.
func (t *Tree) RecordHolds(recorded []Decision, holds []int) {
	cur := t.current
	if cur.changed >= t.bound {
		// Only holds may go on: their option 1 costs nothing.
		for k := len(holds) - 1; k >= 0 && holds[k] >= len(cur.prefix); k-- {
			if i := holds[k]; i < len(recorded) && recorded[i].Kind == Schedule {
				p := make([]Decision, i+1)
				copy(p, recorded[:i])
				p[i] = Decision{Kind: Schedule, N: recorded[i].N, Choice: 1}
				t.pending = append(t.pending, node{prefix: p, changed: cur.changed})
			}
		}
		return
	}
	// Push in reverse, so that the earliest change is run first.
	for i := len(recorded) - 1; i >= len(cur.prefix); i-- {
		d := recorded[i]
		for c := d.N - 1; c >= 1; c-- {
			cost := 1
			if _, hold := slices.BinarySearch(holds, i); hold && d.Kind == Schedule && c == 1 {
				cost = 0
			}
			if cur.changed+cost > t.bound {
				continue
			}
			p := make([]Decision, i+1)
			copy(p, recorded[:i])
			p[i] = Decision{Kind: d.Kind, N: d.N, Choice: c}
			t.pending = append(t.pending, node{prefix: p, changed: cur.changed + cost})
		}
	}
}

// Pending is the number of logs known and not yet run (the tree may grow).
func (t *Tree) Pending() int { return len(t.pending) }
