// Package simtest holds what the tests of sim's libraries share.
package simtest

import (
	"testing"

	"github.com/weftsim/weft/sim"
)

// RunSeeds runs scenario under seeds 0..n-1, fails the test on any run
// failure, and checks that each seed runs again to the same hash: the
// determinism every scenario test owes.
func RunSeeds(t testing.TB, n int, scenario func(w *sim.World)) {
	t.Helper()
	for seed := uint64(0); seed < uint64(n); seed++ {
		r := sim.Run(sim.Config{Seed: seed}, scenario)
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		if again := sim.Run(sim.Config{Seed: seed}, scenario); again.Hash != r.Hash {
			t.Fatalf("seed %d: same seed, different hash (%016x, then %016x)", seed, r.Hash, again.Hash)
		}
	}
}
