package main

// The exhaustive search with partial-order reduction (dpor) against the
// plain one (dfs): on every catalogued scenario small enough for the
// plain search to end or find its bug within the runs below, both must
// reach the same verdict, and the reduced one in no more runs when both
// end.

import (
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
)

func TestDPORFindsWhatPlainFinds(t *testing.T) {
	const runs = 30_000 // the plain search ends lost-update-fixed in 23,553, its holds free (scheduler.Changes)
	plainSpec, _ := scheduler.ParseSpec("dfs:2")
	reducedSpec, _ := scheduler.ParseSpec("dpor:2")
	compared := 0
	for _, e := range catalog() {
		// The zoo, and one reference system's defect that a bound of 2
		// reaches: the others' runs are long enough that the plain search
		// neither ends nor finds within the runs (see BENCHMARKS.md).
		if !strings.HasPrefix(e.Name, "zoo/") && e.Name != "registry/original/P2-first-use-safe" {
			continue
		}
		plain := weft.Explore(weft.Options{Name: e.Name, Runs: runs, Spec: plainSpec, ShrinkRuns: 1, Config: e.config()}, e.Scenario)
		if plain.Failure == nil && !plain.Exhausted {
			t.Errorf("%s: the plain search neither ended nor found a failure in %d runs", e.Name, runs)
			continue
		}
		reduced := weft.Explore(weft.Options{Name: e.Name, Runs: runs, Spec: reducedSpec, ShrinkRuns: 1, Config: e.config()}, e.Scenario)
		compared++
		switch {
		case (plain.Failure != nil) != (reduced.Failure != nil):
			t.Errorf("%s: plain found %v, reduced found %v", e.Name, plain.Failure != nil, reduced.Failure != nil)
		case plain.Failure != nil && plain.Failure.Original.Failure.Signature() != reduced.Failure.Original.Failure.Signature():
			t.Errorf("%s: plain found %q, reduced %q", e.Name, plain.Failure.Original.Failure.Signature(), reduced.Failure.Original.Failure.Signature())
		case plain.Failure == nil && (!reduced.Exhausted || reduced.Runs > plain.Runs || reduced.Classes == 0):
			t.Errorf("%s: plain ended in %d runs; reduced: %d runs, ended %v, %d classes", e.Name, plain.Runs, reduced.Runs, reduced.Exhausted, reduced.Classes)
		}
		t.Logf("%s: plain %d runs (found %v), reduced %d runs (found %v, %d classes)", e.Name, plain.Runs, plain.Failure != nil, reduced.Runs, reduced.Failure != nil, reduced.Classes)
	}
	if compared < 11 {
		t.Errorf("compared %d scenarios, want the zoo's 10 and registry's P2", compared)
	}
}
