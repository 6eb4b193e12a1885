package health

// The verdict table, judged as verdict.Judge describes, one group of all
// four properties per variant. Every failure is replayed from its one-line
// log, in process and (without -short) once through the printed command,
// and must give the same failure with the same trace hash.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems/internal/verdict"
)

var system = verdict.System[Variant, Property]{
	Name:     "health",
	Scenario: Scenario,
	Options: func(name string, runs int, _ []Property) weft.Options {
		return weft.Options{Name: name, Runs: runs, Seed: 1}
	},
	PropertyOf: propertyOf,
}

// stated reports whether the issue states the expected verdict of (v, p);
// ExpectFail's other two come from the simulation itself.
func stated(v Variant, p Property) bool {
	return !(v == Original && p == GoawayDelivery) && !(v == PR115 && p == NoPanic)
}

// propertyOf returns the property a failing run violated.
func propertyOf(f *sim.Failure) (Property, bool) { return verdict.Violated(f, Properties()) }

func TestVerdicts(t *testing.T) {
	all := verdict.Table(t, system, Variants(), [][]Property{Properties()}, verdict.Runs())
	var fails []verdict.Verdict[Variant, Property]
	for _, vd := range all {
		v, p, failed := vd.Variant, vd.Property, vd.Finding != nil
		if failed != ExpectFail(v, p) {
			who := "the issue"
			if !stated(v, p) {
				who = "ExpectFail (settled by an earlier simulation)"
			}
			t.Errorf("%s %v: failed=%v, but %s expects failed=%v\n%v", v, p, failed, who, !failed, vd.Finding)
		}
		if failed {
			fails = append(fails, vd)
		}
	}
	for _, vd := range fails {
		verdict.CheckReplay(t, system, vd)
		// The story names the stream it is about.
		if msg := fmt.Sprint(vd.Finding.Shrunk.Failure.Value); !regexp.MustCompile(`c\d#\d+`).MatchString(msg) {
			t.Errorf("%s %v: the failure names no stream: %q", vd.Variant, vd.Property, msg)
		}
	}
	if len(fails) > 0 && !testing.Short() {
		vd := fails[0]
		if out := verdict.CheckCommand(t, vd, "../.."); out != "" && !strings.Contains(out, vd.Property.String()+": ") {
			t.Errorf("%s: output lacks the %v failure:\n%s", vd.Replay(), vd.Property, out)
		}
	}
}
