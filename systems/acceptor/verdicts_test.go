package acceptor

// The verdict table, judged as verdict.Judge describes, one group of all
// eight properties per variant, with every fault on. Every failure is
// replayed from its one-line log, in process and (without -short) once
// through the printed command, and must give the same failure with the
// same trace hash; its message must tell the incident's story.

import (
	"flag"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/weftsim/weft/systems/internal/verdict"
)

var runsFlag = flag.Int("acceptor.runs", 0, "acceptor: runs per strategy for each verdict (default 1500, 500 with -short); 50000 gives the issue's 100,000 runs per pass")

// verdictRuns is how many runs each strategy explores for a verdict. The
// acceptor's runs are long (a node, an application, up to ten clients and
// every fault), so the default run gives 3,000 runs to a pass; the package
// doc records the 100,000-run table and the command that makes it.
func verdictRuns() int {
	switch {
	case *runsFlag > 0:
		return *runsFlag
	case testing.Short():
		return 500
	}
	return 1500
}

func TestVerdicts(t *testing.T) {
	sys := System()
	all := verdict.Table(t, sys, verdict.Strategies(), verdictRuns(), nil)
	var fails []verdict.Verdict
	for _, vd := range all {
		if vd.Finding != nil {
			fails = append(fails, vd)
		}
	}
	for _, vd := range fails {
		verdict.CheckReplay(t, sys, vd)
		msg := fmt.Sprint(vd.Finding.Shrunk.Failure.Value)
		if !names.MatchString(msg) {
			t.Errorf("%s %v: the failure names no client or process: %q", vd.Variant, vd.Property, msg)
		}
		for _, want := range stories[vd.Variant+" "+vd.Property] {
			if !strings.Contains(msg, want) {
				t.Errorf("%s %v: the failure lacks %q:\n%s", vd.Variant, vd.Property, want, msg)
			}
		}
	}
	if len(fails) > 0 && !testing.Short() {
		vd := fails[0]
		if out := verdict.CheckCommand(t, vd, "../.."); out != "" && !strings.Contains(out, vd.Property+": ") {
			t.Errorf("%s: output lacks the %v failure:\n%s", vd.Replay(), vd.Property, out)
		}
	}
}

// names are a client's name (c1, b3, probe) or a process (p12 loop).
var names = regexp.MustCompile(`\b([cb]\d+|probe|p\d+ [a-z_]+)\b`)

// stories are what a failure's message must say, by variant and property:
// the review's item it comes from, and for the properties two items break
// (P4, P6), the item left unfixed in a single-fix variant, which is why that
// fix alone does not turn its property green.
var stories = map[string][]string{
	"original P2-accept-resumes":                {"returned when accept failed", "the review's item 1"},
	"original P5-noreply-first":                 {"{badkey, Socket}", "the review's item 5"},
	"original P6-bounded-atoms-conns":           {"the review's item"},
	"original P8-no-stall":                      {"the review's item 6"},
	"fix-ws P4-no-orphans":                      {"the review's item 4"},
	"fix-link P4-no-orphans":                    {"the review's item 3"},
	"fix-atoms P6-bounded-atoms-conns":          {"the review's item 8"},
	"fix-limit P6-bounded-atoms-conns":          {"the review's item 7"},
	"reviewed+idiomatic P1-no-lost-bytes":       {"never makes it the controlling process"},
	"reviewed+shunt98 P1-no-lost-bytes":         {"not_owner", "the shunt never got control"},
	"reviewed+idiomatic P6-bounded-atoms-conns": {"never hands the socket over"},
	"reviewed+shunt98 P6-bounded-atoms-conns":   {"never hands the socket over"},
	"reviewed+idiomatic P3-bounded-memory":      {"a non-discarding mailbox"},
	"reviewed+shunt98 P3-bounded-memory":        {"a non-discarding mailbox"},
	"reviewed-spin P7-no-spin":                  {"treats closed as any other accept error"},
}
