package weft

// Tests of the exploration engine. Method: run Explore on scenarios whose
// failures are known exactly (a lost update that needs one preemption, a
// scenario that reads state surviving across runs), then check what it
// reports against that knowledge: the failure's signature, the preemptions
// of the shrunk log, that the saved log replays to the same run, which seeds
// ran.

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// lostUpdate has a read-modify-write race: each worker reads n, reaches a
// scheduling point that does not block (a send into a roomy buffer), then
// writes n+1. The calm schedule runs the workers one after the other and
// passes; losing an update needs exactly one preemption, between a worker's
// read and its write. The chatter processes only add noise for the shrinker
// to remove.
func lostUpdate(w *sim.World) {
	n := 0
	points := sim.NewChan[int](w, 100)
	done := sim.NewChan[int](w, 10)
	for range 3 {
		w.Go("chatter", func() {
			for range 3 {
				points.Send(0)
			}
			done.Send(0)
		})
	}
	for range 2 {
		w.Go("worker", func() {
			v := n
			points.Send(1)
			n = v + 1
			done.Send(0)
		})
	}
	for range 5 {
		done.Recv()
	}
	if n != 2 {
		w.Fatalf("lost an update: n = %d", n)
	}
}

const lostUpdateSignature = `fatal main lost an update: n = %d`

func TestExploreFindsShrinksAndReplays(t *testing.T) {
	for _, spec := range []string{"random", "pct:3"} {
		t.Run(spec, func(t *testing.T) {
			sp, err := scheduler.ParseSpec(spec)
			if err != nil {
				t.Fatal(err)
			}
			rep := Explore(Options{Name: "lostUpdate", Spec: sp, Runs: 200}, lostUpdate)
			f := rep.Failure
			if f == nil {
				t.Fatalf("no failure in %d runs", rep.Runs)
			}
			if got := f.Original.Failure.Signature(); got != lostUpdateSignature {
				t.Fatalf("original failure %q, want %q", got, lostUpdateSignature)
			}
			if got := f.Shrunk.Failure.Signature(); got != lostUpdateSignature {
				t.Fatalf("shrunk failure %q, want %q", got, lostUpdateSignature)
			}
			if f.Seed != uint64(f.RunIndex) || rep.Runs != f.RunIndex+1 {
				t.Fatalf("seed %d, run index %d, runs %d: seeds are 0, 1, ... and exploring stops at the first failure", f.Seed, f.RunIndex, rep.Runs)
			}
			// The bug needs a preemption. Shrinking never makes a log worse,
			// though it may stop above one: it deletes and lowers decisions
			// but does not move a preemption to a later point.
			if f.PreemptionsAfter > f.PreemptionsBefore || f.PreemptionsAfter < 1 {
				t.Fatalf("preemptions %d -> %d, want 1 <= after <= before", f.PreemptionsBefore, f.PreemptionsAfter)
			}
			if f.PreemptionsAfter != scheduler.Preemptions(f.Log.Decisions) {
				t.Fatalf("preemptions after %d, log has %d", f.PreemptionsAfter, scheduler.Preemptions(f.Log.Decisions))
			}
			if f.ShrinkRuns == 0 || f.Nondeterministic != "" {
				t.Fatalf("shrink runs %d, nondeterministic %q", f.ShrinkRuns, f.Nondeterministic)
			}
			if f.Log.Scenario != "lostUpdate" || f.Log.Seed != f.Seed || f.Log.Spec != sp.String() || f.Log.WeftVersion != sim.Version || f.Log.GoVersion == "" {
				t.Fatalf("log header %+v", f.Log)
			}
			if n := len(f.Log.Decisions); n > 0 && f.Log.Decisions[n-1].Choice == 0 {
				t.Fatalf("log not trimmed: %v", f.Log.Decisions)
			}
			if len(f.Shrunk.Trace) == 0 {
				t.Fatal("shrunk run has no trace")
			}
			// The log, through its binary form, replays to the very same run.
			bin, err := f.Log.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var back scheduler.Log
			if err := back.UnmarshalBinary(bin); err != nil {
				t.Fatal(err)
			}
			r, st := replayWith(sim.Config{}, &back, lostUpdate)
			if st.Diverged() != 0 {
				t.Fatalf("the saved log diverges from the run in %d decisions", st.Diverged())
			}
			if r.Hash != f.Shrunk.Hash || r.Failure.Signature() != lostUpdateSignature {
				t.Fatalf("replay: hash %x failure %q; shrunk run: hash %x", r.Hash, r.Failure.Signature(), f.Shrunk.Hash)
			}
			if r.Seed != f.Seed || r.Spec != sp.String() || r.Scenario != "lostUpdate" {
				t.Fatalf("replay reads as seed %d strategy %q scenario %q", r.Seed, r.Spec, r.Scenario)
			}
		})
	}
}

// The same options explore the same runs and shrink to the same log.
func TestExploreIsDeterministic(t *testing.T) {
	a := Explore(Options{Runs: 200}, lostUpdate)
	b := Explore(Options{Runs: 200}, lostUpdate)
	if a.Failure == nil || b.Failure == nil {
		t.Fatal("no failure")
	}
	if a.Failure.Seed != b.Failure.Seed || a.Failure.Shrunk.Hash != b.Failure.Shrunk.Hash || a.Failure.Log.String() != b.Failure.Log.String() {
		t.Fatalf("two explorations differ: seed %d vs %d, log %s vs %s", a.Failure.Seed, b.Failure.Seed, a.Failure.Log, b.Failure.Log)
	}
}

func TestExplorePassingRuns(t *testing.T) {
	var last Stats
	calls := 0
	rep := Explore(Options{Runs: 50, Progress: func(s Stats) { last, calls = s, calls+1 }}, func(w *sim.World) {
		c := sim.NewChan[int](w, 0)
		w.Go("echo", func() { c.Send(c.Recv() + 1) })
		c.Send(1)
		if c.Recv() != 2 {
			w.Fatalf("bad echo")
		}
	})
	if rep.Failure != nil || rep.Runs != 50 || rep.Steps <= 50 {
		t.Fatalf("report %+v", rep)
	}
	if calls == 0 || last.Runs != 50 || last.Steps != rep.Steps {
		t.Fatalf("progress called %d times, last %+v; report %+v", calls, last, rep.Stats)
	}
	if !regexp.MustCompile(`^weft: 50 runs, \d+ steps in .*: no failure$`).MatchString(rep.String()) {
		t.Fatalf("report text %q", rep)
	}
}

// With Shards n, shard i runs exactly the run indices i, i+n, ... below Runs,
// so the shards between them run every seed once.
func TestExploreShardsCoverTheSeedSpaceOnce(t *testing.T) {
	const runs, shards = 23, 4
	seen := make(map[uint64]int)
	total := 0
	for shard := range shards {
		var mine []uint64
		// Every run ends in this property, which sees the run's seed.
		saw := sim.Property{Name: "saw", Check: func(r *sim.Result) error {
			mine = append(mine, r.Seed)
			return nil
		}}
		o := Options{Runs: runs, Seed: 1000, Shard: shard, Shards: shards, Config: sim.Config{Properties: []sim.Property{saw}}}
		rep := Explore(o, func(w *sim.World) {})
		if rep.Failure != nil || rep.Runs != len(mine) {
			t.Fatalf("shard %d: report %+v, %d seeds seen", shard, rep, len(mine))
		}
		for _, s := range mine {
			if (s-1000)%shards != uint64(shard) {
				t.Fatalf("shard %d ran seed %d", shard, s)
			}
			seen[s]++
		}
		total += rep.Runs
	}
	if total != runs || len(seen) != runs {
		t.Fatalf("%d runs over %d distinct seeds, want %d", total, len(seen), runs)
	}
	for s := uint64(1000); s < 1000+runs; s++ {
		if seen[s] != 1 {
			t.Fatalf("seed %d ran %d times", s, seen[s])
		}
	}
}

func TestExploreBudget(t *testing.T) {
	start := time.Now()
	rep := Explore(Options{Budget: 50 * time.Millisecond}, func(w *sim.World) { w.Yield() })
	if rep.Failure != nil || rep.Runs == 0 {
		t.Fatalf("report %+v", rep)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("a 50ms budget took %v", el)
	}
}

func TestExploreRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Shard: 2, Shards: 2}, "shard 2 is not in [0, 2)"},
		{Options{Shard: 1}, "shard 1 is not in [0, 1)"},
		{Options{Runs: -1}, "runs -1 is negative"},
		{Options{Spec: scheduler.Spec{Name: "bfs"}}, "unknown strategy"},
		{Options{Spec: scheduler.Spec{Name: "pct", Depth: 5, Steps: 2}}, "needs at least 4 steps"},
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.HasPrefix(s, "weft: Explore: ") || !strings.Contains(s, tc.want) {
					t.Errorf("options %+v: panic %v, want one containing %q", tc.o, r, tc.want)
				}
			}()
			Explore(tc.o, func(*sim.World) {})
		}()
	}
}

// nondetRuns survives across runs: it is the deliberate defect of the
// scenarios below, which read it.
var nondetRuns int

// branchOnRuns spawns one process or two depending on how many runs came
// before: runs of the same seed differ from the third event on.
func branchOnRuns(w *sim.World) {
	nondetRuns++
	w.Go("a", func() {})
	if nondetRuns%2 == 0 {
		w.Go("b", func() {})
	}
}

func TestCheckDeterminism(t *testing.T) {
	rep := Explore(Options{Runs: 50, CheckDeterminism: true}, lostUpdate)
	if rep.Failure == nil || rep.Failure.Nondeterministic != "" {
		t.Fatalf("deterministic scenario: want the lost update, got %+v", rep.Failure)
	}
	rep = Explore(Options{Runs: 100, CheckDeterminism: true}, func(w *sim.World) {
		c := sim.NewChan[int](w, 1)
		w.Go("x", func() { c.Send(1) })
		c.Recv()
	})
	if rep.Failure != nil || rep.Runs != 100 {
		t.Fatalf("deterministic passing scenario: %+v", rep.Failure)
	}

	nondetRuns = 0
	rep = Explore(Options{Runs: 10, CheckDeterminism: true}, branchOnRuns)
	f := rep.Failure
	if f == nil || f.Nondeterministic == "" {
		t.Fatalf("nondeterministic scenario passed: %+v", f)
	}
	if f.RunIndex != 0 || rep.Runs != 1 {
		t.Fatalf("caught at run index %d after %d runs, want the first", f.RunIndex, rep.Runs)
	}
	// Two runs of the same seed: the third event is the spawn of "b" in one
	// and main's exit in the other.
	if !regexp.MustCompile(`event \d+ was\n\t.*p0 "main" (spawn p2 b|exit).*\nin one run and\n\t.*p0 "main" (exit|spawn p2 b)`).MatchString(f.Nondeterministic) {
		t.Fatalf("nondeterminism report does not name the differing event:\n%s", f.Nondeterministic)
	}
	if !strings.Contains(f.String(), "weft: nondeterminism: the same seed ran two different ways") {
		t.Fatalf("report:\n%s", f)
	}
}

// Without CheckDeterminism, a failure that does not fail again when
// confirmed is reported as nondeterminism too, and not shrunk.
func TestConfirmCatchesNondeterminism(t *testing.T) {
	nondetRuns = 0
	rep := Explore(Options{Runs: 10}, func(w *sim.World) {
		branchOnRuns(w)
		if nondetRuns%2 == 1 {
			w.Fatalf("odd run")
		}
	})
	f := rep.Failure
	if f == nil || f.Nondeterministic == "" || f.ShrinkRuns != 0 {
		t.Fatalf("want a nondeterminism finding, got %+v", f)
	}
}

func TestFirstDifference(t *testing.T) {
	ev := func(step int64, proc int, op sim.EventKind) sim.Event {
		return sim.Event{Step: step, Proc: proc, Kind: op}
	}
	a := &sim.Result{Procs: []string{"main", "x"}, Trace: []sim.Event{ev(0, -1, sim.EventSpawn), ev(1, 0, sim.EventSend)}}
	b := &sim.Result{Procs: []string{"main", "x"}, Trace: []sim.Event{ev(0, -1, sim.EventSpawn), ev(1, 1, sim.EventRecv)}}
	if d := firstDifference(a, a); d != "" {
		t.Fatalf("a run differs from itself: %s", d)
	}
	if d := firstDifference(a, b); !strings.Contains(d, "event 1 was\n\tstep 1, time 0s: p0 \"main\" send\nin one run and\n\tstep 1, time 0s: p1 \"x\" recv") {
		t.Fatalf("difference %q", d)
	}
	short := &sim.Result{Procs: a.Procs, Trace: a.Trace[:1]}
	if d := firstDifference(short, a); !strings.Contains(d, "one run ended after 1 events, the other went on with\n\tstep 1, time 0s: p0 \"main\" send") {
		t.Fatalf("difference %q", d)
	}
}

// A failure found by exploring is reported with its seed, its strategy, the
// shrinking, the timeline of the shrunk run, and a trimmed stack.
func TestFindingReport(t *testing.T) {
	rep := Explore(Options{Name: "panicky", Runs: 100}, func(w *sim.World) {
		c := sim.NewChan[int](w, 0)
		w.Go("closer", func() {
			c.Close()
			c.Close()
		})
		c.Recv()
		w.Sleep(time.Second)
	})
	f := rep.Failure
	if f == nil {
		t.Fatal("no failure")
	}
	text := f.String()
	for _, want := range []string{
		`(?m)^weft: process p1 "closer" panicked: close of closed channel \(step \d+, virtual time 0s\)$`,
		`(?m)^  scenario panicky, seed 0, strategy [a-z0-9:+]+ \(the member of portfolio:\d+ that seed 0 runs\)$`,
		`(?m)^  preemptions: \d+ before shrinking, 0 after \(\d+ replays\); the log has \d+ decisions$`,
		`(?m)^stack of p1 "closer":\n(    github.com/weftsim/weft/sim\.\(\*Chan\[\.\.\.\]\)\.[cC]lose\n        .*/sim/chan.go:\d+\n)+    github.com/weftsim/weft.TestFindingReport.func1.1\n        .*/explore_test.go:\d+\n$`,
		`(?m)^timeline of the shrunk run \(all \d+ events\):\n    step time \| clock +\| p0 main +\| p1 closer$`,
		`\| crash close of closed`,
	} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("report lacks %s:\n%s", want, text)
		}
	}
	if strings.Contains(text, "runtime/debug") || strings.Contains(text, "iter.Pull") || strings.Contains(text, "(*Proc).run") {
		t.Errorf("stack not trimmed:\n%s", text)
	}
}

func TestLocateAndCommands(t *testing.T) {
	root := t.TempDir()
	writeFileT(t, root+"/go.mod", "module example.com/m\n")
	pkg := root + "/a/b"
	mkdirT(t, pkg)
	loc := locatePackage(pkg)
	if loc.root != root || loc.pkg != "./a/b" {
		t.Fatalf("locate: %+v", loc)
	}
	if got := loc.rel(pkg + "/testdata/weft/TestX/0123"); got != "a/b/testdata/weft/TestX/0123" {
		t.Fatalf("rel: %q", got)
	}
	if got := locatePackage(root); got.pkg != "." {
		t.Fatalf("locatePackage(root): %+v", got)
	}
	for _, tc := range []struct{ name, args, want string }{
		{"TestX", "-weft.seed=3", `go test ./a/b -run '^TestX$' -weft.seed=3`},
		{"TestX/sub_case#01", "-weft.replay=a/b/testdata/weft/TestX/sub_case#01/00ff", `go test ./a/b -run '^TestX$/^sub_case#01$' -weft.replay=a/b/testdata/weft/TestX/sub_case#01/00ff`},
		{"TestX/it's", "-weft.strategy=pct:3", `go test ./a/b -run '^TestX$/^it'\''s$' -weft.strategy=pct:3`},
		{"TestX/a.b(c)", "-weft.runs=1", `go test ./a/b -run '^TestX$/^a\.b\(c\)$' -weft.runs=1`},
	} {
		if got := loc.testCommand(tc.name, tc.args); got != tc.want {
			t.Errorf("testCommand(%q, %q)\n got %s\nwant %s", tc.name, tc.args, got, tc.want)
		}
		// The pattern matches the test's own name, element by element.
		pat := runPattern(tc.name)
		elems := strings.Split(tc.name, "/")
		for i, p := range strings.Split(pat, "/") {
			if !regexp.MustCompile(p).MatchString(elems[i]) || regexp.MustCompile(p).MatchString(elems[i]+"x") {
				t.Errorf("pattern %q element %d does not match exactly %q", pat, i, elems[i])
			}
		}
	}
	for in, want := range map[string]string{"a b": "'a b'", "#x": "'#x'", "x#1": "x#1", "": "''", "$HOME": "'$HOME'"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// A failure that needs no decision at all shrinks to the empty log, and the
// run shown is the calm one that the empty log replays.
func TestShrinkToCalm(t *testing.T) {
	rep := Explore(Options{Runs: 10, Seed: 3}, func(w *sim.World) {
		c := sim.NewChan[int](w, 3)
		for range 3 {
			w.Go("sender", func() { c.Send(1) })
		}
		for range 3 {
			c.Recv()
		}
		w.Fatalf("always")
	})
	f := rep.Failure
	if f == nil || f.Seed != 3 || len(f.Log.Decisions) != 0 || f.PreemptionsAfter != 0 {
		t.Fatalf("finding %+v", f)
	}
	if f.PreemptionsBefore == 0 {
		t.Fatal("the random walk made no preemption: the test shows nothing")
	}
	for _, d := range f.Shrunk.Decisions {
		if d.Choice != 0 {
			t.Fatalf("the run shown is not the calm run: %v", f.Shrunk.Decisions)
		}
	}
}

// The determinism check sees data, not only events: values sent in map
// order leave every event's kind, process and object alone, so the trace
// hash agrees, but the data hash does not, and the report names the first
// value that differs; values that reach only the history are caught too.
func TestCheckDeterminismSeesData(t *testing.T) {
	keys := map[string]int{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8}
	sendInMapOrder := func(w *sim.World) {
		c := sim.NewChan[string](w, len(keys))
		for k := range keys {
			c.Send(k)
		}
	}
	rep := Explore(Options{Runs: 20}, sendInMapOrder)
	if rep.Failure != nil {
		t.Fatalf("without the check the runs pass: %v", rep.Failure)
	}
	rep = Explore(Options{Runs: 20, CheckDeterminism: true}, sendInMapOrder)
	f := rep.Failure
	if f == nil || f.Nondeterministic == "" {
		t.Fatalf("values sent in map order passed the determinism check: %+v", f)
	}
	if !regexp.MustCompile(`event \d+ was\n\t.*send chan#1 <- [a-h]\nin one run and\n\t.*send chan#1 <- [a-h]\n`).MatchString(f.Nondeterministic) {
		t.Fatalf("the report does not name the differing value:\n%s", f.Nondeterministic)
	}

	recordInMapOrder := func(w *sim.World) {
		for k := range keys {
			w.Return(w.Call(0, k), keys[k])
		}
	}
	rep = Explore(Options{Runs: 20, CheckDeterminism: true}, recordInMapOrder)
	if f := rep.Failure; f == nil || !strings.Contains(f.Nondeterministic, "of the history was") {
		t.Fatalf("a history in map order passed the determinism check: %+v", f)
	}
}
