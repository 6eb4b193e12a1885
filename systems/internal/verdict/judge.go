package verdict

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
)

// Judge settles every property in group (properties of one Group, which
// share a run configuration) for variant v of sys, and returns their
// verdicts in group order.
//
// Method: explore the scenario that judges every property not yet settled,
// from seed 1 under the random walk (as weft demo does). A failing run names
// the property it violated; that property is then explored alone, which
// finds its first failing seed (the same run fails the same way when judged
// alone, because judging changes nothing but which violations end a run),
// and the rest are explored again. When the remaining properties pass runs
// runs together, each of them passed those very runs.
//
// discard, when not nil, is given the failure of a group run that Judge
// drops, to undo what the failure wrote (a linearizability check's page).
// A run that fails other than by violating a property, or a property that
// does not fail alone where it failed with others, is reported on t, and
// Judge returns nil.
func Judge(t testing.TB, sys systems.System, v string, group []string, runs int, discard func(*sim.Failure)) []Verdict {
	t.Helper()
	left := slices.Clone(group)
	var out []Verdict
	for len(left) > 0 {
		o := options(sys, sys.Name+"/"+v+"/["+strings.Join(left, " ")+"]", runs, left)
		o.ShrinkRuns = 1 // only which property failed matters here
		rep := weft.Explore(o, sys.Scenario(v, left...))
		if rep.Failure == nil {
			for _, p := range left {
				out = append(out, Verdict{System: sys.Name, Variant: v, Property: p, Runs: rep.Runs})
			}
			break
		}
		if discard != nil {
			discard(rep.Failure.Shrunk.Failure)
		}
		p, ok := sys.Violated(rep.Failure.Original.Failure)
		if !ok || rep.Failure.Nondeterministic != "" || !slices.Contains(left, p) {
			t.Errorf("%v: a run failed other than by violating a property it judged:\n%v", v, rep.Failure)
			return nil
		}
		vd := Verdict{System: sys.Name, Variant: v, Property: p}
		own := weft.Explore(options(sys, vd.Entry(), runs, []string{p}), sys.Scenario(v, p))
		if own.Failure == nil || own.Failure.Seed > rep.Failure.Seed {
			t.Errorf("%v %v: judged with others it fails at seed %d, alone it %v", v, p, rep.Failure.Seed, own)
			return nil
		}
		vd.Runs, vd.Finding = own.Runs, own.Failure
		out = append(out, vd)
		left = slices.DeleteFunc(left, func(q string) bool { return q == p })
	}
	slices.SortStableFunc(out, func(a, b Verdict) int {
		return slices.Index(group, a.Property) - slices.Index(group, b.Property)
	})
	return out
}

// options are the exploration options for judging props of sys together:
// named name, runs runs from seed 1, shrinking as sys says, configured by
// sys for props. Its Config also configures the replay of a failure of one
// property.
func options(sys systems.System, name string, runs int, props []string) weft.Options {
	return weft.Options{Name: name, Runs: runs, Seed: 1, ShrinkRuns: sys.ShrinkRuns, Config: sys.Config(name, props...)}
}

// Table judges every variant of sys on every group of its properties, all
// concurrently, prints the verdicts' VERDICT lines on standard output in
// variant, then property order, and returns them in that order. It fails t
// unless there is a verdict for every pair, every pass stands on all runs
// runs, and every verdict is the one the system expects (System.Fails).
// discard is Judge's.
func Table(t testing.TB, sys systems.System, runs int, discard func(*sim.Failure)) []Verdict {
	t.Helper()
	if err := sys.Check(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	type job struct {
		v     string
		group []string
		out   []Verdict
		took  time.Duration
	}
	var jobs []*job
	for _, v := range sys.Variants {
		for _, g := range sys.Groups() {
			jobs = append(jobs, &job{v: v.Name, group: g})
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() {
			s := time.Now()
			j.out = Judge(t, sys, j.v, j.group, runs, discard)
			j.took = time.Since(s)
		})
	}
	wg.Wait()

	var all []Verdict
	for _, v := range sys.Variants {
		for _, p := range sys.Properties {
			for _, j := range jobs {
				for _, vd := range j.out {
					if vd.Variant == v.Name && vd.Property == p.Name {
						all = append(all, vd)
					}
				}
			}
		}
	}
	for _, j := range jobs {
		t.Logf("%v %v judged in %v", j.v, j.group, j.took.Round(time.Millisecond))
	}
	for _, vd := range all {
		fmt.Println(vd)
	}
	t.Logf("all verdicts in %v (%d runs for a pass)", time.Since(start).Round(time.Millisecond), runs)
	if want := len(sys.Variants) * len(sys.Properties); len(all) != want {
		t.Fatalf("%d verdicts, want %d", len(all), want)
	}
	for _, vd := range all {
		if vd.Finding == nil && vd.Runs != runs {
			t.Errorf("%v %v passed only %d runs, want %d", vd.Variant, vd.Property, vd.Runs, runs)
		}
		if failed := vd.Finding != nil; failed != sys.Fails(vd.Variant, vd.Property) {
			t.Errorf("%s %s: failed=%v, but the system expects failed=%v\n%v", vd.Variant, vd.Property, failed, !failed, vd.Finding)
		}
	}
	return all
}
