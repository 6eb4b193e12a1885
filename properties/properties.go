// Package properties holds reusable checks over a finished run, as
// sim.Property values to put in sim.Config.Properties. Each says in its
// error which process or operation broke it, so a failure reads as a story.
//
// Checks that must see every step (an invariant between two scheduling
// points) belong in the scenario itself, with World.Fatalf; these judge what
// a run left behind: its history, its processes' exits, its mailboxes.
//
// # Index
//
// Processes: NoCrash, NoLeaks, MailboxBound.
//
// Linearizability, with porcupine: Linearizable (the property, configured by
// a Linearizability), and the pieces it is built from for checks of your
// own: CheckLinearizable (a run's history against a model), VisualizeRun
// (porcupine's view annotated with the run's steps and faults),
// VisualizationName (what a run's view is named), and AssertLinearizable (the
// check as a test assertion on one Result).
package properties

import (
	"fmt"
	"strings"

	"github.com/weftsim/weft/sim"
)

// NoCrash fails a run in which a process made with Spawn ended with a
// crash (a panic). In OTP a crash can be correct behaviour that a
// supervisor handles, so sim does not fail such runs by itself; this
// property is for systems where no process should crash.
func NoCrash() sim.Property {
	return sim.Property{Name: "no-crash", Check: func(r *sim.Result) error {
		for id, p := range r.Processes {
			if c, ok := p.Reason.(*sim.Crash); ok {
				return fmt.Errorf("process p%d %q crashed: %v", id, p.Name, c.Value)
			}
		}
		return nil
	}}
}

// MailboxBound fails a run in which some process's mailbox ever held more
// than max messages: a consumer that cannot keep up.
func MailboxBound(max int) sim.Property {
	return sim.Property{Name: fmt.Sprintf("mailbox<=%d", max), Check: func(r *sim.Result) error {
		for id, p := range r.Processes {
			if p.MailboxHigh > max {
				return fmt.Errorf("process p%d %q had %d messages waiting (bound %d)", id, p.Name, p.MailboxHigh, max)
			}
		}
		return nil
	}}
}

// NoLeaks fails a run that ended with processes still alive, for runs
// configured with AllowLeaks (without it sim fails them already).
func NoLeaks() sim.Property {
	return sim.Property{Name: "no-leaks", Check: func(r *sim.Result) error {
		if len(r.Leaked) == 0 {
			return nil
		}
		var b strings.Builder
		for _, l := range r.Leaked {
			b.WriteString("\n\t" + l.String())
		}
		return fmt.Errorf("%d processes still alive at the end:%s", len(r.Leaked), b.String())
	}}
}
