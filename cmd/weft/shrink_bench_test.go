package main

// BenchmarkShrink measures how far every catalogued defect shrinks, and how
// fast: it explores each buggy scenario from seed 1 with the default
// strategy, as weft demo does, and reports the first failing run's log and
// the shrunk log (decisions, preemptions, changes, faults, draws), the
// replays shrinking took and the wall time of the exploration (finding
// and shrinking). It prints numbers; it asserts nothing about them.
//
//	go test ./cmd/weft -run '^$' -bench Shrink -benchtime 1x

import (
	"fmt"
	"os"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/weftsim/weft"
)

func BenchmarkShrink(b *testing.B) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tfound at run\t\tdecisions\tpreemptions\tchanges\tfaults\tdraws\t\tshrink replays\ttime\t")
	for _, e := range catalog() {
		if !e.Buggy {
			continue
		}
		var rep *weft.Report
		var elapsed time.Duration
		b.Run(e.Name, func(b *testing.B) {
			for range b.N {
				start := time.Now()
				rep = weft.Explore(weft.Options{Name: e.Name, Runs: 1000, Seed: 1, Config: e.config()}, e.Scenario)
				elapsed = time.Since(start)
			}
			f := rep.Failure
			if f == nil {
				b.Fatalf("%s: no failure in %d runs", e.Name, rep.Runs)
			}
			b.ReportMetric(float64(f.After.Preemptions), "preemptions")
			b.ReportMetric(float64(f.After.Changes), "changes")
			b.ReportMetric(float64(f.ShrinkRuns), "replays")
		})
		if f := rep.Failure; f != nil {
			arrow := func(before, after int) string { return fmt.Sprintf("%d -> %d", before, after) }
			fmt.Fprintf(tw, "%s\t%d\t\t%s\t%s\t%s\t%s\t%s\t\t%d\t%v\t\n", e.Name, f.RunIndex+1,
				arrow(f.Before.Decisions, f.After.Decisions), arrow(f.Before.Preemptions, f.After.Preemptions),
				arrow(f.Before.Changes, f.After.Changes), arrow(f.Before.Faults, f.After.Faults),
				arrow(f.Before.Draws, f.After.Draws), f.ShrinkRuns, elapsed.Round(time.Millisecond))
		}
	}
	tw.Flush()
}
