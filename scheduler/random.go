package scheduler

// RandomWalk returns the random-walk strategy: at every point, each option is
// equally likely, independently of everything before; a fault fires with the
// probability its Point's Rate says.
//
// It is called at every point of every run, so Choose is a few nanoseconds:
// an inlined wyrand step and a multiply, no allocation, no locking.
//
// The name is not Random because Random is the Kind of world random draws.
func RandomWalk(seed uint64) Strategy { return &randomWalk{rng{state: seed}} }

type randomWalk struct{ r rng }

func (s *randomWalk) Choose(p Point) int {
	mustHaveOptions(p)
	return s.r.option(p)
}

// option draws an option of p: a fault with its Rate, any other point
// uniformly.
func (r *rng) option(p Point) int {
	if p.Rate > 0 && p.N == 2 {
		// 53 random bits, as math/rand's Float64: exact for every rate.
		if float64(r.next()>>11)/(1<<53) < p.Rate {
			return 1
		}
		return 0
	}
	return int(r.below(uint64(p.N)))
}
