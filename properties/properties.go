// Package properties holds reusable checks over a finished run, as
// sim.Property values to put in sim.Config.Properties. Each says in its
// error which process or operation broke it, so a failure reads as a story.
//
// Checks that must see every step (an invariant between two scheduling
// points) belong in the scenario itself, with World.Fatalf; these judge what
// a run left behind: its history, its processes' exits, its mailboxes.
package properties

import (
	"fmt"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

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

// Linearizable fails a run whose recorded history (World.Call and
// World.Return) is not linearizable against model. A check that runs out
// of its timeout fails too, as inconclusive: a cut-short check is not a
// pass. On a violation in a run that kept its trace (the replay a report
// is made from, not each candidate the shrinker tries), it writes
// porcupine's visualization, annotated with the run's steps, faults and
// crashes, to a file under the system's temporary directory and names it in
// the error.
func Linearizable(model porcupine.Model, timeout time.Duration) sim.Property {
	return sim.Property{Name: "linearizable", Check: func(r *sim.Result) error {
		res, info := sim.CheckLinearizable(model, r.History, timeout)
		switch res {
		case porcupine.Ok:
			return nil
		case porcupine.Unknown:
			return fmt.Errorf("inconclusive: the check of %d operations did not finish within %v", len(r.History), timeout)
		}
		if len(r.Trace) == 0 {
			return fmt.Errorf("not linearizable (%d operations)", len(r.History))
		}
		path := sim.VisualizationPath(r)
		if err := sim.VisualizeRun(path, model, info, r); err != nil {
			return fmt.Errorf("not linearizable (%d operations; writing the visualization failed: %v)", len(r.History), err)
		}
		return fmt.Errorf("not linearizable (%d operations); see %s", len(r.History), path)
	}}
}
