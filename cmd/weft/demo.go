package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
)

// demo explores every catalogued scenario and prints one verdict row each:
// buggy scenarios should be found (and shrunk), fixed ones should pass.
func demo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	runs := fs.Int("runs", 1000, "runs per scenario (buggy ones stop at the first failure)")
	strategy := fs.String("strategy", "portfolio", "strategy: portfolio[:<steps>] (one member per seed: random, pct:1..3, pos, starve, each also with one fault when the scenario has faults), random, pct, pct:<depth>[:<steps>], pos, starve[:<steps>]")
	seed := fs.Uint64("seed", 1, "first seed")
	verbose := fs.Bool("v", false, "print each failure's full report")
	only := fs.String("only", "", "run only scenarios whose name contains this, from the whole catalogue (weft list; without it, a system may show only part of its verdict table)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	spec, err := scheduler.ParseSpec(*strategy)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *runs <= 0 {
		return fmt.Errorf("%w: -runs must be positive", errUsage)
	}
	var todo []entry
	for _, e := range catalog() {
		// Without -only, the story each system shows; -only picks from
		// the whole catalogue.
		if (*only == "" && !e.Quiet) || (*only != "" && strings.Contains(e.Name, *only)) {
			todo = append(todo, e)
		}
	}
	if len(todo) == 0 {
		return fmt.Errorf("%w: no scenario name contains %q (weft list shows them)", errUsage, *only)
	}

	fmt.Fprintf(stdout, "weft demo: %d runs per scenario, strategy %s, seeds from %d\n\n", *runs, spec, *seed)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tEXPECT\tVERDICT\tRUNS\tSEED\tFOUND BY\tPREEMPTIONS\tTIME")
	type failure struct {
		e entry
		f *weft.Finding
	}
	var failures []failure
	unexpected := 0
	start := time.Now()
	// The table is printed at the end, aligned; until then a line says
	// which scenario runs.
	var mu sync.Mutex
	current, done := "", 0
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		live := newLiveLine(stderr)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				live.clear()
				return
			case <-t.C:
				mu.Lock()
				live.show(fmt.Sprintf("weft demo: %d of %d scenarios done, running %s (%v)", done, len(todo), current, time.Since(start).Round(time.Second)))
				mu.Unlock()
			}
		}
	}()
	ran := 0
	for _, e := range todo {
		mu.Lock()
		current = e.Name
		mu.Unlock()
		ran++
		rep := weft.Explore(weft.Options{Name: e.Name, Runs: *runs, Seed: *seed, Spec: spec, Config: e.config()}, e.Scenario)
		verdict, seedCol, by, preempt := "pass", "-", "-", "-"
		if f := rep.Failure; f != nil {
			verdict = "found"
			seedCol, by = fmt.Sprint(f.Seed), f.Spec
			preempt = fmt.Sprintf("%d -> %d", f.PreemptionsBefore, f.PreemptionsAfter)
			failures = append(failures, failure{e, f})
		}
		if (rep.Failure != nil) != e.Buggy {
			unexpected++
			if e.Buggy {
				verdict = "MISSED"
			} else {
				verdict = "UNEXPECTED FAILURE"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%v\n", e.Name, e.expect(), verdict, rep.Runs, seedCol, by, preempt, rep.Elapsed.Round(time.Millisecond))
		mu.Lock()
		done++
		mu.Unlock()
	}
	close(stop)
	<-ticked
	tw.Flush()

	for _, fl := range failures {
		fmt.Fprintf(stdout, "\n%s: %s\n", fl.e.Name, summary(fl.f))
		fmt.Fprintf(stdout, "  replay: go run ./cmd/weft replay %s %s\n", fl.e.Name, fl.f.Log)
		if *verbose {
			fmt.Fprintln(stdout, indent(fl.f.String(), "  "))
		}
	}
	fmt.Fprintf(stdout, "\n%d scenarios in %v", ran, time.Since(start).Round(time.Millisecond))
	if unexpected > 0 {
		fmt.Fprintf(stdout, "; %d verdicts differ from what was expected\n", unexpected)
		return fmt.Errorf("%d unexpected verdicts", unexpected)
	}
	fmt.Fprintln(stdout, "; every verdict as expected")
	return nil
}

// summary is the one-line headline of a finding.
func summary(f *weft.Finding) string {
	if f.Nondeterministic != "" {
		return "nondeterminism: " + firstLine(f.Nondeterministic)
	}
	r := f.Shrunk
	if r == nil || r.Failure == nil {
		r = f.Original
	}
	return firstLine(r.Failure.Error())
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func indent(s, by string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return by + strings.Join(lines, "\n"+by)
}
