package scheduler

// Replay returns a strategy that makes the decisions ds again. Each kind of
// decision is its own stream: a point of kind K gets the next recorded
// decision of kind K. Replaying a log recorded by a run gives that run again
// exactly; and when a log is edited (by the shrinker, say), changing the
// schedule does not shift the random values or faults drawn after the
// change onto other points, which a single positional stream would do: a
// workload drawn from Random decisions stays the same workload.
//
// Where the code under test has drifted from the log, it stays useful rather
// than strict: a recorded choice that is not below the point's N becomes 0,
// and past the end of a kind's stream every choice is 0 (the default), so a
// shortened log replays as its calm continuation.
//
// ds is read, never modified or copied; keep it unchanged while replaying.
func Replay(ds []Decision) *ReplayStrategy { return &ReplayStrategy{ds: ds} }

// ReplayStrategy is the Strategy that Replay returns. It counts how closely
// the run followed the log.
type ReplayStrategy struct {
	ds []Decision
	// next[k] is where the search for the next decision of kind k starts.
	// Invariant: every decision of kind k before next[k] has been used.
	next [kindEnd]int
	// Invariant: diverged <= used <= len(ds).
	used     int
	diverged int
}

var _ Strategy = (*ReplayStrategy)(nil)

func (r *ReplayStrategy) Choose(p Point) int {
	mustHaveOptions(p)
	if !p.Kind.Valid() {
		return 0
	}
	i := r.next[p.Kind]
	for i < len(r.ds) && r.ds[i].Kind != p.Kind {
		i++
	}
	if i == len(r.ds) {
		r.next[p.Kind] = i
		return 0
	}
	r.next[p.Kind] = i + 1
	d := r.ds[i]
	r.used++
	if int64(d.N) != int64(p.N) || int64(d.Choice) >= int64(p.N) {
		r.diverged++
	}
	if int64(d.Choice) >= int64(p.N) {
		return 0
	}
	return int(d.Choice)
}

// Used returns how many recorded decisions have been replayed so far.
// Points past the end of their kind's stream do not count.
func (r *ReplayStrategy) Used() int { return r.used }

// Diverged returns how many of the replayed decisions did not fit the point
// they were replayed at: a different N, or a choice out of range. Zero after
// a run means the run followed the log exactly (as far as Used reaches).
func (r *ReplayStrategy) Diverged() int { return r.diverged }
