package sim

import (
	"reflect"
	"slices"
	"testing"

	"github.com/weftsim/weft/scheduler"
)

// Method: a footprint names, for every transition, the process and the
// Schedule decision of the log that picked it among which processes, the
// objects it touched and the processes it made; it is the same for the
// same decisions, and the run is the same run with or without it.
func TestFootprint(t *testing.T) {
	scenario := func(w *World) {
		a, b := NewChan[int](w, 1), NewChan[int](w, 1)
		wg := NewWaitGroup(w)
		wg.Go("a", func() { a.Send(1) })
		wg.Go("b", func() { b.Send(2) })
		wg.Wait()
	}
	for seed := range uint64(20) {
		cfg := Config{Seed: seed, Footprint: true}
		r := Run(cfg, scenario)
		again := Run(cfg, scenario)
		if !reflect.DeepEqual(r.Transitions, again.Transitions) {
			t.Fatalf("seed %d: two runs, two footprints", seed)
		}
		if plain := Run(Config{Seed: seed}, scenario); plain.Hash != r.Hash || plain.Transitions != nil {
			t.Fatalf("seed %d: the footprint changed the run, or was kept when off", seed)
		}
		var spawned []int
		sends := map[int]int{} // process -> the object of its send
		for _, tr := range r.Transitions {
			spawned = append(spawned, tr.Spawned...)
			if tr.Decision >= 0 {
				d := r.Decisions[tr.Decision]
				if d.Kind != scheduler.Schedule || int(d.N) != len(tr.Options) || tr.Options[d.Choice] != tr.Proc {
					t.Fatalf("seed %d: transition %+v does not match its decision %v", seed, tr, d)
				}
			}
			if tr.Proc > 0 && len(tr.Objects) > 0 && sends[tr.Proc] == 0 {
				sends[tr.Proc] = tr.Objects[0]
			}
		}
		if !reflect.DeepEqual(spawned, []int{1, 2}) {
			t.Fatalf("seed %d: spawned %v, want [1 2]", seed, spawned)
		}
		if sends[1] == 0 || sends[2] == 0 || sends[1] == sends[2] {
			t.Fatalf("seed %d: the senders touched %v, want two channels", seed, sends)
		}
	}
}

// A select reads every channel it names, whichever case it takes: which
// case is ready depends on all of them, so its transition touches them
// all.
func TestFootprintSelectTouchesEveryCase(t *testing.T) {
	var ids []int
	scenario := func(w *World) {
		a, b := NewChan[int](w, 1), NewChan[int](w, 1)
		ids = []int{a.obj.id, b.obj.id}
		b.Send(1)
		w.Select(a.RecvCase(nil, nil), b.RecvCase(nil, nil))
	}
	r := Run(Config{Footprint: true}, scenario)
	last := r.Transitions[len(r.Transitions)-1]
	for _, id := range ids {
		if !slices.Contains(last.Objects, id) {
			t.Fatalf("the select's transition touched %v, want both channels %v", last.Objects, ids)
		}
	}
}
