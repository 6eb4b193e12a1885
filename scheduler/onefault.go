package scheduler

// OneFault returns s with its faults replaced by exactly one: the fault
// at the k-th Fault point of the run fires, k drawn from the seed
// uniformly in [1, points], and every other Fault point takes its default,
// whatever its Rate. Every other point is s's.
//
// A fault drawn at a rate fires at many points of a long run or at none
// of a short one, and the faults of a run fall early as often as late: a
// bug behind one fault at one moment (a process killed between its spawn
// and the call that hands it a table) wants that fault and no other one
// before it to end what the bug needs. One fault at a point drawn over the
// run's expected Fault points is that change, as a PCT change point is a
// preemption's: measured on registry's holder P4 (BENCHMARKS.md), a random
// walk with one fault over the calm run's fault points finds it 2 to 4
// times as often per run as one with faults at the scenario's rate.
// points is at least 1; a run with fewer Fault points fires none.
func OneFault(s Strategy, seed uint64, points int) Strategy {
	if points < 1 {
		panic("scheduler: OneFault: points must be at least 1")
	}
	r := rng{state: mix(seed ^ 0x6f6e656661756c74)} // its own stream: "onefault"
	return &oneFault{s: s, at: 1 + int(r.below(uint64(points)))}
}

type oneFault struct {
	s    Strategy
	at   int // the Fault point, from 1, that fires
	seen int // Fault points so far
}

func (f *oneFault) Choose(p Point) int {
	mustHaveOptions(p)
	if p.Kind != Fault {
		return f.s.Choose(p)
	}
	f.seen++
	if f.seen == f.at {
		return 1
	}
	return 0
}
