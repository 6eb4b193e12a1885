package weft

// The exhaustive search (strategy dfs:<bound>): it finds what needs few
// changes from the calm run, it ends, and its run N can be replayed alone.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

func dfs(t *testing.T, bound int) scheduler.Spec {
	t.Helper()
	return searchSpec(t, "dfs", bound)
}

func dpor(t *testing.T, bound int) scheduler.Spec {
	t.Helper()
	return searchSpec(t, "dpor", bound)
}

func searchSpec(t *testing.T, name string, bound int) scheduler.Spec {
	t.Helper()
	sp, err := scheduler.ParseSpec(name + ":" + strconv.Itoa(bound))
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func TestSearchFindsLostUpdate(t *testing.T) {
	rep := Explore(Options{Spec: dfs(t, 1), Runs: 10_000}, lostUpdate)
	if rep.Failure == nil {
		t.Fatalf("dfs:1 did not find the lost update in %d runs (exhausted %v)", rep.Runs, rep.Exhausted)
	}
	if !strings.Contains(rep.Failure.String(), "strategy dfs:1") || rep.Failure.PreemptionsAfter > 1 {
		t.Fatalf("report:\n%v", rep.Failure)
	}
	again := sim.Replay(sim.Config{}, rep.Failure.Log, lostUpdate)
	if again.Hash != rep.Failure.Shrunk.Hash {
		t.Fatal("the finding does not replay")
	}
}

func TestSearchExhaustsAndIsExact(t *testing.T) {
	// Two processes, each sending twice on a buffered channel: a small
	// tree that every bound covers completely.
	scenario := func(w *sim.World) {
		ch := sim.NewChan[int](w, 4)
		done := sim.NewChan[int](w, 2)
		for i := 0; i < 2; i++ {
			w.Go("sender", func() {
				ch.Send(i)
				ch.Send(i)
				done.Send(0)
			})
		}
		done.Recv()
		done.Recv()
	}
	prev := 0
	for bound := 1; bound <= 3; bound++ {
		rep := Explore(Options{Spec: dfs(t, bound), Runs: 100_000}, scenario)
		if rep.Failure != nil || !rep.Exhausted {
			t.Fatalf("bound %d: failure %v, exhausted %v after %d runs", bound, rep.Failure, rep.Exhausted, rep.Runs)
		}
		if rep.Runs <= prev {
			t.Fatalf("bound %d ran %d logs, bound %d ran %d: a larger bound must search more", bound, rep.Runs, bound-1, prev)
		}
		if !strings.Contains(rep.String(), "the search ran every log within its bound") {
			t.Fatalf("report: %s", rep)
		}
		prev = rep.Runs
	}

	// The logs of a search are distinct, and so are (nearly all) their runs.
	var hashes []uint64
	tree := scheduler.NewTree(2)
	for p, ok := tree.Next(); ok; p, ok = tree.Next() {
		r := sim.Run(sim.Config{Strategy: scheduler.Replay(p)}, scenario)
		hashes = append(hashes, r.Hash)
		tree.RecordHolds(r.Decisions, r.Holds)
	}
	seen := map[uint64]bool{}
	for _, h := range hashes {
		seen[h] = true
	}
	if len(hashes) != prevRuns(t, scenario) || len(seen) < len(hashes)*9/10 {
		t.Fatalf("%d logs, %d distinct runs", len(hashes), len(seen))
	}
}

func prevRuns(t *testing.T, scenario func(*sim.World)) int {
	return Explore(Options{Spec: dfs(t, 2), Runs: 100_000}, scenario).Runs
}

// The seed of a search's finding is its run index: Seed k with one run
// replays the search's run k, as the report's seed command promises.
func TestSearchSeedReproducesRun(t *testing.T) {
	full := Explore(Options{Spec: dfs(t, 2), Runs: 10_000}, lostUpdate)
	if full.Failure == nil || full.Failure.Seed == 0 {
		t.Fatalf("want a failure past the calm run: %v", full)
	}
	k := full.Failure.Seed
	one := Explore(Options{Spec: dfs(t, 2), Seed: k, Runs: 1}, lostUpdate)
	if one.Runs != 1 || one.Failure == nil || one.Failure.Original.Hash != full.Failure.Original.Hash {
		t.Fatalf("seed %d alone: %v", k, one)
	}
	if one.Failure.Seed != k {
		t.Fatalf("seed %d alone reports seed %d", k, one.Failure.Seed)
	}
}

func TestSearchRefusesShards(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "cannot be sharded") {
			t.Fatalf("panic %v", r)
		}
	}()
	Explore(Options{Spec: dfs(t, 1), Shards: 2}, lostUpdate)
}

// With partial-order reduction, the search runs about one schedule per
// class of schedules equal up to the order of commuting operations: two
// senders on channels of their own, or on one shared channel, give it no
// more schedules than the plain search, and fewer from bound 2; it says
// how many classes it ran.
func TestSearchReducesCommutingSchedules(t *testing.T) {
	senders := func(shared bool) func(*sim.World) {
		return func(w *sim.World) {
			wg := sim.NewWaitGroup(w)
			chans := []*sim.Chan[int]{sim.NewChan[int](w, 6), sim.NewChan[int](w, 6)}
			for i := range 2 {
				c := chans[i]
				if shared {
					c = chans[0]
				}
				wg.Go("sender", func() {
					for range 3 {
						c.Send(i)
					}
				})
			}
			wg.Wait()
		}
	}
	for _, shared := range []bool{false, true} {
		for bound := 1; bound <= 3; bound++ {
			plain := Explore(Options{Spec: dfs(t, bound), Runs: 100_000}, senders(shared))
			reduced := Explore(Options{Spec: dpor(t, bound), Runs: 100_000}, senders(shared))
			if !plain.Exhausted || !reduced.Exhausted || plain.Failure != nil || reduced.Failure != nil {
				t.Fatalf("shared %v bound %d: plain %v, reduced %v", shared, bound, plain, reduced)
			}
			t.Logf("shared %v bound %d: %d schedules plain, %d with DPOR, %d classes", shared, bound, plain.Runs, reduced.Runs, reduced.Classes)
			if reduced.Runs > plain.Runs || bound > 1 && reduced.Runs == plain.Runs || reduced.Classes < 1 || reduced.Classes > reduced.Runs {
				t.Errorf("shared %v bound %d: %d schedules plain, %d with DPOR in %d classes", shared, bound, plain.Runs, reduced.Runs, reduced.Classes)
			}
			if !strings.Contains(reduced.String(), fmt.Sprintf("having run %d classes of schedules within its bound", reduced.Classes)) {
				t.Errorf("report: %s", reduced)
			}
		}
	}
}

// Unbounded, the reduced search runs every class of schedules the plain
// one runs, in fewer runs. (Within a small bound it may not: see
// scheduler.DPOR; BENCHMARKS.md measures how many it leaves out.)
func TestDPORUnboundedRunsEveryClass(t *testing.T) {
	scenario := func(w *sim.World) {
		wg := sim.NewWaitGroup(w)
		shared, own := sim.NewChan[int](w, 4), sim.NewChan[int](w, 4)
		wg.Go("sender", func() {
			shared.Send(0)
			shared.Send(0)
		})
		wg.Go("sender", func() {
			shared.Send(1)
			own.Send(1)
		})
		wg.Wait()
	}
	classes := func(search interface {
		Next() ([]scheduler.Decision, bool)
	}, record func(*sim.Result)) (map[uint64]bool, int) {
		seen, runs := map[uint64]bool{}, 0
		for p, ok := search.Next(); ok; p, ok = search.Next() {
			r := sim.Run(sim.Config{Strategy: scheduler.Replay(p), Footprint: true}, scenario)
			seen[scheduler.Class(r.Transitions)] = true
			record(r)
			runs++
		}
		return seen, runs
	}
	tree, reduced := scheduler.NewTree(100), scheduler.NewDPOR(100)
	plainClasses, plainRuns := classes(tree, func(r *sim.Result) { tree.Record(r.Decisions) })
	dporClasses, dporRuns := classes(reduced, func(r *sim.Result) { reduced.RecordRun(r.Decisions, r.Holds, r.Transitions) })
	for c := range plainClasses {
		if !dporClasses[c] {
			t.Fatalf("a class the plain search ran is missing: %d classes in %d runs plain, %d in %d reduced", len(plainClasses), plainRuns, len(dporClasses), dporRuns)
		}
	}
	if dporRuns >= plainRuns || reduced.Classes() != len(dporClasses) {
		t.Fatalf("%d classes in %d runs plain, %d in %d reduced (Classes %d)", len(plainClasses), plainRuns, len(dporClasses), dporRuns, reduced.Classes())
	}
	t.Logf("%d classes: %d runs plain, %d reduced", len(plainClasses), plainRuns, dporRuns)
}
