package scheduler

// ShrinkResult is what Shrink found.
type ShrinkResult struct {
	// Decisions is the simplest failing log found, trimmed of trailing calm
	// decisions. It never shares memory with Shrink's input.
	Decisions []Decision
	// Runs is how many times Shrink called fails.
	Runs int
	// PreemptionsBefore and PreemptionsAfter count the preemptions of the
	// input and of Decisions.
	PreemptionsBefore, PreemptionsAfter int

	_ struct{} // disallow positional literals, for extensibility
}

// shrinkDefaultRuns is Shrink's budget of runs when the caller gives none.
const shrinkDefaultRuns = 2000

// Shrink looks for the simplest log that still fails, starting from ds, a log
// whose replay fails.
//
// fails replays a candidate log and reports whether the run failed the same
// way, and the decisions the run actually recorded (nil if it does not say).
// A replay records what really happened, which may be simpler than the
// candidate (choices out of range became 0, the run ended sooner), so when it
// is, the recorded log becomes the current one. fails must not modify the
// candidate; it may keep it.
//
// "Simpler" is a strict total order on logs: fewer preemptions, then fewer
// non-zero choices, then a smaller sum of choices, then fewer decisions.
// Only strictly simpler candidates are tried, so Shrink terminates. It makes
// greedy passes until none of them finds anything (a fixpoint) or it has run
// fails maxRuns times (2000 when maxRuns <= 0):
//
//   - cut the tail: remove the last half, quarter, ... of the log;
//   - delete chunks of 8, 4, 2 and 1 decisions, from the end towards the start;
//   - zero windows of consecutive preemptions at once, from all of them
//     down by halves to two (a switch away and the switch back often only
//     matter together);
//   - zero single decisions;
//   - lower single choices, by binary search towards 0.
//
// At a fixpoint, before it gives up, it searches around the current log:
// it keeps the first k of its m changes (its non-zero decisions other than
// draws) and looks for one change, anywhere after them, that fails in place
// of the other m-k, for m-k from 2 up to m-1. Greedy passes can only delete
// and lower, never move a change to a later point, so they stop at local
// minima that this bounded search steps out of; the greedy passes then
// start again from what it found.
//
// Before the greedy passes it sweeps the schedules that differ from the calm
// run (the empty log) in one decision: deleting and lowering can never move
// a preemption to a later point, so a failure that needs one switch, found
// by a random walk with many, would otherwise often stay at two or three.
// The sweep spends at most half the budget.
//
// Shrink is deterministic: the same ds and the same fails give the same
// result. It skips candidates it has already run. Trailing calm decisions are
// dropped without a run, since Replay treats them and the end of the log alike.
func Shrink(ds []Decision, fails func(candidate []Decision) (recorded []Decision, ok bool), maxRuns int) ShrinkResult {
	if maxRuns <= 0 {
		maxRuns = shrinkDefaultRuns
	}
	cur := trimmed(ds)
	s := &shrinker{
		fails:   fails,
		cur:     append([]Decision(nil), cur...),
		curCost: costOf(cur),
		maxRuns: maxRuns,
		seen:    make(map[uint64]struct{}),
	}
	s.sweepSingles()
	for s.runs < s.maxRuns {
		changed := s.cutTail()
		changed = s.deleteChunks() || changed
		changed = s.zeroPreemptionWindows() || changed
		changed = s.zeroSingles() || changed
		changed = s.lowerChoices() || changed
		if !changed && !s.searchAround() {
			break
		}
	}
	return ShrinkResult{
		Decisions:         s.cur,
		Runs:              s.runs,
		PreemptionsBefore: Preemptions(ds),
		PreemptionsAfter:  Preemptions(s.cur),
	}
}

type shrinker struct {
	fails   func([]Decision) ([]Decision, bool)
	cur     []Decision // Invariant: trimmed, and curCost == costOf(cur).
	curCost cost
	runs    int // Invariant: runs <= maxRuns.
	maxRuns int
	seen    map[uint64]struct{} // hashes of candidates already run
}

// cost orders logs by simplicity; see Shrink.
type cost struct {
	preemptions, nonzero int
	sum                  uint64
	length               int
}

func costOf(ds []Decision) cost {
	c := cost{length: len(ds)}
	for _, d := range ds {
		if d.Choice != 0 {
			c.nonzero++
			c.sum += uint64(d.Choice)
			if d.Kind == Schedule {
				c.preemptions++
			}
		}
	}
	return c
}

func (a cost) less(b cost) bool {
	switch {
	case a.preemptions != b.preemptions:
		return a.preemptions < b.preemptions
	case a.nonzero != b.nonzero:
		return a.nonzero < b.nonzero
	case a.sum != b.sum:
		return a.sum < b.sum
	}
	return a.length < b.length
}

// try runs cand if it is new and strictly simpler than the current log, and
// adopts it, or what its run recorded if that is simpler still, when it
// fails. It reports whether the current log changed.
func (s *shrinker) try(cand []Decision) bool {
	if s.runs >= s.maxRuns {
		return false
	}
	cand = trimmed(cand)
	c := costOf(cand)
	if !c.less(s.curCost) {
		return false
	}
	h := hashDecisions(cand)
	if _, ok := s.seen[h]; ok {
		return false
	}
	s.seen[h] = struct{}{}
	s.runs++
	recorded, ok := s.fails(cand)
	if !ok {
		return false
	}
	if r := trimmed(recorded); recorded != nil {
		if rc := costOf(r); rc.less(c) {
			cand, c = append([]Decision(nil), r...), rc
			s.seen[hashDecisions(cand)] = struct{}{}
		}
	}
	s.cur, s.curCost = cand, c
	return true
}

// hashDecisions is FNV-1a over the decisions: deterministic, unlike
// hash/maphash. A collision only makes Shrink skip one candidate.
func hashDecisions(ds []Decision) uint64 {
	h := uint64(14695981039346656037)
	mix := func(v uint32) {
		for range 4 {
			h ^= uint64(v & 0xff)
			h *= 1099511628211
			v >>= 8
		}
	}
	mix(uint32(len(ds)))
	for _, d := range ds {
		mix(uint32(d.Kind))
		mix(d.N)
		mix(d.Choice)
	}
	return h
}

func (s *shrinker) cutTail() bool {
	changed := false
	for size := len(s.cur); size > 0 && s.runs < s.maxRuns; {
		size = min(size, len(s.cur))
		if s.try(s.cur[:len(s.cur)-size]) {
			changed = true
			continue // the same cut may fit again
		}
		size /= 2
	}
	return changed
}

func (s *shrinker) deleteChunks() bool {
	changed := false
	for _, size := range [...]int{8, 4, 2, 1} {
		for i := len(s.cur) - size; i >= 0 && s.runs < s.maxRuns; i-- {
			i = min(i, len(s.cur)-size)
			if i < 0 {
				break
			}
			cand := make([]Decision, 0, len(s.cur)-size)
			cand = append(append(cand, s.cur[:i]...), s.cur[i+size:]...)
			changed = s.try(cand) || changed
		}
	}
	return changed
}

func (s *shrinker) zeroPreemptionWindows() bool {
	preemption := func(d Decision) bool { return d.Kind == Schedule && d.Choice != 0 }
	nonzero := func(d Decision) bool { return d.Choice != 0 }
	// The schedule first; every kind at once (faults and draws too) only
	// when the schedule alone has nothing more to give.
	return s.zeroWindows(preemption) || s.zeroWindows(nonzero)
}

// zeroWindows zeroes windows of consecutive decisions that match, at once.
// Window sizes halve from all of them down to two, as delta debugging does:
// with each kind of decision replayed as its own stream, zeroing many
// preemptions at once leaves the workload and the faults where they were,
// so big jumps often keep the failure.
func (s *shrinker) zeroWindows(match func(Decision) bool) bool {
	changed := false
	var sizes []int
	for size := len(indexes(s.cur, match)); size >= 2; size /= 2 {
		sizes = append(sizes, size)
	}
	for _, size := range sizes {
		for j := len(indexes(s.cur, match)) - size; j >= 0 && s.runs < s.maxRuns; j-- {
			at := indexes(s.cur, match)
			j = min(j, len(at)-size)
			if j < 0 {
				break
			}
			cand := append([]Decision(nil), s.cur...)
			for _, k := range at[j : j+size] {
				cand[k].Choice = 0
			}
			changed = s.try(cand) || changed
		}
	}
	return changed
}

// indexes returns the positions of the decisions that match.
func indexes(ds []Decision, match func(Decision) bool) []int {
	var at []int
	for i, d := range ds {
		if match(d) {
			at = append(at, i)
		}
	}
	return at
}

func (s *shrinker) zeroSingles() bool {
	changed := false
	for i := len(s.cur) - 1; i >= 0 && s.runs < s.maxRuns; i-- {
		if i >= len(s.cur) || s.cur[i].Choice == 0 {
			continue
		}
		cand := append([]Decision(nil), s.cur...)
		cand[i].Choice = 0
		changed = s.try(cand) || changed
	}
	return changed
}

// lowerChoices binary-searches each choice towards 0. It assumes that a
// choice that fails makes larger ones fail too; where that does not hold it
// still only ever adopts failing logs, it just may miss a lower one.
func (s *shrinker) lowerChoices() bool {
	changed := false
	for i := len(s.cur) - 1; i >= 0 && s.runs < s.maxRuns; i-- {
		if i >= len(s.cur) {
			continue
		}
		lo, hi := uint32(0), s.cur[i].Choice // hi fails; lo is untested
		for lo < hi && s.runs < s.maxRuns {
			mid := lo + (hi-lo)/2
			cand := append([]Decision(nil), s.cur...)
			cand[i].Choice = mid
			if !s.try(cand) {
				lo = mid + 1
				continue
			}
			changed = true
			if i >= len(s.cur) || s.cur[i].Choice != mid {
				break // a recorded log was adopted; this search is stale
			}
			hi = mid
		}
	}
	return changed
}

// sweepSingles tries, in order, every log that is the calm run with one
// decision changed: the i-th decision of the calm run set to each of its
// other options. It stops at the first that fails without a preemption
// (which is as simple as a failing log with a decision can be, but for its
// position and value), when the current log is already that simple, or when
// half the budget is spent.
func (s *shrinker) sweepSingles() {
	if s.curCost.nonzero <= 1 || s.runs >= s.maxRuns {
		return
	}
	s.runs++
	calm, ok := s.fails(nil)
	if ok {
		s.cur, s.curCost = nil, cost{}
		return
	}
	budget := s.runs + (s.maxRuns-s.runs)/2
	for i, d := range calm {
		for c := uint32(1); c < d.N; c++ {
			if s.runs >= budget {
				return
			}
			// The calm run's decisions are all 0 (its replay had nothing
			// to follow), so its prefix is the calm prefix.
			cand := append(append(make([]Decision, 0, i+1), calm[:i]...), Decision{Kind: d.Kind, N: d.N, Choice: c})
			// A single fault or draw beats a single preemption: stop
			// only at one that is not a preemption.
			if s.try(cand) && s.curCost.preemptions == 0 {
				return
			}
		}
	}
}

// searchAround is the bounded search of Shrink: for drop from 2 up to m-1,
// it zeroes the last drop of the current log's m changes (keeping its
// draws, which replay as their own stream) and tries, after the changes it
// kept, every single change to that run. It stops at the first that fails,
// and reports whether it found one.
func (s *shrinker) searchAround() bool {
	change := func(d Decision) bool { return d.Choice != 0 && d.Kind != Random }
	at := indexes(s.cur, change)
	for drop := 2; drop < len(at) && s.runs < s.maxRuns; drop++ {
		keep := at[:len(at)-drop]
		base := append([]Decision(nil), s.cur...)
		for _, i := range at[len(at)-drop:] {
			base[i].Choice = 0
		}
		if s.try(base) {
			return true
		}
		// The run of base, to know its points after the kept changes. A
		// run that base's try skipped (seen before) is run again here.
		if s.runs >= s.maxRuns {
			return false
		}
		s.runs++
		recorded, ok := s.fails(trimmed(base))
		if ok {
			continue // not simpler by the order (try refused it): no gain
		}
		if recorded == nil {
			return false // fails does not say what ran: nothing to search
		}
		from := 0
		if len(keep) > 0 {
			from = keep[len(keep)-1] + 1
		}
		for j := from; j < len(recorded) && s.runs < s.maxRuns; j++ {
			d := recorded[j]
			if d.Kind == Random {
				continue
			}
			for c := uint32(1); c < d.N && s.runs < s.maxRuns; c++ {
				cand := append([]Decision(nil), recorded...)
				cand[j].Choice = c
				if s.try(cand) {
					return true
				}
			}
		}
	}
	return false
}
