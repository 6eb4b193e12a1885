package scheduler

import (
	"fmt"
	"math"
	"testing"
)

// Method: a strategy is a pure function of its seed and the points shown, so
// check determinism first, then that the values are in range and spread
// evenly, then that the hot path does not allocate.

func TestRandomWalkDeterministic(t *testing.T) {
	for _, seed := range []uint64{0, 1, 42, 1<<64 - 1} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			a, b, other := RandomWalk(seed), RandomWalk(seed), RandomWalk(seed+1)
			same := 0
			for i := range 1000 {
				p := Point{Kind: Schedule, N: 2 + i%50}
				x, y, z := a.Choose(p), b.Choose(p), other.Choose(p)
				if x != y {
					t.Fatalf("point %d: two walks of seed %d chose %d and %d", i, seed, x, y)
				}
				if x == z {
					same++
				}
			}
			if same > 200 {
				t.Fatalf("seeds %d and %d agree on %d of 1000 points", seed, seed+1, same)
			}
		})
	}
}

func TestRandomWalkUniform(t *testing.T) {
	for _, n := range []int{2, 3, 7, 64, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s := RandomWalk(uint64(n))
			const perOption = 2000
			counts := make([]int, n)
			for range n * perOption {
				c := s.Choose(Point{Kind: Random, N: n})
				if c < 0 || c >= n {
					t.Fatalf("chose %d of %d", c, n)
				}
				counts[c]++
			}
			// Chi-squared with n-1 degrees of freedom: mean n-1, standard
			// deviation sqrt(2(n-1)); 6 deviations is a fluke once in 10^9.
			chi := 0.0
			for _, c := range counts {
				d := float64(c - perOption)
				chi += d * d / perOption
			}
			df := float64(n - 1)
			if limit := df + 6*math.Sqrt(2*df); chi > limit {
				t.Fatalf("chi-squared %.1f over %d options, want below %.1f: %v", chi, n, limit, counts)
			}
		})
	}
}

func TestRandomWalkDoesNotAllocate(t *testing.T) {
	s := RandomWalk(1)
	p := Point{Kind: Schedule, N: 5}
	if n := testing.AllocsPerRun(1000, func() { s.Choose(p) }); n != 0 {
		t.Fatalf("Choose allocates %v times per call", n)
	}
}

func TestStrategiesRejectEmptyPoints(t *testing.T) {
	for name, s := range map[string]Strategy{
		"random": RandomWalk(1), "pct": PCT(1, 3, 10), "replay": Replay(nil), "bytes": Bytes(nil),
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Choose with N 0 did not panic")
				}
			}()
			s.Choose(Point{Kind: Select})
		})
	}
}

var sink int

func BenchmarkRandomChoose(b *testing.B) {
	s := RandomWalk(1)
	p := Point{Kind: Schedule, N: 7}
	for b.Loop() {
		sink += s.Choose(p)
	}
}
