package scheduler

// A portfolio runs, for each seed, one strategy of a fixed list, its
// members: no single strategy finds every kind of bug quickly (the random
// walk finds fine interleavings, PCT of small depth the orders where one
// process runs far ahead, POS the waits a random walk keeps interrupting,
// a starvation window the bugs that need one process held back for long),
// and a portfolio finds each about as fast as its best member does, slowed
// down by the number of members at worst. Coyote and shuttle ship one.
//
// Which member a seed runs is a function of the seed alone, and the member
// is made with that same seed: the run of seed s under "portfolio:<steps>"
// is the run of seed s under Member(s), so either spec replays it alone.

// portfolioMinFair is the least prefix after which a portfolio's members
// turn fair, when it does not say.
const portfolioMinFair = 2000

// Members returns the members of a portfolio Spec, in order: random,
// pct:1, pct:2 and pct:3 for runs of the portfolio's steps, pos, and starve
// for the portfolio's steps; when the portfolio has Faults (the Fault
// points of its calm run), the same six again, each with exactly one fault
// among that many points (OneFault), so that half the runs fire faults at
// their rates, which a bug behind two faults needs, and half spend one
// change on one fault; each fair after the portfolio's Fair points,
// four times its steps (at least 2,000) when it does not say. A PCT member has at least
// depth-1 steps.
//
// Fair, because members search unfairly: a PCT member runs a process
// that spins on Yield for ever when it has the highest priority, and
// would report the step limit's "livelock" that no real scheduler gives.
// Four times the steps leaves room for every change point and starvation
// window, which fall within the steps (windows within 512 points at least,
// hence the least prefix).
func (s Spec) Members() []Spec {
	steps := s.Steps
	if steps == 0 {
		steps = pctDefaultSteps
	}
	fair := s.Fair
	if fair == 0 {
		fair = max(4*steps, portfolioMinFair)
	}
	out := []Spec{{Name: "random", Fair: fair}}
	for depth := 1; depth <= 3; depth++ {
		out = append(out, Spec{Name: "pct", Depth: depth, Steps: max(steps, depth-1), Fair: fair})
	}
	out = append(out, Spec{Name: "pos", Fair: fair}, Spec{Name: "starve", Steps: steps, Fair: fair})
	if s.Faults == 0 {
		return out
	}
	for _, m := range out[:len(out):len(out)] {
		m.Faults = s.Faults
		out = append(out, m)
	}
	return out
}

// Member returns the member of portfolio Spec s that runs seed: a hash of
// the seed picks it, so that consecutive seeds, as Explore runs them, give
// each member its share in an order no member's own draws follow. For a
// Spec that is not a portfolio it returns s.
func (s Spec) Member(seed uint64) Spec {
	if s.Name != "portfolio" {
		return s
	}
	ms := s.Members()
	return ms[mix(seed)%uint64(len(ms))]
}

// IsPortfolio reports whether s is a portfolio, whose runs each say which
// member made them (Member).
func (s Spec) IsPortfolio() bool { return s.Name == "portfolio" }

// mix is splitmix64's finaliser: a bijection of the 64-bit values that
// sends consecutive seeds far apart.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
