package sim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// A worker that takes two steps between taking a job and handing its
// result over never lets a sleeper wake up in between, unless a step is
// slow: then the sleeper's timer fires in the middle of the work, and the
// sleeper sees the job taken but no result, the window a real thread opens
// when it is descheduled.
func TestFaultSlowLetsTimersFireMidStep(t *testing.T) {
	scenario := func(w *sim.World) {
		taken, done := false, false
		var sawWindow bool
		wg := sim.NewWaitGroup(w)
		wg.Go("sleeper", func() {
			w.Sleep(time.Millisecond)
			sawWindow = taken && !done
		})
		wg.Go("worker", func() {
			taken = true
			w.Yield()
			w.Yield()
			done = true
		})
		wg.Wait()
		if sawWindow {
			w.Fatalf("the sleeper woke up between taking and finishing the job")
		}
	}
	calm := sim.Run(sim.Config{Seed: 1}, scenario)
	require.Nil(t, calm.Failure, "without slow steps, no timer fires while the worker runs")

	plan := sim.FaultPlan{}.With(sim.FaultSlow, 0.5)
	var failing *sim.Result
	seed := uint64(0)
	for failing == nil && seed < 50 {
		seed++
		if r := sim.Run(sim.Config{Seed: seed, Faults: plan}, scenario); r.Failure != nil {
			failing = r
		}
	}
	require.NotNil(t, failing, "no run with slow steps opened the window")
	again := sim.Run(sim.Config{Seed: seed, Faults: plan}, scenario)
	require.Equal(t, failing.Hash, again.Hash, "the same seed gave another trace hash")

	// The slow step is one Fault decision, as the timeline names it.
	faults := 0
	for _, d := range failing.Decisions {
		if d.Kind == scheduler.Fault && d.Choice == 1 {
			faults++
		}
	}
	require.GreaterOrEqual(t, faults, 1)
	require.Equal(t, "slow", sim.FaultSlow.String())
}
