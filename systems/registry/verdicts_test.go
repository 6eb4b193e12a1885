package registry

// The verdict table. Method: each variant's properties fall in two groups
// that share a run configuration: P1 to P3 without faults, P4 and P5 under
// process-kill faults. For each group, explore the scenario that judges
// every property of the group not yet settled, from seed 1 under the random
// walk (as weft demo does). A failing run names the property it violated;
// that property is then explored alone, which finds its first failing seed
// (the same run fails the same way when judged alone, because judging
// changes nothing but which violations end a run), and the rest of the group
// is explored again. When the remaining properties pass verdictRuns runs
// together, each of them passed those very runs. Every failure is replayed
// from its one-line log, in process, and (without -short) through its
// printed command, and must give the same failure with the same trace hash.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// verdictRuns is how many runs a passing verdict stands on.
func verdictRuns() int {
	if testing.Short() {
		return 10_000
	}
	return 100_000
}

// shrinkRuns bounds the replays spent shrinking one failure: positional
// decision logs shrink slowly once kill faults are in them, and a replay
// costs a tenth of a millisecond.
const shrinkRuns = 20_000

type verdict struct {
	v    Variant
	p    Property
	runs int
	f    *sim.Finding // nil: passed
}

func entryName(v Variant, p Property) string { return fmt.Sprintf("registry/%s/%v", v, p) }

func (vd verdict) replayCommand() string {
	return fmt.Sprintf("go run ./cmd/weft replay %s %s", entryName(vd.v, vd.p), vd.f.Log)
}

func (vd verdict) String() string {
	if vd.f == nil {
		return fmt.Sprintf("VERDICT registry %s %v PASS runs=%d", vd.v, vd.p, vd.runs)
	}
	return fmt.Sprintf("VERDICT registry %s %v FAIL runs=%d seed=%d preemptions=%d replay=%s",
		vd.v, vd.p, vd.runs, vd.f.Seed, vd.f.PreemptionsAfter, vd.replayCommand())
}

// expectedBy says who set ExpectFail's verdict for (v, p): the issue, the
// lead's decision (supervised, our design, must pass all five, as the issue
// wanted of the merged fix), or an earlier simulation.
func expectedBy(v Variant, p Property) string {
	const settled = "ExpectFail (settled by an earlier simulation)"
	switch v {
	case Original:
		if p == NoSilentStream || p == FirstUseSafe {
			return "the issue"
		}
	case Holder:
		if !p.Faulty() { // "fails 4 or 5": which of them is the simulation's
			return "the issue"
		}
	case AppOwned:
		if p != NoSilentLoss { // the "passes all five" is wrong for P5
			return "the issue"
		}
	case Supervised:
		return "the lead's decision (supervised passes all five)"
	}
	return settled
}

var propertyPrefix = regexp.MustCompile(`^P([1-5])-[a-z-]+: `)

// propertyOf returns the property a failing run violated: a Fatal failure
// whose message starts with the property's name, or P3's end-of-run check.
func propertyOf(f *sim.Failure) (Property, bool) {
	switch {
	case f == nil:
		return 0, false
	case f.Kind == sim.PropertyViolated:
		return LinearizableRefs, f.ProcName == LinearizableRefs.String()
	case f.Kind != sim.Fatal:
		return 0, false
	}
	m := propertyPrefix.FindStringSubmatch(fmt.Sprint(f.Value))
	if m == nil {
		return 0, false
	}
	p := Property(m[1][0] - '0')
	return p, strings.HasPrefix(fmt.Sprint(f.Value), p.String()+": ")
}

func options(name string, runs int, props []Property) sim.Options {
	o := sim.Options{Name: name, Runs: runs, Seed: 1, ShrinkRuns: shrinkRuns}
	Configure(props...)(&o.Config)
	return o
}

// judge settles the properties in group (which share a configuration) for v.
func judge(t *testing.T, v Variant, group []Property, runs int) []verdict {
	left := append([]Property(nil), group...)
	var out []verdict
	for len(left) > 0 {
		o := options(fmt.Sprintf("registry/%s/%v", v, left), runs, left)
		o.ShrinkRuns = 1 // only the property matters here
		rep := sim.Explore(o, Scenario(v, left...))
		if rep.Failure == nil {
			for _, p := range left {
				out = append(out, verdict{v: v, p: p, runs: rep.Runs})
			}
			break
		}
		removeVisualization(rep.Failure.Shrunk.Failure)
		p, ok := propertyOf(rep.Failure.Original.Failure)
		if !ok || rep.Failure.Nondeterministic != "" {
			t.Errorf("%s: a run failed other than by violating a property:\n%v", v, rep.Failure)
			return nil
		}
		own := sim.Explore(options(entryName(v, p), runs, []Property{p}), Scenario(v, p))
		if own.Failure == nil || own.Failure.Seed > rep.Failure.Seed {
			t.Errorf("%s %v: judged with others it fails at seed %d, alone it %v", v, p, rep.Failure.Seed, own)
			return nil
		}
		out = append(out, verdict{v: v, p: p, runs: own.Runs, f: own.Failure})
		for i, q := range left {
			if q == p {
				left = append(left[:i], left[i+1:]...)
				break
			}
		}
	}
	return out
}

var groups = [][]Property{
	{NoSilentStream, FirstUseSafe, LinearizableRefs},
	{NothingMasked, NoSilentLoss},
}

func TestVerdicts(t *testing.T) {
	runs := verdictRuns()
	start := time.Now()
	type job struct {
		v     Variant
		group []Property
		out   []verdict
		took  time.Duration
	}
	var jobs []*job
	for _, v := range Variants() {
		for _, g := range groups {
			jobs = append(jobs, &job{v: v, group: g})
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := time.Now()
			j.out = judge(t, j.v, j.group, runs)
			j.took = time.Since(s)
		}()
	}
	wg.Wait()

	var all, fails []verdict
	for _, j := range jobs {
		all = append(all, j.out...)
		t.Logf("%s %v judged in %v", j.v, j.group, j.took.Round(time.Millisecond))
	}
	// In variant, then property order.
	for i := range all {
		for k := i + 1; k < len(all); k++ {
			if all[k].v == all[i].v && all[k].p < all[i].p {
				all[i], all[k] = all[k], all[i]
			}
		}
	}
	for _, vd := range all {
		fmt.Println(vd)
		if vd.f != nil {
			fails = append(fails, vd)
		}
	}
	t.Logf("all verdicts in %v (%d runs for a pass)", time.Since(start).Round(time.Millisecond), runs)
	if len(all) != len(Variants())*len(Properties()) {
		t.Fatalf("%d verdicts, want %d", len(all), len(Variants())*len(Properties()))
	}

	for _, vd := range all {
		if failed := vd.f != nil; failed != ExpectFail(vd.v, vd.p) {
			who := expectedBy(vd.v, vd.p)
			t.Errorf("%s %v: failed=%v, but %s expects failed=%v\n%v", vd.v, vd.p, failed, who, !failed, vd.f)
		}
		if vd.f == nil && vd.runs != runs {
			t.Errorf("%s %v passed only %d runs, want %d", vd.v, vd.p, vd.runs, runs)
		}
	}
	if h4, h5 := find(all, Holder, NothingMasked), find(all, Holder, NoSilentLoss); h4.f == nil && h5.f == nil {
		t.Errorf("holder passes P4 and P5 under kill faults; the issue expects it to fail one of them")
	}
	// The package doc's account of appowned (PR 66's merged commit): P5
	// fails because a killed stream process was spawned unlinked.
	if vd := find(all, AppOwned, NoSilentLoss); vd.f != nil {
		msg := fmt.Sprint(vd.f.Shrunk.Failure.Value)
		for _, want := range []string{"was killed (an injected fault)", "spawned unlinked, so no on_stream_error fired"} {
			if !strings.Contains(msg, want) {
				t.Errorf("appowned %v: the shrunk failure lacks %q:\n%s", vd.p, want, msg)
			}
		}
	}

	for _, vd := range fails {
		checkFinding(t, vd)
	}
	if !testing.Short() {
		checkCommands(t, fails)
	}
}

func find(vs []verdict, v Variant, p Property) verdict {
	for _, vd := range vs {
		if vd.v == v && vd.p == p {
			return vd
		}
	}
	return verdict{}
}

var names = regexp.MustCompile(`\bs\d\b`)

// checkFinding checks that a FAIL verdict's failure is its property's, reads
// as a story, and replays from the one-line log to the same run.
func checkFinding(t *testing.T, vd verdict) {
	t.Helper()
	f := vd.f
	msg := fmt.Sprint(f.Shrunk.Failure.Value)
	if p, ok := propertyOf(f.Shrunk.Failure); !ok || p != vd.p {
		t.Errorf("%s %v: the shrunk run fails with %v", vd.v, vd.p, f.Shrunk.Failure)
	}
	if f.Shrunk.Failure.Signature() != f.Original.Failure.Signature() {
		t.Errorf("%s %v: shrinking changed the failure from %q to %q", vd.v, vd.p, f.Original.Failure.Signature(), f.Shrunk.Failure.Signature())
	}
	if !names.MatchString(msg) {
		t.Errorf("%s %v: the failure names no stream: %q", vd.v, vd.p, msg)
	}
	l, err := scheduler.ParseLog(f.Log.String())
	if err != nil {
		t.Fatalf("%s %v: ParseLog: %v", vd.v, vd.p, err)
	}
	cfg := sim.Config{Name: entryName(vd.v, vd.p)}
	Configure(vd.p)(&cfg)
	again := sim.Replay(cfg, l, Scenario(vd.v, vd.p))
	if again.Hash != f.Shrunk.Hash || again.Failure.Signature() != f.Shrunk.Failure.Signature() {
		t.Errorf("%s %v: replay gives hash %016x and %q; the finding %016x and %q",
			vd.v, vd.p, again.Hash, again.Failure.Signature(), f.Shrunk.Hash, f.Shrunk.Failure.Signature())
	}
	if vd.p == LinearizableRefs {
		checkVisualization(t, vd, again)
	}
}

var htmlPath = regexp.MustCompile(`see (\S+\.html)`)

// checkVisualization checks that a P3 failure wrote porcupine's view of the
// replayed (traced) run, annotated with the table deaths and steps.
func checkVisualization(t *testing.T, vd verdict, r *sim.Result) {
	t.Helper()
	m := htmlPath.FindStringSubmatch(fmt.Sprint(r.Failure.Value))
	if m == nil {
		t.Errorf("%s %v: the failure names no visualization: %v", vd.v, vd.p, r.Failure)
		return
	}
	page, err := os.ReadFile(m[1])
	if err != nil {
		t.Errorf("%s %v: %v", vd.v, vd.p, err)
		return
	}
	for _, want := range []string{"destroyed at step", "virtual time", RefTable} {
		if !strings.Contains(string(page), want) {
			t.Errorf("%s %v: visualization %s lacks %q", vd.v, vd.p, m[1], want)
		}
	}
	os.Remove(m[1])
}

// checkCommands runs every FAIL verdict's replay command, as printed, from
// the repository root: each must fail the same way, with the same hash.
func checkCommands(t *testing.T, fails []verdict) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no repository root at %s: %v", root, err)
	}
	for _, vd := range fails {
		args := strings.Fields(vd.replayCommand())
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("%s: want exit status 1 (the replayed run fails), got %v\n%s", vd.replayCommand(), err, out)
			continue
		}
		want := fmt.Sprintf("hash %016x", vd.f.Shrunk.Hash)
		story := vd.p.String() + ": "
		if vd.p == LinearizableRefs {
			story = "property " + vd.p.String() + " violated"
		}
		if !strings.Contains(string(out), want) || !strings.Contains(string(out), story) {
			t.Errorf("%s: output lacks %q or %q:\n%s", vd.replayCommand(), want, story, out)
			continue
		}
		t.Logf("replayed %s through its command: %s", entryName(vd.v, vd.p), want)
		removeVisualization(vd.f.Shrunk.Failure)
	}
}

// removeVisualization deletes the visualization a P3 failure wrote, if any.
func removeVisualization(f *sim.Failure) {
	if f == nil {
		return
	}
	if m := htmlPath.FindStringSubmatch(fmt.Sprint(f.Value)); m != nil {
		os.Remove(m[1])
	}
}
