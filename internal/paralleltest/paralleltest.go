// Package paralleltest holds what the tests of package parallel and of its
// examples share: running parallel.Test on a failure they expect, and the
// proof that a shrunk workload is minimal, by exhaustive bounded search
// (weft.Explore under dfs), apart from Shrink's own search.
package paralleltest

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/parallel"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Recorded runs parallel.Test for t on a recorder, so that a test that
// expects a failure reads the report instead of failing; msg is what
// parallel.Test said.
func Recorded[S, Sys any](t testing.TB, m parallel.Machine[S, Sys], opts parallel.Options) (rep *parallel.Report, msg string) {
	t.Helper()
	rec := &recorder{TB: t}
	rep = parallel.Test(rec, m, opts)
	if rep != nil != rec.failed {
		t.Fatalf("parallel.Test returned %v but failed %v: %s", rep, rec.failed, rec.msg)
	}
	return rep, rec.msg
}

// Checked runs rapid.Check for t on a recorder, with prop, and returns
// whether it failed and what rapid said.
func Checked(t testing.TB, prop func(*rapid.T)) (failed bool, msg string) {
	t.Helper()
	rec := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil && p != errStop {
				panic(p)
			}
		}()
		rapid.Check(rec, prop)
	}()
	return rec.failed, rec.msg
}

type recorder struct {
	testing.TB
	failed bool
	msg    string
}

var errStop = errors.New("paralleltest: FailNow")

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.failed = true; r.msg += fmt.Sprintf(f, a...) + "\n" }
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.FailNow() }
func (r *recorder) FailNow()                  { r.failed = true; panic(errStop) }
func (r *recorder) Failed() bool              { return r.failed }
func (r *recorder) Logf(f string, a ...any)   { r.msg += fmt.Sprintf(f, a...) + "\n" }

// RequireMinimal fails t unless every workload one command smaller than
// wl passes every schedule within bound changes (weft.Explore under dfs,
// run to its end).
func RequireMinimal[S, Sys any](t *testing.T, m parallel.Machine[S, Sys], wl parallel.Workload, bound int) {
	t.Helper()
	ps := append([][]parallel.Invocation{wl.Prefix}, wl.Clients...)
	var smaller []parallel.Workload
	for p, cs := range ps {
		for i := range cs {
			qs := slices.Clone(ps)
			qs[p] = slices.Delete(slices.Clone(cs), i, i+1)
			smaller = append(smaller, workloadOf(qs))
		}
	}
	if len(smaller) != wl.Size().Commands {
		t.Fatalf("%d workloads one command smaller than one of %d commands", len(smaller), wl.Size().Commands)
	}
	RequireNoneFails(t, m, smaller, bound)
}

// RequireNoneFails fails t unless each of wls passes every schedule within
// bound changes.
func RequireNoneFails[S, Sys any](t *testing.T, m parallel.Machine[S, Sys], wls []parallel.Workload, bound int) {
	t.Helper()
	for _, wl := range wls {
		rep := weft.Explore(weft.Options{
			Runs:   1_000_000,
			Spec:   scheduler.Spec{Name: "dfs", Depth: bound},
			Config: sim.Config{Properties: []sim.Property{m.Property(0)}},
		}, m.Scenario(wl))
		if rep.Failure != nil || !rep.Exhausted {
			t.Fatalf("the workload\n%sfails or was not searched to the end within %d changes (%d runs): %v", wl, bound, rep.Runs, rep.Failure)
		}
	}
}

// AllWorkloads returns every workload of exactly n commands drawn from
// invs: every prefix length, every split of the rest into clients (in
// order), every choice of command at every place.
func AllWorkloads(invs []parallel.Invocation, n int) []parallel.Workload {
	var shapes [][]int // lengths: the prefix's, then each client's
	var split func(left int, parts []int)
	split = func(left int, parts []int) {
		if left == 0 {
			shapes = append(shapes, slices.Clone(parts))
			return
		}
		for k := 1; k <= left; k++ {
			split(left-k, append(parts, k))
		}
	}
	for prefix := 0; prefix <= n; prefix++ {
		split(n-prefix, []int{prefix})
	}
	var out []parallel.Workload
	for _, shape := range shapes {
		pick := make([]int, n)
		for {
			var ps [][]parallel.Invocation
			at := 0
			for _, k := range shape {
				var cs []parallel.Invocation
				for _, i := range pick[at : at+k] {
					cs = append(cs, invs[i])
				}
				ps, at = append(ps, cs), at+k
			}
			out = append(out, workloadOf(ps))
			i := n - 1
			for ; i >= 0 && pick[i] == len(invs)-1; i-- {
				pick[i] = 0
			}
			if i < 0 {
				break
			}
			pick[i]++
		}
	}
	return out
}

func workloadOf(ps [][]parallel.Invocation) parallel.Workload {
	wl := parallel.Workload{Prefix: ps[0]}
	for _, cs := range ps[1:] {
		if len(cs) > 0 {
			wl.Clients = append(wl.Clients, cs)
		}
	}
	return wl
}

// RapidFlags sets rapid's flags for the rest of the test, those the
// command line does not give: a fixed seed, so that what the test finds
// does not depend on the clock.
func RapidFlags(t testing.TB, values map[string]string) {
	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, v := range values {
		f := flag.Lookup(name)
		if f == nil {
			t.Fatalf("no flag %s", name)
		}
		if given[name] {
			continue // the command line's, as a printed command gives it
		}
		old := f.Value.String()
		if err := f.Value.Set(v); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Value.Set(old) })
	}
}
