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

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
	"github.com/weftsim/weft/systems/internal/verdict"
)

// judged is a verdict on registry.
type judged = verdict.Verdict

func TestVerdicts(t *testing.T) {
	sys := System()
	all := verdict.Table(t, sys, verdict.Strategies(), verdict.Runs(), removeVisualization)
	var fails []judged
	for _, vd := range all {
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
		checkFinding(t, sys, vd)
	}
	if !testing.Short() {
		for _, vd := range fails {
			checkCommand(t, vd)
		}
	}
}

func find(vs []judged, v Variant, p Property) judged {
	for _, vd := range vs {
		if vd.Variant == string(v) && vd.Property == p.String() {
			return vd
		}
	}
	return judged{}
}

var names = regexp.MustCompile(`\bs\d\b`)

// checkFinding checks that a FAIL verdict's failure is its property's, reads
// as a story, and replays from the one-line log to the same run.
func checkFinding(t *testing.T, sys systems.System, vd judged) {
	t.Helper()
	again := verdict.CheckReplay(t, sys, vd)
	if msg := fmt.Sprint(vd.Finding.Shrunk.Failure.Value); !names.MatchString(msg) {
		t.Errorf("%s %v: the failure names no stream: %q", vd.Variant, vd.Property, msg)
	}
	if again != nil && vd.Property == LinearizableRefs.String() {
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
	story := vd.Property + ": "
	if vd.Property == LinearizableRefs.String() {
		story = "property " + vd.Property + " violated"
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
