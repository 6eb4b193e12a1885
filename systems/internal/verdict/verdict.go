// Package verdict judges a system's variants against its properties and
// prints the verdict table: one VERDICT line per (variant, property), PASS
// with the runs it stands on or FAIL with the first failing seed and the
// command that replays it. The systems' verdict tests share it; what each
// expects and how its failures read stay with the system.
package verdict

import (
	"fmt"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
)

// System is what judging needs of a system under test. V is its variant
// type and P its property type; both print with %v (a String method or a
// string type), and a property's printed form is its name, "P<k>-<name>".
type System[V, P comparable] struct {
	// Name names the system: the first word of its catalog entries
	// ("<name>/<variant>/<property>") and of its VERDICT lines.
	Name string
	// Scenario is the scenario of variant v judged by props.
	Scenario func(v V, props ...P) func(*sim.World)
	// Options are the exploration options for judging props together,
	// named name and runs runs long, starting at seed 1. Its Config also
	// configures the replay of a failure of one property.
	Options func(name string, runs int, props []P) weft.Options
	// PropertyOf returns the property a failing run violated, if it failed
	// by violating one.
	PropertyOf func(*sim.Failure) (P, bool)
	// Discard, when set, is given the failure of a group run that Judge
	// drops (its property is then explored alone), to undo what the
	// failure wrote, such as a file.
	Discard func(*sim.Failure)
}

// Verdict is the verdict on one property of one variant.
type Verdict[V, P comparable] struct {
	System   string // System.Name
	Variant  V
	Property P
	Runs     int           // runs explored: all of them for a pass, up to the failing one for a fail
	Finding  *weft.Finding // nil: passed
}

// Entry is the catalog entry that replays the verdict's run:
// "<system>/<variant>/<property>".
func (vd Verdict[V, P]) Entry() string {
	return fmt.Sprintf("%s/%v/%v", vd.System, vd.Variant, vd.Property)
}

// Replay is the shell command, run from the repository root, that replays a
// FAIL verdict's shrunk run from its one-line log.
func (vd Verdict[V, P]) Replay() string {
	return fmt.Sprintf("go run ./cmd/weft replay %s %s", vd.Entry(), vd.Finding.Log)
}

// String is the verdict's VERDICT line:
//
//	VERDICT <system> <variant> <property> PASS runs=<n>
//	VERDICT <system> <variant> <property> FAIL runs=<n> seed=<seed> preemptions=<p> replay=<command>
func (vd Verdict[V, P]) String() string {
	if vd.Finding == nil {
		return fmt.Sprintf("VERDICT %s %v %v PASS runs=%d", vd.System, vd.Variant, vd.Property, vd.Runs)
	}
	return fmt.Sprintf("VERDICT %s %v %v FAIL runs=%d seed=%d preemptions=%d replay=%s",
		vd.System, vd.Variant, vd.Property, vd.Runs, vd.Finding.Seed, vd.Finding.PreemptionsAfter, vd.Replay())
}

// Runs is how many runs a passing verdict stands on: 100,000, or 10,000
// under -short.
func Runs() int {
	if testing.Short() {
		return 10_000
	}
	return 100_000
}

// Violated returns the property of props whose name, followed by ": ",
// begins the message of a Fatal failure: the way a property judged inside
// the run reports its violation.
func Violated[P interface {
	comparable
	fmt.Stringer
}](f *sim.Failure, props []P) (P, bool) {
	var zero P
	if f == nil || f.Kind != sim.Fatal {
		return zero, false
	}
	msg := fmt.Sprint(f.Value)
	for _, p := range props {
		if strings.HasPrefix(msg, p.String()+": ") {
			return p, true
		}
	}
	return zero, false
}
