package scheduler

import (
	"fmt"
	"slices"
	"testing"
)

// Method: give Shrink predicates whose simplest failing log is known, and
// check it finds exactly that log (rapid's checkShrink does the same). The
// last predicate is a small program replayed for real, where deleting a
// decision shifts the others onto different points.

func sched(c, n uint32) Decision { return Decision{Kind: Schedule, N: n, Choice: c} }

// threeThenOne fails iff some Schedule decision chose 3 and a later one chose
// 1. Its replay "records" the candidate with calm decisions after it, as a
// run that went on past the end of its log would.
func threeThenOne(c []Decision) ([]Decision, bool) {
	seen3 := false
	failed := false
	for _, d := range c {
		if d.Kind == Schedule && d.Choice == 3 {
			seen3 = true
		}
		if d.Kind == Schedule && d.Choice == 1 && seen3 {
			failed = true
		}
	}
	return append(slices.Clone(c), sched(0, 5), sched(0, 5)), failed
}

func noisyLog(seed uint64, n int) []Decision {
	r := rng{state: seed}
	var ds []Decision
	for range n {
		switch r.below(3) {
		case 0:
			ds = append(ds, Decision{Kind: Fault, N: 10, Choice: uint32(r.below(10))})
		default:
			ds = append(ds, sched(uint32(r.below(5)), 5))
		}
	}
	return ds
}

func TestShrinkFindsMinimal(t *testing.T) {
	tests := []struct {
		name  string
		in    []Decision
		fails func([]Decision) ([]Decision, bool)
		want  []Decision
	}{
		{
			name:  "3 then 1 in noise",
			in:    noisyLog(1, 300),
			fails: threeThenOne,
			want:  []Decision{sched(3, 5), sched(1, 5)},
		},
		{
			name:  "3 then 1 exactly",
			in:    []Decision{sched(3, 5), sched(1, 5)},
			fails: threeThenOne,
			want:  []Decision{sched(3, 5), sched(1, 5)},
		},
		{
			name: "any fault of at least 4",
			in:   noisyLog(2, 200),
			fails: func(c []Decision) ([]Decision, bool) {
				return nil, slices.ContainsFunc(c, func(d Decision) bool { return d.Kind == Fault && d.Choice >= 4 })
			},
			want: []Decision{{Kind: Fault, N: 10, Choice: 4}},
		},
		{
			name: "fails regardless",
			in:   noisyLog(3, 100),
			fails: func(c []Decision) ([]Decision, bool) {
				return nil, true
			},
			want: []Decision{},
		},
		{
			// The run stops at the failure, so it records less than it
			// was given; Shrink adopts that.
			name: "run stops at the failure",
			in:   noisyLog(4, 200),
			fails: func(c []Decision) ([]Decision, bool) {
				i := slices.IndexFunc(c, func(d Decision) bool { return d.Kind == Fault && d.Choice == 9 })
				if i < 0 {
					return c, false
				}
				return c[:i+1], true
			},
			want: []Decision{{Kind: Fault, N: 10, Choice: 9}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := tt.fails(tt.in); !ok {
				t.Fatal("the input does not fail")
			}
			res := Shrink(tt.in, tt.fails, 0)
			if !slices.Equal(res.Decisions, tt.want) {
				t.Fatalf("shrunk to %v, want %v (%d runs)", res.Decisions, tt.want, res.Runs)
			}
			if res.PreemptionsBefore != Preemptions(tt.in) || res.PreemptionsAfter != Preemptions(tt.want) {
				t.Fatalf("preemptions %d -> %d, want %d -> %d", res.PreemptionsBefore, res.PreemptionsAfter, Preemptions(tt.in), Preemptions(tt.want))
			}
			if _, ok := tt.fails(res.Decisions); !ok {
				t.Fatal("the shrunk log does not fail")
			}
			t.Logf("%d decisions -> %d in %d runs", len(tt.in), len(res.Decisions), res.Runs)
		})
	}
}

func TestShrinkRespectsMaxRuns(t *testing.T) {
	in := noisyLog(5, 500)
	for _, maxRuns := range []int{1, 2, 7, 50, 300} {
		t.Run(fmt.Sprint(maxRuns), func(t *testing.T) {
			calls := 0
			res := Shrink(in, func(c []Decision) ([]Decision, bool) {
				calls++
				return threeThenOne(c)
			}, maxRuns)
			if calls > maxRuns || res.Runs != calls {
				t.Fatalf("maxRuns %d: fails called %d times, Runs %d", maxRuns, calls, res.Runs)
			}
			if _, ok := threeThenOne(res.Decisions); !ok {
				t.Fatal("the shrunk log does not fail")
			}
		})
	}
}

func TestShrinkDefaultBudget(t *testing.T) {
	calls := 0
	// A predicate that accepts only the input itself: nothing shrinks, and
	// every candidate costs a run, so the budget is what stops Shrink.
	in := noisyLog(6, 3000)
	Shrink(in, func(c []Decision) ([]Decision, bool) {
		calls++
		return nil, false
	}, 0)
	if calls != shrinkDefaultRuns {
		t.Fatalf("fails called %d times, want the default budget %d", calls, shrinkDefaultRuns)
	}
}

func TestShrinkEmpty(t *testing.T) {
	for _, in := range [][]Decision{nil, {}, {sched(0, 2), sched(0, 3)}} {
		res := Shrink(in, func([]Decision) ([]Decision, bool) {
			t.Fatal("fails called for an empty log")
			return nil, false
		}, 0)
		if len(res.Decisions) != 0 || res.Runs != 0 || res.PreemptionsBefore != 0 || res.PreemptionsAfter != 0 {
			t.Fatalf("Shrink(%v) = %+v", in, res)
		}
	}
}

func TestShrinkDoesNotTouchInput(t *testing.T) {
	in := noisyLog(7, 100)
	orig := slices.Clone(in)
	res := Shrink(in, threeThenOne, 0)
	if !slices.Equal(in, orig) {
		t.Fatal("Shrink modified its input")
	}
	if len(res.Decisions) > 0 && len(in) > 0 && &res.Decisions[0] == &in[0] {
		t.Fatal("the result shares memory with the input")
	}
}

func TestShrinkDeterministic(t *testing.T) {
	in := noisyLog(8, 400)
	a := Shrink(in, threeThenOne, 100)
	b := Shrink(in, threeThenOne, 100)
	if !slices.Equal(a.Decisions, b.Decisions) || a.Runs != b.Runs {
		t.Fatalf("two shrinks differ: %v in %d runs, %v in %d", a.Decisions, a.Runs, b.Decisions, b.Runs)
	}
}

func TestShrinkOnlyTriesSimpler(t *testing.T) {
	in := noisyLog(9, 200)
	res := Shrink(in, func(c []Decision) ([]Decision, bool) {
		if !costOf(c).less(costOf(in)) {
			t.Fatalf("candidate %v is not simpler than the input", c)
		}
		return threeThenOne(c)
	}, 0)
	if !costOf(res.Decisions).less(costOf(in)) {
		t.Fatal("the result is not simpler than the input")
	}
}

// lostUpdate runs procs processes that each add 1 to a shared counter incs
// times, each addition a read and then a write, with a Schedule point after
// every step. Option 0 keeps the current process running; when it is done,
// option 0 is the runnable process with the lowest id. It returns the
// decisions made and whether an update was lost.
func lostUpdate(s Strategy, procs, incs int) ([]Decision, bool) {
	type proc struct{ id, pc, local int }
	var runnable []*proc
	for id := range procs {
		runnable = append(runnable, &proc{id: id})
	}
	var log []Decision
	var cur *proc
	counter := 0
	for len(runnable) > 0 {
		opts := runnable
		if cur != nil {
			opts = append([]*proc{cur}, slices.DeleteFunc(slices.Clone(runnable), func(p *proc) bool { return p == cur })...)
		}
		pick := 0
		if len(opts) > 1 {
			ids := make(ids, len(opts))
			for i, p := range opts {
				ids[i] = p.id
			}
			pick = s.Choose(Point{Kind: Schedule, N: len(opts), Procs: ids})
			log = append(log, sched(uint32(pick), uint32(len(opts))))
		}
		p := opts[pick]
		if p.pc%2 == 0 {
			p.local = counter
		} else {
			counter = p.local + 1
		}
		p.pc++
		cur = p
		if p.pc == 2*incs {
			runnable = slices.DeleteFunc(runnable, func(q *proc) bool { return q == p })
			cur = nil
		}
	}
	return log, counter != procs*incs
}

func TestShrinkLostUpdate(t *testing.T) {
	want := []Decision{sched(0, 3), sched(1, 3)} // A reads, B runs to the end, A writes
	found := 0
	for seed := range uint64(30) {
		log, failed := lostUpdate(RandomWalk(seed), 3, 3)
		if !failed {
			continue
		}
		found++
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			res := Shrink(log, func(c []Decision) ([]Decision, bool) {
				return lostUpdate(Replay(c), 3, 3)
			}, 0)
			if !slices.Equal(res.Decisions, want) {
				t.Fatalf("shrunk %v (%d preemptions) to %v, want %v", log, res.PreemptionsBefore, res.Decisions, want)
			}
			if res.PreemptionsAfter != 1 {
				t.Fatalf("%d preemptions after", res.PreemptionsAfter)
			}
		})
	}
	if found < 10 {
		t.Fatalf("only %d of 30 random walks lost an update", found)
	}
}

// A local minimum of the greedy passes: the program fails with preemptions
// at its points 5, 10 and 15, or with only two, at 5 and 25. Deleting and
// zeroing never moves a preemption later, so from the first the greedy
// passes cannot reach the second; the bounded search around the shrunk log
// keeps the preemption at 5 and finds the one at 25.
func TestShrinkSearchesAroundALocalMinimum(t *testing.T) {
	const points = 30
	fails := func(c []Decision) ([]Decision, bool) {
		rec := make([]Decision, points)
		for i := range rec {
			rec[i] = sched(0, 2)
			if i < len(c) && c[i].Kind == Schedule && c[i].N == 2 {
				rec[i] = c[i]
			}
		}
		at := func(i int) bool { return rec[i].Choice == 1 }
		return rec, at(5) && (at(25) || at(10) && at(15))
	}
	in := make([]Decision, points)
	for i := range in {
		in[i] = sched(0, 2)
	}
	in[5], in[10], in[15] = sched(1, 2), sched(1, 2), sched(1, 2)
	res := Shrink(in, fails, 0)
	want := make([]Decision, 26)
	for i := range want {
		want[i] = sched(0, 2)
	}
	want[5], want[25] = sched(1, 2), sched(1, 2)
	if !slices.Equal(res.Decisions, want) {
		t.Fatalf("shrunk to %v in %d runs, want the two preemptions at 5 and 25", res.Decisions, res.Runs)
	}
}
