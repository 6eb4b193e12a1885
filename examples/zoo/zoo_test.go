package zoo_test

// The zoo's acceptance tests. Method: every bug is explored from seed 0
// under the random walk and under PCT of depth 3, and must be found within
// 1,000 runs, as the kind of failure the bug is (a Fatalf, a deadlock, a
// panic with Go's message, a leak). Its shrunk log must have at most three
// preemptions and must replay to the very run the finding reports (same
// trace hash, same failure). Every fixed twin must pass 10,000 runs under
// both strategies (1,000 with -short). Exploration is deterministic, so
// these tests are too: the seeds that find each bug are the same every time.

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/examples/zoo"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

type bug struct {
	name         string
	buggy, fixed func(*sim.World)
	kind         sim.FailureKind
	// message is a piece of the failure's text that names the bug.
	message string
}

var bugs = []bug{
	{"LostUpdate", zoo.LostUpdate, zoo.LostUpdateFixed, sim.Fatal, "lost update: the counter missed increments"},
	{"Deadlock", zoo.Deadlock, zoo.DeadlockFixed, sim.Deadlock, `"teller a->b" blocked in lock on mutex`},
	{"SendOnClosed", zoo.SendOnClosed, zoo.SendOnClosedFixed, sim.Panic, `"client" panicked: send on closed channel`},
	{"WaitGroupReuse", zoo.WaitGroupReuse, zoo.WaitGroupReuseFixed, sim.Panic, `"reporter" panicked: sync: WaitGroup is reused before previous Wait has returned`},
	{"Leak", zoo.Leak, zoo.LeakFixed, sim.Leak, `"backend" blocked in send on chan`},
}

var strategies = []string{"random", "pct:3"}

func spec(t *testing.T, s string) scheduler.Spec {
	t.Helper()
	sp, err := scheduler.ParseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func TestBugsAreFound(t *testing.T) {
	for _, b := range bugs {
		for _, strategy := range strategies {
			t.Run(b.name+"/"+strategy, func(t *testing.T) {
				t.Parallel()
				sp := spec(t, strategy)
				rep := weft.Explore(weft.Options{Name: b.name, Runs: 1000, Spec: sp}, b.buggy)
				f := rep.Failure
				if f == nil {
					t.Fatalf("not found in %d runs", rep.Runs)
				}
				if f.Nondeterministic != "" {
					t.Fatalf("nondeterministic: %s", f.Nondeterministic)
				}
				t.Logf("found at run %d (seed %d); %d preemptions shrunk to %d in %d replays",
					rep.Runs, f.Seed, f.PreemptionsBefore, f.PreemptionsAfter, f.ShrinkRuns)

				// The failure is the bug, before and after shrinking.
				for _, r := range []*sim.Result{f.Original, f.Shrunk} {
					if r.Failure == nil || r.Failure.Kind != b.kind {
						t.Fatalf("failure %v, want kind %v", r.Failure, b.kind)
					}
					if !strings.Contains(r.Failure.Error(), b.message) {
						t.Fatalf("failure %q does not say %q", r.Failure.Error(), b.message)
					}
				}
				if f.Shrunk.Failure.Signature() != f.Original.Failure.Signature() {
					t.Fatalf("shrinking changed the failure from %q to %q", f.Original.Failure.Signature(), f.Shrunk.Failure.Signature())
				}
				if f.PreemptionsAfter > 3 {
					t.Errorf("the shrunk log has %d preemptions, want at most 3\n%v", f.PreemptionsAfter, f)
				}
				if got := scheduler.Preemptions(f.Log.Decisions); got != f.PreemptionsAfter {
					t.Errorf("the log has %d preemptions, the finding says %d", got, f.PreemptionsAfter)
				}

				// The shrunk log, also through its one-line text, replays
				// to the same run.
				parsed, err := scheduler.ParseLog(f.Log.String())
				if err != nil {
					t.Fatalf("ParseLog(%q): %v", f.Log.String(), err)
				}
				for _, l := range []*scheduler.Log{f.Log, parsed} {
					again := sim.Replay(sim.Config{}, l, b.buggy)
					if again.Hash != f.Shrunk.Hash {
						t.Fatalf("replay hash %016x, finding's %016x", again.Hash, f.Shrunk.Hash)
					}
					if again.Failure.Signature() != f.Shrunk.Failure.Signature() {
						t.Fatalf("replay failed with %q, finding with %q", again.Failure.Signature(), f.Shrunk.Failure.Signature())
					}
				}

				// The same seed and strategy give the same run.
				h1 := sim.Run(sim.Config{Seed: f.Seed, Strategy: sp.New(f.Seed)}, b.buggy).Hash
				h2 := sim.Run(sim.Config{Seed: f.Seed, Strategy: sp.New(f.Seed)}, b.buggy).Hash
				if h1 != h2 || h1 != f.Original.Hash {
					t.Fatalf("seed %d: hashes %016x, %016x, explored %016x", f.Seed, h1, h2, f.Original.Hash)
				}
			})
		}
	}
}

// fixedRuns is how many runs a fixed twin must pass: 10,000, or 1,000 with
// -short or under the race detector.
func fixedRuns() int {
	if testing.Short() || raceEnabled {
		return 1000
	}
	return 10_000
}

func TestFixedPass(t *testing.T) {
	runs := fixedRuns()
	for _, b := range bugs {
		for _, strategy := range strategies {
			t.Run(b.name+"Fixed/"+strategy, func(t *testing.T) {
				t.Parallel()
				rep := weft.Explore(weft.Options{Name: b.name + "Fixed", Runs: runs, Spec: spec(t, strategy)}, b.fixed)
				if rep.Failure != nil {
					t.Fatalf("%v", rep)
				}
				if rep.Runs != runs {
					t.Fatalf("ran %d runs, want %d", rep.Runs, runs)
				}
				t.Logf("%v", rep)
			})
		}
	}
}

// TestExplorationIsDeterministic checks the zoo's scenarios against
// themselves, as -weft.check-determinism does: every one of 10,000 seeds
// (1,000 with -short or -race), run twice, has the same hash and fails the
// same way or not at all, under both strategies; and different seeds do
// not all collapse into one run.
func TestExplorationIsDeterministic(t *testing.T) {
	seeds := uint64(fixedRuns())
	for _, b := range bugs {
		for _, sc := range []struct {
			name string
			f    func(*sim.World)
		}{{b.name, b.buggy}, {b.name + "Fixed", b.fixed}} {
			for _, strategy := range strategies {
				t.Run(sc.name+"/"+strategy, func(t *testing.T) {
					t.Parallel()
					sp := spec(t, strategy)
					hashes := map[uint64]bool{}
					for seed := range seeds {
						a := sim.Run(sim.Config{Seed: seed, Strategy: sp.New(seed)}, sc.f)
						again := sim.Run(sim.Config{Seed: seed, Strategy: sp.New(seed)}, sc.f)
						if a.Hash != again.Hash || a.Failure.Signature() != again.Failure.Signature() {
							t.Fatalf("seed %d: hash %016x (%q), then %016x (%q)", seed, a.Hash, a.Failure.Signature(), again.Hash, again.Failure.Signature())
						}
						hashes[a.Hash] = true
					}
					if len(hashes) < 2 {
						t.Fatalf("%d seeds ran one way only: the scenario explores nothing", seeds)
					}
				})
			}
		}
	}
}

// TestSendOnClosedPanicsAsGoDoes compares the zoo's panic with the one real
// Go raises for the same misuse: the same message, and a runtime.Error.
func TestSendOnClosedPanicsAsGoDoes(t *testing.T) {
	ch := make(chan int, 1)
	close(ch)
	var goPanic any
	func() {
		defer func() { goPanic = recover() }()
		ch <- 1
	}()

	rep := weft.Explore(weft.Options{Runs: 1000}, zoo.SendOnClosed)
	if rep.Failure == nil {
		t.Fatal("not found")
	}
	simPanic := rep.Failure.Shrunk.Failure.Value
	if fmt.Sprint(simPanic) != fmt.Sprint(goPanic) {
		t.Fatalf("sim panicked with %q, Go with %q", simPanic, goPanic)
	}
	if _, ok := simPanic.(runtime.Error); !ok {
		t.Fatalf("sim's panic value %T is not a runtime.Error, Go's %T is", simPanic, goPanic)
	}
}

// TestSearchFindsEveryBug runs the exhaustive search (dfs:2: every schedule
// within two changes of the calm one) on each bug and each fix: the bugs are
// found, and each fix survives the whole bounded search, which is a stronger
// statement than any number of random runs.
func TestSearchFindsEveryBug(t *testing.T) {
	sp := spec(t, "dfs:2")
	for _, b := range bugs {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			rep := weft.Explore(weft.Options{Name: b.name, Runs: 100_000, Spec: sp}, b.buggy)
			if rep.Failure == nil || rep.Failure.Original.Failure.Kind != b.kind {
				t.Fatalf("dfs:2 on %s: %v", b.name, rep)
			}
			fixed := weft.Explore(weft.Options{Name: b.name + "Fixed", Runs: 100_000, Spec: sp}, b.fixed)
			if fixed.Failure != nil || !fixed.Exhausted {
				t.Fatalf("dfs:2 on %sFixed: exhausted %v after %d runs: %v", b.name, fixed.Exhausted, fixed.Runs, fixed.Failure)
			}
			t.Logf("%s found at run %d; %sFixed: all %d logs within the bound pass", b.name, rep.Failure.Seed, b.name, fixed.Runs)
		})
	}
}
