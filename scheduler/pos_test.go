package scheduler

import "testing"

func TestPOSKeepsPrioritiesUntilARun(t *testing.T) {
	// Each Choose runs the option of highest priority, draws again only
	// for the process that ran (its pending event is done), and keeps
	// every other process's priority as it was.
	procs := ids{5, 0, 3}
	for seed := range uint64(50) {
		s := POS(seed).(*pos)
		var before []uint64
		for step := range 40 {
			c := s.Choose(Point{Kind: Schedule, N: len(procs), Procs: procs})
			for i, id := range procs {
				switch {
				case i == c && s.priority[id] != 0:
					t.Fatalf("seed %d step %d: the process that ran kept its priority", seed, step)
				case i != c && before != nil && before[id] != 0 && s.priority[id] != before[id]:
					t.Fatalf("seed %d step %d: process %d did not run and its priority changed", seed, step, id)
				}
			}
			before = append(before[:0], s.priority...)
		}
	}
	// And the choice is the highest priority's: give priorities by hand.
	s := POS(1).(*pos)
	s.priority = []uint64{2, 9, 0, 40, 0, 7}
	if c := s.Choose(Point{Kind: Schedule, N: 3, Procs: procs}); procs[c] != 3 {
		t.Fatalf("chose process %d, want 3, of the highest priority", procs[c])
	}
}

// TestFaultRates: POS and starvation windows fire a fault with its Rate, as
// the random walk does, not at one site in two: a FaultPlan's rate is what
// the scenario is judged under, whichever strategy explores it.
func TestFaultRates(t *testing.T) {
	for _, c := range []struct {
		name string
		s    Strategy
	}{{"random", RandomWalk(1)}, {"pos", POS(1)}, {"starve", Starve(1, 100)}} {
		name, s := c.name, c.s
		fired := 0
		for range 64_000 {
			fired += s.Choose(Point{Kind: Fault, N: 2, Rate: 1.0 / 64})
		}
		if fired < 800 || fired > 1200 {
			t.Errorf("%s: %d faults of 64000 sites at rate 1/64, want about 1000", name, fired)
		}
	}
}
