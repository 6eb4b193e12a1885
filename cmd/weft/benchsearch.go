package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// benchSearch measures how fast each strategy finds each seeded defect of
// the catalogue: for every buggy scenario and every strategy, campaigns
// campaigns of up to max runs each, campaign c starting at seed 1+c*10007,
// and prints, per cell, the median and the maximum over the campaigns of
// the runs to the first failure and of the wall time Explore took to
// return it (the portfolio's calm run that estimates the steps, the runs,
// and confirming the failure, shrinking cut to one replay). A campaign
// that finds nothing within max runs counts as max runs and is marked.
// It is a measurement, kept out of go test: make bench-search.
func benchSearch(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench-search", stderr)
	campaigns := fs.Int("campaigns", 20, "campaigns per scenario and strategy, each from its own base seed")
	maxRuns := fs.Int("max", 10000, "runs per campaign before it counts as a miss")
	strategies := fs.String("strategies", "portfolio,random,pct:1,pct:2,pct:3,pct:3:1000,pos,starve", "comma-separated specs; pct and starve without steps take the calm run's, as the portfolio's members do")
	match := fs.String("run", "", "only scenarios whose name contains this")
	bound := fs.Int("bound", 2, "the bound of the exhaustive searches compared (dfs against dpor)")
	searchBudget := fs.Duration("search-budget", 20*time.Second, "real time each exhaustive search may take")
	searchOnly := fs.Bool("search-only", false, "measure only the exhaustive searches")
	noSearch := fs.Bool("no-search", false, "measure only the runs to the first failure, not the exhaustive searches")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *campaigns < 1 || *maxRuns < 1 {
		return fmt.Errorf("%w: -campaigns and -max must be at least 1", errUsage)
	}
	var specs []scheduler.Spec
	for _, s := range strings.Split(*strategies, ",") {
		sp, err := scheduler.ParseSpec(s)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		specs = append(specs, sp)
	}
	if !*searchOnly {
		if err := benchStrategies(stdout, specs, *campaigns, *maxRuns, *match); err != nil {
			return err
		}
	}
	if *noSearch {
		return nil
	}
	return benchSearches(stdout, *bound, *maxRuns, *searchBudget, *match)
}

// benchStrategies prints the table of runs to the first failure.
func benchStrategies(stdout io.Writer, specs []scheduler.Spec, campaigns, maxRuns int, match string) error {
	fmt.Fprintf(stdout, "runs to the first failure, median / max over %d campaigns (a miss within %d runs counts %d, marked *); wall time median / max\n\n", campaigns, maxRuns, maxRuns)
	fmt.Fprintf(stdout, "| scenario | steps |")
	for _, sp := range specs {
		fmt.Fprintf(stdout, " %s |", sp)
	}
	fmt.Fprintf(stdout, "\n|---|---|%s\n", strings.Repeat("---|", len(specs)))
	for _, e := range catalog() {
		if !e.Buggy || !strings.Contains(e.Name, match) {
			continue
		}
		// The steps the portfolio estimates, from its report's spec.
		probe := weft.Explore(weft.Options{Name: e.Name, Runs: 1, ShrinkRuns: 1, Config: e.config()}, e.Scenario)
		est, err := scheduler.ParseSpec(probe.Spec)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "| %s |", e.Name)
		var cells []string
		for _, sp := range specs {
			if sp.Steps == 0 && (sp.Name == "pct" || sp.Name == "starve") {
				sp.Steps = max(est.Steps, sp.Depth-1)
			}
			var runs []int
			var walls []time.Duration
			missed := false
			for c := range campaigns {
				runtime.GC() // the heap a run is judged by is the program's: start each from what is live
				o := weft.Options{Name: e.Name, Runs: maxRuns, Seed: 1 + uint64(c)*10007, Spec: sp, ShrinkRuns: 1, Config: e.config()}
				start := time.Now()
				rep := weft.Explore(o, e.Scenario)
				walls = append(walls, time.Since(start))
				if rep.Failure == nil {
					runs = append(runs, maxRuns)
					missed = true
					continue
				}
				if k := rep.Failure.Original.Failure.Kind; k == sim.Runaway {
					return fmt.Errorf("%s under %s from seed %d: %v", e.Name, sp, o.Seed, rep.Failure.Original.Failure)
				}
				runs = append(runs, rep.Failure.RunIndex+1)
			}
			cells = append(cells, cell(runs, walls, missed))
		}
		fmt.Fprintf(stdout, " %d | %s |\n", est.Steps, strings.Join(cells, " | "))
	}
	return nil
}

// benchSearches prints, for every catalogued scenario, the schedules the
// plain exhaustive search and the one with partial-order reduction run to
// find the defect (a buggy scenario) or to end (a fixed one), within
// maxRuns runs and budget of real time each.
func benchSearches(stdout io.Writer, bound, maxRuns int, budget time.Duration, match string) error {
	plainSpec, err := scheduler.ParseSpec(fmt.Sprintf("dfs:%d", bound))
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	reducedSpec, _ := scheduler.ParseSpec(fmt.Sprintf("dpor:%d", bound))
	fmt.Fprintf(stdout, "\nexhaustive search at bound %d: schedules run to find the defect (buggy) or to end (fixed), at most %d runs or %v each; classes of schedules the reduced search ran; dfs / classes, the most any reduction could gain when both ended (every class takes a run)\n\n", bound, maxRuns, budget)
	fmt.Fprintln(stdout, "| scenario | expect | dfs | dpor | classes | dfs / dpor | dfs / classes |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|")
	for _, e := range catalog() {
		if !strings.Contains(e.Name, match) {
			continue
		}
		var cells []string
		var counts []int
		classes, ended := 0, 0
		for _, sp := range []scheduler.Spec{plainSpec, reducedSpec} {
			runtime.GC() // the heap a run is judged by is the program's: start each from what is live
			start := time.Now()
			rep := weft.Explore(weft.Options{Name: e.Name, Runs: maxRuns, Budget: budget, Spec: sp, ShrinkRuns: 1, Config: e.config()}, e.Scenario)
			wall := short(time.Since(start))
			switch {
			case rep.Failure != nil && rep.Failure.Original.Failure.Kind == sim.Runaway:
				// The search's own memory (its stack of logs) counts
				// against the program's heap bound: not the scenario's.
				counts = append(counts, 0)
				cells = append(cells, fmt.Sprintf("out of memory at %d (%s)", rep.Failure.RunIndex+1, wall))
			case rep.Failure != nil:
				n := rep.Failure.RunIndex + 1
				counts = append(counts, n)
				cells = append(cells, fmt.Sprintf("found at %d (%s, %s)", n, rep.Failure.Original.Failure.Kind, wall))
			case rep.Exhausted:
				ended++
				counts = append(counts, rep.Runs)
				cells = append(cells, fmt.Sprintf("ended in %d (%s)", rep.Runs, wall))
			default:
				counts = append(counts, 0)
				cells = append(cells, fmt.Sprintf("not ended in %d (%s)", rep.Runs, wall))
			}
			classes = rep.Classes
		}
		ratio, best := "-", "-"
		if counts[0] > 0 && counts[1] > 0 {
			ratio = fmt.Sprintf("%.1fx", float64(counts[0])/float64(counts[1]))
			if ended == 2 && classes > 0 {
				best = fmt.Sprintf("%.1fx", float64(counts[0])/float64(classes))
			}
		}
		fmt.Fprintf(stdout, "| %s | %s | %s | %s | %d | %s | %s |\n", e.Name, e.expect(), cells[0], cells[1], classes, ratio, best)
	}
	return nil
}

// cell is "median / max runs, median / max time", max starred when a
// campaign missed.
func cell(runs []int, walls []time.Duration, missed bool) string {
	slices.Sort(runs)
	slices.Sort(walls)
	star := ""
	if missed {
		star = "*"
	}
	return fmt.Sprintf("%d / %d%s (%s / %s)", runs[len(runs)/2], runs[len(runs)-1], star, short(walls[len(walls)/2]), short(walls[len(walls)-1]))
}

// short prints a duration with two or three significant digits.
func short(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
