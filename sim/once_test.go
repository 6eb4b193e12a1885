package sim

// Once and OnceFunc, OnceValue, OnceValues. Method: what a caller observes
// when the function panics is compared with the real sync package running
// the same program; that concurrent Do calls wait for the first is checked
// over seeds, with a count of the seeds in which one really blocked; the
// recursive Do deadlock is checked under the calm schedule. The table in
// mutex_test.go adds "f runs once, before any Do returns".

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// onceObservations runs the panic program with do as Once.Do: the first
// call's function panics, the second's would record that it ran.
func onceObservations(do func(func())) []string {
	p := syncRecover(func() { do(func() { panic("first") }) })
	ran := false
	do(func() { ran = true })
	return []string{fmt.Sprint("first Do panicked with ", p), fmt.Sprint("second function ran: ", ran)}
}

func TestOncePanicCountsAsDoneMatchesGo(t *testing.T) {
	var real sync.Once
	want := onceObservations(real.Do)
	if want[1] != "second function ran: false" {
		t.Fatalf("real Go: %v", want)
	}
	var got []string
	r := Run(syncCalm(), func(w *World) { got = onceObservations(NewOnce(w).Do) })
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("weft %v, real Go %v", got, want)
	}
}

// TestOnceConcurrentDoWaits: a Do that comes while the function runs blocks
// until it has returned.
func TestOnceConcurrentDoWaits(t *testing.T) {
	waited := 0
	for seed := range uint64(syncSeeds) {
		r := Run(Config{Seed: seed, KeepTrace: true}, func(w *World) {
			once := NewOnce(w)
			wg := NewWaitGroup(w)
			finished := false
			for i := range 2 {
				wg.Go("caller"+strconv.Itoa(i), func() {
					once.Do(func() { w.Yield(); finished = true })
					if !finished {
						w.Fatalf("Do returned before the function finished")
					}
				})
			}
			wg.Wait()
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		for _, e := range r.Trace {
			if e.Kind == EventBlock && e.Obj == 1 {
				waited++
				break
			}
		}
	}
	if waited == 0 {
		t.Fatalf("no seed had a Do wait for the function")
	}
}

func TestOnceRecursiveDoDeadlocks(t *testing.T) {
	cfg := syncCalm()
	cfg.KeepTrace = true // for the holder's name
	r := Run(cfg, func(w *World) {
		once := NewOnce(w).Named("init")
		once.Do(func() { once.Do(func() {}) })
	})
	f := r.Failure
	want := regexp.MustCompile(`^p0 "main" blocked in once on once#1 "init" created at sim/once_test.go:\d+, whose function runs in p0 "main" itself$`)
	if f == nil || f.Kind != Deadlock || len(f.Blocked) != 1 || !want.MatchString(f.Blocked[0].String()) {
		t.Fatalf("failure %v, want a deadlock with %s", f, want)
	}
}

// onceFuncObservations calls the functions OnceFunc, OnceValue and
// OnceValues made, twice each, and records what they did.
func onceFuncObservations(
	onceFunc func(func()) func(),
	onceValue func(func() int) func() int,
	onceValues func(func() (int, string)) func() (int, string),
) []string {
	var out []string
	calls := 0
	f := onceFunc(func() { calls++; panic(fmt.Sprint("bad ", calls)) })
	for range 2 {
		out = append(out, fmt.Sprint(syncRecover(f)))
	}
	v := onceValue(func() int { calls++; return 40 + calls })
	vs := onceValues(func() (int, string) { calls++; return calls, "x" })
	for range 2 {
		a, b := vs()
		out = append(out, fmt.Sprint(v(), a, b))
	}
	return append(out, fmt.Sprint("calls ", calls))
}

func TestOnceFuncsMatchGo(t *testing.T) {
	want := onceFuncObservations(sync.OnceFunc, sync.OnceValue[int], sync.OnceValues[int, string])
	if want[0] != "bad 1" || want[1] != "bad 1" {
		t.Fatalf("real Go: %v", want)
	}
	var got []string
	r := Run(syncCalm(), func(w *World) {
		got = onceFuncObservations(
			func(f func()) func() { return OnceFunc(w, f) },
			func(f func() int) func() int { return OnceValue(w, f) },
			func(f func() (int, string)) func() (int, string) { return OnceValues(w, f) },
		)
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("weft %v, real Go %v", got, want)
	}
}
