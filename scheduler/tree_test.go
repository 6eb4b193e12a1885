package scheduler

import (
	"fmt"
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
