package sim

// The ready queue against a slice. Method: for every length up to 20 and
// every rotation of the ring (so the live part wraps around the end of the
// buffer at every possible place), remove each position in turn and compare
// what comes out and what stays with the same operation on a plain slice;
// then random operation sequences, drawn by rapid, against the same model.

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// checkQueue compares q with the model. (The queue holds ids, not pointers,
// so stale slots keep no finished process alive.)
func checkQueue(q *readyQueue, model []*Proc) error {
	if q.len() != len(model) || q.n != len(model) {
		return fmt.Errorf("len %d, model %d", q.len(), len(model))
	}
	for i, p := range model {
		if q.at(i) != p {
			return fmt.Errorf("at(%d) = p%d, model p%d", i, q.at(i).id, p.id)
		}
	}
	if len(q.buf)&(len(q.buf)-1) != 0 {
		return fmt.Errorf("buffer size %d is not a power of two", len(q.buf))
	}
	return nil
}

func procs(n int) []*Proc {
	ps := make([]*Proc, n)
	for i := range ps {
		ps[i] = &Proc{id: i}
	}
	return ps
}

func TestReadyQueueRemoveAtEveryPosition(t *testing.T) {
	ps := procs(64)
	for n := 1; n <= 20; n++ {
		for rot := range 32 {
			for i := range n {
				q := readyQueue{procs: &ps}
				// Rotate the ring: push and pop rot fillers first.
				for range rot {
					q.pushBack(ps[63])
					q.removeAt(0)
				}
				model := slices.Clone(ps[:n])
				for _, p := range model {
					q.pushBack(p)
				}
				if err := checkQueue(&q, model); err != nil {
					t.Fatalf("n=%d rot=%d before removeAt(%d): %v", n, rot, i, err)
				}
				if got := q.removeAt(i); got != model[i] {
					t.Fatalf("n=%d rot=%d: removeAt(%d) = p%d, want p%d", n, rot, i, got.id, model[i].id)
				}
				model = slices.Delete(model, i, i+1)
				if err := checkQueue(&q, model); err != nil {
					t.Fatalf("n=%d rot=%d after removeAt(%d): %v", n, rot, i, err)
				}
				// The queue stays usable: push one more and drain.
				q.pushBack(ps[62])
				model = append(model, ps[62])
				for len(model) > 0 {
					if got := q.removeAt(0); got != model[0] {
						t.Fatalf("n=%d rot=%d: drain got p%d, want p%d", n, rot, got.id, model[0].id)
					}
					model = model[1:]
				}
				if err := checkQueue(&q, nil); err != nil {
					t.Fatalf("n=%d rot=%d drained: %v", n, rot, err)
				}
			}
		}
	}
}

func TestReadyQueueModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var all []*Proc
		q := readyQueue{procs: &all}
		var model []*Proc
		next := 0
		for step := range rapid.IntRange(1, 200).Draw(t, "steps") {
			if len(model) == 0 || rapid.IntRange(0, 2).Draw(t, "op") > 0 {
				p := &Proc{id: next}
				all = append(all, p)
				next++
				q.pushBack(p)
				model = append(model, p)
			} else {
				i := rapid.IntRange(0, len(model)-1).Draw(t, "i")
				if got := q.removeAt(i); got != model[i] {
					t.Fatalf("step %d: removeAt(%d) = p%d, want p%d", step, i, got.id, model[i].id)
				}
				model = slices.Delete(model, i, i+1)
			}
			if err := checkQueue(&q, model); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		}
	})
}
