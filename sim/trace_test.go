package sim_test

// Determinism and the trace. Method: a mixed scenario that draws on every
// source of decisions (spawns, channels, select, sleep, Intn, Buggify) runs
// under 1,000 seeds; each seed runs twice and once more from its recorded
// decisions, and all three must agree on the hash and the decisions.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// mixedScenario is a small job system: a producer with a random job count,
// three workers selecting between jobs and quit, an occasional slow worker
// (a fault site), and a main process that gathers the results and checks
// their sum.
func mixedScenario(w *sim.World) {
	jobs := sim.NewChan[int](w, 2)
	results := sim.NewChan[int](w, 0)
	count := sim.NewChan[int](w, 1)
	quit := sim.NewChan[struct{}](w, 0)
	for i := range 3 {
		w.Go(fmt.Sprintf("worker%d", i), func() {
			for {
				var j int
				var ok bool
				if w.Select(jobs.RecvCase(&j, &ok), quit.RecvCase(nil, nil)) == 1 || !ok {
					return
				}
				if w.Buggify("slow worker") {
					w.Sleep(time.Duration(1+w.Intn(5)) * time.Millisecond)
				}
				results.Send(j * 2)
			}
		})
	}
	w.Go("producer", func() {
		n := 2 + w.Intn(5)
		count.Send(n)
		for i := range n {
			jobs.Send(i)
			if w.Bool() {
				w.Sleep(time.Millisecond)
			}
		}
		if w.Bool() {
			jobs.Close()
		}
	})
	n := count.Recv()
	sum := 0
	for range n {
		sum += results.Recv()
	}
	quit.Close()
	if sum != n*(n-1) {
		w.Fatalf("sum %d of %d jobs", sum, n)
	}
	w.Sleep(10 * time.Millisecond)
}

func TestDeterminismSameSeedSameRun(t *testing.T) {
	seeds := uint64(1000)
	if testing.Short() {
		seeds = 100
	}
	hashes := map[uint64]bool{}
	faulted := 0
	for seed := range seeds {
		r1 := sim.Run(sim.Config{Seed: seed}, mixedScenario)
		r2 := sim.Run(sim.Config{Seed: seed}, mixedScenario)
		if r1.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r1.Failure)
		}
		if r1.Hash != r2.Hash || !slices.Equal(r1.Decisions, r2.Decisions) || r1.Steps != r2.Steps || r1.Time != r2.Time {
			t.Fatalf("seed %d: two runs differ: hash %x/%x, %d/%d decisions", seed, r1.Hash, r2.Hash, len(r1.Decisions), len(r2.Decisions))
		}
		rs := scheduler.Replay(r1.Decisions)
		r3 := sim.Run(sim.Config{Strategy: rs}, mixedScenario)
		if r3.Hash != r1.Hash || !slices.Equal(r3.Decisions, r1.Decisions) {
			t.Fatalf("seed %d: replay differs: hash %x, recorded %x", seed, r3.Hash, r1.Hash)
		}
		if rs.Used() != len(r1.Decisions) || rs.Diverged() != 0 {
			t.Fatalf("seed %d: replay used %d of %d decisions, %d diverged", seed, rs.Used(), len(r1.Decisions), rs.Diverged())
		}
		hashes[r1.Hash] = true
		for _, d := range r1.Decisions {
			if d.Kind == scheduler.Fault && d.Choice != 0 {
				faulted++
				break
			}
		}
	}
	// Different seeds explore different schedules. The scenario has far
	// more schedules than seeds, so nearly every seed is a new run.
	if len(hashes) < int(seeds)*9/10 {
		t.Fatalf("only %d distinct hashes in %d seeds", len(hashes), seeds)
	}
	if faulted == 0 {
		t.Fatal("no seed fired a fault decision")
	}
}

// Every kind of decision shows up in the mixed scenario's logs, so the
// determinism test above covers them all.
func TestDeterminismCoversEveryKind(t *testing.T) {
	kinds := map[scheduler.Kind]bool{}
	for seed := range uint64(200) {
		for _, d := range sim.Run(sim.Config{Seed: seed}, mixedScenario).Decisions {
			kinds[d.Kind] = true
		}
	}
	for _, k := range []scheduler.Kind{scheduler.Schedule, scheduler.Select, scheduler.Random, scheduler.Fault} {
		if !kinds[k] {
			t.Errorf("no %v decision in 200 seeds", k)
		}
	}
}

// Keeping the trace changes what is recorded, not what happens: the hash is
// the same with and without it, and so is the trace between two runs.
func TestDeterminismKeepTrace(t *testing.T) {
	for seed := range uint64(50) {
		plain := sim.Run(sim.Config{Seed: seed}, mixedScenario)
		traced := sim.Run(sim.Config{Seed: seed, KeepTrace: true}, mixedScenario)
		again := sim.Run(sim.Config{Seed: seed, KeepTrace: true}, mixedScenario)
		if plain.Hash != traced.Hash || plain.Trace != nil {
			t.Fatalf("seed %d: hash %x plain, %x traced; plain trace %d events", seed, plain.Hash, traced.Hash, len(plain.Trace))
		}
		if !slices.Equal(traced.Trace, again.Trace) || len(traced.Trace) == 0 {
			t.Fatalf("seed %d: traces of two runs differ", seed)
		}
	}
}

// A traced run says where each decision was made: one point per decision,
// in step order, and a preemption's point names the process it ran, whose
// next event comes after it.
func TestDecisionPoints(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		r := sim.Run(sim.Config{Seed: seed, KeepTrace: true}, mixedScenario)
		if len(r.DecisionPoints) != len(r.Decisions) {
			t.Fatalf("seed %d: %d decision points for %d decisions", seed, len(r.DecisionPoints), len(r.Decisions))
		}
		for i, at := range r.DecisionPoints {
			d := r.Decisions[i]
			if i > 0 && at.Step < r.DecisionPoints[i-1].Step {
				t.Fatalf("seed %d: decision %d at step %d, before the one ahead of it (%d)", seed, i, at.Step, r.DecisionPoints[i-1].Step)
			}
			if (d.Kind == scheduler.Schedule) != (at.Ran >= 0) {
				t.Fatalf("seed %d: decision %d (%v) has Ran %d", seed, i, d, at.Ran)
			}
			if d.Kind == scheduler.Schedule && d.Choice != 0 && at.Ran == at.Proc {
				t.Fatalf("seed %d: preemption %d at step %d ran p%d, the running process", seed, i, at.Step, at.Ran)
			}
		}
		if plain := sim.Run(sim.Config{Seed: seed}, mixedScenario); plain.DecisionPoints != nil || plain.Hash != r.Hash {
			t.Fatalf("seed %d: a run without a trace has decision points, or another hash", seed)
		}
	}
}
