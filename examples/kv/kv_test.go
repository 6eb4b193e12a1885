package kv_test

// The scenario's acceptance tests. Method: explore each variant from a fixed
// seed under the fault plan (kv.Configure) and judge it by linearizability.
// The write-behind server must fail within 1,000 runs, as a linearizability
// violation, before and after shrinking; its shrunk run must keep a kill of
// the store (the fault that loses the write) and name it in the report; its
// log must replay to the same run. The write-through server must pass 2,000
// runs under the same plan, and the plan must really strike it (stores
// killed, puts left without an answer). Without faults both pass: the
// defect needs a fault. The same seed gives the same run.

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/examples/kv"
	"github.com/weftsim/weft/internal/testmain"
	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

func TestMain(m *testing.M) { os.Exit(testmain.PrivateTemp(m)) }

// withFaults is the configuration the variants are judged under.
func withFaults() sim.Config {
	var cfg sim.Config
	kv.Configure(&cfg)
	return cfg
}

// withoutFaults checks linearizability only.
func withoutFaults() sim.Config {
	return sim.Config{Properties: []sim.Property{kv.Linearizable()}}
}

func spec(t *testing.T, s string) scheduler.Spec {
	t.Helper()
	sp, err := scheduler.ParseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

var seePath = regexp.MustCompile(`see (\S+\.html)`)

func TestWriteBehindLosesAcknowledgedWrites(t *testing.T) {
	for _, strategy := range []string{"random", "pct:3"} {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			sp := spec(t, strategy)
			scenario := kv.Scenario(kv.WriteBehind)
			rep := weft.Explore(weft.Options{Name: "kv/write-behind", Runs: 1000, Spec: sp, Config: withFaults()}, scenario)
			f := rep.Failure
			if f == nil {
				t.Fatalf("not found in %d runs", rep.Runs)
			}
			if f.Nondeterministic != "" {
				t.Fatalf("nondeterministic: %s", f.Nondeterministic)
			}
			t.Logf("found at run %d (seed %d); %d preemptions shrunk to %d in %d replays; %d decisions",
				rep.Runs, f.Seed, f.PreemptionsBefore, f.PreemptionsAfter, f.ShrinkRuns, len(f.Log.Decisions))

			// The failure is the lost write, before and after shrinking.
			for _, r := range []*sim.Result{f.Original, f.Shrunk} {
				if r.Failure == nil || r.Failure.Kind != sim.PropertyViolated || r.Failure.Property != "linearizable" {
					t.Fatalf("failure %v, want the linearizable property violated", r.Failure)
				}
			}

			// The shrunk run keeps a kill of the store, the fault that
			// matters, and its report names it.
			storeKilled := false
			for _, e := range f.Shrunk.Trace {
				if e.Kind == sim.EventFault && e.Detail == sim.FaultKill.String() && f.Shrunk.Procs[e.Proc] == "kv/store" {
					storeKilled = true
					if reason := f.Shrunk.Processes[e.Proc].Reason; reason != sim.Killed {
						t.Errorf("the store p%d was struck by a kill but ended with %v", e.Proc, reason)
					}
				}
			}
			if !storeKilled {
				t.Fatalf("the shrunk run has no kill of the store\n%v", f)
			}
			report := f.String()
			if head, _, _ := strings.Cut(report, "\n"); !strings.HasPrefix(head, "weft: property linearizable violated: not linearizable") {
				t.Fatalf("the report's headline is %q", head)
			}
			if !regexp.MustCompile(`faults: .*kill of p\d+ "kv/store" at step \d+`).MatchString(report) {
				t.Fatalf("the report does not name the store's kill:\n%s", report)
			}
			// And points at porcupine's visualization, which exists.
			m := seePath.FindStringSubmatch(f.Shrunk.Failure.Error())
			if m == nil {
				t.Fatalf("the failure names no visualization: %v", f.Shrunk.Failure)
			}
			if _, err := os.Stat(m[1]); err != nil {
				t.Fatalf("the visualization: %v", err)
			}

			// The shrunk log, also through its one-line text, replays to
			// the same run.
			parsed, err := scheduler.ParseLog(f.Log.String())
			if err != nil {
				t.Fatalf("ParseLog(%q): %v", f.Log.String(), err)
			}
			for _, l := range []*scheduler.Log{f.Log, parsed} {
				again := sim.Replay(withFaults(), l, scenario)
				if again.Hash != f.Shrunk.Hash {
					t.Fatalf("replay hash %016x, finding's %016x", again.Hash, f.Shrunk.Hash)
				}
				if again.Failure.Signature() != f.Shrunk.Failure.Signature() {
					t.Fatalf("replay failed with %q, finding with %q", again.Failure.Signature(), f.Shrunk.Failure.Signature())
				}
			}

			// The same seed and strategy give the same run.
			cfg := withFaults()
			cfg.Seed = f.Seed
			for range 2 {
				cfg.Strategy = sp.New(f.Seed)
				if r := sim.Run(cfg, scenario); r.Hash != f.Original.Hash || r.Failure.Signature() != f.Original.Failure.Signature() {
					t.Fatalf("seed %d ran to hash %016x (%v), explored %016x (%v)", f.Seed, r.Hash, r.Failure, f.Original.Hash, f.Original.Failure)
				}
			}
		})
	}
}

// fixedRuns is how many runs the write-through server must pass under
// faults: 2,000, or 500 with -short or the race detector.
func fixedRuns() int {
	if testing.Short() || raceEnabled {
		return 500
	}
	return 2000
}

func TestWriteThroughSurvivesFaults(t *testing.T) {
	runs := fixedRuns()
	rep := weft.Explore(weft.Options{Name: "kv/write-through", Runs: runs, Config: withFaults()}, kv.Scenario(kv.WriteThrough))
	if rep.Failure != nil {
		t.Fatalf("%v", rep)
	}
	if rep.Runs != runs {
		t.Fatalf("ran %d runs, want %d", rep.Runs, runs)
	}
	t.Logf("%v", rep)
}

// TestFaultsStrikeTheStore checks that the write-through server's passing
// is not for want of faults: under the plan, the store is killed by a fault
// in most runs, and puts are cut short (left open) in many.
func TestFaultsStrikeTheStore(t *testing.T) {
	const runs = 200
	storeKills, openPuts := 0, 0
	for seed := range uint64(runs) {
		cfg := withFaults()
		cfg.Seed = seed
		cfg.KeepTrace = true
		r := sim.Run(cfg, kv.Scenario(kv.WriteThrough))
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		for _, e := range r.Trace {
			if e.Kind == sim.EventFault && e.Detail == sim.FaultKill.String() && r.Procs[e.Proc] == "kv/store" {
				storeKills++
				break
			}
		}
		for _, op := range r.History {
			if op.Open() && op.Input.(model.KVInput).Op == model.Put {
				openPuts++
				break
			}
		}
	}
	t.Logf("of %d runs, %d killed the store, %d left a put open", runs, storeKills, openPuts)
	if storeKills < runs/4 || openPuts < runs/4 {
		t.Fatalf("of %d runs, only %d killed the store and %d left a put open: the plan hardly strikes", runs, storeKills, openPuts)
	}
}

// TestWithoutFaultsBothPass: the defect needs a fault. Without one, the
// write-behind server's casts are applied before any later read, because
// every read queues behind them in the store's mailbox.
func TestWithoutFaultsBothPass(t *testing.T) {
	runs := fixedRuns() / 2
	for _, v := range kv.Variants() {
		t.Run(v.String(), func(t *testing.T) {
			rep := weft.Explore(weft.Options{Name: "kv/" + v.String(), Runs: runs, Config: withoutFaults()}, kv.Scenario(v))
			if rep.Failure != nil {
				t.Fatalf("%v", rep)
			}
			if rep.Runs != runs {
				t.Fatalf("ran %d runs, want %d", rep.Runs, runs)
			}
		})
	}
}

// TestDeterminism: every seed of a short exploration, run twice, runs the
// same way, and different seeds do not all collapse into one run.
func TestDeterminism(t *testing.T) {
	for _, v := range kv.Variants() {
		for _, faults := range []bool{false, true} {
			name := v.String()
			cfg := withoutFaults()
			if faults {
				name += "/faults"
				cfg = withFaults()
			}
			t.Run(name, func(t *testing.T) {
				hashes := map[uint64]bool{}
				for seed := range uint64(30) {
					cfg.Seed = seed
					a := sim.Run(cfg, kv.Scenario(v))
					b := sim.Run(cfg, kv.Scenario(v))
					if a.Hash != b.Hash || a.Failure.Signature() != b.Failure.Signature() {
						t.Fatalf("seed %d: hash %016x (%v), then %016x (%v)", seed, a.Hash, a.Failure, b.Hash, b.Failure)
					}
					hashes[a.Hash] = true
				}
				if len(hashes) < 20 {
					t.Fatalf("30 seeds ran only %d ways", len(hashes))
				}
				// A failure is no concern here (the write-behind server
				// fails under faults): do not spend time shrinking it.
				rep := weft.Explore(weft.Options{Name: "kv/" + name, Runs: 50, CheckDeterminism: true, ShrinkRuns: 1, Config: cfg}, kv.Scenario(v))
				if f := rep.Failure; f != nil && f.Nondeterministic != "" {
					t.Fatalf("%s", f.Nondeterministic)
				}
			})
		}
	}
}
