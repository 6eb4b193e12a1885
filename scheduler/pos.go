package scheduler

// POS returns partial-order sampling in its basic form (Yuan, Yang, Gu,
// "Partial Order Aware Concurrency Sampling", CAV 2018): every pending event
// has a random priority, and each Schedule point runs the option whose
// process's pending event has the highest. When a process runs, its pending
// event is done and its next one gets a fresh priority; the others keep
// theirs. So a process that lost a draw keeps its place instead of being
// drawn against again at every step, which is what biases a random walk
// towards schedules that switch at every point and away from ones where a
// process waits long.
//
// The paper's full POS also draws again the priorities of pending events
// that race with the event just run; a point does not say which object each
// pending operation will touch, so this is the basic variant.
//
// Points of other kinds are drawn as the random walk draws them, from the
// same generator: a fault fires with its Rate, any other point is uniform. A Schedule point with nil Procs is read as if option i were
// process i. Process ids must be small, as sim gives them out.
func POS(seed uint64) Strategy { return &pos{r: rng{state: seed}} }

type pos struct {
	r rng
	// priority[id] is the priority of process id's pending event; 0 means
	// none drawn yet (the process is new, or its last event ran).
	priority []uint64
}

func (s *pos) Choose(p Point) int {
	mustHaveOptions(p)
	if p.Kind != Schedule {
		return s.r.option(p)
	}
	best, bestID, bestPriority := 0, 0, uint64(0)
	for i := range p.N {
		id := optionID(p, i)
		if id >= len(s.priority) {
			s.priority = append(s.priority, make([]uint64, id+1-len(s.priority))...)
		}
		if s.priority[id] == 0 {
			s.priority[id] = s.r.next() | 1
		}
		if pr := s.priority[id]; pr > bestPriority {
			best, bestID, bestPriority = i, id, pr
		}
	}
	s.priority[bestID] = 0 // its pending event runs now
	return best
}

// optionID is the process of option i of a Schedule point: Procs.ID(i), or i
// when Procs is nil. It panics on a negative id, a broken Procs.
func optionID(p Point, i int) int {
	if p.Procs == nil {
		return i
	}
	id := p.Procs.ID(i)
	if id < 0 {
		panic("scheduler: Procs.ID returned a negative process id")
	}
	return id
}
