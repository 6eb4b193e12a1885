package scheduler

// Fair returns s for the first after Schedule points of a run, and a fair,
// calm scheduler from then on: every Schedule point takes the default (the
// running process goes on until it blocks or yields, and a process that
// blocked is followed by the one that has waited longest: the run queue is
// first in, first out) and every fault site declines to fire. Other points
// (selects, draws, timer ties) are still s's to decide.
//
// It is the fair mode a liveness check needs. A strategy that searches
// for bugs is unfair on purpose: PCT runs its highest process for as long
// as it can run, so a process that spins on Yield waiting for another
// starves it forever; a random walk interrupts a process at every other
// point, so a retry loop that needs a few points undisturbed may never get
// them. A run that ends in the step limit under such a strategy may be a
// livelock of the strategy's making. Under Fair, the search's perturbations
// (preemptions and faults) stop after the prefix, as faults heal in
// production, and the run must then converge under a scheduler as fair as
// a real one: one that still loops past the step limit is livelocked.
//
// after counts Schedule points, as PCT's steps do; 0 makes every point
// calm.
func Fair(s Strategy, after int) Strategy {
	if after < 0 {
		panic("scheduler: Fair: negative prefix")
	}
	return &fair{s: s, after: after}
}

type fair struct {
	s     Strategy
	after int
	step  int // Schedule points so far
}

func (f *fair) Choose(p Point) int {
	mustHaveOptions(p)
	if p.Kind == Schedule {
		f.step++
	}
	if f.step > f.after && (p.Kind == Schedule || p.Kind == Fault) {
		return 0
	}
	return f.s.Choose(p)
}
