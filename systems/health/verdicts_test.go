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

	"github.com/weftsim/weft/systems/internal/verdict"
)

func TestVerdicts(t *testing.T) {
	sys := System()
	var fails []verdict.Verdict
	for _, vd := range verdict.Table(t, sys, verdict.Strategies(), verdict.Runs(), nil) {
		if vd.Finding != nil {
			fails = append(fails, vd)
		}
	}
	for _, vd := range fails {
		verdict.CheckReplay(t, sys, vd)
		// The story names the stream it is about.
		if msg := fmt.Sprint(vd.Finding.Shrunk.Failure.Value); !regexp.MustCompile(`c\d#\d+`).MatchString(msg) {
			t.Errorf("%s %v: the failure names no stream: %q", vd.Variant, vd.Property, msg)
		}
	}
	if len(fails) > 0 && !testing.Short() {
		vd := fails[0]
		if out := verdict.CheckCommand(t, vd, "../.."); out != "" && !strings.Contains(out, vd.Property+": ") {
			t.Errorf("%s: output lacks the %v failure:\n%s", vd.Replay(), vd.Property, out)
		}
	}
}
