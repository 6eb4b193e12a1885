package scheduler

import (
	"fmt"
	"slices"
	"testing"
)

// A toy "program": a fixed sequence of decision points with the given
// numbers of options, whatever was chosen. Enumerating it must visit every
// log with at most bound non-default decisions exactly once.
func TestTreeVisitsEveryBoundedLogOnce(t *testing.T) {
	ns := []uint32{2, 3, 2, 4}
	for bound := 0; bound <= 4; bound++ {
		tree := NewTree(bound)
		seen := map[string]bool{}
		for prefix, ok := tree.Next(); ok; prefix, ok = tree.Next() {
			r := Replay(prefix)
			var rec []Decision
			var choices []uint32
			for _, n := range ns {
				c := r.Choose(Point{Kind: Schedule, N: int(n)})
				rec = append(rec, Decision{Kind: Schedule, N: n, Choice: uint32(c)})
				choices = append(choices, uint32(c))
			}
			key := fmt.Sprint(choices)
			if seen[key] {
				t.Fatalf("bound %d: %v visited twice", bound, choices)
			}
			seen[key] = true
			tree.Record(rec)
		}
		// Count the logs with at most bound non-zero choices.
		want := 0
		var count func(i, changed int)
		count = func(i, changed int) {
			if changed > bound {
				return
			}
			if i == len(ns) {
				want++
				return
			}
			count(i+1, changed)
			for c := uint32(1); c < ns[i]; c++ {
				count(i+1, changed+1)
			}
		}
		count(0, 0)
		if len(seen) != want {
			t.Fatalf("bound %d: visited %d logs, want %d", bound, len(seen), want)
		}
	}
}

func TestTreeFirstRunIsCalm(t *testing.T) {
	tree := NewTree(2)
	if p, ok := tree.Next(); !ok || p != nil {
		t.Fatalf("first log %v, %v; want the calm run", p, ok)
	}
	tree.Record(nil)
	if _, ok := tree.Next(); ok {
		t.Fatal("a run with no decisions has no children")
	}
}

// Changes counts faults fired, select and timer choices and preemptions,
// not draws, and a preemption that takes option 1 at a hold continues the
// hold of an earlier one rather than counting again.
func TestChanges(t *testing.T) {
	ds := []Decision{
		{Kind: Schedule, N: 3, Choice: 2}, // a preemption: the hold begins
		{Kind: Random, N: 9, Choice: 7},   // a draw: the workload
		{Kind: Schedule, N: 3, Choice: 1}, // at a hold: goes on holding
		{Kind: Schedule, N: 3, Choice: 0},
		{Kind: Schedule, N: 3, Choice: 2}, // at a hold, but not option 1
		{Kind: Fault, N: 2, Choice: 1},
		{Kind: Fault, N: 2, Choice: 0},
		{Kind: Select, N: 2, Choice: 1},
		{Kind: Schedule, N: 2, Choice: 1}, // option 1, not at a hold
	}
	holds := []int{2, 3, 4}
	if got := Changes(ds, holds); got != 5 {
		t.Fatalf("Changes = %d, want 5", got)
	}
	if got := Changes(ds, nil); got != 6 {
		t.Fatalf("Changes without holds = %d, want 6 (every preemption)", got)
	}
	if got, want := Preemptions(ds), 4; got != want {
		t.Fatalf("Preemptions = %d, want %d", got, want)
	}
	if got := Faults(ds); got != 1 {
		t.Fatalf("Faults = %d, want 1", got)
	}
}

// A hold continuation costs nothing in the tree: with bound 1, a log may
// go on holding a process back at every hold after its one preemption.
func TestTreeHoldIsFree(t *testing.T) {
	tree := NewTree(1)
	tree.Next()
	calm := []Decision{sched(0, 2), sched(0, 2), sched(0, 2)}
	tree.RecordHolds(calm, nil)
	p, _ := tree.Next() // the preemption at 0
	if !slices.Equal(p, []Decision{sched(1, 2)}) {
		t.Fatalf("first child %v", p)
	}
	// Its run: the process passed over is option 0 again at 2.
	tree.RecordHolds([]Decision{sched(1, 2), sched(0, 2), sched(0, 2)}, []int{2})
	p, _ = tree.Next()
	if !slices.Equal(p, []Decision{sched(1, 2), sched(0, 2), sched(1, 2)}) {
		t.Fatalf("want the hold continued at 2 within bound 1, got %v", p)
	}
}
