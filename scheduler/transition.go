package scheduler

// A Transition is what one process did between two of its scheduling
// points: the unit a partial-order reduction reorders. A world that records
// them (sim's Config.Footprint) lets a search tell which schedules differ
// only in the order of operations that commute (Tree with DPOR): two
// transitions of different processes that touch no object in common, and
// of which neither is Global, give the same state in either order.
type Transition struct {
	// Proc is the process that ran, or -1 for the world itself advancing
	// its clock (every process was blocked): such a transition comes after
	// everything before it and before everything after it.
	Proc int
	// Decision is the index in the run's decision log of the Schedule
	// decision that picked Proc to run, or -1 when it was the only process
	// that could. Options are the process ids of that decision's options,
	// in order (nil when Decision is -1): the processes that could have run
	// instead.
	Decision int
	Options  []int
	// Objects are the ids of the objects the transition's operations
	// touched, each once, in the order it first touched them.
	Objects []int
	// Global is set when the transition did something whose effects the
	// world cannot pin on an object (a Yield, around which processes share
	// plain memory; a fault; a process's exit): it conflicts with every
	// transition.
	Global bool
	// Spawned are the processes the transition made: their transitions
	// all come after it.
	Spawned []int
}

// conflicts reports whether transitions a and b, of different processes,
// may not commute.
func (a *Transition) conflicts(b *Transition) bool {
	if a.Global || b.Global || a.plain() && b.plain() {
		return true
	}
	for _, x := range a.Objects {
		for _, y := range b.Objects {
			if x == y {
				return true
			}
		}
	}
	return false
}

// plain reports whether the transition touched no object: it ran only the
// process's own code, between two scheduling points, which may read and
// write variables it shares with other processes without a primitive (a
// flag set by one and checked before a send by another, say). Two such
// transitions conflict: the search cannot tell what they share.
func (a *Transition) plain() bool {
	return a.Proc >= 0 && len(a.Objects) == 0 && len(a.Spawned) == 0
}
