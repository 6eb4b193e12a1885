package registry

// The verdict table, judged as verdict.Judge describes. Each variant's
// properties fall in two groups that share a run configuration: P1 to P3
// without faults, P4 and P5 under process-kill faults. Every failure is
// replayed from its one-line log, in process, and (without -short) through
// its printed command, and must give the same failure with the same trace
// hash.

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems/internal/verdict"
)

// shrinkRuns bounds the replays spent shrinking one failure: positional
// decision logs shrink slowly once kill faults are in them, and a replay
// costs a tenth of a millisecond.
const shrinkRuns = 20_000

var system = verdict.System[Variant, Property]{
	Name:     "registry",
	Scenario: Scenario,
	Options: func(name string, runs int, props []Property) weft.Options {
		o := weft.Options{Name: name, Runs: runs, Seed: 1, ShrinkRuns: shrinkRuns}
		Configure(props...)(&o.Config)
		return o
	},
	PropertyOf: propertyOf,
	Discard:    removeVisualization,
}

var groups = [][]Property{
	{NoSilentStream, FirstUseSafe, LinearizableRefs},
	{NothingMasked, NoSilentLoss},
}

// judged is a verdict on registry.
type judged = verdict.Verdict[Variant, Property]

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

// propertyOf returns the property a failing run violated: a Fatal failure
// whose message starts with the property's name, or P3's end-of-run check.
func propertyOf(f *sim.Failure) (Property, bool) {
	if f != nil && f.Kind == sim.PropertyViolated {
		return LinearizableRefs, f.Property == LinearizableRefs.String()
	}
	return verdict.Violated(f, Properties())
}

func TestVerdicts(t *testing.T) {
	all := verdict.Table(t, system, Variants(), groups, verdict.Runs())
	var fails []judged
	for _, vd := range all {
		if failed := vd.Finding != nil; failed != ExpectFail(vd.Variant, vd.Property) {
			who := expectedBy(vd.Variant, vd.Property)
			t.Errorf("%s %v: failed=%v, but %s expects failed=%v\n%v", vd.Variant, vd.Property, failed, who, !failed, vd.Finding)
		}
		if vd.Finding != nil {
			fails = append(fails, vd)
		}
	}
	if h4, h5 := find(all, Holder, NothingMasked), find(all, Holder, NoSilentLoss); h4.Finding == nil && h5.Finding == nil {
		t.Errorf("holder passes P4 and P5 under kill faults; the issue expects it to fail one of them")
	}
	// The package doc's account of appowned (PR 66's merged commit): P5
	// fails because a killed stream process was spawned unlinked.
	if vd := find(all, AppOwned, NoSilentLoss); vd.Finding != nil {
		msg := fmt.Sprint(vd.Finding.Shrunk.Failure.Value)
		for _, want := range []string{"was killed (an injected fault)", "spawned unlinked, so no on_stream_error fired"} {
			if !strings.Contains(msg, want) {
				t.Errorf("appowned %v: the shrunk failure lacks %q:\n%s", vd.Property, want, msg)
			}
		}
	}

	for _, vd := range fails {
		checkFinding(t, vd)
	}
	if !testing.Short() {
		for _, vd := range fails {
			checkCommand(t, vd)
		}
	}
}

func find(vs []judged, v Variant, p Property) judged {
	for _, vd := range vs {
		if vd.Variant == v && vd.Property == p {
			return vd
		}
	}
	return judged{}
}

var names = regexp.MustCompile(`\bs\d\b`)

// checkFinding checks that a FAIL verdict's failure is its property's, reads
// as a story, and replays from the one-line log to the same run.
func checkFinding(t *testing.T, vd judged) {
	t.Helper()
	again := verdict.CheckReplay(t, system, vd)
	if msg := fmt.Sprint(vd.Finding.Shrunk.Failure.Value); !names.MatchString(msg) {
		t.Errorf("%s %v: the failure names no stream: %q", vd.Variant, vd.Property, msg)
	}
	if again != nil && vd.Property == LinearizableRefs {
		checkVisualization(t, vd, again)
	}
}

var htmlPath = regexp.MustCompile(`see (\S+\.html)`)

// checkVisualization checks that a P3 failure wrote porcupine's view of the
// replayed (traced) run, annotated with the table deaths and steps.
func checkVisualization(t *testing.T, vd judged, r *sim.Result) {
	t.Helper()
	m := htmlPath.FindStringSubmatch(fmt.Sprint(r.Failure.Value))
	if m == nil {
		t.Errorf("%s %v: the failure names no visualization: %v", vd.Variant, vd.Property, r.Failure)
		return
	}
	page, err := os.ReadFile(m[1])
	if err != nil {
		t.Errorf("%s %v: %v", vd.Variant, vd.Property, err)
		return
	}
	for _, want := range []string{"destroyed at step", "virtual time", RefTable} {
		if !strings.Contains(string(page), want) {
			t.Errorf("%s %v: visualization %s lacks %q", vd.Variant, vd.Property, m[1], want)
		}
	}
	os.Remove(m[1])
}

// checkCommand runs a FAIL verdict's replay command, as printed, from the
// repository root: it must fail the same way, with the same hash.
func checkCommand(t *testing.T, vd judged) {
	t.Helper()
	out := verdict.CheckCommand(t, vd, "../..")
	if out == "" {
		return
	}
	story := vd.Property.String() + ": "
	if vd.Property == LinearizableRefs {
		story = "property " + vd.Property.String() + " violated"
	}
	if !strings.Contains(out, story) {
		t.Errorf("%s: output lacks %q:\n%s", vd.Replay(), story, out)
	}
	removeVisualization(vd.Finding.Shrunk.Failure)
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
