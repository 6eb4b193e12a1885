package longpoll

// The verdict table, judged as verdict.Judge describes. Each variant's
// properties fall in two groups that share a run configuration: P1, P2, P4
// and P5 without faults, P3 under faults. Every run draws one or two
// servers, so every verdict stands on both. Every failure is replayed from
// its one-line log, in process, and (without -short) through its printed
// command, and must give the same failure with the same trace hash; each
// must tell its part of the incident's story.
//
// The runs per strategy are fewer than verdict.Runs, to keep the table
// within make test's budget (see verdictRuns); -weft.runs sets them, and
// the package doc records the table over 50,000 per strategy.

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems/internal/verdict"
)

// stories are what each property's failure must say, whatever the run: the
// words that tell the incident.
var stories = map[Property][]string{
	NavigationSurvives: {"navigation ", " on lv:1 in one tick", "though the page never left it", "the session handled the join first"},
	PushOrder:          {"applied out of order", "the session handled"},
	ExactlyOnce:        {"pushed on page ", "Faults: "},
	OneRoundTrip:       {"took more than one trip", "in the browser for an answer", "queued in batchBuffer until"},
}

func TestVerdicts(t *testing.T) {
	sys := System()
	all := verdict.Table(t, sys, verdict.Strategies(), verdictRuns(t), removeVisualization)
	var fails []verdict.Verdict
	for _, vd := range all {
		if vd.Finding != nil {
			fails = append(fails, vd)
		}
	}
	for _, vd := range fails {
		verdict.CheckReplay(t, sys, vd)
		p, _ := Violated(vd.Finding.Shrunk.Failure)
		msg := fmt.Sprint(vd.Finding.Shrunk.Failure.Value)
		t.Logf("%s %s, shrunk: %s", vd.Variant, vd.Property, msg)
		for _, want := range stories[p] {
			if !strings.Contains(msg, want) {
				t.Errorf("%s %v: the shrunk failure lacks %q:\n%s", vd.Variant, vd.Property, want, msg)
			}
		}
		// The incident itself: the original's leave, handled after the
		// join, stops the new channel.
		if vd.Variant == string(Original) && p == NavigationSurvives && !strings.Contains(msg, "the server sent phx_close") {
			t.Errorf("original P1: the story does not say the leave closed the new channel:\n%s", msg)
		}
	}
	// Property 3 answers the question with a shrunk timeline:
	// is what Phoenix shipped exactly-once under faults?
	if vd := find(all, JoinRefBatching, ExactlyOnce); vd.Finding != nil {
		t.Logf("what Phoenix shipped under faults:\n%v", vd.Finding)
	}
	if !testing.Short() {
		for _, vd := range fails {
			if out := verdict.CheckCommand(t, vd, "../.."); out != "" && !strings.Contains(out, vd.Property+": ") && !strings.Contains(out, "property "+vd.Property+" violated") {
				t.Errorf("%s: output lacks the %v failure:\n%s", vd.Replay(), vd.Property, out)
			}
		}
	}
}

func find(vs []verdict.Verdict, v Variant, p Property) verdict.Verdict {
	for _, vd := range vs {
		if vd.Variant == string(v) && vd.Property == p.String() {
			return vd
		}
	}
	return verdict.Verdict{}
}

// verdictRuns is how many runs each strategy explores for a verdict:
// -weft.runs when given; otherwise 4,000 (1,000 under -short), a
// twelfth of verdict.Runs, because a run of this system (a browser, one or
// two servers and a balancer over the simulated network) costs about half
// a millisecond of CPU, and the twelve explorations of 50,000 runs that the
// passes need take about six minutes of CPU (the package doc records them).
func verdictRuns(t *testing.T) int { return runsFlag(t, 4_000, 1_000) }

// runsFlag is -weft.runs when given, else def (short under -short).
func runsFlag(t *testing.T, def, short int) int {
	if f := flag.Lookup("weft.runs"); f != nil && f.Value.String() != "" {
		n, err := strconv.Atoi(f.Value.String())
		if err != nil || n < 1 {
			t.Fatalf("-weft.runs=%q: want a positive number of runs", f.Value.String())
		}
		return n
	}
	if testing.Short() {
		return short
	}
	return def
}

var htmlPath = regexp.MustCompile(`see (\S+\.html)`)

// removeVisualization deletes the page a P4 failure wrote, if any.
func removeVisualization(f *sim.Failure) {
	if f == nil {
		return
	}
	if m := htmlPath.FindStringSubmatch(fmt.Sprint(f.Value)); m != nil {
		os.Remove(m[1])
	}
}
