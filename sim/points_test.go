package sim_test

// Where a traced run made each decision (Result.DecisionPoints) and where a
// preemption's hold goes on (Result.Holds). Method: random runs of a few
// processes that block on one another, each point and hold checked against
// what the decisions say.

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

func relay(w *sim.World) {
	ch := sim.NewChan[int](w, 0)
	done := sim.NewChan[int](w, 3)
	for range 3 {
		w.Go("relay", func() {
			ch.Send(1)
			w.Intn(3)
			ch.Recv()
			done.Send(0)
		})
	}
	w.Go("extra", func() { ch.Recv(); ch.Send(2) })
	for range 3 {
		done.Recv()
	}
	ch.Recv()
	ch.Send(3)
}

func TestPointsAndHolds(t *testing.T) {
	holds := 0
	for seed := range uint64(50) {
		r := sim.Run(sim.Config{Seed: seed, KeepTrace: true}, relay)
		require.Len(t, r.DecisionPoints, len(r.Decisions))
		held := -1 // the process the last preemption passed over
		for i, d := range r.Decisions {
			p := r.DecisionPoints[i]
			require.Positive(t, p.Step)
			if i > 0 {
				require.GreaterOrEqual(t, p.Step, r.DecisionPoints[i-1].Step)
			}
			if d.Kind != scheduler.Schedule {
				require.Equal(t, sim.DecisionPoint{Step: p.Step, Time: p.Time, Proc: p.Proc, Default: -1, Ran: -1}, p)
				continue
			}
			require.Equal(t, d.Choice == 0, p.Default == p.Ran, "decision %d %v at %+v", i, d, p)
			if slices.Contains(r.Holds, i) {
				require.Equal(t, held, p.Default, "seed %d: a hold at %d of a process no preemption passed over", seed, i)
				holds++
			}
			if d.Choice != 0 {
				held = p.Default
			}
		}
		require.Nil(t, sim.Run(sim.Config{Seed: seed}, relay).DecisionPoints, "an untraced run says nothing of its points")
	}
	require.Positive(t, holds, "some runs hold a process back")
}
