// Package verdict judges a system's variants against its properties and
// prints the verdict table: one VERDICT line per (variant, property), PASS
// with the runs it stands on or FAIL with the first failing seed and the
// command that replays it. It works on any system's description (package
// systems); the systems' verdict tests share it, and what each expects of
// its failures' stories stays with the system.
package verdict

import (
	"fmt"
	"testing"

	"github.com/weftsim/weft"
)

// Verdict is the verdict on one property of one variant.
type Verdict struct {
	System   string // systems.System.Name
	Variant  string
	Property string
	Runs     int           // runs explored: all of them for a pass, up to the failing one for a fail
	Finding  *weft.Finding // nil: passed
}

// Entry is the catalog entry that replays the verdict's run:
// "<system>/<variant>/<property>".
func (vd Verdict) Entry() string { return vd.System + "/" + vd.Variant + "/" + vd.Property }

// Replay is the shell command, run from the repository root, that replays a
// FAIL verdict's shrunk run from its one-line log.
func (vd Verdict) Replay() string {
	return fmt.Sprintf("go run ./cmd/weft replay %s %s", vd.Entry(), vd.Finding.Log)
}

// String is the verdict's VERDICT line:
//
//	VERDICT <system> <variant> <property> PASS runs=<n>
//	VERDICT <system> <variant> <property> FAIL runs=<n> seed=<seed> preemptions=<p> replay=<command>
func (vd Verdict) String() string {
	if vd.Finding == nil {
		return fmt.Sprintf("VERDICT %s %s %s PASS runs=%d", vd.System, vd.Variant, vd.Property, vd.Runs)
	}
	return fmt.Sprintf("VERDICT %s %s %s FAIL runs=%d seed=%d preemptions=%d replay=%s",
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
