package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/weftsim/weft/internal/distinct"
)

// merge combines the summaries of a campaign's shards (weft explore
// -summary) into one report: runs, failures by test, the saved logs, and
// which shards of the seed space are present and which are missing.
func merge(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", stderr)
	out := fs.String("o", "", "also write the merged summary, as JSON, to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: want the summaries to merge (weft explore -summary FILE writes one)", errUsage)
	}
	var sums []*Summary
	for _, path := range fs.Args() {
		s, err := readSummary(path)
		if err != nil {
			return err
		}
		sums = append(sums, s)
	}
	m, notes, err := mergeSummaries(sums, fs.Args())
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "weft merge: %s\n", n)
	}
	missing := printMerged(m, stdout)
	if *out != "" {
		if err := m.write(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *out)
	}
	switch {
	case len(m.Failures) > 0 && len(missing) > 0:
		return fmt.Errorf("%d failures, and %d of the %d shards missing", len(m.Failures), len(missing), m.Campaign.Shards)
	case len(m.Failures) > 0:
		return fmt.Errorf("%d failures", len(m.Failures))
	case len(missing) > 0:
		return fmt.Errorf("%d of the %d shards missing: part of the seed space did not run", len(missing), m.Campaign.Shards)
	}
	return nil
}

// mergeSummaries merges sums, read from files named names: one campaign's
// summaries (the same packages, tests, flags and number of shards), any of
// its shards each. A shard present twice counts once, with a note.
func mergeSummaries(sums []*Summary, names []string) (*Summary, []string, error) {
	first := sums[0]
	m := &Summary{Format: summaryFormat, Campaign: first.Campaign}
	byTest := map[string]*TestSummary{}
	var total distinct.Sketch
	var notes []string
	seenShard := map[int]string{}
	for k, s := range sums {
		if !sameCampaign(s.Campaign, first.Campaign) {
			return nil, nil, fmt.Errorf("%s and %s are summaries of different campaigns: %s against %s", names[0], names[k], describe(first.Campaign), describe(s.Campaign))
		}
		dup := false
		for _, i := range s.Shards {
			if prev, ok := seenShard[i]; ok {
				notes = append(notes, fmt.Sprintf("shard %d/%d is in %s and %s; %s is left out", i, s.Campaign.Shards, prev, names[k], names[k]))
				dup = true
			}
		}
		if dup {
			continue
		}
		for _, i := range s.Shards {
			seenShard[i] = names[k]
		}
		m.Shards = append(m.Shards, s.Shards...)
		m.Elapsed += s.Elapsed
		for _, t := range s.Tests {
			key := t.Package + " " + t.Test
			mt := byTest[key]
			if mt == nil {
				c := t
				c.Planned, c.Runs, c.Steps, c.Schedules, c.Sketch, c.Result = 0, 0, 0, 0, "", "skip"
				mt = &c
				byTest[key] = mt
			}
			mt.Planned += t.Planned
			mt.Runs += t.Runs
			mt.Steps += t.Steps
			if t.Sketch == "" {
				mt.Schedules += t.Schedules // no sketch to merge: add up
			} else {
				mt.Sketch = mergeSketch(mt.Sketch, t.Sketch)
			}
			switch {
			case t.Result == "fail":
				mt.Result = "fail"
			case t.Result == "pass" && mt.Result == "skip":
				mt.Result = "pass"
			}
		}
		if sk, err := distinct.Parse(s.Sketch); err == nil {
			total.Merge(sk)
		}
		m.Failures = append(m.Failures, s.Failures...)
	}
	for _, t := range byTest {
		m.Tests = append(m.Tests, *t)
	}
	m.finish(&total)
	return m, notes, nil
}

func sameCampaign(a, b Campaign) bool {
	return slices.Equal(a.Targets, b.Targets) && a.Run == b.Run && slices.Equal(a.Flags, b.Flags) && a.Shards == b.Shards
}

func describe(c Campaign) string {
	s := fmt.Sprintf("%s in %d shards", strings.Join(c.Targets, " "), c.Shards)
	if c.Run != "" {
		s += ", -run " + c.Run
	}
	if len(c.Flags) > 0 {
		s += ", " + strings.Join(c.Flags, " ")
	}
	return s
}

// printMerged prints the merged summary m and returns the shards missing from it.
func printMerged(m *Summary, w io.Writer) (missing []int) {
	present := map[int]bool{}
	for _, i := range m.Shards {
		present[i] = true
	}
	var have []string
	for i := range m.Campaign.Shards {
		if present[i] {
			have = append(have, fmt.Sprintf("%d/%d", i, m.Campaign.Shards))
		} else {
			missing = append(missing, i)
		}
	}
	fmt.Fprintf(w, "campaign: %s\n", describe(m.Campaign))
	fmt.Fprintf(w, "coverage: %d of %d shards (%s)", len(have), m.Campaign.Shards, strings.Join(have, " "))
	if len(missing) == 0 {
		fmt.Fprintf(w, ": the whole seed space\n")
	} else {
		var gaps []string
		for _, i := range missing {
			gaps = append(gaps, fmt.Sprintf("%d/%d (run indices %d, %d, %d, ...)", i, m.Campaign.Shards, i, i+m.Campaign.Shards, i+2*m.Campaign.Shards))
		}
		fmt.Fprintf(w, "; missing %s\n", strings.Join(gaps, ", "))
	}
	fmt.Fprintf(w, "runs: %d, steps %d, ~%d distinct schedules, %.1fs of shard time\n\n", m.Runs, m.Steps, m.Schedules, m.Elapsed)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tTEST\tRESULT\tRUNS\tPLANNED\tSCHEDULES\tFIRST SEED")
	for _, t := range m.Tests {
		planned := "-"
		if t.Planned > 0 {
			planned = fmt.Sprint(t.Planned)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t~%d\t%d\n", t.Package, t.Test, t.Result, t.Runs, planned, t.Schedules, t.FirstSeed)
	}
	tw.Flush()
	if len(m.Failures) > 0 {
		fmt.Fprintf(w, "\nfailures, by test:\n")
		last := ""
		for _, f := range m.Failures {
			name := strings.TrimSpace(f.Package + " " + f.Test)
			if name != last {
				fmt.Fprintf(w, "  %s\n", name)
				last = name
			}
			seed := ""
			if f.Strategy != "" { // a run found it, rather than a saved log
				seed = fmt.Sprintf(", seed %d", f.Seed)
			}
			fmt.Fprintf(w, "    shard %s%s: %s\n", f.Shard, seed, strings.TrimSpace(f.Headline))
			if f.Replay != "" {
				fmt.Fprintf(w, "      replay: %s\n", f.Replay)
			}
			if f.LogText != "" && !strings.Contains(f.Replay, f.LogText) {
				fmt.Fprintf(w, "      log: %s\n", f.LogText)
			}
		}
	}
	if len(m.Logs) > 0 {
		fmt.Fprintf(w, "\nsaved logs (weft replay FILE replays one):\n")
		for _, l := range m.Logs {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	return missing
}
