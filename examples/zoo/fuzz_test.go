package zoo

import (
	"testing"

	"github.com/weftsim/weft"
)

// The fixed twins as fuzz targets: `go test -fuzz=FuzzFixed ./examples/zoo`
// lets Go's coverage-guided fuzzer mutate the schedule itself (its bytes are
// the decisions), and every corpus entry replays as a plain test.
func FuzzFixedDeadlock(f *testing.F)   { weft.Fuzz(f, DeadlockFixed) }
func FuzzFixedLostUpdate(f *testing.F) { weft.Fuzz(f, LostUpdateFixed) }
