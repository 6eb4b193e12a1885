package scheduler

import "math/bits"

// Starve returns a random walk with one starvation window: before the run,
// it draws a Schedule point numbered uniformly in [1, steps] and a length
// drawn log-uniformly in [1, max(2*steps, 512)] (a power of two class
// uniform, then a value uniform within it); at that point, the process the walk picks
// becomes the victim and is held back for that many Schedule points (every
// other option stays equally likely), and then the walk goes on as before.
//
// A random walk almost never keeps one process away from the processor for
// long: every point is a fresh draw, so being passed over k times in a row
// has probability about 2^-k. A bug that needs one process starved while
// others run for many steps (a spinner that never lets another in before a
// deadline, a lease that runs out while its holder waits) is out of its
// reach, and PCT reaches it only when the other processes' order also
// happens to be the one priorities give. Holding one process back, with the
// rest random, reaches it in one window of the right length, and a
// log-uniform length tries short and long waits alike.
//
// steps is the expected number of Schedule points of a run (0 means 1000).
// Points of other kinds are drawn as the random walk draws them: a fault
// fires with its Rate, any other point is uniform.
func Starve(seed uint64, steps int) Strategy {
	if steps < 0 {
		panic("scheduler: Starve steps is negative")
	}
	if steps == 0 {
		steps = pctDefaultSteps
	}
	s := &starve{r: rng{state: seed}, victim: -1}
	s.start = 1 + int(s.r.below(uint64(steps)))
	s.length = logUniform(&s.r, max(2*uint64(steps), starveMinLength))
	return s
}

// starveMinLength is the longest window's least bound: a run whose calm
// form is short (a waiter whose Yield lets the process it waits for in at
// once) can be long when that process is starved, which is the point.
const starveMinLength = 512

type starve struct {
	r      rng
	step   int // Schedule points so far
	start  int // the point the window opens at
	length int // how many points it lasts
	victim int // the process held back, -1 before the window
}

// logUniform draws from [1, max]: a bit length uniform among those of
// [1, max], then a value uniform among the numbers of that length (capped
// at max).
func logUniform(r *rng, max uint64) int {
	if max < 1 {
		max = 1
	}
	k := r.below(uint64(bits.Len64(max))) // 0 .. len-1
	lo := uint64(1) << k
	hi := min(lo<<1-1, max)
	return int(lo + r.below(hi-lo+1))
}

func (s *starve) Choose(p Point) int {
	mustHaveOptions(p)
	if p.Kind != Schedule {
		return s.r.option(p)
	}
	s.step++
	if s.step < s.start || s.step >= s.start+s.length {
		return int(s.r.below(uint64(p.N)))
	}
	if s.step == s.start {
		s.victim = optionID(p, int(s.r.below(uint64(p.N))))
	}
	// Uniform among the options that are not the victim.
	held := -1
	for i := range p.N {
		if optionID(p, i) == s.victim {
			held = i
			break
		}
	}
	if held < 0 {
		return int(s.r.below(uint64(p.N)))
	}
	c := int(s.r.below(uint64(p.N - 1)))
	if c >= held {
		c++
	}
	return c
}
