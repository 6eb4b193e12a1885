package weft

import (
	"fmt"
	"strconv"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Options says how Explore searches. The zero value is usable: every zero
// field takes the default written beside it.
type Options struct {
	// Name names the scenario in logs and reports (sim.Config.Name when empty).
	Name string
	// Runs is the size of the seed space: run indices 0 to Runs-1, with seeds
	// Seed, Seed+1, ... When Runs is 0, runs go on until Budget is spent; when
	// both are 0, Runs is 1000.
	Runs int
	// Budget bounds the real time spent running seeds (0: no bound); at
	// least one seed runs. It does not count confirming and shrinking a
	// failure.
	Budget time.Duration
	// Seed is the seed of run index 0; run index i has seed Seed+i.
	Seed uint64
	// Spec names the strategy that makes each run's decisions; every run
	// gets a fresh one made with its seed. The zero Spec is the random walk.
	Spec scheduler.Spec
	// Shard and Shards split the seed space: with Shards n > 1, only the run
	// indices i with i%n == Shard run here, so n explorations with Shard 0 to
	// n-1 and otherwise equal options run every index exactly once between
	// them (a CI matrix). Shards 0 means 1; 0 <= Shard < Shards.
	Shard, Shards int
	// CheckDeterminism runs every seed twice and fails when the two runs'
	// hashes differ, naming the first event that differs.
	CheckDeterminism bool
	// ShrinkRuns bounds the replays spent shrinking a failure (0: 2000).
	// The bound is a count, not a time, so a shrunk log is the same on a
	// fast machine and a loaded one.
	ShrinkRuns int
	// ShrinkTime, when positive, also stops shrinking after that much real
	// time, for scenarios whose runs are slow. The shrunk log then depends
	// on the machine's speed (Finding.ShrinkCut says it was cut).
	ShrinkTime time.Duration
	// Config is the configuration of every run. Its Seed, Strategy and
	// Spec are set per run and ignored here; KeepTrace is best left
	// off, since failing runs are replayed with it anyway.
	Config sim.Config
	// Progress, when set, is called on Explore's goroutine about every
	// quarter second of real time while seeds run, and once when they stop.
	Progress func(Stats)

	_ struct{} // disallow positional literals, for extensibility
}

const (
	defaultRuns   = 1000
	progressEvery = 250 * time.Millisecond
)

// check reports options that Explore cannot honour.
func (o *Options) check() error {
	switch {
	case o.Runs < 0:
		return fmt.Errorf("runs %d is negative", o.Runs)
	case o.Budget < 0:
		return fmt.Errorf("budget %v is negative", o.Budget)
	case o.Shards < 0:
		return fmt.Errorf("shards %d is negative", o.Shards)
	case o.Shard < 0 || o.Shard >= max(o.Shards, 1):
		return fmt.Errorf("shard %d is not in [0, %d)", o.Shard, max(o.Shards, 1))
	case o.ShrinkRuns < 0:
		return fmt.Errorf("shrink runs %d is negative", o.ShrinkRuns)
	case o.ShrinkTime < 0:
		return fmt.Errorf("shrink time %v is negative", o.ShrinkTime)
	case o.Spec.Exhaustive() && o.Shards > 1:
		// Every run of a search grows the tree the next runs come from.
		return fmt.Errorf("an exhaustive search (%s) cannot be sharded", o.Spec)
	}
	return o.Spec.Validate()
}

func (o *Options) fill() {
	if o.Runs == 0 && o.Budget == 0 {
		o.Runs = defaultRuns
	}
	if o.Shards == 0 {
		o.Shards = 1
	}
	if o.Name == "" {
		o.Name = o.Config.Name
	}
	o.Config.Name = o.Name
	o.Config.KeepTrace = false
}

// Stats counts what an exploration has done so far.
type Stats struct {
	// Runs is the number of seeds run (each once, even when determinism is
	// checked), Steps their scheduling points in total, Elapsed the real time
	// spent running them.
	Runs    int
	Steps   int64
	Elapsed time.Duration

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
	// of random runs can say.
	Exhausted bool

	_ struct{} // disallow positional literals, for extensibility
}

// Finding is a failing run, as a developer needs it: where it came from, the
// simplest schedule that still fails the same way, and that run's trace.
type Finding struct {
	// Seed, RunIndex and Strategy say which run failed: Seed is
	// Options.Seed+RunIndex, Spec the strategy's Spec in canonical form.
	Seed     uint64
	RunIndex int
	Spec     string
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
	// switches of Original and of Log. ShrinkRuns is how many replays
	// shrinking took, and ShrinkCut is set when it stopped at its budget
	// rather than at a fixpoint.
	PreemptionsBefore, PreemptionsAfter int
	ShrinkRuns                          int
	ShrinkCut                           bool
	// Nondeterministic is non-empty when the failure is that the same seed
	// ran two different ways: it names the first event that differed. Such
	// a finding is not shrunk.
	Nondeterministic string

	_ struct{} // disallow positional literals, for extensibility
}

// Explore runs scenario under seed after seed until one fails or the runs or
// the budget are spent. A failing seed is then confirmed (re-run: a run that
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
	e := &explorer{o: o, scenario: scenario, strategy: o.Spec.String()}
	var tree *scheduler.Tree
	if o.Spec.Exhaustive() {
		// A search, not seeds: run i replays the i-th log of the tree.
		// Indexes below Seed run only to grow the tree, so that Seed N with
		// one run reproduces the search's run N.
		tree, e.search = scheduler.NewTree(o.Spec.Bound()), true
		for i := uint64(0); i < o.Seed; i++ {
			p, ok := tree.Next()
			if !ok {
				break
			}
			e.prefix = p
			tree.Record(e.run(i, false).Decisions)
		}
	}
	start := time.Now()
	lastProgress := start
	rep := &Report{}
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
			o.Progress(rep.Stats)
		}
		seed := o.Seed + uint64(i)
		r := e.run(seed, false)
		if tree != nil {
			tree.Record(r.Decisions)
		}
		rep.Runs++
		rep.Steps += r.Steps
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
	rep.Elapsed = time.Since(start)
	if o.Progress != nil {
		o.Progress(rep.Stats)
	}
	return rep
}

type explorer struct {
	o        Options
	scenario func(*sim.World)
	strategy string // o.Strategy in canonical form
	// search is set for an exhaustive Spec: every run replays prefix, the
	// tree's current log, and records its decisions to grow the tree.
	search bool
	prefix []scheduler.Decision
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
	cfg := e.o.Config
	cfg.Seed = seed
	cfg.Strategy = st
	cfg.Spec = e.strategy
	cfg.KeepTrace = trace
	cfg.DiscardLog = !record
	return sim.Run(cfg, e.scenario)
}

// investigate confirms, shrinks and traces the failing run r of index i.
func (e *explorer) investigate(i int, r *sim.Result) *Finding {
	seed := r.Seed
	f := &Finding{Seed: seed, RunIndex: i, Spec: e.strategy, Original: r}
	if r.Failure.Kind == sim.Watchdog {
		// The loop of a watchdog run is stuck for good on a real blocking
		// call; every re-run would leak another goroutine and wait out the
		// watchdog again. Report it as it is; the seed reproduces it.
		f.Shrunk = r
		f.Log = e.log(seed, nil)
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
	res := scheduler.Shrink(r.Decisions, func(c []scheduler.Decision) ([]scheduler.Decision, bool) {
		if e.o.ShrinkTime > 0 && time.Now().After(deadline) {
			timedOut = true
			return nil, false
		}
		rr := e.replay(seed, c, false)
		return rr.Decisions, rr.Failure != nil && rr.Failure.Signature() == sig
	}, e.o.ShrinkRuns)
	f.PreemptionsBefore = res.PreemptionsBefore
	f.ShrinkRuns = res.Runs
	f.ShrinkCut = timedOut || res.Runs >= e.shrinkBudget()

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
	return f
}

func (e *explorer) shrinkBudget() int {
	if e.o.ShrinkRuns > 0 {
		return e.o.ShrinkRuns
	}
	return 2000 // scheduler.Shrink's default
}

// log returns the saved form of decisions ds of seed, trimmed.
func (e *explorer) log(seed uint64, ds []scheduler.Decision) *scheduler.Log {
	l := (&sim.Result{Scenario: e.o.Name, Seed: seed, Spec: e.strategy, Decisions: ds}).Log()
	l.Decisions = l.Trimmed()
	return l
}

// nondeterministic builds the finding for a seed that ran two ways. The
// first two runs kept no trace, so run the seed again in pairs with traces
// and compare them; a nondeterminism that strikes only now and then may need
// a few pairs to show itself.
func (e *explorer) nondeterministic(i int, r, again *sim.Result) *Finding {
	seed := r.Seed
	f := &Finding{Seed: seed, RunIndex: i, Spec: e.strategy, Original: r}
	const pairs = 3
	for range pairs {
		a := e.run(seed, true)
		b := e.run(seed, true)
		if diff := firstDifference(a, b); diff != "" {
			f.Shrunk, f.Log, f.Nondeterministic = a, e.log(seed, a.Decisions), diff
			f.PreemptionsBefore = scheduler.Preemptions(a.Decisions)
			f.PreemptionsAfter = f.PreemptionsBefore
			return f
		}
		f.Shrunk = a
	}
	f.Log = e.log(seed, f.Shrunk.Decisions)
	f.PreemptionsBefore = scheduler.Preemptions(f.Shrunk.Decisions)
	f.PreemptionsAfter = f.PreemptionsBefore
	f.Nondeterministic = fmt.Sprintf("the same seed ran two different ways (hashes %016x and %016x), but %d pairs of traced re-runs agreed: the nondeterminism is intermittent (map iteration order, a real goroutine, the wall clock?)", r.Hash, again.Hash, pairs)
	return f
}

// firstDifference compares two traced runs of the same seed and describes
// the first event that differs, or returns "" when they agree.
func firstDifference(a, b *sim.Result) string {
	n := min(len(a.Trace), len(b.Trace))
	for k := 0; k < n; k++ {
		if !sameEvent(a.Trace[k], b.Trace[k]) {
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
	case a.Failure.Signature() != b.Failure.Signature():
		return fmt.Sprintf("the same seed ran two different ways: equal traces but failures %q and %q", a.Failure.Signature(), b.Failure.Signature())
	}
	return ""
}

// runsDiffer reports whether two runs of the same seed went different ways.
func runsDiffer(a, b *sim.Result) bool {
	return a.Hash != b.Hash || a.Failure.Signature() != b.Failure.Signature()
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
