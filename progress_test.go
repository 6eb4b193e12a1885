package weft

// Method: run Test's machinery (runTest) under -weft.progress, with the
// test's output captured, on a passing scenario split in shards and on a
// failing one, and read the lines back as the weft command does
// (progress.Parse): counts that add up, a sketch that parses, and a last
// line that names the failure's seed, saved log, log text and replay
// command.

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weftsim/weft/internal/distinct"
	"github.com/weftsim/weft/internal/progress"
	"github.com/weftsim/weft/scheduler"
)

// outputRecorder is a tbRecorder with the test's output, as t.Output.
type outputRecorder struct {
	*tbRecorder
	out bytes.Buffer
}

func (r *outputRecorder) Output() io.Writer { return &r.out }

func progressLines(t *testing.T, out string) []progress.Line {
	t.Helper()
	var lines []progress.Line
	for _, text := range strings.Split(out, "\n") {
		if l, ok := progress.Parse(text); ok {
			lines = append(lines, l)
		} else if strings.TrimSpace(text) != "" {
			t.Errorf("output line is not a progress line: %q", text)
		}
	}
	if len(lines) == 0 || !lines[len(lines)-1].Done {
		t.Fatalf("no last (done) progress line in:\n%s", out)
	}
	for _, l := range lines[:len(lines)-1] {
		if l.Done {
			t.Fatalf("a done line before the last:\n%s", out)
		}
	}
	return lines
}

func TestProgressLines(t *testing.T) {
	_, pkg := tempModule(t)
	rec := &outputRecorder{tbRecorder: &tbRecorder{name: "TestFixed"}}
	if !runTest(rec, pkg, flagValues{progress: true, shard: "1/2"}, fixedUpdate, []Option{Runs(301)}) {
		t.Fatalf("failed:\n%s", rec.all())
	}
	lines := progressLines(t, rec.out.String())
	last := lines[len(lines)-1]
	if last.Strategy != "portfolio" {
		t.Errorf("strategy %q, want portfolio: the default, not the zero Spec's name", last.Strategy)
	}
	if last.Test != "TestFixed" || last.Pkg != "./pkg" || last.Shard != "1/2" || last.Planned != 150 || last.Runs != 150 || last.Steps == 0 || last.Failure != nil {
		t.Fatalf("last line %+v, want TestFixed in ./pkg, shard 1/2, 150 runs of 150 planned, no failure", last)
	}
	sk, err := distinct.Parse(last.Sketch)
	if err != nil || min(sk.Count(), last.Runs) != last.Schedules || last.Schedules < 2 {
		t.Fatalf("sketch %v counts %d, line says %d schedules of %d runs", err, sk.Count(), last.Schedules, last.Runs)
	}

	// Without the flag, nothing is printed.
	quiet := &outputRecorder{tbRecorder: &tbRecorder{name: "TestFixed"}}
	if !runTest(quiet, pkg, flagValues{}, fixedUpdate, []Option{Runs(10)}) || quiet.out.Len() != 0 {
		t.Fatalf("without -weft.progress: output %q", quiet.out.String())
	}
}

func TestProgressLineOfAFailure(t *testing.T) {
	root, pkg := tempModule(t)
	rec := &outputRecorder{tbRecorder: &tbRecorder{name: "TestLost"}}
	if runTest(rec, pkg, flagValues{progress: true}, lostUpdate, []Option{Runs(300)}) {
		t.Fatal("the lost update passed")
	}
	lines := progressLines(t, rec.out.String())
	f := lines[len(lines)-1].Failure
	if f == nil {
		t.Fatalf("the last line names no failure: %+v", lines[len(lines)-1])
	}
	if !strings.Contains(f.Headline, "lost an update") || f.Strategy == "" || strings.HasPrefix(f.Strategy, "portfolio") ||
		!strings.HasPrefix(f.Log, "pkg/testdata/weft/TestLost/") ||
		f.Replay != "go test ./pkg -run '^TestLost$' -weft.replay="+f.Log {
		t.Fatalf("failure %+v", f)
	}
	if _, err := os.Stat(filepath.Join(root, f.Log)); err != nil {
		t.Fatalf("the saved log it names: %v", err)
	}
	l, err := scheduler.ParseLog(f.LogText)
	if err != nil || l.Seed != f.Seed || l.Scenario != "TestLost" || l.Spec != f.Strategy {
		t.Fatalf("log text %q: %v, %+v", f.LogText, err, l)
	}

	// The next run replays the saved log first, which fails again: the
	// line says so, with the command that runs the test.
	again := &outputRecorder{tbRecorder: &tbRecorder{name: "TestLost"}}
	runTest(again, pkg, flagValues{progress: true}, lostUpdate, []Option{Runs(300)})
	lines = progressLines(t, again.out.String())
	if f := lines[len(lines)-1].Failure; f == nil || !strings.Contains(f.Headline, "pkg/testdata/weft/TestLost fails again") || f.Replay != "go test ./pkg -run '^TestLost$'" {
		t.Fatalf("failure of a saved log: %+v", f)
	}
}
