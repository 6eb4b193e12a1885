package scheduler

// RandomWalk returns the random-walk strategy: at every point, each option is
// equally likely, independently of everything before.
//
// It is called at every point of every run, so Choose is a few nanoseconds:
// an inlined wyrand step and a multiply, no allocation, no locking.
//
// The name is not Random because Random is the Kind of world random draws.
func RandomWalk(seed uint64) Strategy { return &randomWalk{rng{state: seed}} }

type randomWalk struct{ r rng }

func (s *randomWalk) Choose(p Point) int {
	mustHaveOptions(p)
	return int(s.r.below(uint64(p.N)))
}
