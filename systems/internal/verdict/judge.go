package verdict

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
)

// Judge settles every property in group (properties of one Group, which
// share a run configuration) for variant v of sys, under each of
// strategies in turn for runs runs, and returns their verdicts in group
// order.
//
// Method: for each strategy in order, explore the scenario that judges
// every property not yet settled, from seed 1 (as weft demo does). A failing
// run names the property it violated; that property is then explored alone
// under the same strategy, which finds its first failing seed (the same run
// fails the same way when judged alone, because judging changes nothing but
// which violations end a run), and the rest are explored again. A property
// that fails is settled: the strategies after it do not explore it. When the
// remaining properties pass runs runs together under every strategy, each of
// them passed those very runs, runs times the number of strategies in all.
//
// discard, when not nil, is given the failure of a group run that Judge
// drops, to undo what the failure wrote (a linearizability check's page).
// A run that fails other than by violating a property, or a property that
// does not fail alone where it failed with others, is reported on t, and
// Judge returns nil.
func Judge(t testing.TB, sys systems.System, v string, group []string, strategies []scheduler.Spec, runs int, discard func(*sim.Failure)) []Verdict {
	t.Helper()
	left := slices.Clone(group)
	var out []Verdict
	var tried []string
	for _, spec := range strategies {
		tried = append(tried, spec.String())
		for len(left) > 0 {
			o := options(sys, sys.Name+"/"+v+"/["+strings.Join(left, " ")+"]", spec, runs, left)
			o.ShrinkRuns = 1 // only which property failed matters here
			rep := weft.Explore(o, sys.Scenario(v, left...))
			if rep.Failure == nil {
				break
			}
			if discard != nil {
				discard(rep.Failure.Shrunk.Failure)
			}
			p, ok := sys.Violated(rep.Failure.Original.Failure)
			if !ok || rep.Failure.Nondeterministic != "" || !slices.Contains(left, p) {
				t.Errorf("%v: a run under %v failed other than by violating a property it judged:\n%v", v, spec, rep.Failure)
				return nil
			}
			vd := Verdict{System: sys.Name, Variant: v, Property: p, Strategies: slices.Clone(tried)}
			own := weft.Explore(options(sys, vd.Entry(), spec, runs, []string{p}), sys.Scenario(v, p))
			if own.Failure == nil || own.Failure.Seed > rep.Failure.Seed {
				t.Errorf("%v %v: judged with others under %v it fails at seed %d, alone it %v", v, p, spec, rep.Failure.Seed, own)
				return nil
			}
			vd.Runs, vd.Finding = own.Runs, own.Failure
			out = append(out, vd)
			left = slices.DeleteFunc(left, func(q string) bool { return q == p })
		}
	}
	for _, p := range left {
		out = append(out, Verdict{System: sys.Name, Variant: v, Property: p, Strategies: tried, Runs: runs * len(strategies)})
	}
	slices.SortStableFunc(out, func(a, b Verdict) int {
		return slices.Index(group, a.Property) - slices.Index(group, b.Property)
	})
	return out
}

// options are the exploration options for judging props of sys together
// under spec: named name, runs runs from seed 1, shrinking as sys says,
// configured by sys for props. Its Config also configures the replay of a
// failure of one property.
func options(sys systems.System, name string, spec scheduler.Spec, runs int, props []string) weft.Options {
	return weft.Options{Name: name, Runs: runs, Seed: 1, Spec: spec, ShrinkRuns: sys.ShrinkRuns, Config: sys.Config(name, props...)}
}

// Table judges every variant of sys on every group of its properties, all
// concurrently, each under strategies in turn for runs runs (Judge), prints
// the verdicts' VERDICT lines on standard output in variant, then property
// order, and returns them in that order. It fails t unless there is a
// verdict for every pair, every pass stands on all runs of every strategy,
// and every verdict is the one the system expects (System.Fails). discard
// is Judge's.
func Table(t testing.TB, sys systems.System, strategies []scheduler.Spec, runs int, discard func(*sim.Failure)) []Verdict {
	t.Helper()
	if err := sys.Check(); err != nil {
		t.Fatal(err)
	}
	if len(strategies) == 0 || runs < 1 {
		t.Fatalf("verdict: %d strategies of %d runs: a verdict needs at least one strategy and one run", len(strategies), runs)
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
			j.out = Judge(t, sys, j.v, j.group, strategies, runs, discard)
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
	t.Logf("all verdicts in %v (%d runs for a pass: %d under each of %v)", time.Since(start).Round(time.Millisecond), runs*len(strategies), runs, strategies)
	if want := len(sys.Variants) * len(sys.Properties); len(all) != want {
		t.Fatalf("%d verdicts, want %d", len(all), want)
	}
	for _, vd := range all {
		if vd.Finding == nil && (vd.Runs != runs*len(strategies) || len(vd.Strategies) != len(strategies)) {
			t.Errorf("%v %v passed only %d runs under %v, want %d under each of %v", vd.Variant, vd.Property, vd.Runs, vd.Strategies, runs, strategies)
		}
		if failed := vd.Finding != nil; failed != sys.Fails(vd.Variant, vd.Property) {
			t.Errorf("%s %s: failed=%v, but the system expects failed=%v\n%v", vd.Variant, vd.Property, failed, !failed, vd.Finding)
		}
	}
	return all
}
