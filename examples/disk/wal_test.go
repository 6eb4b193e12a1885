package disk_test

// The scenario's acceptance tests. Method: explore each variant from a fixed
// seed under the fault plan (disk.Configure) and judge it by the durable
// property. The ack-before-sync store must fail within 1,000 runs, as a
// durability violation, before and after shrinking; its shrunk run must
// keep exactly the two faults that lose the write (a kill of the node, and
// a lost or torn write of the log at the crash that kill causes) and name
// them in the report; its one-line log must replay to the same run. The
// sync-before-ack store must pass 5,000 runs under the same plan, and the
// plan must really strike it (nodes killed, writes lost and torn, puts left
// without an answer). Without faults both pass: the defect needs a crash.
// The same seed gives the same run. A node left waiting in a hung disk
// operation is reported with the operation, the log file and the disk.

import (
	"regexp"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/examples/disk"
	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// withFaults is the configuration the variants are judged under.
func withFaults() sim.Config {
	var cfg sim.Config
	disk.Configure(&cfg)
	return cfg
}

// withoutFaults checks durability only.
func withoutFaults() sim.Config {
	return sim.Config{Properties: []sim.Property{disk.Durable()}}
}

func spec(t *testing.T, s string) scheduler.Spec {
	t.Helper()
	sp, err := scheduler.ParseSpec(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// faults lists the faults of a traced run: "kill of wal/node",
// "disk-lost-write", ...
func faults(r *sim.Result) []string {
	var out []string
	for _, e := range r.Trace {
		if e.Kind != sim.EventFault {
			continue
		}
		what := e.Detail
		if what == sim.FaultKill.String() {
			what += " of " + r.Procs[e.Proc]
		}
		out = append(out, what)
	}
	return out
}

// reportedWrite is how a crash report names a write of the log it lost or
// tore.
var reportedWrite = regexp.MustCompile(`not durable: wal\.log write #\d+ \[\d+,\d+\) (lost|torn: \d+ of \d+ bytes kept)`)

func TestAckBeforeSyncLosesAcknowledgedWrites(t *testing.T) {
	for _, strategy := range []string{"random", "pct:3"} {
		t.Run(strategy, func(t *testing.T) {
			sp := spec(t, strategy)
			scenario := disk.Scenario(disk.AckBeforeSync)
			rep := weft.Explore(weft.Options{Name: "disk/ack-before-sync", Runs: 1000, Spec: sp, Config: withFaults()}, scenario)
			f := rep.Failure
			if f == nil {
				t.Fatalf("not found in %d runs", rep.Runs)
			}
			if f.Nondeterministic != "" {
				t.Fatalf("nondeterministic: %s", f.Nondeterministic)
			}

			// The failure is the lost write, before and after shrinking.
			for _, r := range []*sim.Result{f.Original, f.Shrunk} {
				if r.Failure == nil || r.Failure.Kind != sim.PropertyViolated || r.Failure.Property != "durable" {
					t.Fatalf("failure %v, want the durable property violated", r.Failure)
				}
			}
			// The original run replayed with a trace, to count its faults.
			cfg := withFaults()
			cfg.KeepTrace = true
			cfg.Strategy = scheduler.Replay(f.Original.Decisions)
			original := sim.Run(cfg, scenario)
			if original.Hash != f.Original.Hash {
				t.Fatalf("the original log replays to hash %016x, not %016x", original.Hash, f.Original.Hash)
			}
			t.Logf("found at run %d (seed %d); %d preemptions and %d faults %v shrunk to %d and %d %v in %d replays; %d decisions",
				rep.Runs, f.Seed, f.PreemptionsBefore, len(faults(original)), faults(original),
				f.PreemptionsAfter, len(faults(f.Shrunk)), faults(f.Shrunk), f.ShrinkRuns, len(f.Log.Decisions))

			// The shrunk run keeps the two faults that matter, and only
			// them: the node's kill, which crashes the disk, and the loss
			// (or tear) of the log's write at that crash.
			got := faults(f.Shrunk)
			if len(got) != 2 || got[0] != "kill of wal/node" || got[1] != "disk-lost-write" && got[1] != "disk-torn-write" {
				t.Fatalf("the shrunk run's faults are %q, want a kill of the node and a lost or torn write\n%v", got, f)
			}
			crashes := disk.Crashes(f.Shrunk)
			if len(crashes) != 1 || !strings.Contains(crashes[0].Cause, `"wal/node" ended: killed`) {
				t.Fatalf("the shrunk run's crashes: %v", crashes)
			}
			report := f.String()
			head, _, _ := strings.Cut(report, "\n")
			if !strings.HasPrefix(head, "weft: property durable violated: ") || !strings.Contains(head, "an acknowledged write was lost") {
				t.Fatalf("the report's headline is %q", head)
			}
			if !strings.Contains(head, `(its node p`) || !reportedWrite.MatchString(head) {
				t.Fatalf("the headline does not name the crash and the write it lost: %q", head)
			}
			t.Logf("%s", head)

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
				if again.Failure.Signature() != f.Shrunk.Failure.Signature() || again.Failure.Error() != f.Shrunk.Failure.Error() {
					t.Fatalf("replay failed with %q, finding with %q", again.Failure, f.Shrunk.Failure)
				}
			}

			// The same seed and strategy give the same run.
			cfg = withFaults()
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

// TestAckBeforeSyncIsFoundOften: the defect is not one lucky seed: from
// several starting seeds, the random walk finds it within a few dozen runs.
func TestAckBeforeSyncIsFoundOften(t *testing.T) {
	total := 0
	for start := uint64(0); start < 10; start++ {
		rep := weft.Explore(weft.Options{Runs: 200, Seed: 1000 * start, ShrinkRuns: 1, Config: withFaults()}, disk.Scenario(disk.AckBeforeSync))
		if rep.Failure == nil {
			t.Fatalf("from seed %d: not found in %d runs", 1000*start, rep.Runs)
		}
		total += rep.Runs
	}
	t.Logf("runs to find, from 10 starting seeds: %d in all, %.1f on average", total, float64(total)/10)
}

// fixedRuns is how many runs the sync-before-ack store must pass under
// faults: 5,000, or 1,000 with -short or the race detector.
func fixedRuns() int {
	if testing.Short() || raceEnabled {
		return 1000
	}
	return 5000
}

func TestSyncBeforeAckSurvivesFaults(t *testing.T) {
	runs := fixedRuns()
	rep := weft.Explore(weft.Options{Name: "disk/sync-before-ack", Runs: runs, Config: withFaults()}, disk.Scenario(disk.SyncBeforeAck))
	if rep.Failure != nil {
		t.Fatalf("%v", rep.Failure)
	}
	if rep.Runs != runs {
		t.Fatalf("ran %d runs, want %d", rep.Runs, runs)
	}
	t.Logf("%d runs, %d steps, %v", rep.Runs, rep.Steps, rep.Elapsed)
}

// TestFaultsStrikeTheNode checks that the sync-before-ack store's passing is
// not for want of faults: under the plan, the node is killed in most runs,
// and puts are left without an answer in many; and about one run in ten
// has a crash that loses or tears a write of the log (a record is not
// durable only between its append and its Sync's return, a window of one
// scheduling point for a kill).
func TestFaultsStrikeTheNode(t *testing.T) {
	const runs = 300
	killed, harmed, openPuts := 0, 0, 0
	for seed := range uint64(runs) {
		cfg := withFaults()
		cfg.Seed = seed
		r := sim.Run(cfg, disk.Scenario(disk.SyncBeforeAck))
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		crashes := disk.Crashes(r)
		for _, c := range crashes {
			if strings.Contains(c.Cause, "killed") {
				killed++
				break
			}
		}
	crashed:
		for _, c := range crashes {
			for _, u := range c.Writes {
				if u.Fate != disk.Kept {
					harmed++
					break crashed
				}
			}
		}
		for _, op := range r.History {
			if op.Open() && op.Input.(model.KVInput).Op == model.Put {
				openPuts++
				break
			}
		}
	}
	t.Logf("of %d runs, %d killed the node, %d lost or tore a write, %d left a put open", runs, killed, harmed, openPuts)
	if killed < runs/2 || harmed < runs/20 || openPuts < runs/4 {
		t.Fatalf("of %d runs, only %d killed the node, %d lost or tore a write and %d left a put open: the plan hardly strikes", runs, killed, harmed, openPuts)
	}
}

// TestWithoutFaultsBothPass: the defect needs a crash. Without one, the
// ack-before-sync store's records all reach the platter in the end.
func TestWithoutFaultsBothPass(t *testing.T) {
	runs := fixedRuns() / 5
	for _, v := range disk.Variants() {
		t.Run(v.String(), func(t *testing.T) {
			rep := weft.Explore(weft.Options{Name: "disk/" + v.String(), Runs: runs, Config: withoutFaults()}, disk.Scenario(v))
			if rep.Failure != nil {
				t.Fatalf("%v", rep.Failure)
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
	for _, v := range disk.Variants() {
		for _, withPlan := range []bool{false, true} {
			name := v.String()
			cfg := withoutFaults()
			if withPlan {
				name += "/faults"
				cfg = withFaults()
			}
			t.Run(name, func(t *testing.T) {
				hashes := map[uint64]bool{}
				for seed := range uint64(30) {
					cfg.Seed = seed
					a := sim.Run(cfg, disk.Scenario(v))
					b := sim.Run(cfg, disk.Scenario(v))
					if a.Hash != b.Hash || a.Failure.Signature() != b.Failure.Signature() {
						t.Fatalf("seed %d: hash %016x (%v), then %016x (%v)", seed, a.Hash, a.Failure, b.Hash, b.Failure)
					}
					hashes[a.Hash] = true
				}
				if len(hashes) < 20 {
					t.Fatalf("30 seeds ran only %d ways", len(hashes))
				}
				// A failure is no concern here (the ack-before-sync store
				// fails under faults): do not spend time shrinking it.
				rep := weft.Explore(weft.Options{Name: "disk/" + name, Runs: 50, CheckDeterminism: true, ShrinkRuns: 1, Config: cfg}, disk.Scenario(v))
				if f := rep.Failure; f != nil && f.Nondeterministic != "" {
					t.Fatalf("%s", f.Nondeterministic)
				}
			})
		}
	}
}

// TestHungNodeInDeadlockReport: when the disk hangs under the node, the
// clients give up on it, the machine waits for it forever, and the run
// deadlocks; the report names what the node waits in, on the log file and
// the disk, with the lines of the example that made them.
func TestHungNodeInDeadlockReport(t *testing.T) {
	cfg := withoutFaults()
	cfg.Faults = sim.FaultPlan{}.With(disk.FaultHang, 1.0/16)
	rep := weft.Explore(weft.Options{Name: "disk/hung", Runs: 100, Config: cfg}, disk.Scenario(disk.SyncBeforeAck))
	f := rep.Failure
	if f == nil {
		t.Fatalf("no run deadlocked in %d runs", rep.Runs)
	}
	if f.Shrunk.Failure.Kind != sim.Deadlock {
		t.Fatalf("failure %v, want a deadlock", f.Shrunk.Failure)
	}
	var node *sim.Blocked
	for i, b := range f.Shrunk.Failure.Blocked {
		if b.Name == "wal/node" {
			node = &f.Shrunk.Failure.Blocked[i]
		}
	}
	if node == nil {
		t.Fatalf("the node is not among the blocked: %v", f.Shrunk.Failure)
	}
	want := regexp.MustCompile(`^p\d+ "wal/node" blocked in (read|write|truncate|fsync) on file#\d+ "wal\.log" created at disk/wal\.go:\d+, disk#1 "node1" created at disk/scenario\.go:\d+$`)
	if !want.MatchString(node.String()) || !node.Proven {
		t.Fatalf("the node's entry %q does not match %v", node, want)
	}
	t.Logf("%v", f.Shrunk.Failure)
}
