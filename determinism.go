package weft

// The determinism check: a run is a pure function of its seed and strategy,
// so two runs of one seed must agree event for event. Explore checks it on
// every seed with Options.CheckDeterminism, and on every failing seed when it
// confirms the failure; when two runs differ, the finding names the first
// event that differs instead of shrinking a failure that would not replay.

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// nondeterministic builds the finding for a seed that ran two ways. The
// first two runs kept no trace, so run the seed again in pairs with traces
// and compare them; a nondeterminism that strikes only now and then may need
// a few pairs to show itself.
func (e *explorer) nondeterministic(i int, r, again *sim.Result) *Finding {
	seed := r.Seed
	f := e.finding(i, seed, r)
	const pairs = 3
	for range pairs {
		a := e.run(seed, true)
		b := e.run(seed, true)
		if diff := firstDifference(a, b); diff != "" {
			f.Shrunk, f.Log, f.Nondeterministic = a, e.log(seed, a.Decisions), diff
			f.PreemptionsBefore = scheduler.Preemptions(a.Decisions)
			f.PreemptionsAfter = f.PreemptionsBefore
			f.Before, f.After = sizeOf(a), sizeOf(a)
			return f
		}
		f.Shrunk = a
	}
	f.Log = e.log(seed, f.Shrunk.Decisions)
	f.PreemptionsBefore = scheduler.Preemptions(f.Shrunk.Decisions)
	f.PreemptionsAfter = f.PreemptionsBefore
	f.Before, f.After = sizeOf(f.Shrunk), sizeOf(f.Shrunk)
	f.Nondeterministic = fmt.Sprintf("the same seed ran two different ways (hashes %016x and %016x, data %016x and %016x), but %d pairs of traced re-runs agreed: the nondeterminism is intermittent (map iteration order, a real goroutine, the wall clock?)", r.Hash, again.Hash, r.DataHash, again.DataHash, pairs)
	return f
}

// firstDifference compares two traced runs of the same seed and describes
// the first event that differs, or the first datum (a value an event
// carried, a name, an operation of the history) when the events agree, or
// returns "" when they agree on everything.
func firstDifference(a, b *sim.Result) string {
	n := min(len(a.Trace), len(b.Trace))
	for k := 0; k < n; k++ {
		if !sameEvent(a.Trace[k], b.Trace[k]) || a.Trace[k].Detail != b.Trace[k].Detail {
			return fmt.Sprintf("the same seed ran two different ways: event %d was\n\t%s\nin one run and\n\t%s\nin the other", k,
				describeEvent(a.Trace[k], a.Procs), describeEvent(b.Trace[k], b.Procs))
		}
	}
	switch {
	case len(a.Trace) > n:
		return fmt.Sprintf("the same seed ran two different ways: one run ended after %d events, the other went on with\n\t%s", n, describeEvent(a.Trace[n], a.Procs))
	case len(b.Trace) > n:
		return fmt.Sprintf("the same seed ran two different ways: one run ended after %d events, the other went on with\n\t%s", n, describeEvent(b.Trace[n], b.Procs))
	case a.Hash != b.Hash:
		return fmt.Sprintf("the same seed ran two different ways: equal traces but hashes %016x and %016x", a.Hash, b.Hash)
	case !slices.Equal(a.Procs, b.Procs):
		return fmt.Sprintf("the same seed ran two different ways: its processes were named %q in one run and %q in the other", a.Procs, b.Procs)
	case len(a.History) != len(b.History):
		return fmt.Sprintf("the same seed ran two different ways: its history has %d operations in one run and %d in the other", len(a.History), len(b.History))
	case a.Failure.Signature() != b.Failure.Signature():
		return fmt.Sprintf("the same seed ran two different ways: equal traces but failures %q and %q", a.Failure.Signature(), b.Failure.Signature())
	}
	for k := range a.History {
		if x, y := describeOp(a.History[k]), describeOp(b.History[k]); x != y {
			return fmt.Sprintf("the same seed ran two different ways: operation %d of the history was\n\t%s\nin one run and\n\t%s\nin the other", k, x, y)
		}
	}
	return ""
}

// describeOp renders an operation of the history as the data hash sees it.
func describeOp(op sim.Operation) string {
	return fmt.Sprintf("p%d client %d: %v -> %v", op.Proc, op.Client, op.Input, op.Output)
}

// runsDiffer reports whether two runs of the same seed went different ways:
// in their events, their data (when both were hashed), or their failures.
func runsDiffer(a, b *sim.Result) bool {
	return a.Hash != b.Hash || a.DataHash != b.DataHash || a.Failure.Signature() != b.Failure.Signature()
}

// sameEvent compares what the hash sees of two events; Detail is for people.
func sameEvent(x, y sim.Event) bool {
	return x.Step == y.Step && x.Time == y.Time && x.Proc == y.Proc && x.Kind == y.Kind && x.Obj == y.Obj && x.Arg == y.Arg
}

func describeEvent(e sim.Event, procs []string) string {
	who := "the clock"
	if e.Proc >= 0 {
		who = "p" + strconv.Itoa(e.Proc)
		if e.Proc < len(procs) {
			who += fmt.Sprintf(" %q", procs[e.Proc])
		}
	}
	s := fmt.Sprintf("step %d, time %v: %s %s", e.Step, e.Time, who, e.Kind)
	if e.Detail != "" {
		s += " " + e.Detail
	}
	if e.Arg != 0 {
		s += fmt.Sprintf(" (outcome %d)", e.Arg)
	}
	return s
}
