package scheduler

import (
	"fmt"
	"slices"
	"testing"
)

// Method: drive PCT with processes that are always runnable, where its
// behaviour is fully predictable from the paper: one process runs until a
// change point demotes it, so a run of `steps` points switches exactly
// depth-1 times, at the change points. Then check the random parts spread.

// ids is a Procs over explicit process ids.
type ids []int

func (s ids) ID(option int) int { return s[option] }

// runPCT shows PCT `steps` Schedule points where every process in procs is
// runnable, and returns the process run at each.
func runPCT(seed uint64, depth, steps int, procs ids) []int {
	s := PCT(seed, depth, steps)
	ran := make([]int, steps)
	for i := range ran {
		ran[i] = procs[s.Choose(Point{Kind: Schedule, N: len(procs), Procs: procs})]
	}
	return ran
}

func switches(ran []int) (at []int) {
	for i := 1; i < len(ran); i++ {
		if ran[i] != ran[i-1] {
			at = append(at, i+1) // points are numbered from 1
		}
	}
	return at
}

func TestPCTSwitchesAtChangePoints(t *testing.T) {
	tests := []struct {
		depth, steps int
		procs        ids
	}{
		{1, 50, ids{0, 1, 2}},
		{2, 50, ids{0, 1, 2}},
		{3, 50, ids{4, 9, 2, 7}},
		{4, 20, ids{0, 1, 2, 3, 5}},
		{5, 4, ids{0, 1, 2, 3, 4, 5}}, // every point is a change point
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("depth %d steps %d", tt.depth, tt.steps), func(t *testing.T) {
			for seed := range uint64(50) {
				ran := runPCT(seed, tt.depth, tt.steps, tt.procs)
				sw := switches(ran)
				p := PCT(seed, tt.depth, tt.steps).(*pct)
				var want []int
				for _, c := range p.changes {
					if c.step > 1 { // a change at point 1 demotes before anything ran
						want = append(want, c.step)
					}
				}
				if !slices.Equal(sw, want) {
					t.Fatalf("seed %d: switched at points %v, want the change points %v (ran %v)", seed, sw, want, ran)
				}
				if len(p.changes) != min(tt.depth-1, tt.steps) {
					t.Fatalf("seed %d: %d change points, want %d", seed, len(p.changes), tt.depth-1)
				}
			}
		})
	}
}

// TestPCTDemotesBelowInitial checks the order after demotions: with three
// processes and depth 3, the process that runs last is the one never
// demoted, whatever the labels.
func TestPCTDemotesBelowInitial(t *testing.T) {
	for seed := range uint64(100) {
		ran := runPCT(seed, 3, 30, ids{0, 1, 2})
		p := PCT(seed, 3, 30).(*pct)
		if p.changes[0].step == 1 {
			continue
		}
		first, second, third := ran[0], ran[p.changes[0].step-1], ran[p.changes[1].step-1]
		if last := ran[len(ran)-1]; last != third || third == first || third == second || first == second {
			t.Fatalf("seed %d: ran %v; the third process must run last", seed, ran)
		}
	}
}

func TestPCTInitialPrioritiesUniform(t *testing.T) {
	// With depth 1 the first process to run is the one of highest initial
	// priority: each of 4 should be first in about a quarter of the seeds.
	counts := make([]int, 4)
	const seeds = 4000
	for seed := range uint64(seeds) {
		counts[runPCT(seed, 1, 1, ids{0, 1, 2, 3})[0]]++
	}
	for id, c := range counts {
		if c < seeds/4-200 || c > seeds/4+200 {
			t.Fatalf("process %d ran first in %d of %d seeds: %v", id, c, seeds, counts)
		}
	}
}

func TestPCTChangePointsUniform(t *testing.T) {
	// With depth 2 the single change point is uniform in [1, steps].
	const steps, seeds = 10, 5000
	counts := make([]int, steps+1)
	for seed := range uint64(seeds) {
		counts[PCT(seed, 2, steps).(*pct).changes[0].step]++
	}
	if counts[0] != 0 {
		t.Fatal("a change point at 0")
	}
	for step, c := range counts[1:] {
		if c < seeds/steps-150 || c > seeds/steps+150 {
			t.Fatalf("change point %d drawn %d times in %d: %v", step+1, c, seeds, counts)
		}
	}
}

func TestPCTRunsOnlyEnabled(t *testing.T) {
	// Processes come and go from the options; the choice is always among
	// those shown, and a newcomer gets a priority on sight.
	s := PCT(7, 3, 100)
	for i := range 500 {
		procs := ids{}
		for id := range 10 {
			if (i+id)%3 != 0 {
				procs = append(procs, id*3)
			}
		}
		c := s.Choose(Point{Kind: Schedule, N: len(procs), Procs: procs})
		if c < 0 || c >= len(procs) {
			t.Fatalf("point %d: chose %d of %d", i, c, len(procs))
		}
		if c := s.Choose(Point{Kind: Fault, N: 3}); c < 0 || c >= 3 {
			t.Fatalf("point %d: fault chose %d of 3", i, c)
		}
	}
	p := s.(*pct)
	for _, id := range p.seen {
		for _, other := range p.seen {
			if id != other && p.priority[id] == p.priority[other] {
				t.Fatalf("processes %d and %d share priority %d", id, other, p.priority[id])
			}
		}
	}
}

func TestPCTNilProcs(t *testing.T) {
	// Without Procs, option i is process i: depth 1 always runs one option.
	s := PCT(3, 1, 0)
	first := s.Choose(Point{Kind: Schedule, N: 4})
	for range 100 {
		if c := s.Choose(Point{Kind: Schedule, N: 4}); c != first {
			t.Fatalf("depth 1 switched from option %d to %d", first, c)
		}
	}
}

func TestPCTDoesNotAllocate(t *testing.T) {
	s := PCT(1, 3, 1000)
	p := Point{Kind: Schedule, N: 5, Procs: ids{0, 1, 2, 3, 4}}
	s.Choose(p) // meet the processes
	if n := testing.AllocsPerRun(1000, func() { s.Choose(p) }); n != 0 {
		t.Fatalf("Choose allocates %v times per call", n)
	}
}

func TestPCTMisuse(t *testing.T) {
	tests := []struct {
		name         string
		depth, steps int
	}{
		{"depth 0", 0, 10},
		{"depth too big", pctMaxDepth + 1, 0},
		{"negative steps", 3, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			PCT(1, tt.depth, tt.steps)
		})
	}
}

func BenchmarkPCTChoose(b *testing.B) {
	s := PCT(1, 3, 1000)
	p := Point{Kind: Schedule, N: 5, Procs: ids{0, 1, 2, 3, 4}}
	for b.Loop() {
		sink += s.Choose(p)
	}
}
