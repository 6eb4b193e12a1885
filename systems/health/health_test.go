package health

// Unit and determinism tests of the model. Method: the same seed must give
// the same trace hash (and different seeds different runs); judging fewer
// properties must not change a run that violates none; the map listing order
// must cover every permutation; and the properties must catch the owned
// design when one of its safeguards is taken out (mutants, below).

import (
	"fmt"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

func TestSameSeedSameHash(t *testing.T) {
	for _, v := range Variants() {
		t.Run(string(v), func(t *testing.T) {
			hashes := map[uint64]bool{}
			for seed := uint64(1); seed <= 40; seed++ {
				a := sim.Run(sim.Config{Seed: seed}, Scenario(v))
				b := sim.Run(sim.Config{Seed: seed}, Scenario(v))
				if a.Hash != b.Hash || a.Failure.Signature() != b.Failure.Signature() {
					t.Fatalf("seed %d: hashes %016x and %016x, failures %q and %q", seed, a.Hash, b.Hash, a.Failure.Signature(), b.Failure.Signature())
				}
				hashes[a.Hash] = true
			}
			if len(hashes) < 30 {
				t.Fatalf("40 seeds gave only %d distinct runs", len(hashes))
			}
			rep := weft.Explore(weft.Options{Runs: 300, Seed: 1000, CheckDeterminism: true}, Scenario(v, Properties()...))
			if rep.Failure != nil && rep.Failure.Nondeterministic != "" {
				t.Fatalf("nondeterministic: %s", rep.Failure.Nondeterministic)
			}
		})
	}
}

// TestJudgingDoesNotChangeRuns checks what TestVerdicts relies on: a run
// that violates nothing is the same run whichever properties judge it.
func TestJudgingDoesNotChangeRuns(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		all := sim.Run(sim.Config{Seed: seed}, Scenario(Owned))
		if all.Failure != nil {
			t.Fatalf("seed %d: %v", seed, all.Failure)
		}
		for _, p := range Properties() {
			if r := sim.Run(sim.Config{Seed: seed}, Scenario(Owned, p)); r.Hash != all.Hash {
				t.Fatalf("seed %d: judging %v alone gives hash %016x, all four %016x", seed, p, r.Hash, all.Hash)
			}
		}
	}
	// And a violation of a property not judged is not a failure: seed 3
	// of the original violates a property other than P2 when all are
	// judged, and judging P2 alone it does not fail on that one.
	all := sim.Run(sim.Config{Seed: 3}, Scenario(Original))
	if p, ok := Violated(all.Failure); !ok || p == NoHOLBlocking {
		t.Fatalf("seed 3 judged on every property: want a violation other than P2, got %v", all.Failure)
	}
	r := sim.Run(sim.Config{Seed: 3}, Scenario(Original, NoHOLBlocking))
	if r.Failure != nil {
		if p, _ := Violated(r.Failure); p != NoHOLBlocking {
			t.Fatalf("judging P2 only, seed 3 failed with %v", r.Failure)
		}
	}
}

func TestPermuteCoversEveryOrder(t *testing.T) {
	keys := []string{"a", "b", "c", "d"}
	seen := map[string]bool{}
	for seed := uint64(0); seed < 2000 && len(seen) < 24; seed++ {
		var got []string
		sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
			got = make([]string, len(keys))
			permute(w, got, keys)
		})
		s := strings.Join(got, "")
		for _, k := range keys {
			if !strings.Contains(s, k) {
				t.Fatalf("permutation %q lost %q", s, k)
			}
		}
		seen[s] = true
	}
	if len(seen) != 24 {
		t.Fatalf("saw %d of the 24 orders of 4 keys", len(seen))
	}
	// The calm decision (0) keeps the insertion order.
	var got []string
	sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, func(w *sim.World) {
		got = make([]string, len(keys))
		permute(w, got, keys)
	})
	if strings.Join(got, "") != "abcd" {
		t.Fatalf("decision 0 lists %v, want insertion order", got)
	}
}

// TestPanicsAsGoDoes compares the panics weft reports with Go's own.
func TestPanicsAsGoDoes(t *testing.T) {
	goPanic := func(f func()) (v any) {
		defer func() { v = recover() }()
		f()
		return nil
	}
	sendClosed := goPanic(func() { ch := make(chan Update, 1); close(ch); ch <- Update{} })
	closeClosed := goPanic(func() { ch := make(chan Update); close(ch); close(ch) })
	for _, want := range []any{sendClosed, closeClosed} {
		found := false
		for seed := uint64(1); seed <= 3000 && !found; seed++ {
			r := sim.Run(sim.Config{Seed: seed}, Scenario(Original, NoPanic))
			found = r.Failure != nil && strings.Contains(fmt.Sprint(r.Failure.Value), "panicked") &&
				strings.Contains(fmt.Sprint(r.Failure.Value), fmt.Sprint(want))
		}
		if !found {
			t.Errorf("no run of original panics with Go's %q", want)
		}
	}
}

// TestPropertiesAreJudged guards the verdicts' passes against a vacuous
// pass: a run stops judging when the server crashes (see crash), so PR 115's
// pass of P2 and owned's passes must stand on many live judgements.
func TestPropertiesAreJudged(t *testing.T) {
	for _, tc := range []struct {
		v Variant
		p Property
	}{{PR115, NoHOLBlocking}, {Owned, NoHOLBlocking}, {Owned, GoawayDelivery}, {Owned, Reregistration}} {
		runs, judged, judgedRuns := 1000, 0, 0
		for seed := uint64(1); seed <= uint64(runs); seed++ {
			var r *run
			mk := func(rr *run) server { r = rr; return newServer(tc.v, rr) }
			if res := sim.Run(sim.Config{Seed: seed}, scenarioOf(mk, setOf([]Property{tc.p}))); res.Failure != nil {
				t.Fatalf("%s %v seed %d: %v", tc.v, tc.p, seed, res.Failure)
			}
			judged += r.judged[tc.p]
			if r.judged[tc.p] > 0 {
				judgedRuns++
			}
		}
		t.Logf("%s %v: %d judgements, in %d of %d runs", tc.v, tc.p, judged, judgedRuns, runs)
		// P4's deadline needs a client that reconnected while its old
		// stream wound down and kept the new one open long enough: about
		// one run in ten.
		min := runs / 4
		if tc.p == Reregistration {
			min = runs / 20
		}
		if judgedRuns < min {
			t.Errorf("%s %v: judged in only %d of %d runs", tc.v, tc.p, judgedRuns, runs)
		}
	}
}
