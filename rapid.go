package weft

import (
	"pgregory.net/rapid"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// RunRapid runs scenario once with every decision drawn from t, so that
// rapid generates the schedule, the faults and the workload (drawn with
// sim.World.Intn and friends) together with whatever else the test draws, and
// its shrinker shrinks them all at once. A failing run fails t with the
// run's failure and its timeline; rapid then shrinks and reports it with
// its own replay instructions (-rapid.seed, fail files).
//
// Draw only through the world inside a run: rapid's T is not for use from
// the world's processes, which are not the test's goroutine.
func RunRapid(t *rapid.T, cfg sim.Config, scenario func(*sim.World)) *sim.Result {
	st := &rapidStrategy{t: t}
	cfg.Strategy = st
	if cfg.Spec == "" {
		cfg.Spec = "rapid"
	}
	r := sim.Run(cfg, scenario)
	if st.stopped != nil {
		// rapid ended the test case inside a draw (its data ran out while
		// shrinking, say): hand that back to rapid, on its goroutine, where
		// it knows what to do with it.
		panic(st.stopped)
	}
	if r.Failure != nil {
		traced := r
		if len(r.Decisions) > 0 && !cfg.KeepTrace {
			cfg.Strategy, cfg.KeepTrace = scheduler.Replay(r.Decisions), true
			traced = sim.Run(cfg, scenario)
		}
		// The traced replay's failure is the one to print: a property that
		// writes a page (linearizability's porcupine view) names it only
		// when the run kept its trace.
		failure := r.Failure
		if traced.Failure != nil {
			failure = traced.Failure
		}
		t.Fatalf("%s\n%s", quoteControlsLines(failure.Error()), Timeline(lastEvents(traced.Trace, 40), traced.Procs))
	}
	return r
}

// rapidStrategy draws each decision from a rapid.T. Draws happen inside the
// run, on the world's goroutines; a panic rapid uses for control (the data
// ran out) is caught there, remembered, and re-raised by RunRapid on the
// test's goroutine, while the rest of the run takes defaults.
type rapidStrategy struct {
	t       *rapid.T
	stopped any
}

func (s *rapidStrategy) Choose(p scheduler.Point) (c int) {
	if s.stopped != nil {
		return 0
	}
	defer func() {
		if r := recover(); r != nil {
			s.stopped, c = r, 0
		}
	}()
	return rapid.IntRange(0, p.N-1).Draw(s.t, p.Kind.String())
}

func lastEvents(es []sim.Event, n int) []sim.Event {
	if len(es) > n {
		return es[len(es)-n:]
	}
	return es
}
