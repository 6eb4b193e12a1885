package longpoll

// Tests of the model itself. Method: runs are functions of their seeds (the
// same seed gives the same trace hash, traced or not, and its log replays
// to it); judging fewer properties does not change a run; both topologies
// (one server, two behind a balancer) are explored, and the incident shows
// on each; P4 can fail (a mutant that loses phx_close); and the incident's
// frequency, per navigation and per run, is measured and logged. The
// verdict table is in verdicts_test.go.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/node"
)

// calm and faulty are the two groups of properties the verdicts judge
// together, each under its own configuration.
var (
	calm   = []Property{NavigationSurvives, PushOrder, LinearizableMembership, OneRoundTrip}
	faulty = []Property{ExactlyOnce}
)

func configOf(props []Property, seed uint64) sim.Config {
	cfg := sim.Config{Seed: seed}
	Configure(props...)(&cfg)
	return cfg
}

// TestDeterminism runs seeds twice in both configurations the verdicts
// use, with and without a kept trace, and replays their logs.
func TestDeterminism(t *testing.T) {
	seeds := uint64(20)
	if testing.Short() {
		seeds = 10
	}
	for _, v := range Variants() {
		for _, g := range [][]Property{calm, faulty} {
			hashes := map[uint64]bool{} // counted, never ranged over
			for seed := uint64(1); seed <= seeds; seed++ {
				cfg := configOf(g, seed)
				a := sim.Run(cfg, Scenario(v, g...))
				cfg.KeepTrace = true
				b := sim.Run(cfg, Scenario(v, g...))
				if a.Hash != b.Hash || a.Failure.Signature() != b.Failure.Signature() {
					t.Fatalf("%s %v seed %d: hashes %016x and %016x, failures %q and %q", v, g, seed, a.Hash, b.Hash, a.Failure.Signature(), b.Failure.Signature())
				}
				if again := sim.Replay(cfg, a.Log(), Scenario(v, g...)); again.Hash != a.Hash {
					t.Fatalf("%s %v seed %d: the replay of its log has hash %016x, the run %016x", v, g, seed, again.Hash, a.Hash)
				}
				hashes[a.Hash] = true
			}
			if len(hashes) < int(seeds)*3/4 {
				t.Fatalf("%s %v: %d seeds gave only %d distinct runs", v, g, seeds, len(hashes))
			}
			o := weft.Options{Name: fmt.Sprintf("%s %v", v, g), Runs: 50, Seed: 1000, CheckDeterminism: true, ShrinkRuns: 1, Config: configOf(g, 0)}
			if rep := weft.Explore(o, Scenario(v, g...)); rep.Failure != nil && rep.Failure.Nondeterministic != "" {
				t.Fatalf("%s %v: %s", v, g, rep.Failure.Nondeterministic)
			}
		}
	}
}

// TestJudgingDoesNotChangeRuns checks what the verdicts rely on: a run is
// the same run whichever properties judge it, up to the first violation.
func TestJudgingDoesNotChangeRuns(t *testing.T) {
	for _, v := range Variants() {
		for seed := uint64(1); seed <= 20; seed++ {
			all := sim.Run(configOf(calm, seed), Scenario(v, calm...))
			if all.Failure != nil {
				continue
			}
			for _, p := range calm {
				if r := sim.Run(configOf(calm, seed), Scenario(v, p)); r.Hash != all.Hash {
					t.Fatalf("%s seed %d: judging %v alone gives hash %016x, the group %016x", v, seed, p, r.Hash, all.Hash)
				}
			}
		}
	}
}

// observe runs seed of v judging nothing, in the calm configuration, and
// returns what the run saw.
func observe(v Variant, seed uint64) *run {
	var r *run
	sim.Run(configOf(calm, seed), scenarioOf(v, 0, func(rr *run) { r = rr }))
	return r
}

// broke reports whether nav's new channel was lost without the page
// leaving it.
func broke(nav *navigation) bool { return nav.to.closedBy != "" }

// TestTopologies checks that the runs explore one server and two behind a
// balancer, in about equal shares, and that the incident (a navigation
// broken by its own leave) happens on each under the original and on
// neither with the join_ref check.
func TestTopologies(t *testing.T) {
	const runs = 400
	var count, broken [3]int
	var brokenJoinRef int
	for seed := uint64(1); seed <= runs; seed++ {
		r := observe(Original, seed)
		count[r.servers]++
		for _, nav := range r.navs {
			if broke(nav) {
				broken[r.servers]++
			}
		}
		for _, nav := range observe(JoinRef, seed).navs {
			if broke(nav) {
				brokenJoinRef++
			}
		}
	}
	t.Logf("%d runs: %d on one server (%d navigations broken), %d on two (%d broken); joinref: %d broken", runs, count[1], broken[1], count[2], broken[2], brokenJoinRef)
	for n := 1; n <= 2; n++ {
		if count[n] < runs/3 || broken[n] == 0 {
			t.Errorf("%d server(s): %d of %d runs, %d navigations broken: want a third of the runs at least, and the incident", n, count[n], runs, broken[n])
		}
	}
	if brokenJoinRef != 0 {
		t.Errorf("joinref: %d navigations broken, want none", brokenJoinRef)
	}
}

// TestLinearizabilityCanFail shows that P4, which every variant passes,
// judges something: when the session loses the phx_close of a channel
// that a leave stopped, the page believes its new channel joined, P1 sees
// nothing wrong, and its next push is refused by a server that has no
// channel for the topic, which contradicts the page's join.
func TestLinearizabilityCanFail(t *testing.T) {
	o := weft.Options{Name: "original, phx_close lost", Runs: 2000, Seed: 1, ShrinkRuns: 1, Config: configOf([]Property{LinearizableMembership}, 0)}
	rep := weft.Explore(o, func(w *sim.World) {
		r := newRun(w, Original, setOf([]Property{LinearizableMembership}))
		r.closeLost = true
		r.main()
	})
	if rep.Failure == nil {
		t.Fatalf("original losing phx_close passed P4 over %d runs", rep.Runs)
	}
	if p, ok := Violated(rep.Failure.Original.Failure); !ok || p != LinearizableMembership {
		t.Fatalf("seed %d: want a P4 failure, got %v", rep.Failure.Seed, rep.Failure.Original.Failure)
	}
	t.Logf("seed %d: %v", rep.Failure.Seed, rep.Failure.Shrunk.Failure.Value)
	removeVisualization(rep.Failure.Original.Failure)
	removeVisualization(rep.Failure.Shrunk.Failure)
}

// TestShippedUnderEachFault answers P3's question fault by fault: what
// Phoenix shipped (joinref+batching) loses a push under each kind of fault
// alone, and the story names the fault; the sequenced design loses none.
func TestShippedUnderEachFault(t *testing.T) {
	for _, k := range []struct {
		kind sim.FaultKind
		says string
	}{
		{FaultStall, "stalled for"},
		{FaultDropResponse, "was lost"},
		{FaultPartition, "was cut"},
		{FaultRestart, "crashed and restarted"},
		{node.FaultNetsplit, "lost its connection to"},
	} {
		cfg := sim.Config{}
		cfg.Faults = cfg.Faults.With(k.kind, FaultRate)
		// The random walk: under POS or PCT the first failure found may be
		// the loss that needs no fault (TestShippedLosesPushWithoutFaults).
		o := weft.Options{Name: "shipped under " + k.kind.String(), Runs: 2000, Seed: 1, Spec: scheduler.Spec{Name: "random"}, ShrinkRuns: 1, Config: cfg}
		rep := weft.Explore(o, Scenario(JoinRefBatching, ExactlyOnce))
		if rep.Failure == nil {
			t.Errorf("%v alone: joinref+batching passed P3 over %d runs", k.kind, rep.Runs)
			continue
		}
		msg := fmt.Sprint(rep.Failure.Original.Failure.Value)
		if !strings.HasPrefix(msg, ExactlyOnce.String()+": ") || !strings.Contains(msg, k.says) {
			t.Errorf("%v alone, seed %d: want a P3 failure naming the fault (%q), got:\n%s", k.kind, rep.Failure.Seed, k.says, msg)
		}
		t.Logf("%v alone, seed %d: %s", k.kind, rep.Failure.Seed, msg)
		o.Runs = 300
		if seq := weft.Explore(o, Scenario(Sequenced, ExactlyOnce)); seq.Failure != nil {
			t.Errorf("%v alone: sequenced fails: %v", k.kind, seq.Failure)
		}
	}
}

// TestShippedLosesPushWithoutFaults: what Phoenix shipped is not
// exactly-once even without faults. A push made just before a navigation
// reaches the old channel's mailbox, and the leave after it; the session,
// handling the join, then shuts that channel down as a duplicate
// (Phoenix.Socket's duplicate-join clause does so even when the channel is
// leaving), and the exit signal ends it with the push still unread, though
// its POST was answered 200. The sequenced design lets a leaving channel
// finish first.
func TestShippedLosesPushWithoutFaults(t *testing.T) {
	sp, err := scheduler.ParseSpec("pct:3")
	if err != nil {
		t.Fatal(err)
	}
	o := weft.Options{Name: "shipped without faults", Runs: 500, Seed: 1, Spec: sp, ShrinkRuns: 1}
	rep := weft.Explore(o, Scenario(JoinRefBatching, ExactlyOnce))
	if rep.Failure == nil {
		t.Fatalf("joinref+batching passed P3 without faults over %d runs of pct:3", rep.Runs)
	}
	msg := fmt.Sprint(rep.Failure.Original.Failure.Value)
	for _, want := range []string{"was never applied", "when a join for the topic shut that channel down as a duplicate", "Faults: none"} {
		if !strings.Contains(msg, want) {
			t.Errorf("seed %d: the story lacks %q:\n%s", rep.Failure.Seed, want, msg)
		}
	}
	t.Logf("seed %d of pct:3: %s", rep.Failure.Seed, msg)
	if seq := weft.Explore(o, Scenario(Sequenced, ExactlyOnce)); seq.Failure != nil {
		t.Errorf("sequenced fails without faults: %v", seq.Failure)
	}
}

// TestIncidentFromSeedAndSavedLog reproduces leave-after-join the two ways
// the issue asks: from its seed (the same seed fails the same way, with the
// same hash), and from a saved log file (written as weft saves one, read
// back, replayed to the shrunk run's hash and story).
func TestIncidentFromSeedAndSavedLog(t *testing.T) {
	o := weft.Options{Name: "longpoll/original/P1-navigation-survives", Runs: 50, Seed: 1}
	o.Config = configOf([]Property{NavigationSurvives}, 0)
	rep := weft.Explore(o, Scenario(Original, NavigationSurvives))
	if rep.Failure == nil {
		t.Fatalf("original passed P1 over %d runs", rep.Runs)
	}
	f := rep.Failure
	seedCfg := configOf([]Property{NavigationSurvives}, f.Seed)
	seedCfg.Spec = f.Spec // the portfolio member that ran the seed
	again := sim.Run(seedCfg, Scenario(Original, NavigationSurvives))
	if again.Hash != f.Original.Hash || again.Failure.Signature() != f.Original.Failure.Signature() {
		t.Errorf("seed %d again: hash %016x and %q; explored %016x and %q", f.Seed, again.Hash, again.Failure.Signature(), f.Original.Hash, f.Original.Failure.Signature())
	}

	data, err := f.Log.MarshalFile()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "leave-after-join.weftlog")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	l, err := scheduler.ReadLog(file)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	cfg := configOf([]Property{NavigationSurvives}, 0)
	cfg.KeepTrace = true
	r := sim.Replay(cfg, l, Scenario(Original, NavigationSurvives))
	if r.Hash != f.Shrunk.Hash || r.Failure.Signature() != f.Shrunk.Failure.Signature() {
		t.Fatalf("the saved log replays to hash %016x and %q; the shrunk run has %016x and %q", r.Hash, r.Failure.Signature(), f.Shrunk.Hash, f.Shrunk.Failure.Signature())
	}
	msg := fmt.Sprint(r.Failure.Value)
	for _, want := range []string{"the session handled the join first", "the server sent phx_close for #"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the replayed story lacks %q:\n%s", want, msg)
		}
	}
	// The timeline names the moments of the story.
	var notes []string
	for _, e := range r.Trace {
		if e.Kind == sim.EventNote && (strings.HasPrefix(e.Detail, "navigation ") || strings.HasPrefix(e.Detail, "the leave of ") || strings.Contains(e.Detail, "as a duplicate")) {
			notes = append(notes, e.Detail)
		}
	}
	t.Logf("the timeline's moments: %q", notes)
	if len(notes) < 3 {
		t.Errorf("the timeline shows %d of the story's moments (navigation, duplicate shutdown, stale leave): %q", len(notes), notes)
	}
}
