package scheduler

import (
	"fmt"
	"slices"
)

// pctDefaultSteps is the expected number of Schedule points of a run when the
// caller does not say.
const pctDefaultSteps = 1000

// pctMaxDepth bounds the depth, and so the change points drawn up front. The
// paper's bugs have depth 1 to 3; a depth in the thousands is a typo.
const pctMaxDepth = 10000

// PCT returns a Probabilistic Concurrency Testing strategy (Burckhardt,
// Kothari, Musuvathi, Nagarakatte, "A Randomized Scheduler with Probabilistic
// Guarantees of Finding Bugs", ASPLOS 2010) of bug depth depth (1 to 10000),
// for runs of about steps Schedule points (0 means 1000).
//
// The variant, precisely:
//
//   - Each process gets an initial priority, a random 64-bit value of at
//     least depth, distinct from every other, the first time its id appears
//     among the options of a Schedule point. So the initial priorities order
//     the processes by a uniformly random permutation, as in the paper,
//     without knowing in advance how many processes there will be.
//   - Before the run, depth-1 distinct change points k_1..k_{depth-1} are
//     drawn uniformly from [1, steps] (all of [1, steps] when depth-1 >
//     steps), and labelled in random order. Schedule points are numbered from
//     1; a change point past the last point of the run never fires.
//   - At each Schedule point, the option whose process has the highest
//     priority runs. At the point numbered k_i, the process that would run is
//     demoted to priority i, below every initial priority, and the choice is
//     made again among the same options.
//   - Points of other kinds are uniform among their options, drawn from the
//     strategy's own generator. They do not count as steps.
//   - A Schedule point with nil Procs is read as if option i were process i.
//
// depth 1 has no change points: a random priority order, kept for the whole
// run. A step costs O(N) calls of Procs.ID and no allocation once every
// process has been seen (priorities live in a slice indexed by process id,
// grown on demand, so ids must be small, as the sim package gives them out).
func PCT(seed uint64, depth int, steps int) Strategy {
	if depth < 1 || depth > pctMaxDepth {
		panic(fmt.Sprintf("scheduler: PCT depth %d, want 1 to %d", depth, pctMaxDepth))
	}
	if steps < 0 {
		panic(fmt.Sprintf("scheduler: PCT steps %d, want at least 1, or 0 for the default", steps))
	}
	if steps == 0 {
		steps = pctDefaultSteps
	}
	s := &pct{r: rng{state: seed}, depth: uint64(depth)}
	s.changes = s.drawChanges(min(depth-1, steps), steps)
	return s
}

type pct struct {
	r     rng
	depth uint64
	// priority[id] is the priority of process id; 0 means not seen yet.
	// Invariant: initial priorities are >= depth and distinct; demoted ones
	// are the labels 1..depth-1.
	priority []uint64
	seen     []int // ids seen so far, to keep initial priorities distinct
	changes  []changePoint
	next     int // changes[next] is the next change point to fire
	step     int // Schedule points so far
}

// changePoint: at Schedule point step, demote the process that would run to
// priority label.
type changePoint struct{ step, label int }

// drawChanges returns count distinct change points in [1, steps], sorted by
// step, with labels 1..count in random order. Floyd's algorithm draws the
// set with count draws whatever count is.
func (s *pct) drawChanges(count, steps int) []changePoint {
	if count == 0 {
		return nil
	}
	cs := make([]changePoint, 0, count)
	taken := make(map[int]bool, count)
	for j := steps - count + 1; j <= steps; j++ {
		t := 1 + int(s.r.below(uint64(j)))
		if taken[t] {
			t = j
		}
		taken[t] = true
		cs = append(cs, changePoint{step: t})
	}
	slices.SortFunc(cs, func(a, b changePoint) int { return a.step - b.step })
	for i := range cs { // labels: a random permutation of 1..count
		cs[i].label = i + 1
	}
	for i := len(cs) - 1; i > 0; i-- {
		j := int(s.r.below(uint64(i + 1)))
		cs[i].label, cs[j].label = cs[j].label, cs[i].label
	}
	return cs
}

func (s *pct) Choose(p Point) int {
	mustHaveOptions(p)
	if p.Kind != Schedule {
		return s.r.option(p)
	}
	s.step++
	best := s.highest(p)
	if s.next < len(s.changes) && s.changes[s.next].step == s.step {
		s.priority[s.id(p, best)] = uint64(s.changes[s.next].label)
		s.next++
		best = s.highest(p)
	}
	return best
}

// highest returns the option whose process has the highest priority, giving
// processes seen for the first time their initial priority.
func (s *pct) highest(p Point) int {
	best, bestPriority := 0, uint64(0)
	for i := range p.N {
		id := s.id(p, i)
		if id >= len(s.priority) || s.priority[id] == 0 {
			s.meet(id)
		}
		if pr := s.priority[id]; pr > bestPriority {
			best, bestPriority = i, pr
		}
	}
	return best
}

func (s *pct) id(p Point, option int) int {
	if p.Procs == nil {
		return option
	}
	id := p.Procs.ID(option)
	if id < 0 {
		panic(fmt.Sprintf("scheduler: Procs.ID(%d) = %d, want a process id >= 0", option, id))
	}
	return id
}

// meet gives process id its initial priority. It runs once per process, so
// its O(processes) distinctness check is off the steady-state path.
func (s *pct) meet(id int) {
	if id >= len(s.priority) {
		// append grows the slice geometrically: ids are small and dense,
		// given out in creation order, so this reallocates O(log ids) times.
		s.priority = append(s.priority, make([]uint64, id+1-len(s.priority))...)
	}
	for {
		v := s.r.next()
		if v < s.depth {
			continue
		}
		if !slices.ContainsFunc(s.seen, func(o int) bool { return s.priority[o] == v }) {
			s.priority[id] = v
			s.seen = append(s.seen, id)
			return
		}
	}
}
