package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/internal/distinct"
	"github.com/weftsim/weft/internal/progress"
)

// summaryFormat names the JSON form of a Summary, which weft merge checks.
const summaryFormat = "weft-summary/1"

// Summary is what one campaign (weft explore -summary) did, in JSON, for
// weft merge to combine with the summaries of the other shards: the shard
// of the seed space it covered, the runs of every test, the failures with
// their seeds, saved logs and replay commands.
type Summary struct {
	Format string `json:"format"`
	// Campaign says what ran: the same in every shard of one campaign.
	Campaign Campaign `json:"campaign"`
	// Shards are the shards of Campaign.Shards present: one for a shard's
	// own summary, the ones merged for weft merge's.
	Shards []int `json:"shards"`
	// Elapsed is the real time the shards took, in seconds (summed when
	// merged).
	Elapsed float64 `json:"elapsed"`
	// Runs, Steps, Schedules and Sketch add up the tests. A summary may
	// lack a sketch (a catalogued scenario's): its Schedules then add up,
	// and may count a schedule twice.
	Runs      int              `json:"runs"`
	Steps     int64            `json:"steps"`
	Schedules int              `json:"schedules"`
	Sketch    string           `json:"sketch"`
	Tests     []TestSummary    `json:"tests"`
	Failures  []FailureSummary `json:"failures"`
	// Logs are the failures' saved logs, from the module root.
	Logs []string `json:"logs"`
}

// Campaign is what a campaign ran: packages (or a catalogued scenario),
// tests, flags, and the number of shards its seed space is split into.
type Campaign struct {
	// Targets are the package patterns as given, or the one scenario.
	Targets []string `json:"targets"`
	Run     string   `json:"run,omitempty"`
	// Flags are the -weft.* flags every test got, besides its shard (the
	// weft explore flags, for a scenario).
	Flags  []string `json:"flags,omitempty"`
	Shards int      `json:"shards"`
}

// TestSummary is one test, over every shard of the summary; a catalogued
// scenario is a test of no package.
type TestSummary struct {
	Package string `json:"package,omitempty"`
	Test    string `json:"test"`
	// Result is pass, fail or skip (fail when any shard failed).
	Result string `json:"result"`
	// FirstSeed and Strategy are the test's; Planned counts the runs its
	// shards were to run (0 under a budget alone), Runs those that ran.
	FirstSeed uint64 `json:"first_seed"`
	Strategy  string `json:"strategy,omitempty"`
	Planned   int    `json:"planned"`
	Runs      int    `json:"runs"`
	Steps     int64  `json:"steps"`
	Schedules int    `json:"schedules"`
	Sketch    string `json:"sketch,omitempty"`
}

// FailureSummary is one failure: a test's, with its shard (the go test
// process's, i/n of the whole seed space), or a package's own (Test "").
type FailureSummary struct {
	Package string `json:"package"`
	Test    string `json:"test,omitempty"`
	Shard   string `json:"shard"`
	progress.Failure
	// Output is what the test printed: its report.
	Output string `json:"output,omitempty"`
}

// summary is the campaign's Summary.
func (c *campaign) summary(packages []string) *Summary {
	s := &Summary{
		Format:   summaryFormat,
		Campaign: Campaign{Targets: packages, Run: c.run, Flags: c.weftArgs, Shards: c.shards},
		Shards:   []int{c.shard},
		Elapsed:  time.Since(c.start).Seconds(),
	}
	fails := c.failures()
	c.mu.Lock()
	byTest := map[string]*TestSummary{}
	var total distinct.Sketch
	for _, jb := range c.jobs {
		for _, name := range jb.order {
			tr := jb.tests[name]
			if tr.line.Test == "" && tr.result == "" {
				continue
			}
			key := jb.pkg.ImportPath + " " + name
			ts := byTest[key]
			if ts == nil {
				ts = &TestSummary{Package: jb.pkg.ImportPath, Test: name, Result: "skip", FirstSeed: tr.line.Seed, Strategy: tr.line.Strategy}
				byTest[key] = ts
			}
			ts.Planned += tr.line.Planned
			ts.Runs += tr.line.Runs
			ts.Steps += tr.line.Steps
			ts.Sketch = mergeSketch(ts.Sketch, tr.line.Sketch)
			if sk, err := distinct.Parse(tr.line.Sketch); err == nil {
				total.Merge(sk)
			}
			switch {
			case tr.result == "fail":
				ts.Result = "fail"
			case tr.result == "pass" && ts.Result == "skip":
				ts.Result = "pass"
			}
		}
	}
	c.mu.Unlock()
	for _, ts := range byTest {
		s.Tests = append(s.Tests, *ts)
	}
	for _, f := range fails {
		fs := FailureSummary{Package: f.job.pkg.ImportPath, Shard: f.job.shard, Output: f.report}
		if f.test != nil {
			fs.Test = f.test.name
			if pf := f.test.line.Failure; pf != nil {
				fs.Failure = *pf
			}
		}
		if fs.Headline == "" {
			fs.Headline = firstLine(f.report)
		}
		s.Failures = append(s.Failures, fs)
	}
	s.finish(&total)
	return s
}

// scenarioSummary is the Summary of the exploration of a catalogued
// scenario, with options o, which found rep; flags are the weft explore
// flags given, save the file the failing log was saved to. A scenario's
// Stats carry no sketch: its distinct schedules add up when merged.
func scenarioSummary(name string, flags []string, o weft.Options, rep *weft.Report, save string) *Summary {
	s := &Summary{
		Format:   summaryFormat,
		Campaign: Campaign{Targets: []string{name}, Flags: flags, Shards: o.Shards},
		Shards:   []int{o.Shard},
		Elapsed:  rep.Elapsed.Seconds(),
	}
	t := TestSummary{Test: name, Result: "pass", FirstSeed: o.Seed, Strategy: o.Spec.String(), Runs: rep.Runs, Steps: rep.Steps, Schedules: rep.Schedules}
	if o.Runs > 0 {
		t.Planned = o.Runs / o.Shards
		if o.Shard < o.Runs%o.Shards {
			t.Planned++
		}
	}
	if f := rep.Failure; f != nil {
		t.Result = "fail"
		log := f.Log.String()
		if save != "" {
			log = save
		}
		s.Failures = append(s.Failures, FailureSummary{Test: name, Shard: fmt.Sprintf("%d/%d", o.Shard, o.Shards), Failure: progress.Failure{
			Seed: f.Seed, Strategy: f.Spec, Headline: summary(f), Log: save, LogText: f.Log.String(),
			Replay: "go run ./cmd/weft replay " + name + " " + log,
		}})
	}
	s.Tests = []TestSummary{t}
	s.finish(&distinct.Sketch{})
	return s
}

// mergeSketch merges the sketch texts a and b; a malformed one counts as
// empty.
func mergeSketch(a, b string) string {
	sa, err := distinct.Parse(a)
	if err != nil {
		sa = &distinct.Sketch{}
	}
	if sb, err := distinct.Parse(b); err == nil {
		sa.Merge(sb)
	}
	return sa.String()
}

// finish sorts s, counts its tests, and lists its saved logs.
func (s *Summary) finish(total *distinct.Sketch) {
	sort.Slice(s.Tests, func(i, j int) bool {
		a, b := s.Tests[i], s.Tests[j]
		return a.Package < b.Package || a.Package == b.Package && a.Test < b.Test
	})
	sort.SliceStable(s.Failures, func(i, j int) bool {
		a, b := s.Failures[i], s.Failures[j]
		return a.Package < b.Package || a.Package == b.Package && a.Test < b.Test
	})
	sort.Ints(s.Shards)
	s.Runs, s.Steps, s.Logs = 0, 0, nil
	unsketched := 0
	for i, t := range s.Tests {
		s.Runs += t.Runs
		s.Steps += t.Steps
		if sk, err := distinct.Parse(t.Sketch); err == nil && t.Sketch != "" {
			s.Tests[i].Schedules = min(sk.Count(), t.Runs) // an estimate: never more than ran
		} else {
			unsketched += t.Schedules
		}
	}
	seen := map[string]bool{}
	for _, f := range s.Failures {
		if f.Log != "" && !seen[f.Log] {
			seen[f.Log] = true
			s.Logs = append(s.Logs, f.Log)
		}
	}
	sort.Strings(s.Logs)
	s.Sketch, s.Schedules = total.String(), min(total.Count()+unsketched, s.Runs)
}

func (s *Summary) write(path string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// readSummary reads the summary in file path, checking its format.
func readSummary(path string) (*Summary, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: not a weft summary: %v", path, err)
	}
	if s.Format != summaryFormat {
		return nil, fmt.Errorf("%s: not a weft summary (format %q, want %q)", path, s.Format, summaryFormat)
	}
	if s.Campaign.Shards < 1 || len(s.Shards) == 0 {
		return nil, fmt.Errorf("%s: a summary of no shard (campaign of %d shards, shards %v)", path, s.Campaign.Shards, s.Shards)
	}
	for _, i := range s.Shards {
		if i < 0 || i >= s.Campaign.Shards {
			return nil, fmt.Errorf("%s: shard %d is not one of the campaign's %d", path, i, s.Campaign.Shards)
		}
	}
	return &s, nil
}
