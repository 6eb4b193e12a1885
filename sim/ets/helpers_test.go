package ets_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
)

// runSeeds runs scenario under seeds 0..n-1, fails the test on any run
// failure, and checks that each seed runs again to the same hash.
func runSeeds(t *testing.T, n int, scenario func(w *sim.World)) {
	t.Helper()
	for seed := uint64(0); seed < uint64(n); seed++ {
		r := sim.Run(sim.Config{Seed: seed}, scenario)
		require.Nil(t, r.Failure, "seed %d", seed)
		again := sim.Run(sim.Config{Seed: seed}, scenario)
		require.Equal(t, r.Hash, again.Hash, "seed %d: same seed, different hash", seed)
	}
}
