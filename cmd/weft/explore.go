package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
)

// explore runs one catalogued scenario, or the weft tests of packages,
// under many seeds, printing progress, and on a failure prints the report
// and the command that replays it.
func explore(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("explore", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: weft explore [flags] SCENARIO
       weft explore [flags] PACKAGES

SCENARIO is a catalogued scenario (weft list shows them). Anything else is
a package pattern as go test takes it (./pkg, ./..., an import path): the
packages' weft tests (every Test function that calls weft.Test, or those
-run selects) run as a campaign through go test -json, -parallel go test
processes at once, each on its own shard of the seed space.

flags:
`)
		fs.PrintDefaults()
	}
	runs := fs.Int("runs", 0, "number of runs (a scenario: 10000 without -budget; packages: per test, the tests' own without it)")
	budget := fs.Duration("budget", 0, "real time to explore for (packages: per test), instead of a number of runs")
	seed := fs.Uint64("seed", 1, "first seed (packages: the tests' own unless given)")
	strategy := fs.String("strategy", "portfolio", "strategy: portfolio[:<steps>] (one member per seed: random, pct:1..3, pos, starve, each also with one fault when the scenario has faults), random, pct, pct:<depth>[:<steps>], pos, starve[:<steps>], dfs:<bound> (exhaustive), dpor:<bound> (exhaustive with partial-order reduction) (packages: the tests' own unless given)")
	shard := fs.String("shard", "0/1", "run only this shard of the seed space: i/n counted from 0 (0/4 to 3/4), or kofn counted from 1 as CI matrices count (1of4 to 4of4)")
	determinism := fs.Bool("check-determinism", false, "run every seed twice and compare trace hashes")
	save := fs.String("save", "", "a scenario: write the shrunk failing log to this file (packages save theirs under testdata/weft)")
	run := fs.String("run", "", "packages: run only the tests this regexp selects, as go test -run does (default: the tests that call weft.Test)")
	parallel := fs.Int("parallel", runtime.GOMAXPROCS(0), "packages: go test processes at once, each on its own part of the shard; the default is GOMAXPROCS, the CPUs this process may use")
	summaryFile := fs.String("summary", "", "write the campaign's JSON summary to this file, for weft merge")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: want a scenario name (see weft list) or packages (./pkg, ./...)", errUsage)
	}
	i, n, err := weft.ParseShard(*shard)
	if err != nil {
		return fmt.Errorf("%w: bad -shard %q: %v", errUsage, *shard, err)
	}
	if *runs < 0 || *budget < 0 {
		return fmt.Errorf("%w: -runs and -budget must not be negative", errUsage)
	}
	spec, err := scheduler.ParseSpec(*strategy)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	e, lookupErr := lookup(fs.Arg(0))
	if fs.NArg() > 1 || lookupErr != nil {
		for _, name := range []string{"save"} {
			if given[name] {
				return fmt.Errorf("%w: -%s is for a catalogued scenario; a package's tests save their logs under testdata/weft", errUsage, name)
			}
		}
		if *parallel < 1 {
			return fmt.Errorf("%w: -parallel must be at least 1", errUsage)
		}
		var weftArgs []string
		if given["runs"] {
			weftArgs = append(weftArgs, fmt.Sprintf("-weft.runs=%d", *runs))
		}
		if given["budget"] {
			weftArgs = append(weftArgs, "-weft.budget="+budget.String())
		}
		if given["seed"] {
			weftArgs = append(weftArgs, fmt.Sprintf("-weft.seed=%d", *seed))
		}
		if given["strategy"] {
			weftArgs = append(weftArgs, "-weft.strategy="+spec.String())
		}
		if *determinism {
			weftArgs = append(weftArgs, "-weft.check-determinism")
		}
		c := &campaign{run: *run, weftArgs: weftArgs, shard: i, shards: n, parallel: *parallel, budget: *budget}
		if given["strategy"] && spec.Exhaustive() {
			c.parallel = 1 // a search is one sequence of logs: it does not split
		}
		return explorePackages(c, fs.Args(), lookupErr, *summaryFile, stdout, stderr)
	}
	for _, name := range []string{"run", "parallel"} {
		if given[name] {
			return fmt.Errorf("%w: -%s is for packages, not a catalogued scenario", errUsage, name)
		}
	}
	if *runs == 0 && *budget == 0 {
		*runs = 10000
	}
	o := weft.Options{
		Name: e.Name, Runs: *runs, Budget: *budget, Seed: *seed, Spec: spec,
		Shard: i, Shards: n, CheckDeterminism: *determinism, Config: e.config(),
	}
	// A line a second: readable in a terminal and in a CI log alike. Seeds
	// report every quarter second; a second without a report is a failure
	// being confirmed and shrunk, or one long run, which says so.
	var mu sync.Mutex
	start, last, heard := time.Now(), time.Now(), time.Now()
	o.Progress = func(s weft.Stats) {
		mu.Lock()
		defer mu.Unlock()
		heard = time.Now()
		if time.Since(last) >= time.Second {
			last = time.Now()
			fmt.Fprintln(stderr, statsLine(s))
		}
	}
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				mu.Lock()
				if time.Since(heard) >= time.Second && time.Since(last) >= time.Second {
					last = time.Now()
					fmt.Fprintf(stderr, "confirming and shrinking a failure, or in a long run (%v since the last seed's report; elapsed %v)\n",
						time.Since(heard).Round(time.Second), time.Since(start).Round(time.Second))
				}
				mu.Unlock()
			}
		}
	}()
	rep := weft.Explore(o, e.Scenario)
	close(stop)
	<-stopped
	fmt.Fprintln(stderr, statsLine(rep.Stats))
	f := rep.Failure
	switch {
	case f == nil && rep.Exhausted:
		classes := ""
		if rep.Classes > 0 {
			classes = fmt.Sprintf(", with partial-order reduction: %d classes of schedules", rep.Classes)
		}
		fmt.Fprintf(stdout, "%s: no failure in %d runs: the search ran every log within its bound (%s)%s\n", e.Name, rep.Runs, spec, classes)
	case f == nil:
		fmt.Fprintf(stdout, "%s: no failure in %d runs (%s)\n", e.Name, rep.Runs, rep.Spec)
	default:
		fmt.Fprintln(stdout, f.String())
		fmt.Fprintf(stdout, "\nreplay: go run ./cmd/weft replay %s %s\n", e.Name, f.Log)
	}
	if f != nil && *save != "" {
		data, err := f.Log.MarshalFile() // lines of text, as weft.Test saves logs
		if err != nil {
			data, err = f.Log.MarshalText() // a log too long for the file form
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(*save, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "saved: %s (replay: go run ./cmd/weft replay %s %s)\n", *save, e.Name, *save)
	}
	if *summaryFile != "" {
		var flags []string
		fs.Visit(func(fl *flag.Flag) {
			if fl.Name != "shard" && fl.Name != "summary" && fl.Name != "save" {
				flags = append(flags, "-"+fl.Name+"="+fl.Value.String())
			}
		})
		if err := scenarioSummary(e.Name, flags, o, rep, *save).write(*summaryFile); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "summary: %s\n", *summaryFile)
	}
	if f != nil {
		return fmt.Errorf("%s failed at seed %d", e.Name, f.Seed)
	}
	return nil
}

func statsLine(s weft.Stats) string {
	secs := s.Elapsed.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	return fmt.Sprintf("runs %d (%.0f/s)  steps %d (%.0f/s)  schedules ~%d  elapsed %v", s.Runs, float64(s.Runs)/secs, s.Steps, float64(s.Steps)/secs, s.Schedules, s.Elapsed.Round(time.Second))
}
