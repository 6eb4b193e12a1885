package weft

// The portfolio's members that random and PCT lack: a starvation window
// reaches a bug that needs one process held back while the others
// interleave finely, and the fair mode tells a real livelock from one the
// strategy made.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

func spec(t *testing.T, s string) scheduler.Spec {
	t.Helper()
	sp, err := scheduler.ParseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// watchedWorker: main waits for a worker's result, and gives up on it once
// it has watched a ticker move 100 times, since the worker must be stuck;
// the worker's result then comes too late and is lost. The worker needs
// one scheduling slot, so giving up means it was held back for the
// hundreds of points in which main and the ticker took turns: a window no
// random walk keeps open (each point passes the worker over with odds of
// 2/3), and that PCT never gives, because its priorities let main and the
// ticker take turns only at its one or two change points.
func watchedWorker(w *sim.World) {
	done, gaveUp, tick := false, false, 0
	wg := sim.NewWaitGroup(w)
	wg.Go("worker", func() {
		if gaveUp {
			w.Fatalf("the worker finished after main gave up on it: its result is lost")
		}
		done = true
	})
	wg.Go("ticker", func() {
		for range 300 {
			if done || gaveUp {
				return
			}
			tick++
			w.Yield()
		}
	})
	seen, last := 0, tick
	for !done && !gaveUp {
		if tick != last {
			seen, last = seen+1, tick
		}
		if seen == 100 {
			gaveUp = true
		}
		w.Yield()
	}
	wg.Wait()
}

// Each member of the portfolio explores it alone, as the portfolio runs
// it (with the steps of its calm run, fair after 2,000 points).
func TestStarvationWindowFindsTheHeldBackWorker(t *testing.T) {
	const runs = 300
	found := map[string]int{}
	members := spec(t, Explore(Options{Runs: 1}, watchedWorker).Spec).Members()
	for _, m := range members {
		for base := uint64(0); base < 3; base++ {
			rep := Explore(Options{Spec: m, Seed: base * runs, Runs: runs, ShrinkRuns: 1}, watchedWorker)
			if rep.Failure != nil {
				t.Logf("%s, from seed %d: found at run %d", m, base*runs, rep.Failure.RunIndex+1)
				found[m.Name+fmt.Sprint(m.Depth)]++
				if !strings.Contains(rep.Failure.String(), "its result is lost") {
					t.Fatalf("%s: %v", m, rep.Failure)
				}
			}
		}
	}
	if found["starve0"] != 3 {
		t.Errorf("starve found the lost result in %d of 3 campaigns of %d runs, want all: %v", found["starve0"], runs, found)
	}
	for _, s := range []string{"random0", "pct1", "pct2", "pct3"} {
		if found[s] != 0 {
			t.Errorf("%s found the lost result in %d of 3 campaigns of %d runs; the scenario no longer shows what only a window reaches: %v", s, found[s], runs, found)
		}
	}
	t.Logf("campaigns of %d runs that found it, of 3: %v", runs, found)
}

// retryUntilQuiet: a writer needs its 20-point update to go through
// without the poller resetting the state in between, and retries until it
// does; the poller resets it whenever it runs, until the writer is done.
// Each of the writer's points is a lock of its own mutex, where a calm
// schedule keeps it running, as a real one mostly would: so a fair
// scheduler lets the update through at once. A random walk interrupts it
// at every other point, so the writer retries until the step limit: a
// livelock that is the random walk's own. With yield as the writer's
// step, the poller gets in at every point even when the schedule is calm:
// a livelock of the code's own, that the fair mode reports too.
func retryUntilQuiet(yield bool) func(*sim.World) {
	return func(w *sim.World) {
		busy, finished := false, false
		mine := sim.NewMutex(w)
		w.Go("poller", func() {
			for !finished {
				busy = false
				w.Yield()
			}
		})
		for {
			busy = true
			ok := true
			for range 20 {
				if yield {
					w.Yield()
				} else {
					mine.Lock()
					mine.Unlock()
				}
				if !busy {
					ok = false
					break
				}
			}
			if ok {
				break
			}
		}
		finished = true
	}
}

func TestFairModeTellsARealLivelock(t *testing.T) {
	cfg := sim.Config{MaxSteps: 20_000}
	run := func(s string, yield bool) *Report {
		return Explore(Options{Spec: spec(t, s), Runs: 20, ShrinkRuns: 1, Config: cfg}, retryUntilQuiet(yield))
	}
	isLivelock := func(rep *Report) bool {
		return rep.Failure != nil && rep.Failure.Original.Failure.Kind == sim.StepLimit
	}
	// The random walk's artefact: a step-limit failure on code that a fair
	// scheduler runs through.
	if rep := run("random", false); !isLivelock(rep) {
		t.Fatalf("random: want the step limit, got %v", rep)
	}
	for _, s := range []string{"random+fair:500", "pct:1:50+fair:500", "portfolio"} {
		if rep := run(s, false); rep.Failure != nil {
			t.Errorf("%s: the update goes through once the schedule is fair, but: %v", s, rep.Failure)
		}
	}
	// A real livelock stays one under the fair mode.
	for _, s := range []string{"random+fair:500", "portfolio"} {
		if rep := run(s, true); !isLivelock(rep) {
			t.Errorf("%s, yielding writer: want the step limit, got %v", s, rep)
		}
	}
}

// The portfolio's members are fair: a waiter that spins on Yield for a
// flag passes under every one of them, where PCT alone, giving the waiter
// the higher priority, spins it to the step limit.
func TestPortfolioMembersAreFair(t *testing.T) {
	spin := func(w *sim.World) {
		flag := false
		w.Go("setter", func() { flag = true })
		for !flag {
			w.Yield()
		}
	}
	cfg := sim.Config{MaxSteps: 20_000}
	if rep := Explore(Options{Spec: spec(t, "pct:1"), Runs: 20, ShrinkRuns: 1, Config: cfg}, spin); rep.Failure == nil || rep.Failure.Original.Failure.Kind != sim.StepLimit {
		t.Fatalf("pct:1 alone: want the step limit, got %v", rep)
	}
	rep := Explore(Options{Runs: 200, Config: cfg}, spin)
	if rep.Failure != nil {
		t.Fatalf("the portfolio: %v", rep.Failure)
	}
	if !strings.HasPrefix(rep.Spec, "portfolio:") {
		t.Fatalf("report spec %q", rep.Spec)
	}
}
