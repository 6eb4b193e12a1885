package scheduler

import (
	"fmt"
	"testing"
)

// Method: record a run of one strategy, replay it against the same points and
// against drifted ones, and check the choices and the counters.

func TestReplayReproducesRecording(t *testing.T) {
	points := make([]Point, 500)
	for i := range points {
		points[i] = Point{Kind: Kind(1 + i%5), N: 2 + i%9}
	}
	for seed := range uint64(5) {
		var log []Decision
		var want []int
		rec := RandomWalk(seed)
		for _, p := range points {
			c := rec.Choose(p)
			want = append(want, c)
			log = append(log, Decision{Kind: p.Kind, N: uint32(p.N), Choice: uint32(c)})
		}
		r := Replay(log)
		for i, p := range points {
			if c := r.Choose(p); c != want[i] {
				t.Fatalf("seed %d point %d: replay chose %d, recorded %d", seed, i, c, want[i])
			}
		}
		if r.Used() != len(log) || r.Diverged() != 0 {
			t.Fatalf("Used %d Diverged %d, want %d and 0", r.Used(), r.Diverged(), len(log))
		}
	}
}

func TestReplayDrift(t *testing.T) {
	log := []Decision{
		{Kind: Schedule, N: 3, Choice: 2},
		{Kind: Fault, N: 4, Choice: 3},
		{Kind: Select, N: 2, Choice: 1},
		{Kind: Schedule, N: 5, Choice: 4},
	}
	tests := []struct {
		name         string
		points       []Point
		want         []int
		used, diverg int
	}{
		{"exact", []Point{{Kind: Schedule, N: 3}, {Kind: Fault, N: 4}, {Kind: Select, N: 2}, {Kind: Schedule, N: 5}}, []int{2, 3, 1, 4}, 4, 0},
		{"past the end", []Point{{Kind: Schedule, N: 3}, {Kind: Fault, N: 4}, {Kind: Select, N: 2}, {Kind: Schedule, N: 5}, {Kind: Schedule, N: 9}, {Kind: Fault, N: 2}}, []int{2, 3, 1, 4, 0, 0}, 4, 0},
		{"fewer options", []Point{{Kind: Schedule, N: 2}, {Kind: Fault, N: 4}}, []int{0, 3}, 2, 1},
		{"more options", []Point{{Kind: Schedule, N: 4}}, []int{2}, 1, 1},
		// Each kind is its own stream: a kind the log lacks gets defaults,
		// and the other streams are not shifted by it.
		{"a kind the log lacks", []Point{{Kind: Timer, N: 3}, {Kind: Schedule, N: 3}}, []int{0, 2}, 1, 0},
		{"streams are independent", []Point{{Kind: Select, N: 2}, {Kind: Random, N: 2}, {Kind: Schedule, N: 3}, {Kind: Schedule, N: 5}, {Kind: Fault, N: 4}}, []int{1, 0, 2, 4, 3}, 4, 0},
		{"a schedule change leaves faults in place", []Point{{Kind: Schedule, N: 3}, {Kind: Schedule, N: 5}, {Kind: Schedule, N: 2}, {Kind: Fault, N: 4}}, []int{2, 4, 0, 3}, 3, 0},
		{"shorter run", []Point{{Kind: Schedule, N: 3}}, []int{2}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Replay(log)
			for i, p := range tt.points {
				if c := r.Choose(p); c != tt.want[i] {
					t.Fatalf("point %d (%s of %d): chose %d, want %d", i, p.Kind, p.N, c, tt.want[i])
				}
			}
			if r.Used() != tt.used || r.Diverged() != tt.diverg {
				t.Fatalf("Used %d Diverged %d, want %d and %d", r.Used(), r.Diverged(), tt.used, tt.diverg)
			}
		})
	}
}

func TestReplayEmpty(t *testing.T) {
	r := Replay(nil)
	for n := 2; n < 10; n++ {
		if c := r.Choose(Point{Kind: Schedule, N: n}); c != 0 {
			t.Fatal(fmt.Sprint("empty replay chose ", c))
		}
	}
	if r.Used() != 0 || r.Diverged() != 0 {
		t.Fatal("empty replay counted something")
	}
}
