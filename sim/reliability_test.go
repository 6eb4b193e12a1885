package sim_test

// Reliability: what a hostile or careless scenario does to the world, from
// the reliability run's findings. Method: each test builds the smallest
// scenario that showed the defect (a process that recovers every panic, a
// main process that can be killed, a process that loops without a
// scheduling point, ...) and checks that the run now ends the way the
// package doc says, fast, with its real failure, and without leaving work
// behind.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
)

// A kill fault never ends the main process, whatever Killable says: a
// scenario whose main process always fails at its end fails every run.
func TestKillFaultSparesMain(t *testing.T) {
	everyone := func(*sim.Proc) bool { return true }
	cfg := sim.Config{Faults: sim.FaultPlan{Killable: everyone}.With(sim.FaultKill, 0.5)}
	killed := 0
	for seed := range uint64(300) {
		cfg.Seed = seed
		r := sim.Run(cfg, func(w *sim.World) {
			w.Spawn("worker", func() { w.Yield(); w.Yield() })
			for range 5 {
				w.Yield()
			}
			w.Fatalf("the end of main")
		})
		require.NotNil(t, r.Failure, "seed %d passed: its main process never reached its end", seed)
		require.Equal(t, sim.Fatal, r.Failure.Kind, "seed %d", seed)
		if r.Processes[1].Reason == sim.Killed {
			killed++
		}
	}
	require.Greater(t, killed, 50, "the plan kills the other processes")
}

// A main process ended by an exit signal fails the run: what it would have
// checked after that point never ran.
func TestMainEndedBySignalFails(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		w.SpawnLink("crasher", func() { panic("boom") })
		w.Sleep(time.Second)
		w.Fatalf("unreachable: the crash ends main first")
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.MainExited, r.Failure.Kind)
	require.Contains(t, r.Failure.Error(), "the main process p0 exited with reason crash: boom before it returned")

	normal := sim.Run(sim.Config{}, func(w *sim.World) { w.Exit(sim.Normal) })
	require.Nil(t, normal.Failure, "exiting normally is returning")
}
