package weft

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/scheduler"
)

// The flags of Test and Fuzz (the package documentation's # Flags says what
// each does), registered on the standard flag set when the package loads, as
// rapid registers its -rapid.* flags, so that every test binary that uses
// package weft takes them. A flag given on the command line overrides what
// the test's code says; a flag left unset leaves it alone. They are strings,
// so that "unset" differs from any value.
var weftFlags = struct {
	seed, runs, budget, strategy, replay, shard, shrinkRuns, width *string
	checkDeterminism, verbose, progress, html                      *bool
}{
	seed:             flag.String("weft.seed", "", "weft: first `seed` of the exploration (default: the test's, else 0)"),
	runs:             flag.String("weft.runs", "", "weft: `number` of seeds to run (default: the test's, else 1000)"),
	budget:           flag.String("weft.budget", "", "weft: real-time `budget` for running seeds, such as 30s or 5m; alone, as many seeds as fit"),
	strategy:         flag.String("weft.strategy", "", "weft: `strategy`: portfolio (the default), portfolio:<steps>, random, pct, pct:<depth>, pct:<depth>:<steps>, pos, starve, starve:<steps>, dfs or dfs:<bound> (exhaustive)"),
	replay:           flag.String("weft.replay", "", "weft: replay only this decision `log`: a saved file, or the log's one-line text"),
	shard:            flag.String("weft.shard", "", "weft: run only `shard` i/n of the seeds, counted from 0 (0/2 and 1/2), or kofn counted from 1 as CI matrices count (1of2 and 2of2); default $"+shardEnv),
	shrinkRuns:       flag.String("weft.shrink-runs", "", "weft: `number` of replays to spend shrinking a failure (default 2000)"),
	checkDeterminism: flag.Bool("weft.check-determinism", false, "weft: run every seed twice and fail when the runs differ"),
	width:            flag.String("weft.width", "", "weft: the widest a column of a failure's timeline may be, in `characters` (default 40; a failure's message always shows whole)"),
	verbose:          flag.Bool("weft.v", false, "weft: print the timeline of a replayed log even when it passes, and every WaitGroup Add and Done in timelines"),
	progress:         flag.Bool("weft.progress", false, "weft: print a line of JSON twice a second with how far each test has got, and its failure, for the weft command (weft explore ./pkg)"),
	html:             flag.Bool("weft.html", false, "weft: also write a failure (or a -weft.replay run) as an HTML page, in the test's artifact directory (go test -artifacts keeps it)"),
}

// shardEnv names the environment variable that stands in for -weft.shard
// when the flag is not given. A variable reaches every test binary of a go
// test ./... (a -weft.* flag fails the packages that do not import weft), and
// a CI matrix sets one more easily than it edits a command.
const shardEnv = "WEFT_SHARD"

// flagValues is what the command line said, as text; a flag that was not
// given is "". It is a value so that tests can build one without touching the
// process's flags.
type flagValues struct {
	seed, runs, budget, strategy, replay, shard, shrinkRuns, width string
	checkDeterminism                                               string // "", "true" or "false"
	verbose, html                                                  bool
	progress                                                       bool // -weft.progress

	shardEnv string // $WEFT_SHARD, which -weft.shard overrides
	run      string // go test's -run pattern
	short    bool   // go test's -short
}

// commandLine reads the weft flags of the process, go test's -run and -short,
// and the environment through lookupEnv (os.LookupEnv, or a test's own).
// Before flag.Parse (a binary that is not a test), no flag is set.
func commandLine(lookupEnv func(string) (string, bool)) flagValues {
	v := flagValues{
		seed: *weftFlags.seed, runs: *weftFlags.runs, budget: *weftFlags.budget, strategy: *weftFlags.strategy,
		replay: *weftFlags.replay, shard: *weftFlags.shard, shrinkRuns: *weftFlags.shrinkRuns,
		width: *weftFlags.width, verbose: *weftFlags.verbose, progress: *weftFlags.progress, html: *weftFlags.html,
	}
	v.shardEnv, _ = lookupEnv(shardEnv)
	flag.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "weft.check-determinism":
			v.checkDeterminism = strconv.FormatBool(*weftFlags.checkDeterminism)
		case "test.run":
			v.run = f.Value.String()
		case "test.short":
			v.short = f.Value.String() == "true"
		}
	})
	return v
}

// settings are the options of one Test or Fuzz call: its Options, from
// code, then flags; what to replay and how much to show come from flags only.
type settings struct {
	explore Options
	replay  string // -weft.replay
	verbose bool   // -weft.v
	html    bool   // -weft.html
	run     string // go test's -run, which says whose log -weft.replay is
	// short says what go test's -short cut, for the report ("" when it
	// cut nothing).
	short string
	width int // -weft.width (0: Timeline's default)
}

// style is how the settings render reports.
func (s *settings) style() reportStyle { return reportStyle{width: s.width, verbose: s.verbose} }

// newSettings applies opts and then the flags fv for the test named name.
func newSettings(name string, fv flagValues, opts []Option) (*settings, error) {
	s := &settings{}
	s.explore.Name = name
	for _, o := range opts {
		o(&s.explore)
	}
	if err := s.apply(fv); err != nil {
		return nil, err
	}
	return s, nil
}

// apply overrides s with the flags that were given, and validates the
// result. Every error names the flag or option at fault.
func (s *settings) apply(v flagValues) error {
	var errs []error
	bad := func(name, val string, why string) {
		errs = append(errs, fmt.Errorf("weft: -weft.%s=%s: %s", name, val, why))
	}
	if v.seed != "" {
		n, err := strconv.ParseUint(v.seed, 0, 64)
		if err != nil {
			bad("seed", v.seed, "not an unsigned 64-bit integer")
		}
		s.explore.Seed = n
	}
	if v.runs != "" {
		n, err := strconv.Atoi(v.runs)
		if err != nil || n < 1 {
			bad("runs", v.runs, "not a whole number of at least 1")
		}
		s.explore.Runs = n
	}
	if v.budget != "" {
		d, err := time.ParseDuration(v.budget)
		if err != nil || d <= 0 {
			bad("budget", v.budget, "not a positive duration such as 30s or 5m")
		}
		s.explore.Budget = d
		if v.runs == "" {
			s.explore.Runs = 0 // a budget alone means: as many runs as fit
		}
	}
	if v.strategy != "" {
		sp, err := scheduler.ParseSpec(v.strategy)
		if err != nil {
			bad("strategy", v.strategy, err.Error())
		}
		s.explore.Spec, s.explore.specErr = sp, nil
	}
	switch {
	case v.shard != "":
		i, n, err := ParseShard(v.shard)
		if err != nil {
			bad("shard", v.shard, err.Error())
		}
		s.explore.Shard, s.explore.Shards = i, n
	case v.shardEnv != "":
		i, n, err := ParseShard(v.shardEnv)
		if err != nil {
			errs = append(errs, fmt.Errorf("weft: %s=%s: %v", shardEnv, v.shardEnv, err))
		}
		s.explore.Shard, s.explore.Shards = i, n
	}
	if v.shrinkRuns != "" {
		n, err := strconv.Atoi(v.shrinkRuns)
		if err != nil || n < 1 {
			bad("shrink-runs", v.shrinkRuns, "not a whole number of at least 1")
		}
		s.explore.ShrinkRuns = n
	}
	if v.checkDeterminism != "" {
		s.explore.CheckDeterminism = v.checkDeterminism == "true"
	}
	if v.replay != "" {
		s.replay = v.replay
	}
	if v.width != "" {
		n, err := strconv.Atoi(v.width)
		if err != nil || n < 8 {
			bad("width", v.width, "not a whole number of at least 8")
		}
		s.width = n
	}
	s.verbose = s.verbose || v.verbose
	s.html = s.html || v.html
	s.run = v.run
	if v.short {
		s.cutShort(v)
	}

	if len(errs) == 0 {
		if err := s.explore.check(); err != nil {
			errs = append(errs, fmt.Errorf("weft: %w", err))
		}
	}
	return errors.Join(errs...)
}

// shortDivisor is how much go test's -short cuts an exploration.
const shortDivisor = 10

// cutShort cuts the runs and the budget that the code (or the defaults)
// set to a tenth, for go test -short; what a -weft.* flag says stays.
func (s *settings) cutShort(v flagValues) {
	o := &s.explore
	var cut []string
	if v.runs == "" && (o.Runs > 0 || o.Budget == 0) {
		runs := o.Runs
		if runs == 0 {
			runs = defaultRuns
		}
		o.Runs = max(1, runs/shortDivisor)
		cut = append(cut, fmt.Sprintf("%d runs of %d", o.Runs, runs))
	}
	if v.budget == "" && o.Budget > 0 {
		cut = append(cut, fmt.Sprintf("a budget of %v of %v", o.Budget/shortDivisor, o.Budget))
		o.Budget /= shortDivisor
	}
	if len(cut) > 0 {
		s.short = "-short: " + strings.Join(cut, " and ")
	}
}

// ParseShard parses a shard as -weft.shard, $WEFT_SHARD and the weft
// command's -shard take it, in one of two forms:
//
//   - "i/n" counts from 0: the shards of 4 are 0/4, 1/4, 2/4 and 3/4
//     (0 <= i < n);
//   - "kofn" counts from 1, as CI systems number the jobs of a matrix
//     (GitLab's CI_NODE_INDEX of CI_NODE_TOTAL, a GitHub Actions matrix
//     of 1 to n): the same four are 1of4, 2of4, 3of4 and 4of4
//     (1 <= k <= n), so kofn is (k-1)/n.
//
// It returns the shard counted from 0: run indices i, i+n, i+2n, ... of
// the seed space (Options.Shard and Options.Shards).
func ParseShard(s string) (i, n int, err error) {
	const want = "want i/n counted from 0 (0/4 to 3/4) or kofn counted from 1 (1of4 to 4of4)"
	a, b, ok := strings.Cut(s, "/")
	fromOne := false
	if !ok {
		if a, b, ok = strings.Cut(s, "of"); !ok {
			return 0, 0, errors.New(want)
		}
		fromOne = true
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, errors.New(want + ", with whole numbers")
	case n < 1:
		return 0, 0, fmt.Errorf("n is %d, want at least 1", n)
	case fromOne && (i < 1 || i > n):
		return 0, 0, fmt.Errorf("k is %d, want 1 <= k <= %d: kofn counts from 1 (i/n counts from 0)", i, n)
	case fromOne:
		return i - 1, n, nil
	case i < 0 || i >= n:
		return 0, 0, fmt.Errorf("i is %d, want 0 <= i < %d: i/n counts from 0 (kofn counts from 1)", i, n)
	}
	return i, n, nil
}
