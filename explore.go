package weft

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/internal/distinct"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// progressEvery is how often, in real time, Explore calls Options.Progress.
const progressEvery = 250 * time.Millisecond

// Stats counts what an exploration has done so far.
type Stats struct {
	// Runs is the number of seeds run (each once, even when determinism is
	// checked), Steps their scheduling points in total, Elapsed the real time
	// spent running them.
	Runs    int
	Steps   int64
	Elapsed time.Duration
	// Schedules estimates how many of the runs ran differently: distinct
	// trace hashes, counted by a sketch (package internal/distinct: close to
	// exact below a few hundred, within a few percent above; never more than
	// Runs).
	Schedules int

	// sketch counts the distinct trace hashes; shards merge theirs.
	sketch *distinct.Sketch

	_ struct{} // disallow positional literals, for extensibility
}

// Report is what Explore found. Failure is nil when every seed passed; a
// report whose Runs is smaller than asked (a spent budget) is still a pass
// only for the seeds that ran.
type Report struct {
	Stats
	// Failure is the first failing seed, confirmed and shrunk.
	Failure *Finding
	// Exhausted is set when an exhaustive search (a dfs Spec) ran every log
	// within its bound: then no run within the bound fails, which no number
	// of random runs can say. Classes is the number of classes of
	// schedules (equal up to the order of operations on different objects)
	// a search with partial-order reduction ran, 0 for other strategies.
	Exhausted bool
	Classes   int
	// Spec is the strategy explored, in canonical form, with the steps of
	// a portfolio filled in ("portfolio:57"): with the seeds, it replays
	// every run of the exploration.
	Spec string

	_ struct{} // disallow positional literals, for extensibility
}

// Finding is a failing run, as a developer needs it: where it came from, the
// simplest schedule that still fails the same way, and that run's trace.
type Finding struct {
	// Seed, RunIndex and Spec say which run failed: Seed is
	// Options.Seed+RunIndex, Spec the strategy's Spec in canonical form.
	// Under a portfolio, Spec is the member that made the run, and
	// Portfolio the portfolio's Spec (its steps filled in); either replays
	// the seed alone.
	Seed      uint64
	RunIndex  int
	Spec      string
	Portfolio string
	// Original is the failing run as explored (re-run to record its
	// decisions: it is the same run, with the same hash), without a trace.
	Original *sim.Result
	// Shrunk is the replay of Log, with its trace: the run to read.
	Shrunk *sim.Result
	// Log is the shrunk decision log, trimmed of trailing calm decisions,
	// with its header (scenario, seed, strategy, versions) filled in. Saving
	// and replaying it reproduces Shrunk.
	Log *scheduler.Log
	// PreemptionsBefore and PreemptionsAfter count the forced context
	// switches of Original and of Log. ShrinkRuns is how many runs
	// shrinking took (its replays, and when the first shrunk log kept more
	// than two changes, the runs of the next seeds and the replays that
	// shrank those that failed the same way: the simplest log wins), and
	// ShrinkCut is set when it stopped at its bound (ShrinkRuns or
	// ShrinkTime) rather than at a fixpoint.
	PreemptionsBefore, PreemptionsAfter int
	ShrinkRuns                          int
	ShrinkCut                           bool
	// Before and After measure Original's log and Log: decisions,
	// preemptions, changes, faults, draws (see Size).
	Before, After Size
	// Changes are the changes of the shrunk run (Shrunk, Log), in order,
	// each marked Essential when the failure needs it (see ChangesOf);
	// Essential returns those. Nil when the finding was not shrunk.
	Changes []Change
	// Nondeterministic is non-empty when the failure is that the same seed
	// ran two different ways: it names the first event that differed. Such
	// a finding is not shrunk.
	Nondeterministic string

	// seedOnly says why the finding is not shrunk and its Log holds no
	// decisions, when that is so: only its seed reproduces it (a run the
	// watchdog abandoned, or one in which the test was marked failed).
	seedOnly string

	_ struct{} // disallow positional literals, for extensibility
}

// Size measures a decision log as a person reads it.
type Size struct {
	// Decisions is the length of the log, trimmed of its calm tail.
	Decisions int
	// Preemptions counts the forced context switches (scheduler.Preemptions),
	// Changes the changes from the calm run, a hold of one process counting
	// once (scheduler.Changes), Faults the faults fired (scheduler.Faults).
	Preemptions, Changes, Faults int
	// Draws counts the random draws that are not the default (0): the size
	// of the workload the run drew, beyond its smallest.
	Draws int

	_ struct{} // disallow positional literals, for extensibility
}

// sizeOf measures the decisions of run r.
func sizeOf(r *sim.Result) Size {
	ds := (&scheduler.Log{Decisions: r.Decisions}).Trimmed()
	s := Size{Decisions: len(ds), Preemptions: scheduler.Preemptions(ds), Changes: scheduler.Changes(ds, r.Holds), Faults: scheduler.Faults(ds)}
	for _, d := range ds {
		if d.Kind == scheduler.Random && d.Choice != 0 {
			s.Draws++
		}
	}
	return s
}

func (s Size) String() string {
	return fmt.Sprintf("%d decisions, %d preemptions, %d changes, %d faults, %d draws", s.Decisions, s.Preemptions, s.Changes, s.Faults, s.Draws)
}

// Explore runs scenario under seed after seed until one fails or the runs or
// the budget are spent. Under a portfolio (the default) or a starvation
// window whose steps the Spec leaves out, it first runs the scenario's calm
// run once, unjudged, to count the steps they spread over (Report.Spec
// says the count). A failing seed is then confirmed (re-run: a run that
// fails differently or with another hash is reported as nondeterminism),
// shrunk with scheduler.Shrink (a candidate counts when it fails with the same
// sim.Failure.Signature), and the shrunk log is replayed with a trace for the
// report.
//
// Explore panics when o is invalid (a negative count, a shard outside
// [0, Shards), a Spec that ParseSpec would refuse): validate user input first.
// It never panics because of the scenario.
func Explore(o Options, scenario func(*sim.World)) *Report {
	if err := o.check(); err != nil {
		panic("weft: Explore: " + err.Error())
	}
	o.fill()
	start := time.Now()
	e := &explorer{o: o, scenario: scenario}
	if o.Spec.Steps == 0 && (o.Spec.Name == "portfolio" || o.Spec.Name == "starve") {
		steps, faults := e.estimateSteps()
		e.o.Spec.Steps = steps
		if o.Spec.Name == "portfolio" && o.Spec.Faults == 0 {
			e.o.Spec.Faults = faults
		}
	}
	e.strategy = e.o.Spec.String()
	var tree search
	if o.Spec.Exhaustive() {
		// A search, not seeds: run i replays the i-th log of the tree.
		// Indexes below Seed run only to grow the tree, so that Seed N with
		// one run reproduces the search's run N.
		tree, e.search = newSearch(o.Spec), true
		e.footprint = o.Spec.Reduced()
		for i := uint64(0); i < o.Seed; i++ {
			p, ok := tree.Next()
			if !ok {
				break
			}
			e.prefix = p
			tree.record(e.run(i, false))
		}
	}
	// A test marked failed during a run (t.Errorf inside a process) is that
	// run's failure; one already failed cannot say which run did it.
	failedBefore := o.testFailed != nil && o.testFailed()
	lastProgress := start
	rep := &Report{Spec: e.strategy}
	rep.sketch = &distinct.Sketch{}
	for i := 0; o.Runs == 0 || i < o.Runs; i++ {
		if i%o.Shards != o.Shard {
			continue
		}
		if tree != nil {
			p, ok := tree.Next()
			if !ok {
				rep.Exhausted = true
				break
			}
			e.prefix = p
		}
		now := time.Now()
		if o.Budget > 0 && rep.Runs > 0 && now.Sub(start) >= o.Budget {
			break
		}
		if o.Progress != nil && now.Sub(lastProgress) >= progressEvery {
			lastProgress = now
			rep.Elapsed = now.Sub(start)
			rep.Schedules = min(rep.sketch.Count(), rep.Runs)
			o.Progress(rep.Stats)
		}
		seed := o.Seed + uint64(i)
		r := e.run(seed, false)
		if !failedBefore && o.testFailed != nil && o.testFailed() {
			// Before anything runs the seed again, which would fail the
			// test again and print its message again.
			rep.Runs++
			rep.Steps += r.Steps
			rep.sketch.Add(r.Hash)
			rep.Failure = e.testFailure(i, r)
			break
		}
		if r.Failure != nil && r.Failure.Kind == sim.RealBlock {
			r = e.confirmBlock(r)
		}
		if tree != nil {
			tree.record(r)
		}
		rep.Runs++
		rep.Steps += r.Steps
		rep.sketch.Add(r.Hash)
		if o.CheckDeterminism {
			if again := e.run(seed, false); runsDiffer(r, again) {
				rep.Failure = e.nondeterministic(i, r, again)
				break
			}
		}
		if r.Failure != nil {
			rep.Failure = e.investigate(i, r)
			break
		}
	}
	if tree != nil {
		rep.Classes = tree.classes()
	}
	rep.Elapsed = time.Since(start)
	rep.Schedules = min(rep.sketch.Count(), rep.Runs)
	if o.Progress != nil {
		o.Progress(rep.Stats)
	}
	return rep
}

type explorer struct {
	o        Options
	scenario func(*sim.World)
	strategy string // o.Spec in canonical form, its steps filled in
	// search is set for an exhaustive Spec: every run replays prefix, the
	// tree's current log, and records its decisions to grow the tree;
	// footprint, for a search with partial-order reduction, its
	// transitions too.
	search    bool
	footprint bool
	prefix    []scheduler.Decision
}

// search is an exhaustive search: scheduler.Tree (dfs), or scheduler.DPOR
// (dpor).
type search interface {
	Next() ([]scheduler.Decision, bool)
	record(r *sim.Result)
	classes() int // 0 when the search does not count them
}

func newSearch(sp scheduler.Spec) search {
	if sp.Reduced() {
		return reduced{scheduler.NewDPOR(sp.Bound())}
	}
	return plain{scheduler.NewTree(sp.Bound())}
}

type plain struct{ *scheduler.Tree }

func (t plain) record(r *sim.Result) { t.RecordHolds(r.Decisions, r.Holds) }
func (t plain) classes() int         { return 0 }

type reduced struct{ *scheduler.DPOR }

func (t reduced) record(r *sim.Result) { t.RecordRun(r.Decisions, r.Holds, r.Transitions) }
func (t reduced) classes() int         { return t.Classes() }

// estimateSteps returns the number of Schedule points of the scenario's calm
// run (every decision the default), at least 2, and of its Fault points
// (0 when it runs no faults), over which a portfolio's one-fault members
// draw their fault: the runs' length as PCT
// and a starvation window count it. A fixed guess (1,000) puts most change
// points past the end of runs of 20 to 200 points, and PCT then needs 20
// to 250 times the runs of a random walk. The calm run is the same for
// every seed, so every shard and every campaign of a scenario gets the
// same estimate, and the spec that says it replays the same runs.
//
// The calm run judges nothing: the properties are left out of it, so they
// see only the runs the exploration reports.
func (e *explorer) estimateSteps() (steps, faults int) {
	cfg := e.config(e.o.Seed, scheduler.Replay(nil), false, true)
	cfg.Properties = nil
	r := sim.Run(cfg, e.scenario)
	for _, d := range r.Decisions {
		switch d.Kind {
		case scheduler.Schedule:
			steps++
		case scheduler.Fault:
			faults++
		}
	}
	return max(steps, 2), faults
}

// specOf is the canonical spec of the strategy that runs seed: the
// portfolio member that seed draws, or the Spec itself.
func (e *explorer) specOf(seed uint64) string {
	if e.search || !e.o.Spec.IsPortfolio() {
		return e.strategy
	}
	return e.o.Spec.Member(seed).String()
}

// finding starts the Finding of run i of seed.
func (e *explorer) finding(i int, seed uint64, r *sim.Result) *Finding {
	f := &Finding{Seed: seed, RunIndex: i, Spec: e.specOf(seed), Original: r}
	if e.o.Spec.IsPortfolio() {
		f.Portfolio = e.strategy
	}
	return f
}

// fresh returns the strategy of a new run of seed: the Spec's, or in a
// search the replay of the current log.
func (e *explorer) fresh(seed uint64) scheduler.Strategy {
	if e.search {
		return scheduler.Replay(e.prefix)
	}
	return e.o.Spec.New(seed)
}

// run runs one seed under a fresh strategy. Only a traced run records its
// decision log: a run is a pure function of its seed, so the seeds that pass
// never need one, and a failing seed is run again to record it (measured:
// appending the log is 10-15% of a step).
func (e *explorer) run(seed uint64, trace bool) *sim.Result {
	return e.runWith(seed, e.fresh(seed), trace, trace || e.search)
}

// record runs one seed under a fresh strategy, recording its decisions.
func (e *explorer) record(seed uint64) *sim.Result {
	return e.runWith(seed, e.fresh(seed), false, true)
}

// replay runs seed replaying decisions ds (an empty ds is the calm run).
func (e *explorer) replay(seed uint64, ds []scheduler.Decision, trace bool) *sim.Result {
	return e.runWith(seed, scheduler.Replay(ds), trace, true)
}

func (e *explorer) runWith(seed uint64, st scheduler.Strategy, trace, record bool) *sim.Result {
	return sim.Run(e.config(seed, st, trace, record), e.scenario)
}

// config is the Config of a run of seed under st.
func (e *explorer) config(seed uint64, st scheduler.Strategy, trace, record bool) sim.Config {
	cfg := e.o.Config
	cfg.Seed = seed
	cfg.Strategy = st
	cfg.Spec = e.specOf(seed)
	cfg.KeepTrace = trace
	cfg.DiscardLog = !record
	cfg.Footprint = e.footprint && record
	// Checking determinism compares the data too: values that differ
	// between two runs of a seed (sent in map order, say) leave the trace
	// hash alone.
	cfg.HashData = cfg.HashData || e.o.CheckDeterminism
	return cfg
}

// defaultRealBlock is sim's default for Config.RealBlock (when it is 0).
const defaultRealBlock = 5 * time.Millisecond

// confirmBlock runs the seed of r, a run abandoned blocked outside the
// simulation, again with half the bound, and returns r when it blocks
// again, the new run otherwise. A wait the scenario makes (a real sleep, a
// receive from a real channel) blocks again; a one-off wait on something
// the whole test binary shares (a lock that another test's goroutine held
// for a while, a write to a full pipe) does not, and the seed is judged by
// its second run.
func (e *explorer) confirmBlock(r *sim.Result) *sim.Result {
	cfg := e.config(r.Seed, e.fresh(r.Seed), false, e.search)
	if cfg.RealBlock == 0 {
		cfg.RealBlock = defaultRealBlock
	}
	cfg.RealBlock /= 2
	again := sim.Run(cfg, e.scenario)
	if again.Failure != nil && again.Failure.Kind == sim.RealBlock {
		return r
	}
	return again
}

// testFailure is the finding of run r of index i, in which the test was
// marked failed: by t.Errorf, t.Error or t.Fail called inside a process
// (its closure holds the real *testing.T, which weft cannot intercept), or
// by a data race the race detector found. The run is not shrunk nor run
// again: each replay would fail the test again and print its message again.
func (e *explorer) testFailure(i int, r *sim.Result) *Finding {
	if r.Failure == nil {
		r.Failure = &sim.Failure{Kind: sim.Fatal, Proc: -1, Step: r.Steps, Time: r.Time,
			Value: "the test was marked failed during this run: t.Errorf, t.Error or t.Fail called inside a process (its message, above, says where), or a data race the race detector found"}
	}
	f := e.finding(i, r.Seed, r)
	f.Shrunk, f.Log = r, e.log(r.Seed, nil)
	f.seedOnly = "not shrunk, and no log saved: every replay would fail the test again and print its message again. Inside a process, fail the run with w.Fatalf: weft shrinks, saves and replays that"
	return f
}

// investigate confirms, shrinks and traces the failing run r of index i.
func (e *explorer) investigate(i int, r *sim.Result) *Finding {
	seed := r.Seed
	f := e.finding(i, seed, r)
	if r.Abandoned {
		// The loop of an abandoned run is stuck for good (a real blocking
		// call) or was cut off (memory); every re-run would leak another
		// goroutine and wait out the watchdog again. Report it as it is;
		// the seed reproduces it.
		f.Shrunk = r
		f.Log = e.log(seed, nil)
		f.seedOnly = "not shrunk, and no log saved: the run was abandoned, so its decisions could not be read back"
		if r.Failure.Kind == sim.RealBlock {
			// Confirmed (confirmBlock): no schedule is the cause.
			f.seedOnly = "not shrunk, and no log saved: the run was abandoned while blocked, so its decisions could not be read back, and no schedule is the cause: the blocking call in the stack below is"
		}
		return f
	}
	// Confirm, recording the log this time (seeds run without one).
	again := e.record(seed)
	if runsDiffer(r, again) {
		return e.nondeterministic(i, r, again)
	}
	r, f.Original = again, again

	sig := r.Failure.Signature()
	deadline := time.Now().Add(e.o.ShrinkTime)
	timedOut := false
	fails := func(c []scheduler.Decision) ([]scheduler.Decision, bool) {
		if e.o.ShrinkTime > 0 && time.Now().After(deadline) {
			timedOut = true
			return nil, false
		}
		rr := e.replay(seed, c, false)
		return rr.Decisions, rr.Failure != nil && rr.Failure.Signature() == sig
	}
	res := scheduler.Shrink(r.Decisions, fails, e.o.ShrinkRuns)
	f.PreemptionsBefore = res.PreemptionsBefore
	f.ShrinkRuns = res.Runs
	f.ShrinkCut = timedOut || res.Runs >= e.shrinkBudget()
	expired := func() bool { return e.o.ShrinkTime > 0 && time.Now().After(deadline) }
	if best, runs := e.otherStarts(seed, sig, res.Decisions, fails, expired); runs > 0 {
		res.Decisions = best
		f.ShrinkRuns += runs
	}

	f.Shrunk = e.replay(seed, res.Decisions, true)
	if f.Shrunk.Failure.Signature() != sig {
		// Replaying with a trace changed the outcome: the scenario depends
		// on something outside the decisions. Fall back on the original
		// schedule, which was confirmed twice.
		f.Shrunk = e.replay(seed, r.Decisions, true)
	}
	// Save what the traced run recorded rather than the shrinker's
	// candidate: a candidate may carry decisions whose kind or number of
	// options no longer match the points they are replayed at (after a
	// deletion, say). The recorded log makes the same choices at the same
	// points, so it is the same run, and it replays without divergence.
	f.Log = e.log(seed, f.Shrunk.Decisions)
	f.PreemptionsAfter = scheduler.Preemptions(f.Log.Decisions)
	f.Before, f.After = sizeOf(r), sizeOf(f.Shrunk)
	f.Changes = ChangesOf(e.config(seed, nil, false, true), f.Shrunk, e.scenario)
	return f
}

// Other starts: shrinking is greedy, and ends at a local minimum of where
// it started; another failing run of the same bug often starts elsewhere
// and shrinks further (health's P4 shrinks to 7 preemptions from seed 1 and
// to 0 from seed 3). So when a shrunk log keeps more than startsAbove
// changes, investigate runs the seeds after the failing one, up to
// startsSeeds of them, and shrinks each that fails the same way, up to
// starts of them, with the same budget as the first; the simplest shrunk
// log is the finding's. Runs are pure functions of their decisions, so a
// log shrunk from another seed replays as well under the finding's.
const (
	startsAbove = 2
	starts      = 2
	startsSeeds = 64
)

// otherStarts returns the simplest of best and the logs shrunk from other
// failing seeds after seed, and the replays it spent (0 when it tried
// none). A search (dfs) has no other seeds to try.
func (e *explorer) otherStarts(seed uint64, sig string, best []scheduler.Decision, fails func([]scheduler.Decision) ([]scheduler.Decision, bool), expired func() bool) ([]scheduler.Decision, int) {
	if e.search || scheduler.Changes(best, nil) <= startsAbove {
		return best, 0
	}
	runs, found := 0, 0
	for k := uint64(1); k <= startsSeeds && found < starts; k++ {
		if expired() || e.o.testFailed != nil && e.o.testFailed() {
			break // out of time, or a run marked the test failed: stop running others
		}
		r := e.record(seed + k)
		runs++
		if r.Failure == nil || r.Abandoned || r.Failure.Signature() != sig {
			continue
		}
		found++
		res := scheduler.Shrink(r.Decisions, fails, e.shrinkBudget())
		runs += res.Runs
		if simpler(res.Decisions, best) {
			best = res.Decisions
		}
	}
	return best, runs
}

// simpler orders shrunk logs as a reader would: fewer preemptions, then
// fewer changes, then fewer decisions.
func simpler(a, b []scheduler.Decision) bool {
	pa, pb := scheduler.Preemptions(a), scheduler.Preemptions(b)
	if pa != pb {
		return pa < pb
	}
	ca, cb := scheduler.Changes(a, nil), scheduler.Changes(b, nil)
	if ca != cb {
		return ca < cb
	}
	return len(a) < len(b)
}

func (e *explorer) shrinkBudget() int {
	if e.o.ShrinkRuns > 0 {
		return e.o.ShrinkRuns
	}
	return 2000 // scheduler.Shrink's default
}

// log returns the saved form of decisions ds of seed, trimmed.
func (e *explorer) log(seed uint64, ds []scheduler.Decision) *scheduler.Log {
	l := (&sim.Result{Scenario: e.o.Name, Seed: seed, Spec: e.specOf(seed), Decisions: ds}).Log()
	l.Decisions = l.Trimmed()
	return l
}

// replayWith runs scenario once, replaying log's decisions, with a trace,
// as sim.Replay does; it also returns the strategy, which says how closely
// the run followed the log (Diverged).
func replayWith(cfg sim.Config, log *scheduler.Log, scenario func(*sim.World)) (*sim.Result, *scheduler.ReplayStrategy) {
	if log == nil {
		panic("weft: replay of a nil log")
	}
	st := scheduler.Replay(log.Decisions)
	cfg.Strategy = st
	cfg.KeepTrace = true
	cfg.Seed = log.Seed
	cfg.Spec = log.Spec
	if cfg.Name == "" {
		cfg.Name = log.Scenario
	}
	return sim.Run(cfg, scenario), st
}
