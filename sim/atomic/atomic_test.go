package atomic_test

// Each type against sync/atomic itself: the same operations on both give
// the same results and the same panics. Then what the package is for: each
// operation is a scheduling point, so a check-then-act race on a flag is
// found, and its compare-and-swap twin is not.

import (
	"fmt"
	"strings"
	stdatomic "sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/atomic"
	"github.com/weftsim/weft/sim/internal/simtest"
)

func TestIntegersMatchSyncAtomic(t *testing.T) {
	simtest.RunSeeds(t, 3, func(w *sim.World) {
		var (
			a32 = atomic.NewInt32(w)
			a64 = atomic.NewInt64(w)
			u64 = atomic.NewUint64(w)
			s32 stdatomic.Int32
			s64 stdatomic.Int64
			su  stdatomic.Uint64
		)
		for i := 0; i < 40; i++ {
			v := int64(w.Intn(16)) - 4
			switch w.Intn(7) {
			case 0:
				require.Equal(t, s32.Load(), a32.Load())
				require.Equal(t, s64.Load(), a64.Load())
				require.Equal(t, su.Load(), u64.Load())
			case 1:
				s32.Store(int32(v))
				a32.Store(int32(v))
				s64.Store(v)
				a64.Store(v)
				su.Store(uint64(v))
				u64.Store(uint64(v))
			case 2:
				require.Equal(t, s32.Swap(int32(v)), a32.Swap(int32(v)))
				require.Equal(t, s64.Swap(v), a64.Swap(v))
				require.Equal(t, su.Swap(uint64(v)), u64.Swap(uint64(v)))
			case 3:
				old := int64(w.Intn(3))
				require.Equal(t, s32.CompareAndSwap(int32(old), int32(v)), a32.CompareAndSwap(int32(old), int32(v)))
				require.Equal(t, s64.CompareAndSwap(old, v), a64.CompareAndSwap(old, v))
				require.Equal(t, su.CompareAndSwap(uint64(old), uint64(v)), u64.CompareAndSwap(uint64(old), uint64(v)))
			case 4:
				require.Equal(t, s32.Add(int32(v)), a32.Add(int32(v)))
				require.Equal(t, s64.Add(v), a64.Add(v))
				require.Equal(t, su.Add(uint64(v)), u64.Add(uint64(v)))
			case 5:
				require.Equal(t, s32.And(int32(v)), a32.And(int32(v)))
				require.Equal(t, s64.And(v), a64.And(v))
				require.Equal(t, su.And(uint64(v)), u64.And(uint64(v)))
			case 6:
				require.Equal(t, s32.Or(int32(v)), a32.Or(int32(v)))
				require.Equal(t, s64.Or(v), a64.Or(v))
				require.Equal(t, su.Or(uint64(v)), u64.Or(uint64(v)))
			}
		}
		require.Equal(t, s64.Load(), a64.Load())
	})
}

func TestBoolAndPointerMatchSyncAtomic(t *testing.T) {
	simtest.RunSeeds(t, 3, func(w *sim.World) {
		b, p := atomic.NewBool(w), atomic.NewPointer[int](w)
		var sb stdatomic.Bool
		var sp stdatomic.Pointer[int]
		ptrs := []*int{nil, new(int), new(int)}
		for i := 0; i < 30; i++ {
			v, old := w.Intn(2) == 1, w.Intn(2) == 1
			pv, pold := ptrs[w.Intn(3)], ptrs[w.Intn(3)]
			switch w.Intn(4) {
			case 0:
				require.Equal(t, sb.Load(), b.Load())
				require.Same(t, sp.Load(), p.Load())
			case 1:
				sb.Store(v)
				b.Store(v)
				sp.Store(pv)
				p.Store(pv)
			case 2:
				require.Equal(t, sb.Swap(v), b.Swap(v))
				require.Same(t, sp.Swap(pv), p.Swap(pv))
			case 3:
				require.Equal(t, sb.CompareAndSwap(old, v), b.CompareAndSwap(old, v))
				require.Equal(t, sp.CompareAndSwap(pold, pv), p.CompareAndSwap(pold, pv))
			}
		}
	})
}

// panicOf returns what f panicked with, nil if it returned.
func panicOf(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func TestValueMatchesSyncAtomic(t *testing.T) {
	type point struct{ x, y int }
	simtest.RunSeeds(t, 1, func(w *sim.World) {
		// Each case runs on a fresh pair (a real Value and ours): results
		// and panics must be the same.
		type op func(load func() any, store func(any), swap func(any) any, cas func(any, any) bool) any
		for _, tc := range []struct {
			name string
			op   op
		}{
			{"load of an empty value", func(load func() any, _ func(any), _ func(any) any, _ func(any, any) bool) any { return load() }},
			{"store then load", func(load func() any, store func(any), _ func(any) any, _ func(any, any) bool) any {
				store(point{1, 2})
				return load()
			}},
			{"store of nil", func(_ func() any, store func(any), _ func(any) any, _ func(any, any) bool) any {
				store(nil)
				return nil
			}},
			{"store of another type", func(_ func() any, store func(any), _ func(any) any, _ func(any, any) bool) any {
				store(1)
				store("one")
				return nil
			}},
			{"swap into an empty value", func(_ func() any, _ func(any), swap func(any) any, _ func(any, any) bool) any { return swap("a") }},
			{"swap", func(_ func() any, store func(any), swap func(any) any, _ func(any, any) bool) any {
				store("a")
				return swap("b")
			}},
			{"swap of nil", func(_ func() any, _ func(any), swap func(any) any, _ func(any, any) bool) any { return swap(nil) }},
			{"swap of another type", func(_ func() any, store func(any), swap func(any) any, _ func(any, any) bool) any {
				store("a")
				return swap(1)
			}},
			{"cas into an empty value from nil", func(load func() any, _ func(any), _ func(any) any, cas func(any, any) bool) any {
				return fmt.Sprint(cas(nil, 3), load())
			}},
			{"cas into an empty value from a value", func(_ func() any, _ func(any), _ func(any) any, cas func(any, any) bool) any { return cas(2, 3) }},
			{"cas that matches", func(load func() any, store func(any), _ func(any) any, cas func(any, any) bool) any {
				store(2)
				return fmt.Sprint(cas(2, 3), load())
			}},
			{"cas that does not match", func(load func() any, store func(any), _ func(any) any, cas func(any, any) bool) any {
				store(2)
				return fmt.Sprint(cas(5, 3), load())
			}},
			{"cas of nil", func(_ func() any, store func(any), _ func(any) any, cas func(any, any) bool) any {
				store(2)
				return cas(2, nil)
			}},
			{"cas of old and new of two types", func(_ func() any, store func(any), _ func(any) any, cas func(any, any) bool) any {
				store(2)
				return cas("2", 3)
			}},
			{"cas of a type other than the stored one", func(_ func() any, store func(any), _ func(any) any, cas func(any, any) bool) any {
				store(2)
				return cas("2", "3")
			}},
			{"cas with an old value that is not comparable", func(_ func() any, store func(any), _ func(any) any, cas func(any, any) bool) any {
				store([]int{1})
				return cas([]int{1}, []int{2})
			}},
		} {
			var real stdatomic.Value
			ours := atomic.NewValue(w)
			var wantOut, gotOut any
			wantPanic := panicOf(func() { wantOut = tc.op(real.Load, real.Store, real.Swap, real.CompareAndSwap) })
			gotPanic := panicOf(func() { gotOut = tc.op(ours.Load, ours.Store, ours.Swap, ours.CompareAndSwap) })
			require.Equal(t, fmt.Sprint(wantPanic), fmt.Sprint(gotPanic), tc.name)
			require.Equal(t, wantOut, gotOut, tc.name)
		}
	})
}

// flagScenario initializes a resource from two processes, guarded by an
// atomic flag: checked then set (racy) or compare-and-swapped (fixed).
func flagScenario(cas bool) func(w *sim.World) {
	return func(w *sim.World) {
		ready := atomic.NewBool(w).Named("initialized")
		inits := atomic.NewInt64(w).Named("inits")
		wg := sim.NewWaitGroup(w)
		for _, name := range []string{"a", "b"} {
			wg.Go(name, func() {
				if cas {
					if ready.CompareAndSwap(false, true) {
						inits.Add(1)
					}
					return
				}
				if !ready.Load() {
					ready.Store(true)
					inits.Add(1)
				}
			})
		}
		wg.Wait()
		if n := inits.Load(); n != 1 {
			w.Fatalf("initialized %d times", n)
		}
	}
}

func TestCheckThenActRace(t *testing.T) {
	rep := weft.Explore(weft.Options{Runs: 200, CheckDeterminism: true}, flagScenario(false))
	require.NotNil(t, rep.Failure, "Explore missed the check-then-act race")
	require.Equal(t, "initialized 2 times", rep.Failure.Shrunk.Failure.Value)
	require.Equal(t, 1, rep.Failure.PreemptionsAfter, "one preemption between the load and the store")
	var timeline strings.Builder
	for _, e := range rep.Failure.Shrunk.Trace {
		timeline.WriteString(e.String() + "\n")
	}
	require.Contains(t, timeline.String(), `bool#1 "initialized" load -> false`)
	require.Equal(t, 2, strings.Count(timeline.String(), `"initialized" load -> false`), "both processes loaded false:\n%s", timeline.String())

	fixed := weft.Explore(weft.Options{Runs: 200, CheckDeterminism: true}, flagScenario(true))
	require.Nil(t, fixed.Failure, "the compare-and-swap twin cannot initialize twice")

	// With sync/atomic the same race is there, but between two scheduling
	// points: no schedule splits it, so no run fails.
	plain := weft.Explore(weft.Options{Runs: 200, CheckDeterminism: true}, func(w *sim.World) {
		var ready stdatomic.Bool
		var inits int
		wg := sim.NewWaitGroup(w)
		for _, name := range []string{"a", "b"} {
			wg.Go(name, func() {
				if !ready.Load() {
					ready.Store(true)
					inits++
				}
			})
		}
		wg.Wait()
		if inits != 1 {
			w.Fatalf("initialized %d times", inits)
		}
	})
	require.Nil(t, plain.Failure, "sync/atomic operations are no scheduling points")
}

// Every operation is a scheduling point (a step) and one event, and a
// trace names pointers and values the same way in every run.
func TestEveryOperationIsAStepAndAnEvent(t *testing.T) {
	scenario := func(w *sim.World) {
		x := atomic.NewInt64(w)
		p := atomic.NewPointer[string](w)
		v := atomic.NewValue(w)
		s := "x"
		x.Add(1)
		x.Load()
		p.Store(&s)
		p.Load()
		v.Store(&s)
		v.Load()
	}
	cfg := sim.Config{KeepTrace: true, HashData: true}
	r := sim.Run(cfg, scenario)
	require.Nil(t, r.Failure)
	var notes []string
	for _, e := range r.Trace {
		if e.Kind == sim.EventNote {
			notes = append(notes, e.Detail)
		}
	}
	require.Equal(t, []string{
		"int64#1 add 1 -> 1", "int64#1 load -> 1",
		"pointer#2 store #1", "pointer#2 load -> #1",
		"value#3 store *string #1", "value#3 load -> *string #1",
	}, notes)
	again := sim.Run(cfg, scenario)
	require.Equal(t, r.Hash, again.Hash)
	require.Equal(t, r.DataHash, again.DataHash)
	empty := sim.Run(cfg, func(w *sim.World) {
		atomic.NewInt64(w)
		atomic.NewPointer[string](w)
		atomic.NewValue(w)
	})
	require.Equal(t, int64(6), r.Steps-empty.Steps, "six operations, six scheduling points")
}

func TestZeroValuePanicsWithGuidance(t *testing.T) {
	var x atomic.Int64
	require.PanicsWithValue(t, "sim/atomic: this value has no world: make it with its constructor (atomic.NewInt64(w), atomic.NewBool(w), ...); a zero value is not usable", func() { x.Load() })
	var v atomic.Value
	require.Panics(t, func() { v.Store(1) })
}
