package main

// weft merge on summaries made here: shards of one campaign, one missing,
// one given twice, one failure; and summaries of different campaigns, or
// of no campaign at all.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/weftsim/weft/internal/distinct"
	"github.com/weftsim/weft/internal/progress"
)

func shardSummary(shard int, runs int, fail bool) *Summary {
	var sk distinct.Sketch
	for i := range runs {
		sk.Add(uint64(shard + 4*i)) // each shard its own runs
	}
	s := &Summary{
		Format:   summaryFormat,
		Campaign: Campaign{Targets: []string{"./..."}, Flags: []string{"-weft.runs=400"}, Shards: 4},
		Shards:   []int{shard}, Elapsed: 1,
		Tests: []TestSummary{{Package: "example.com/m/pkg", Test: "TestA", Result: "pass", Planned: 100, Runs: runs, Steps: 10 * int64(runs), Sketch: sk.String()}},
	}
	if fail {
		s.Tests[0].Result = "fail"
		s.Failures = []FailureSummary{{Package: "example.com/m/pkg", Test: "TestA", Shard: "1/4", Failure: progress.Failure{
			Seed: 9, Strategy: "random", Headline: "deadlock: all processes are blocked", Log: "pkg/testdata/weft/TestA/0123456789abcdef",
			LogText: "weft1-AAAA", Replay: "go test ./pkg -run '^TestA$' -weft.replay=pkg/testdata/weft/TestA/0123456789abcdef",
		}}}
	}
	s.finish(&sk)
	return s
}

func writeSummaries(t *testing.T, sums ...*Summary) []string {
	t.Helper()
	var files []string
	for i, s := range sums {
		f := filepath.Join(t.TempDir(), "s"+string(rune('0'+i))+".json")
		if err := s.write(f); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

func TestMerge(t *testing.T) {
	files := writeSummaries(t, shardSummary(0, 100, false), shardSummary(1, 60, true), shardSummary(3, 100, false), shardSummary(1, 60, true))
	out := filepath.Join(t.TempDir(), "merged.json")
	code, stdout, stderr := runWeft(append([]string{"merge", "-o", out}, files...)...)
	if code != 1 || !strings.Contains(stderr, "1 failures, and 1 of the 4 shards missing") {
		t.Fatalf("exit %d, stderr %q; want 1, a failure and a missing shard", code, stderr)
	}
	for _, want := range []string{
		"is in " + files[1] + " and " + files[3] + "; " + files[3] + " is left out",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	for _, want := range []string{
		"campaign: ./... in 4 shards, -weft.runs=400",
		"coverage: 3 of 4 shards (0/4 1/4 3/4); missing 2/4 (run indices 2, 6, 10, ...)",
		"runs: 260, steps 2600",
		"example.com/m/pkg  TestA  fail    260   300",
		"  example.com/m/pkg TestA\n    shard 1/4, seed 9: deadlock: all processes are blocked\n      replay: go test ./pkg -run '^TestA$' -weft.replay=pkg/testdata/weft/TestA/0123456789abcdef\n      log: weft1-AAAA",
		"saved logs (weft replay FILE replays one):\n  pkg/testdata/weft/TestA/0123456789abcdef",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report does not say %q:\n%s", want, stdout)
		}
	}
	m, err := readSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Shards) != 3 || m.Runs != 260 || len(m.Failures) != 1 || m.Schedules < 240 || m.Schedules > 280 {
		t.Fatalf("merged: shards %v, %d runs, %d failures, ~%d schedules; want 3 shards, 260 runs, 1 failure, ~260 schedules", m.Shards, m.Runs, len(m.Failures), m.Schedules)
	}

	// The missing shard, merged into the merged summary, completes it.
	code, stdout, _ = runWeft("merge", out, writeSummaries(t, shardSummary(2, 100, false))[0])
	if code != 1 || !strings.Contains(stdout, "coverage: 4 of 4 shards (0/4 1/4 2/4 3/4): the whole seed space") {
		t.Fatalf("exit %d, want 1 (the failure stays) and the whole seed space:\n%s", code, stdout)
	}
}

func TestMergeRefuses(t *testing.T) {
	other := shardSummary(1, 10, false)
	other.Campaign.Flags = []string{"-weft.runs=800"}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"format": "something else"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := shardSummary(0, 10, false)
	outside.Shards = []int{7}
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{writeSummaries(t, shardSummary(0, 10, false), other), "are summaries of different campaigns: ./... in 4 shards, -weft.runs=400 against ./... in 4 shards, -weft.runs=800"},
		{[]string{bad}, `not a weft summary (format "something else", want "weft-summary/1")`},
		{writeSummaries(t, outside), "shard 7 is not one of the campaign's 4"},
		{[]string{filepath.Join(t.TempDir(), "missing.json")}, "no such file"},
	} {
		code, _, stderr := runWeft(append([]string{"merge"}, tc.files...)...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("merge %v: exit %d, stderr %q; want 1 and %q", tc.files, code, stderr, tc.want)
		}
	}
}

// A catalogued scenario's campaign: each shard's summary, merged, with the
// failure's replay command, which replays it.
func TestScenarioSummaries(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, shard := range []string{"1of2", "2of2"} {
		f := filepath.Join(dir, shard+".json")
		files = append(files, f)
		code, stdout, _ := runWeft("explore", "-runs", "300", "-shard", shard, "-summary", f, "zoo/leak")
		if code != 1 || !strings.Contains(stdout, "summary: "+f) {
			t.Fatalf("explore -shard %s: exit %d, want 1 (the leak) and the summary:\n%s", shard, code, stdout)
		}
	}
	code, stdout, _ := runWeft(append([]string{"merge"}, files...)...)
	if code != 1 || !strings.Contains(stdout, "campaign: zoo/leak in 2 shards, -runs=300\ncoverage: 2 of 2 shards (0/2 1/2): the whole seed space") {
		t.Fatalf("merge: exit %d, want 1 and the whole seed space:\n%s", code, stdout)
	}
	m := regexp.MustCompile(`(?m)^      replay: go run ./cmd/weft (replay zoo/leak weft1\S+)$`).FindStringSubmatch(stdout)
	if m == nil || !strings.Contains(stdout, "  zoo/leak\n    shard 0/2, seed ") {
		t.Fatalf("merge lists no failure of zoo/leak with its replay command:\n%s", stdout)
	}
	code, out, _ := runWeft(strings.Fields(m[1])...)
	if code != 1 || !strings.Contains(out, "leak") {
		t.Fatalf("%s: exit %d, want 1 with the leak:\n%s", m[1], code, out)
	}
}
