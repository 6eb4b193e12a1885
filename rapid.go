package weft

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"pgregory.net/rapid"

	"github.com/weftsim/weft/internal/artifacts"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// RunRapid runs scenario once with every decision drawn from t, so that
// rapid generates the schedule, the faults and the workload (drawn with
// sim.World.Intn and friends) together with whatever else the test draws, and
// its shrinker shrinks them all at once. A failing run fails t with the
// run's failure and its timeline; rapid then shrinks and reports it with
// its own replay instructions (-rapid.seed, fail files).
//
// Files the failing run's checks write for people (porcupine's page of a
// linearizability violation) go to a directory of the test's own,
// rapid-<test name> under cfg.ReportDir, or under the test's artifact
// directory (weft-reports/<test name> in the package directory) when
// cfg.ReportDir is "". Each failing run empties it first and names its
// files after the test, not at random: rapid runs many failing runs while
// it shrinks, and reports the last, so only the reported failure's page
// is left, and the same run gives rapid the same message, which rapid's
// shrinker needs to accept a smaller case.
//
// Draw only through the world inside a run: rapid's T is not for use from
// the world's processes, which are not the test's goroutine.
func RunRapid(t *rapid.T, cfg sim.Config, scenario func(*sim.World)) *sim.Result {
	r := RunRapidResult(t, cfg, scenario)
	if r.Failure == nil {
		return r
	}
	base := cfg.ReportDir
	if base == "" {
		base = artifacts.Dir(t, ".")
	}
	dir := filepath.Join(base, "rapid-"+artifacts.FileSafe(t.Name()))
	os.RemoveAll(dir)
	cfg.ReportDir = dir
	traced := r
	if len(r.Decisions) > 0 && !cfg.KeepTrace {
		cfg.Strategy, cfg.KeepTrace = scheduler.Replay(r.Decisions), true
		traced = sim.Run(cfg, scenario)
	}
	// The traced replay's failure is the one to print: a property that
	// writes a page (linearizability's porcupine view) names it only
	// when the run kept its trace.
	failure := r.Failure
	if traced.Failure != nil {
		failure = traced.Failure
	}
	msg := stableNames(dir, t.Name(), failure.Error())
	t.Fatalf("%s\n%s", quoteControlsLines(msg), Timeline(lastEvents(traced.Trace, 40), traced.Procs))
	return r
}

// RunRapidResult is RunRapid that returns a failing run instead of failing
// t: for a caller that reports failures its own way (package parallel
// shrinks a failing workload further first). Its failing runs keep no
// trace and write no files.
func RunRapidResult(t *rapid.T, cfg sim.Config, scenario func(*sim.World)) *sim.Result {
	st := &rapidStrategy{t: t}
	cfg.Strategy = st
	if cfg.Spec == "" {
		cfg.Spec = "rapid"
	}
	r := sim.Run(cfg, scenario)
	if st.stopped != nil {
		// rapid ended the test case inside a draw (its data ran out while
		// shrinking, say): hand that back to rapid, on its goroutine, where
		// it knows what to do with it.
		panic(st.stopped)
	}
	return r
}

// stableNames renames the files a failing run wrote into dir, its own, to
// names made of the test's name and their order, and returns msg with
// their paths replaced: a file a check creates under a random name (as
// porcupine's page is) would make every run's message differ.
func stableNames(dir, test, msg string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return msg
	}
	var olds []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.Contains(msg, filepath.Join(dir, e.Name())) {
			olds = append(olds, e.Name())
		}
	}
	// In the order the message names them, which the run decides.
	sort.Slice(olds, func(i, j int) bool {
		return strings.Index(msg, olds[i]) < strings.Index(msg, olds[j])
	})
	for i, old := range olds {
		name := artifacts.FileSafe(test) + filepath.Ext(old)
		if i > 0 {
			name = fmt.Sprintf("%s-%d%s", artifacts.FileSafe(test), i+1, filepath.Ext(old))
		}
		from, to := filepath.Join(dir, old), filepath.Join(dir, name)
		if os.Rename(from, to) == nil {
			msg = strings.ReplaceAll(msg, from, to)
		}
	}
	return msg
}

// rapidStrategy draws each decision from a rapid.T. Draws happen inside the
// run, on the world's goroutines; a panic rapid uses for control (the data
// ran out) is caught there, remembered, and re-raised by RunRapid on the
// test's goroutine, while the rest of the run takes defaults.
type rapidStrategy struct {
	t       *rapid.T
	stopped any
}

func (s *rapidStrategy) Choose(p scheduler.Point) (c int) {
	if s.stopped != nil {
		return 0
	}
	defer func() {
		if r := recover(); r != nil {
			s.stopped, c = r, 0
		}
	}()
	return rapid.IntRange(0, p.N-1).Draw(s.t, p.Kind.String())
}

func lastEvents(es []sim.Event, n int) []sim.Event {
	if len(es) > n {
		return es[len(es)-n:]
	}
	return es
}
