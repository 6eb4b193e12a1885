package verdict

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft"
)

// Judge settles every property in group (properties that share a run
// configuration) for variant v, and returns their verdicts in group order.
//
// Method: explore the scenario that judges every property not yet settled,
// from seed 1 under the random walk (as weft demo does). A failing run names
// the property it violated; that property is then explored alone, which
// finds its first failing seed (the same run fails the same way when judged
// alone, because judging changes nothing but which violations end a run),
// and the rest are explored again. When the remaining properties pass runs
// runs together, each of them passed those very runs.
//
// A run that fails other than by violating a property, or a property that
// does not fail alone where it failed with others, is reported on t, and
// Judge returns nil.
func Judge[V, P comparable](t testing.TB, sys System[V, P], v V, group []P, runs int) []Verdict[V, P] {
	t.Helper()
	left := slices.Clone(group)
	var out []Verdict[V, P]
	for len(left) > 0 {
		o := sys.Options(fmt.Sprintf("%s/%v/%v", sys.Name, v, left), runs, left)
		o.ShrinkRuns = 1 // only which property failed matters here
		rep := weft.Explore(o, sys.Scenario(v, left...))
		if rep.Failure == nil {
			for _, p := range left {
				out = append(out, Verdict[V, P]{System: sys.Name, Variant: v, Property: p, Runs: rep.Runs})
			}
			break
		}
		if sys.Discard != nil {
			sys.Discard(rep.Failure.Shrunk.Failure)
		}
		p, ok := sys.PropertyOf(rep.Failure.Original.Failure)
		if !ok || rep.Failure.Nondeterministic != "" {
			t.Errorf("%v: a run failed other than by violating a property:\n%v", v, rep.Failure)
			return nil
		}
		vd := Verdict[V, P]{System: sys.Name, Variant: v, Property: p}
		own := weft.Explore(sys.Options(vd.Entry(), runs, []P{p}), sys.Scenario(v, p))
		if own.Failure == nil || own.Failure.Seed > rep.Failure.Seed {
			t.Errorf("%v %v: judged with others it fails at seed %d, alone it %v", v, p, rep.Failure.Seed, own)
			return nil
		}
		vd.Runs, vd.Finding = own.Runs, own.Failure
		out = append(out, vd)
		left = slices.DeleteFunc(left, func(q P) bool { return q == p })
	}
	slices.SortStableFunc(out, func(a, b Verdict[V, P]) int {
		return slices.Index(group, a.Property) - slices.Index(group, b.Property)
	})
	return out
}

// Table judges every variant on every group, all concurrently, prints the
// verdicts' VERDICT lines on standard output in variant, then group order,
// and returns them in that order. It fails t unless there is a verdict for
// every pair and every pass stands on all runs runs.
func Table[V, P comparable](t testing.TB, sys System[V, P], variants []V, groups [][]P, runs int) []Verdict[V, P] {
	t.Helper()
	start := time.Now()
	type job struct {
		v     V
		group []P
		out   []Verdict[V, P]
		took  time.Duration
	}
	var jobs []*job
	want := 0
	for _, v := range variants {
		for _, g := range groups {
			jobs = append(jobs, &job{v: v, group: g})
			want += len(g)
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() {
			s := time.Now()
			j.out = Judge(t, sys, j.v, j.group, runs)
			j.took = time.Since(s)
		})
	}
	wg.Wait()

	var all []Verdict[V, P]
	for _, j := range jobs {
		all = append(all, j.out...)
		t.Logf("%v %v judged in %v", j.v, j.group, j.took.Round(time.Millisecond))
	}
	for _, vd := range all {
		fmt.Println(vd)
	}
	t.Logf("all verdicts in %v (%d runs for a pass)", time.Since(start).Round(time.Millisecond), runs)
	if len(all) != want {
		t.Fatalf("%d verdicts, want %d", len(all), want)
	}
	for _, vd := range all {
		if vd.Finding == nil && vd.Runs != runs {
			t.Errorf("%v %v passed only %d runs, want %d", vd.Variant, vd.Property, vd.Runs, runs)
		}
	}
	return all
}
