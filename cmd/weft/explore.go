package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
)

// explore runs one scenario under many seeds, printing progress, and on a
// failure prints the report and the command that replays it.
func explore(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("explore", stderr)
	runs := fs.Int("runs", 0, "number of runs (0 with -budget 0: 10000)")
	budget := fs.Duration("budget", 0, "real time to explore for, instead of a number of runs")
	seed := fs.Uint64("seed", 1, "first seed")
	strategy := fs.String("strategy", "portfolio", "strategy: portfolio[:<steps>] (one member per seed: random, pct:1..3, pos, starve), random, pct, pct:<depth>[:<steps>], pos, starve[:<steps>], dfs:<bound> (exhaustive), dpor:<bound> (exhaustive with partial-order reduction)")
	shard := fs.String("shard", "0/1", "run only this shard of the seed space: i/n counted from 0 (0/4 to 3/4), or kofn counted from 1 as CI matrices count (1of4 to 4of4)")
	determinism := fs.Bool("check-determinism", false, "run every seed twice and compare trace hashes")
	save := fs.String("save", "", "write the shrunk failing log to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: want one scenario name (see weft list)", errUsage)
	}
	e, err := lookup(fs.Arg(0))
	if err != nil {
		return err
	}
	spec, err := scheduler.ParseSpec(*strategy)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	i, n, err := weft.ParseShard(*shard)
	if err != nil {
		return fmt.Errorf("%w: bad -shard %q: %v", errUsage, *shard, err)
	}
	if *runs < 0 || *budget < 0 {
		return fmt.Errorf("%w: -runs and -budget must not be negative", errUsage)
	}
	if *runs == 0 && *budget == 0 {
		*runs = 10000
	}

	o := weft.Options{
		Name: e.Name, Runs: *runs, Budget: *budget, Seed: *seed, Spec: spec,
		Shard: i, Shards: n, CheckDeterminism: *determinism, Config: e.config(),
	}
	// A line a second: readable in a terminal and in a CI log alike.
	last := time.Now()
	o.Progress = func(s weft.Stats) {
		if time.Since(last) >= time.Second {
			last = time.Now()
			fmt.Fprintln(stderr, progress(s))
		}
	}
	rep := weft.Explore(o, e.Scenario)
	fmt.Fprintln(stderr, progress(rep.Stats))
	if rep.Failure == nil {
		if rep.Exhausted {
			classes := ""
			if rep.Classes > 0 {
				classes = fmt.Sprintf(", with partial-order reduction: %d classes of schedules", rep.Classes)
			}
			fmt.Fprintf(stdout, "%s: no failure in %d runs: the search ran every log within its bound (%s)%s\n", e.Name, rep.Runs, spec, classes)
			return nil
		}
		fmt.Fprintf(stdout, "%s: no failure in %d runs (%s)\n", e.Name, rep.Runs, rep.Spec)
		return nil
	}
	fmt.Fprintln(stdout, rep.Failure.String())
	fmt.Fprintf(stdout, "\nreplay: go run ./cmd/weft replay %s %s\n", e.Name, rep.Failure.Log)
	if *save != "" {
		data, err := rep.Failure.Log.MarshalFile() // lines of text, as weft.Test saves logs
		if err != nil {
			data, err = rep.Failure.Log.MarshalText() // a log too long for the file form
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(*save, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "saved: %s (replay: go run ./cmd/weft replay %s %s)\n", *save, e.Name, *save)
	}
	return fmt.Errorf("%s failed at seed %d", e.Name, rep.Failure.Seed)
}

func progress(s weft.Stats) string {
	secs := s.Elapsed.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	return fmt.Sprintf("runs %d (%.0f/s)  steps %d (%.0f/s)  elapsed %v", s.Runs, float64(s.Runs)/secs, s.Steps, float64(s.Steps)/secs, s.Elapsed.Round(time.Second))
}
