package weft

// Tests of the failure report as a terminal shows it. Method: findings made
// by hand whose every string from the program under test (scenario,
// strategy, process and object names, failure values, stack, trace) holds
// terminal controls; the report must quote them all, and keep the lines of
// a message of several lines.

import (
	"strings"
	"testing"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

func TestFindingQuotesControls(t *testing.T) {
	const esc = "\x1b[31m"
	run := func(f *sim.Failure) *sim.Result {
		return &sim.Result{
			Scenario: "scenario" + esc,
			Procs:    []string{"main", "worker\x1b[2J"},
			Failure:  f,
			Trace: []sim.Event{
				{Step: 1, Proc: 1, Kind: sim.EventSend, Detail: "hello\rbye"},
				{Step: 2, Proc: 1, Kind: sim.EventCrash, Detail: "\u202eboom"},
			},
		}
	}
	stack := "goroutine 7 [running]:\n" +
		"example.com/m.f\x1b]0;x\a(0x1)\n" +
		"\t/src/m/\x1b[5mf.go:3 +0x1d\n"
	for _, tc := range []struct {
		name string
		f    *Finding
		want []string // as the report must show them
	}{
		{"fatal", &Finding{
			Spec:     "random\a",
			Log:      &scheduler.Log{},
			Original: run(&sim.Failure{Kind: sim.Fatal, Proc: 1, ProcName: "worker\x1b[2J", Value: "lost " + esc + "it\r\nsecond line", Stack: stack}),
		}, []string{
			`weft: process p1 "worker\x1b[2J": lost \x1b[31mit\r` + "\nsecond line (step 0",
			`scenario scenario\x1b[31m, seed 0, strategy random\a`,
			`example.com/m.f\x1b]0;x\a`,
			`/src/m/\x1b[5mf.go:3`,
			`p1 worker\x1b[2J`,
			`send hello\rbye`,
			`crash \u202eboom`,
		}},
		{"deadlock", &Finding{
			Original: run(&sim.Failure{Kind: sim.Deadlock, Proc: -1, Blocked: []sim.Blocked{
				{Proc: 1, Name: "worker\x1b[2J", In: "recv", On: []string{`chan#1 "jobs` + esc + `"`}, Proven: true},
			}}),
		}, []string{
			"weft: deadlock: all processes are blocked",
			`    p1 "worker\x1b[2J" blocked in recv on chan#1 "jobs\x1b[31m"`,
		}},
		{"nondeterminism", &Finding{
			Nondeterministic: "event 1 was\n\tstep 1: p1 \"worker\x1b[2J\" send\nin one run",
			Original:         run(nil),
		}, []string{
			"weft: nondeterminism: event 1 was\n\tstep 1: p1 \"worker\\x1b[2J\" send\nin one run",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.f.String()
			if r, ok := steering(text); ok {
				t.Errorf("the report passes %U to the terminal:\n%q", r, text)
			}
			for _, want := range tc.want {
				if !strings.Contains(text, want) {
					t.Errorf("the report lacks %q:\n%s", want, text)
				}
			}
		})
	}
}
