package scheduler

import (
	"slices"
	"testing"
)

// Method: races and classes on hand-made runs, where the answer is known:
// transitions on different objects commute, on the same object they race
// unless something orders them, and a clock advance orders everything.

func TestRaces(t *testing.T) {
	sched := func(proc int, options []int, objects ...int) Transition {
		return Transition{Proc: proc, Decision: 0, Options: options, Objects: objects}
	}
	tests := []struct {
		name string
		ts   []Transition
		want [][2]int // (j, k) of each race
	}{
		{"different objects commute", []Transition{sched(1, []int{1, 2}, 10), sched(2, []int{2}, 11)}, nil},
		{"same object races", []Transition{sched(1, []int{1, 2}, 10), sched(2, []int{2}, 10)}, [][2]int{{0, 1}}},
		{"one process is ordered", []Transition{sched(1, []int{1}, 10), sched(1, []int{1}, 10)}, nil},
		{"ordered through a third object", []Transition{
			sched(1, []int{1, 2}, 10, 12), sched(2, []int{2}, 12), sched(2, []int{2}, 10),
		}, [][2]int{{0, 1}}},
		{"a clock advance orders everything", []Transition{
			sched(1, []int{1, 2}, 10), {Proc: -1, Decision: -1, Global: true}, sched(2, []int{2}, 10),
		}, nil},
		{"two plain transitions race", []Transition{sched(1, []int{1, 2}), sched(2, []int{2})}, [][2]int{{0, 1}}},
		{"a plain transition commutes with an object's", []Transition{sched(1, []int{1, 2}), sched(2, []int{2}, 10)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][2]int
			for _, r := range races(tt.ts) {
				got = append(got, [2]int{r.j, r.k})
				if !slices.Contains(r.initials, tt.ts[r.k].Proc) {
					t.Errorf("race %d-%d: initials %v lack the second's process", r.j, r.k, r.initials)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("races %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClassOfIgnoresTheOrderOfCommutingTransitions(t *testing.T) {
	a := Transition{Proc: 1, Objects: []int{10}}
	b := Transition{Proc: 2, Objects: []int{11}}
	c := Transition{Proc: 2, Objects: []int{10}}
	if classOf([]Transition{a, b}) != classOf([]Transition{b, a}) {
		t.Error("commuting transitions in either order: two classes")
	}
	if classOf([]Transition{a, c}) == classOf([]Transition{c, a}) {
		t.Error("conflicting transitions in either order: one class")
	}
	// A transition after two that commute with each other and conflict
	// with it: their order leaves its predecessors the same.
	d := Transition{Proc: 3, Objects: []int{10, 11}}
	if classOf([]Transition{a, b, d}) != classOf([]Transition{b, a, d}) {
		t.Error("two commuting predecessors in either order: two classes")
	}
}

// A DPOR search over a run of two processes that each touch their own
// object, then a shared one: after the first run it schedules the one
// reversal of the race on the shared object, at the state before it.
func TestDPORSchedulesTheReversal(t *testing.T) {
	d := NewDPOR(2)
	if p, ok := d.Next(); !ok || p != nil {
		t.Fatal("the first log is not the calm run")
	}
	ds := []Decision{{Kind: Schedule, N: 2}, {Kind: Schedule, N: 2}}
	ts := []Transition{
		{Proc: 1, Decision: 0, Options: []int{1, 2}, Objects: []int{10, 30}},
		{Proc: 2, Decision: 1, Options: []int{2}, Objects: []int{20, 30}},
	}
	d.RecordRun(ds, nil, ts)
	p, ok := d.Next()
	if !ok || len(p) != 1 || p[0].Choice != 1 {
		t.Fatalf("next log %v, want process 2 first (option 1 of the first decision)", p)
	}
	if d.Pending() != 0 || d.Classes() != 1 {
		t.Fatalf("pending %d, classes %d", d.Pending(), d.Classes())
	}
	// The reversed run reports the same race the other way: already done.
	d.RecordRun([]Decision{{Kind: Schedule, N: 2, Choice: 1}, {Kind: Schedule, N: 2}}, nil, []Transition{
		{Proc: 2, Decision: 0, Options: []int{1, 2}, Objects: []int{20, 30}},
		{Proc: 1, Decision: 1, Options: []int{1}, Objects: []int{10, 30}},
	})
	if _, ok := d.Next(); ok || d.Classes() != 2 {
		t.Fatalf("the search goes on, or counts %d classes, want it over after 2", d.Classes())
	}
}
