package weft

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Options says how Explore, Test and Fuzz search: which seeds, under which
// strategy, within which budget, and the Config of every run. The zero value
// is usable: every zero field takes the default written beside it. Test and
// Fuzz take their Options as Option values and then the -weft.* flags.
type Options struct {
	// Name names the scenario in logs and reports (Config.Name when empty).
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
	// gets a fresh one made with its seed. The zero Spec is the portfolio
	// ("portfolio", see scheduler.Spec.Member), its steps and fault points
	// counted in the scenario's calm run; say "random" for the random walk
	// alone.
	Spec scheduler.Spec
	// Shard and Shards split the seed space: with Shards n > 1, only the run
	// indices i with i%n == Shard run here, so n explorations with Shard 0 to
	// n-1 and otherwise equal options run every index exactly once between
	// them (a CI matrix). Shards 0 means 1; 0 <= Shard < Shards.
	Shard, Shards int
	// CheckDeterminism runs every seed twice and fails when the two runs'
	// hashes differ, naming the first event that differs.
	CheckDeterminism bool
	// ShrinkRuns bounds the replays spent shrinking a failing run (0:
	// 2000). A failure whose shrunk log still keeps more than two changes
	// is also shrunk from up to two more failing runs of the next seeds,
	// each with this bound (Finding.ShrinkRuns counts them all). The bound
	// is a count, not a time, so a shrunk log is the same on a fast machine
	// and a loaded one.
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

	// specErr is why the spec given to Strategy did not parse; a
	// -weft.strategy flag replaces it, with the spec, by its own verdict.
	specErr error
	// testFailed, set by Test, reports whether the test has been marked
	// failed (testing.T.Failed): a run during which it turns true failed.
	testFailed func() bool

	_ struct{} // disallow positional literals, for extensibility
}

// defaultRuns is how many seeds an exploration runs when neither Runs nor
// Budget says.
const defaultRuns = 1000

// check reports options that Explore cannot honour.
func (o *Options) check() error {
	switch {
	case o.specErr != nil:
		return o.specErr
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

// fill sets the defaults of zero fields, once o has passed check.
func (o *Options) fill() {
	if o.Runs == 0 && o.Budget == 0 {
		o.Runs = defaultRuns
	}
	if o.Shards == 0 {
		o.Shards = 1
	}
	if o.Spec.Name == "" {
		o.Spec.Name = "portfolio"
	}
	if o.Name == "" {
		o.Name = o.Config.Name
	}
	o.Config.Name = o.Name
	o.Config.KeepTrace = false
}

// An Option edits the Options of a Test or Fuzz call; the -weft.* flags
// given on the command line then override what the options said. Any
// func(*Options) is an Option, so a field without an option of its own is
// set in place:
//
//	weft.Test(t, scenario, weft.Runs(5000), func(o *weft.Options) { o.ShrinkRuns = 200 })
type Option func(*Options)

// Runs sets Options.Runs, the number of seeds to explore (default 1000).
// With Budget as well, exploring stops at whichever comes first.
func Runs(n int) Option { return func(o *Options) { o.Runs = n } }

// Budget sets Options.Budget, the real time to spend running seeds; Budget
// alone explores as many seeds as fit. It is wall-clock time, spent outside
// the worlds, whose virtual time it does not touch.
func Budget(d time.Duration) Option { return func(o *Options) { o.Budget = d } }

// Seed sets Options.Seed, the first seed to explore (default 0). Seeds are
// Seed, Seed+1, ..., so the same options always explore the same runs.
func Seed(seed uint64) Option { return func(o *Options) { o.Seed = seed } }

// Strategy sets Options.Spec from a spec's text, as -weft.strategy takes
// it: "portfolio[:<steps>]" (the default), "random", "pct",
// "pct:<depth>[:<steps>]", "pos", "starve[:<steps>]", "dfs" or
// "dfs:<bound>" (see scheduler.Spec). A spec that does not parse fails the
// test, unless -weft.strategy replaces it.
func Strategy(spec string) Option {
	return func(o *Options) {
		sp, err := scheduler.ParseSpec(spec)
		if err != nil {
			o.specErr = fmt.Errorf("bad strategy: %w", err)
			return
		}
		o.Spec, o.specErr = sp, nil
	}
}

// CheckDeterminism sets Options.CheckDeterminism: every seed runs twice,
// and two runs that differ fail the test, naming the first event that
// differs.
func CheckDeterminism() Option { return func(o *Options) { o.CheckDeterminism = true } }

// WithConfig edits Options.Config, the Config of every run (faults,
// properties, step limits, horizon, watchdog, AllowLeaks, ...), with f, such
// as a system's own Configure. Seed and Strategy are set per run and
// ignored.
func WithConfig(f func(*sim.Config)) Option { return func(o *Options) { f(&o.Config) } }
