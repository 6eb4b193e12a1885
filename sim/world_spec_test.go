package sim_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// A failure's Seed and Spec are all a run needs to happen again: with no
// Strategy, Config.Spec makes it; a Spec that names no strategy is the
// run's failure, not a panic.
func TestSpecMakesTheStrategy(t *testing.T) {
	scenario := func(w *sim.World) {
		for i := range 3 {
			w.Go("p", func() { w.Yield(); _ = i })
		}
		w.Yield()
	}
	for _, spec := range []string{"pct:2:20", "pos", "starve:10", "random+fair:5", "portfolio:20"} {
		sp, err := scheduler.ParseSpec(spec)
		require.NoError(t, err)
		for seed := uint64(1); seed <= 20; seed++ {
			want := sim.Run(sim.Config{Seed: seed, Spec: spec, Strategy: sp.New(seed)}, scenario)
			got := sim.Run(sim.Config{Seed: seed, Spec: spec}, scenario)
			require.Equal(t, want.Hash, got.Hash, "%s seed %d", spec, seed)
		}
	}
	r := sim.Run(sim.Config{Spec: "bfs"}, scenario)
	require.NotNil(t, r.Failure)
	require.Contains(t, r.Failure.Error(), `sim: Config.Spec: scheduler: unknown strategy "bfs"`)
}
