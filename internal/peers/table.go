package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

type config struct {
	workloads       []string
	campaigns       int
	runs, gosimRuns int
	throughputRuns  int
	budget          time.Duration
	stride          uint64
	determinismRuns int
	loadBefore      string
}

// row is one workload under one runner: its campaigns, and for weft the
// determinism check.
type row struct {
	workload    workload
	runner      string
	seeded      bool
	campaigns   []outcome
	err         error
	determinism string
}

// measure runs every campaign and says what it is doing through progress.
// The runners take turns, a campaign each, so that a load that drifts
// while they run weighs on all of them alike.
func measure(c config, rs []runner, progress func(string, ...any)) []row {
	var rows []row
	for _, name := range c.workloads {
		w, _ := lookup(name)
		first := len(rows)
		for _, r := range rs {
			rows = append(rows, row{workload: w, runner: r.name(), seeded: r.seeded()})
		}
		for i := range c.campaigns {
			base := 1 + uint64(i)*c.stride
			for j, r := range rs {
				rw := &rows[first+j]
				if rw.err != nil {
					continue
				}
				runs := c.runs
				if w.bug == "" {
					runs = c.throughputRuns
				}
				if r.name() == "gosim" {
					runs = c.gosimRuns
				}
				o, err := r.campaign(w, base, runs, c.budget)
				if err != nil {
					rw.err = err
					continue
				}
				progress("%s under %s, campaign %d: %d runs in %.3fs, first failure at run %d %s", w.name, r.name(), i+1, o.runs, o.seconds, o.first, o.message)
				rw.campaigns = append(rw.campaigns, o)
			}
		}
		for j, r := range rs {
			if wr, ok := r.(*weftRunner); ok && rows[first+j].err == nil {
				rows[first+j].determinism = wr.determinism(w, c.determinismRuns)
			}
		}
	}
	return rows
}

// What the runners without seeds cannot do, in their determinism cell.
var unseeded = map[string]string{
	"goroutines": "no seed: cannot replay",
	"synctest":   "no seed: cannot replay; it controls time, not interleavings",
}

// What each runner can and cannot do, whatever the workload.
var runnerNotes = map[string]string{
	"goroutines": "no seed: a failure cannot be replayed; a leak is seen by waiting (20 ms) for the goroutines to exit",
	"synctest":   "no seed: a failure cannot be replayed; controls time, not interleavings; a leak is a goroutine durably blocked when the bubble ends (a Mutex wait is not durable)",
	"weft":       "each failure replays from its seed; a leak is a process blocked when the test returns",
	"gosim":      "each failure replays from its seed; a run ends when its test returns, so its TestEtcd6857 counts goroutines itself; each workload's test is alone in a package, since gosim test sets up a simulation for every test of the package at every seed (with all four tests in one package, an empty run cost 3.7 times as much)",
}

func markdown(out io.Writer, c config, rs []runner, rows []row) {
	fmt.Fprintf(out, "%d campaigns per cell; a campaign runs until the first failure or %d runs (%d for a workload with no bug; gosim: %d seeds, all of them) or %v.\n\n", c.campaigns, c.runs, c.throughputRuns, c.gosimRuns, c.budget)
	fmt.Fprintln(out, "| workload | runner | runs/s | µs a run | runs to the first failure: median (each) | time to it (median) | campaigns that failed | same seed, same trace hash |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		if r.err != nil {
			fmt.Fprintf(out, "| %s | %s | %s | | | | | |\n", r.workload.name, r.runner, cell(r.err.Error()))
			continue
		}
		runs, seconds := 0, 0.0
		var firsts []int
		var times []float64
		for _, o := range r.campaigns {
			runs += o.runs
			seconds += o.seconds
			if o.first > 0 {
				firsts = append(firsts, o.first)
				times = append(times, o.toFirst)
			}
		}
		rate, per := "-", "-"
		if runs > 0 && seconds > 0 {
			rate = fmt.Sprintf("%.0f", float64(runs)/seconds)
			per = fmt.Sprintf("%.1f", seconds/float64(runs)*1e6)
			if runs < 100 {
				rate += fmt.Sprintf(" (%d runs)", runs)
			}
		}
		first, toFirst := "-", "-"
		switch {
		case len(firsts) > 0:
			slices.Sort(firsts)
			slices.Sort(times)
			first = fmt.Sprintf("%d (%s)", firsts[len(firsts)/2], joinInts(firsts))
			toFirst = time.Duration(times[len(times)/2] * float64(time.Second)).Round(time.Microsecond).String()
		case r.workload.bug != "":
			first = fmt.Sprintf("not found in %d runs, %.1fs", runs, seconds)
		}
		found := fmt.Sprintf("%d of %d", len(firsts), len(r.campaigns))
		if r.workload.bug == "" {
			found = "(no bug)"
		}
		det := r.determinism
		switch {
		case !r.seeded:
			det = unseeded[r.runner]
		case det == "":
			det = "not checked here"
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.workload.name, r.runner, rate, per, first, toFirst, found, det)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "- runs/s is every campaign's runs over their time, as the runner's binary measured it (the goroutines runners: the loop; weft: its own, to the failing run and not its report; gosim: go test's time); where the campaigns took fewer than 100 runs in all, failing early, the count says so: such a rate is mostly the first run's warm-up (or, on plain goroutines, the wait for a leak). The time to the first failure is the campaign's, as measured the same way; gosim runs every seed it is given, so its share is in proportion to the runs.")
	for _, r := range rs {
		fmt.Fprintf(out, "- %s: %s.\n", r.name(), runnerNotes[r.name()])
	}
	for _, r := range rows {
		for _, o := range r.campaigns {
			if o.first > 0 && o.message != "" {
				fmt.Fprintf(out, "- %s under %s fails: %s\n", r.workload.name, r.runner, cell(o.message))
				break
			}
		}
	}
}

func joinInts(xs []int) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return strings.Join(s, ", ")
}

// cell makes text fit a markdown table cell: one line, no pipe.
func cell(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "|", "/")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	return s
}
