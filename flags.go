package weft

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/scheduler"
)

// The flags of Test and Fuzz, registered on the standard flag set when the
// package loads, as rapid does, so that any test binary that uses sim takes
// them. A flag given on the command line overrides what the test's code says;
// a flag left unset leaves it alone.
//
//	-weft.seed N             first seed (default: the code's, else 0)
//	-weft.runs N             seeds to run (default: the code's, else 1000)
//	-weft.time D             real-time budget for running seeds, e.g. 30s; without
//	                         -weft.runs, as many seeds as fit
//	-weft.strategy S         random, pct, pct:<depth>[:<steps>], dfs, dfs:<bound>
//	-weft.replay F           run only this log: a file, or the log's one-line text
//	-weft.check-determinism  run every seed twice and compare
//	-weft.shard i/n          run only the seeds of shard i of n
//	-weft.shrink-runs N      replays to spend shrinking a failure
//	-weft.v                  print the timeline of a replayed log that passes
var weftFlags = struct {
	seed, runs, time, strategy, replay, shard, shrinkRuns *string
	checkDeterminism, verbose                             *bool
}{
	seed:             flag.String("weft.seed", "", "weft: first `seed` of the exploration (default: the test's, else 0)"),
	runs:             flag.String("weft.runs", "", "weft: `number` of seeds to run (default: the test's, else 1000)"),
	time:             flag.String("weft.time", "", "weft: real-time `budget` for running seeds, such as 30s or 5m"),
	strategy:         flag.String("weft.strategy", "", "weft: `strategy`: random, pct, pct:<depth>, pct:<depth>:<steps>, or dfs:<bound> (exhaustive)"),
	replay:           flag.String("weft.replay", "", "weft: replay only this decision `log`: a saved file, or the log's one-line text"),
	shard:            flag.String("weft.shard", "", "weft: run only shard `i/n` of the seeds (0 <= i < n)"),
	shrinkRuns:       flag.String("weft.shrink-runs", "", "weft: `number` of replays to spend shrinking a failure (default 2000)"),
	checkDeterminism: flag.Bool("weft.check-determinism", false, "weft: run every seed twice and fail when the runs differ"),
	verbose:          flag.Bool("weft.v", false, "weft: print the timeline of a replayed log even when it passes"),
}

// flagValues is what the command line said, as text; a flag that was not
// given is "". It is a value so that tests can build one without touching the
// process's flags.
type flagValues struct {
	seed, runs, time, strategy, replay, shard, shrinkRuns string
	checkDeterminism                                      string // "", "true" or "false"
	verbose                                               bool
}

// commandLine reads the weft flags of the process. Before flag.Parse (a
// binary that is not a test), nothing is set.
func commandLine() flagValues {
	v := flagValues{
		seed: *weftFlags.seed, runs: *weftFlags.runs, time: *weftFlags.time, strategy: *weftFlags.strategy,
		replay: *weftFlags.replay, shard: *weftFlags.shard, shrinkRuns: *weftFlags.shrinkRuns,
		verbose: *weftFlags.verbose,
	}
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "weft.check-determinism" {
			v.checkDeterminism = strconv.FormatBool(*weftFlags.checkDeterminism)
		}
	})
	return v
}

// settings are the options of one Test or Fuzz call, from code, then flags.
type settings struct {
	explore Options
	// strategy is the strategy as written, parsed in apply so that a bad
	// one from code or flag fails the test rather than panicking.
	strategy string
	replay   string
	verbose  bool
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
	if v.time != "" {
		d, err := time.ParseDuration(v.time)
		if err != nil || d <= 0 {
			bad("time", v.time, "not a positive duration such as 30s or 5m")
		}
		s.explore.Budget = d
		if v.runs == "" {
			s.explore.Runs = 0 // a time budget alone means: as many runs as fit
		}
	}
	if v.strategy != "" {
		s.strategy = v.strategy
	}
	if v.shard != "" {
		i, n, err := parseShard(v.shard)
		if err != nil {
			bad("shard", v.shard, err.Error())
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
	s.verbose = s.verbose || v.verbose

	if s.strategy != "" {
		spec, err := scheduler.ParseSpec(s.strategy)
		if err != nil {
			errs = append(errs, fmt.Errorf("weft: bad strategy: %w", err))
		}
		s.explore.Spec = spec
	}
	if len(errs) == 0 {
		if err := s.explore.check(); err != nil {
			errs = append(errs, fmt.Errorf("weft: %w", err))
		}
	}
	return errors.Join(errs...)
}

// parseShard parses "i/n" with 0 <= i < n.
func parseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, errors.New("want i/n, such as 0/4")
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, errors.New("want i/n with whole numbers, such as 0/4")
	case n < 1:
		return 0, 0, fmt.Errorf("n is %d, want at least 1", n)
	case i < 0 || i >= n:
		return 0, 0, fmt.Errorf("i is %d, want 0 <= i < %d", i, n)
	}
	return i, n, nil
}

// loadLog reads the log that -weft.replay names: a file (relative to the
// package directory dir, or, as replay commands print it, to the module
// root), holding the binary form or the text form; or else the text form
// itself.
func loadLog(arg, dir string) (*scheduler.Log, string, error) {
	for _, path := range []string{arg, filepath.Join(dir, arg), filepath.Join(locatePackage(dir).root, arg)} {
		if filepath.IsAbs(arg) && path != arg {
			break
		}
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		l, err := decodeLog(data)
		if err != nil {
			return nil, path, fmt.Errorf("%s: %w", path, err)
		}
		return l, path, nil
	}
	if strings.HasPrefix(arg, "weft") {
		l, err := scheduler.ParseLog(arg)
		if err != nil {
			return nil, "", err
		}
		return l, "", nil
	}
	return nil, "", fmt.Errorf("%s: no such file (looked in %s and %s) and not a log's text (weft1-...)", arg, dir, locatePackage(dir).root)
}

// decodeLog decodes a saved log: the binary form Test writes, or the
// one-line text form, which people paste into files too.
func decodeLog(data []byte) (*scheduler.Log, error) {
	if t := strings.TrimSpace(string(data)); strings.HasPrefix(t, "weft1-") || strings.HasPrefix(t, "weft1z-") {
		return scheduler.ParseLog(t)
	}
	l := new(scheduler.Log)
	if err := l.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return l, nil
}
