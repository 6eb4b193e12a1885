package main

// The search with partial-order reduction must run every class of
// schedules (scheduler.Class: runs equal up to the order of commuting
// transitions) that the plain search runs at the same bound, the bound
// counting changes the same way (a hold's continuation free). Method: run
// both searches to their end on fixed scenarios, fingerprint every run,
// and compare the sets.

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// twoSenders sends three times from each of two processes on one channel.
func twoSenders(w *sim.World) {
	ch := sim.NewChan[int](w, 6)
	wg := sim.NewWaitGroup(w)
	for i := range 2 {
		wg.Go("sender", func() {
			for range 3 {
				ch.Send(i)
			}
		})
	}
	wg.Wait()
}

// sleepers is one batch of zoo/waitgroup-reuse-fixed without its reporter:
// two workers sleep, so the run crosses a clock advance and a timer tie.
func sleepers(w *sim.World) {
	wg := sim.NewWaitGroup(w)
	wg.Add(2)
	for range 2 {
		w.Go("worker", func() {
			defer wg.Done()
			w.Sleep(time.Millisecond)
		})
	}
	wg.Wait()
}

// reported is sleepers with zoo/waitgroup-reuse-fixed's reporter, which
// waits for the batch too.
func reported(w *sim.World) {
	wg := sim.NewWaitGroup(w)
	wg.Add(2)
	for range 2 {
		w.Go("worker", func() {
			defer wg.Done()
			w.Sleep(time.Millisecond)
		})
	}
	w.Go("reporter", func() { wg.Wait() })
	wg.Wait()
}

// classesRun runs a search to its end (false when it takes more than limit
// runs) and returns the classes of its runs and their number.
func classesRun(cfg sim.Config, scenario func(*sim.World), search interface {
	Next() ([]scheduler.Decision, bool)
}, record func(*sim.Result), limit int) (map[uint64]bool, int, bool) {
	seen, runs := map[uint64]bool{}, 0
	for p, ok := search.Next(); ok; p, ok = search.Next() {
		if runs == limit {
			return seen, runs, false
		}
		c := cfg
		c.Strategy, c.Footprint = scheduler.Replay(p), true
		r := sim.Run(c, scenario)
		if r.Failure != nil {
			panic(fmt.Sprintf("run %d of %v: %v", runs, p, r.Failure))
		}
		seen[scheduler.Class(r.Transitions)] = true
		record(r)
		runs++
	}
	return seen, runs, true
}

func TestDPORRunsEveryClassThePlainSearchRuns(t *testing.T) {
	zoo := func(name string) (sim.Config, func(*sim.World)) {
		e, err := lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		return e.config(), e.Scenario
	}
	type scenario struct {
		name     string
		bound    int  // 100: none a run reaches
		long     bool // seconds: left out of make test
		scenario func() (sim.Config, func(*sim.World))
	}
	plainScenario := func(f func(*sim.World)) func() (sim.Config, func(*sim.World)) {
		return func() (sim.Config, func(*sim.World)) { return sim.Config{}, f }
	}
	zooScenario := func(name string) func() (sim.Config, func(*sim.World)) {
		return func() (sim.Config, func(*sim.World)) { return zoo(name) }
	}
	for _, tt := range []scenario{
		{"two senders", 2, false, plainScenario(twoSenders)},
		{"two senders", 3, false, plainScenario(twoSenders)},
		{"two senders", 100, true, plainScenario(twoSenders)},
		{"sleepers", 100, false, plainScenario(sleepers)},
		{"sleepers and a reporter", 100, true, plainScenario(reported)},
		{"zoo/waitgroup-reuse-fixed", 2, false, zooScenario("zoo/waitgroup-reuse-fixed")},
		{"zoo/waitgroup-reuse-fixed", 3, true, zooScenario("zoo/waitgroup-reuse-fixed")},
		{"zoo/lost-update-fixed", 2, true, zooScenario("zoo/lost-update-fixed")},
		{"zoo/send-on-closed-fixed", 2, false, zooScenario("zoo/send-on-closed-fixed")},
		{"zoo/send-on-closed-fixed", 3, true, zooScenario("zoo/send-on-closed-fixed")},
		{"zoo/deadlock-fixed", 3, true, zooScenario("zoo/deadlock-fixed")},
	} {
		t.Run(fmt.Sprintf("%s/bound %d", tt.name, tt.bound), func(t *testing.T) {
			if tt.long && os.Getenv("WEFT_DPOR_LONG") == "" {
				t.Skip("seconds each: WEFT_DPOR_LONG=1 runs it")
			}
			cfg, sc := tt.scenario()
			const limit = 300_000
			tree, dpor := scheduler.NewTree(tt.bound), scheduler.NewDPOR(tt.bound)
			plain, plainRuns, ended := classesRun(cfg, sc, tree, func(r *sim.Result) { tree.RecordHolds(r.Decisions, r.Holds) }, limit)
			if !ended {
				t.Fatalf("the plain search did not end in %d runs", limit)
			}
			reduced, reducedRuns, ended := classesRun(cfg, sc, dpor, func(r *sim.Result) { dpor.RecordRun(r.Decisions, r.Holds, r.Transitions) }, limit)
			if !ended {
				t.Fatalf("the reduced search did not end in %d runs", limit)
			}
			missing := 0
			for c := range plain {
				if !reduced[c] {
					missing++
				}
			}
			if missing > 0 || reducedRuns > plainRuns || dpor.Classes() != len(reduced) {
				t.Fatalf("%d of the %d classes of the plain search's %d runs missing from the reduced search's %d runs (%d classes, it counts %d)",
					missing, len(plain), plainRuns, reducedRuns, len(reduced), dpor.Classes())
			}
			t.Logf("%d classes: %d runs plain, %d reduced (%d classes)", len(plain), plainRuns, reducedRuns, len(reduced))
		})
	}
}
