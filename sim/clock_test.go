package sim

// The timer heap and the clock. Method: rapid draws sequences of pushes (with
// few distinct times, so ties are common), removals at random heap positions
// and pops, and the heap is compared after each with a slice kept sorted by
// (when, seq); the heap property and every timer's idx are checked too.
// Then the world's timer operations: stopping, ties decided by the strategy,
// and clamping to now.

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/weftsim/weft/scheduler"
)

func checkHeap(h timerHeap, model []*Alarm) error {
	if len(h) != len(model) {
		return fmt.Errorf("heap has %d timers, model %d", len(h), len(model))
	}
	for i, t := range h {
		if t.pos != i+1 {
			return fmt.Errorf("timer at %d has pos %d", i, t.pos)
		}
		if i > 0 && h.less(i, (i-1)/2) {
			return fmt.Errorf("timer at %d is less than its parent", i)
		}
	}
	if len(model) > 0 && h[0] != model[0] {
		return fmt.Errorf("min is (%v, %d), model (%v, %d)", h[0].when, h[0].seq, model[0].when, model[0].seq)
	}
	return nil
}

func byWhenSeq(a, b *Alarm) int {
	return cmp.Or(cmp.Compare(a.when, b.when), cmp.Compare(a.seq, b.seq))
}

func TestTimerHeapModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var h timerHeap
		var model []*Alarm // sorted by (when, seq)
		seq := uint64(0)
		for step := range rapid.IntRange(1, 300).Draw(t, "steps") {
			switch op := rapid.IntRange(0, 4).Draw(t, "op"); {
			case op <= 1 || len(model) == 0:
				seq++
				tm := &Alarm{when: time.Duration(rapid.IntRange(0, 8).Draw(t, "when")), seq: seq}
				h.push(tm)
				i, _ := slices.BinarySearchFunc(model, tm, byWhenSeq)
				model = slices.Insert(model, i, tm)
			case op == 2:
				if got := h.remove(0); got != model[0] || got.pos != 0 {
					t.Fatalf("step %d: pop (%v, %d), model (%v, %d)", step, got.when, got.seq, model[0].when, model[0].seq)
				}
				model = model[1:]
			default:
				i := rapid.IntRange(0, len(h)-1).Draw(t, "i")
				victim := h[i]
				if got := h.remove(i); got != victim || got.pos != 0 {
					t.Fatalf("step %d: remove(%d) returned another timer", step, i)
				}
				j := slices.Index(model, victim)
				model = slices.Delete(model, j, j+1)
			}
			if err := checkHeap(h, model); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		}
		for len(model) > 0 {
			if got := h.remove(0); got != model[0] {
				t.Fatalf("drain: pop (%v, %d), model (%v, %d)", got.when, got.seq, model[0].when, model[0].seq)
			}
			model = model[1:]
		}
	})
}

// testWorld is a world with no process, for driving the clock directly.
func testWorld(cfg Config) *World {
	if err := cfg.fill(); err != nil {
		panic(err)
	}
	return &World{cfg: cfg, hash: hashOffset, mainStep: -1}
}

// fixedChoices is a strategy that plays choices in order, then defaults.
type fixedChoices struct {
	choices []int
	points  []scheduler.Point
}

func (f *fixedChoices) Choose(p scheduler.Point) int {
	f.points = append(f.points, p)
	if len(f.choices) == 0 {
		return 0
	}
	c := f.choices[0]
	f.choices = f.choices[1:]
	return c
}

// Timers due at the same instant fire in an order chosen by Timer decisions
// over the tied timers in set order; timers at other instants are not asked
// about. A stopped timer never fires, and stopping reports whether it was
// pending.
func TestTimerTiesAndStop(t *testing.T) {
	for _, tc := range []struct {
		choices []int
		want    string
	}{
		{nil, "a b c d"},
		{[]int{2, 0}, "c a b d"},
		{[]int{1, 1}, "b c a d"},
		{[]int{2, 1}, "c b a d"},
	} {
		st := &fixedChoices{choices: tc.choices}
		w := testWorld(Config{Strategy: st})
		var fired []string
		mk := func(name string, when time.Duration) *Alarm {
			tm := &Alarm{Fire: func() { fired = append(fired, name) }}
			w.addTimer(tm, when)
			return tm
		}
		d := mk("d", 2*time.Second)
		mk("a", time.Second)
		gone := mk("gone", time.Second)
		mk("b", time.Second)
		mk("c", time.Second)
		if !w.stopTimer(gone) || w.stopTimer(gone) {
			t.Fatal("stopTimer: want true for a pending timer, then false")
		}
		for i := 0; w.advance(); i++ {
			if i > 10 {
				t.Fatal("advance does not stop")
			}
		}
		if got := fmt.Sprint(fired); got != "["+tc.want+"]" {
			t.Fatalf("choices %v: fired %v, want %s", tc.choices, got, tc.want)
		}
		if len(st.points) != 2 || st.points[0] != (scheduler.Point{Kind: scheduler.Timer, N: 3}) || st.points[1] != (scheduler.Point{Kind: scheduler.Timer, N: 2}) {
			t.Fatalf("points %v, want Timer decisions among 3 then 2", st.points)
		}
		if w.stopTimer(d) {
			t.Fatal("stopTimer of a fired timer reported true")
		}
		if w.now != 2*time.Second {
			t.Fatalf("clock at %v", w.now)
		}
	}
}

// A timer set in the past fires now; advancing past the horizon fails the
// run before the main process has returned.
func TestTimerClampAndHorizon(t *testing.T) {
	w := testWorld(Config{Strategy: scheduler.Replay(nil), Horizon: time.Minute})
	w.now = 10 * time.Second
	tm := &Alarm{Fire: func() {}}
	w.addTimer(tm, time.Second)
	if tm.when != 10*time.Second {
		t.Fatalf("timer in the past set for %v, want now", tm.when)
	}
	w.advance()
	w.addTimer(&Alarm{Fire: func() { t.Fatal("fired past the horizon") }}, 2*time.Minute)
	if !w.advance() || w.failure == nil || w.failure.Kind != Horizon || w.now != 10*time.Second {
		t.Fatalf("failure %v at %v", w.failure, w.now)
	}
}

// TestStepCost: with Config.StepCost a process that never blocks still lets
// the clock run: a timer fires between its steps, and the same seed gives the
// same run. Without it the timer never fires while the poller runs.
func TestStepCost(t *testing.T) {
	poll := func(w *World) {
		fired := false
		w.AfterFunc(10*time.Microsecond, func() { fired = true })
		for i := 0; i < 100 && !fired; i++ {
			w.Yield()
		}
		if !fired {
			w.Fatalf("the timer never fired while the poller ran")
		}
	}
	if r := Run(Config{Seed: 1}, poll); r.Failure == nil {
		t.Fatalf("without StepCost the timer fired during the busy loop")
	}
	a := Run(Config{Seed: 1, StepCost: time.Microsecond}, poll)
	b := Run(Config{Seed: 1, StepCost: time.Microsecond}, poll)
	if a.Failure != nil || a.Hash != b.Hash {
		t.Fatalf("with StepCost: %v; hashes %x %x", a.Failure, a.Hash, b.Hash)
	}
	if a.Time < 10*time.Microsecond {
		t.Fatalf("virtual time %v, want at least 10µs", a.Time)
	}
}
