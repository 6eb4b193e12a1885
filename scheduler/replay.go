package scheduler

// Replay returns a strategy that makes the decisions ds again, in order: the
// i-th point gets ds[i].Choice. Where the code under test has drifted from
// the log, it stays useful rather than strict: a recorded choice that is not
// below the point's N becomes 0, and past the end of ds every choice is 0
// (the default), so a shortened log replays as its calm continuation.
//
// ds is read, never modified or copied; keep it unchanged while replaying.
func Replay(ds []Decision) *ReplayStrategy { return &ReplayStrategy{ds: ds} }

// ReplayStrategy is the Strategy that Replay returns. It counts how closely
// the run followed the log.
type ReplayStrategy struct {
	ds []Decision
	// Invariant: diverged <= used <= len(ds).
	used     int
	diverged int
}

var _ Strategy = (*ReplayStrategy)(nil)

func (r *ReplayStrategy) Choose(p Point) int {
	mustHaveOptions(p)
	if r.used == len(r.ds) {
		return 0
	}
	d := r.ds[r.used]
	r.used++
	if d.Kind != p.Kind || int64(d.N) != int64(p.N) || int64(d.Choice) >= int64(p.N) {
		r.diverged++
	}
	if int64(d.Choice) >= int64(p.N) {
		return 0
	}
	return int(d.Choice)
}

// Used returns how many recorded decisions have been replayed so far.
// Points past the end of the log do not count.
func (r *ReplayStrategy) Used() int { return r.used }

// Diverged returns how many of the replayed decisions did not fit the point
// they were replayed at: a different Kind, a different N, or a choice out of
// range. Zero after a run means the run followed the log exactly (as far as
// Used reaches).
func (r *ReplayStrategy) Diverged() int { return r.diverged }
