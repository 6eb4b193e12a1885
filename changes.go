package weft

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Change is one way a run differs from the calm run: a decision that did not
// take the default, other than a random draw (draws are the workload). A
// preemption, a fault fired, a select case or a timer order other than the
// first.
type Change struct {
	// Index is the decision's position in the run's log (Decisions), and
	// Decision the decision itself.
	Index    int
	Decision scheduler.Decision
	// Step is the step of the run at which it was made (the Step of the
	// trace's events around it).
	Step int64
	// Ran and Instead are, for a preemption, the ids of the process it ran
	// and of the one it passed over (option 0); -1 for the other kinds.
	Ran, Instead int
	// Fault names, for a fault, what struck: the detail of its fault event
	// ("kill", "drop", "buggify lose-ack"), with the process it struck.
	Fault string
	// Hold is set for a preemption that goes on holding back the process an
	// earlier one passed over: scheduler.Changes counts both as one change.
	Hold bool
	// Essential is set when the failure needs this change: replaying the log
	// with this decision set to its default no longer fails the same way
	// (another failure, or none).
	Essential bool
}

// String says what the change did, for a timeline: "preemption: p3 ran
// instead of p1", "fault", "select case 2 of 3".
func (c Change) String() string {
	d := c.Decision
	switch d.Kind {
	case scheduler.Schedule:
		what := "preemption"
		if c.Hold {
			what = "preemption (holding back the same process)"
		}
		if c.Ran >= 0 {
			return fmt.Sprintf("%s: p%d ran instead of p%d", what, c.Ran, c.Instead)
		}
		return what
	case scheduler.Fault:
		if c.Fault != "" {
			return "fault: " + c.Fault
		}
		return "fault fired"
	case scheduler.Select:
		return fmt.Sprintf("select case %d of %d", d.Choice+1, d.N)
	case scheduler.Timer:
		return fmt.Sprintf("timer %d of %d due at once fired first", d.Choice+1, d.N)
	}
	return d.String()
}

// Essential returns the changes of the shrunk run that the failure needs
// (see Change.Essential), in the order they were made. It is empty for a
// finding that was not shrunk, or when no single change can be undone
// without also changing others (every change essential means each one is
// needed; none essential happens when the failure has several causes).
func (f *Finding) Essential() []Change {
	var out []Change
	for _, c := range f.Changes {
		if c.Essential {
			out = append(out, c)
		}
	}
	return out
}

// ChangesOf lists the changes of r, a traced failing run (sim.Replay keeps
// the trace), and finds which of them are essential by replaying r's
// decisions under cfg once per change, with that change set to its
// default: a change is essential when that replay does not fail with r's
// failure's Signature. It returns nil when r passed or kept no trace.
func ChangesOf(cfg sim.Config, r *sim.Result, scenario func(*sim.World)) []Change {
	if r.Failure == nil || len(r.DecisionPoints) != len(r.Decisions) {
		return nil
	}
	changes := changesOf(r)
	sig := r.Failure.Signature()
	cfg.KeepTrace = false
	cfg.Seed, cfg.Spec = r.Seed, r.Spec
	ds := (&scheduler.Log{Decisions: r.Decisions}).Trimmed()
	for i := range changes {
		without := slices.Clone(ds)
		without[changes[i].Index].Choice = 0
		cfg.Strategy = scheduler.Replay(without)
		again := sim.Run(cfg, scenario)
		changes[i].Essential = again.Failure.Signature() != sig
	}
	return changes
}

// changesOf lists the changes of traced run r, none essential yet.
func changesOf(r *sim.Result) []Change {
	out := []Change{} // none is an answer: the calm schedule fails

	event := 0 // the trace's events before it are told
	for i, d := range r.Decisions {
		if d.Choice == 0 || d.Kind == scheduler.Random {
			continue
		}
		c := Change{Index: i, Decision: d, Ran: -1, Instead: -1}
		if i < len(r.DecisionPoints) {
			p := r.DecisionPoints[i]
			c.Step = p.Step
			if d.Kind == scheduler.Schedule {
				c.Ran, c.Instead = p.Ran, p.Default
			}
		}
		if d.Kind == scheduler.Fault {
			// Its event, if it made one (Kernel.Chance makes none), is the
			// next fault event of the same step.
			for event < len(r.Trace) && r.Trace[event].Step < c.Step {
				event++
			}
			at := event
			for at < len(r.Trace) && r.Trace[at].Step == c.Step && r.Trace[at].Kind != sim.EventFault {
				at++
			}
			if at < len(r.Trace) && r.Trace[at].Step == c.Step {
				event = at
				e := r.Trace[event]
				c.Fault = fmt.Sprintf("%s (p%d)", e.Detail, e.Proc)
				if e.Proc >= 0 && e.Proc < len(r.Procs) {
					c.Fault = fmt.Sprintf("%s (p%d %q)", e.Detail, e.Proc, r.Procs[e.Proc])
				}
				event++
			}
		}
		_, hold := slices.BinarySearch(r.Holds, i)
		c.Hold = hold && d.Kind == scheduler.Schedule && d.Choice == 1
		out = append(out, c)
	}
	return out
}

// changeMarks turns changes into the marks a timeline shows: a row before
// the first event of the change's step, "* essential: ..." for the changes
// the failure needs and "- change: ..." for the others.
func changeMarks(changes []Change, names []string) []mark {
	marks := make([]mark, 0, len(changes))
	for _, c := range changes {
		prefix := "- change: "
		if c.Essential {
			prefix = "* essential: "
		}
		marks = append(marks, mark{step: c.Step, text: prefix + describe(c, names)})
	}
	return marks
}

// describe is c.String with the processes' names.
func describe(c Change, names []string) string {
	if c.Ran < 0 {
		return c.String()
	}
	text := fmt.Sprintf("preemption: %s ran instead of %s", procName(c.Ran, names), procName(c.Instead, names))
	if c.Hold {
		text += " (still holding it back)"
	}
	return text
}

func procName(id int, names []string) string {
	if id >= 0 && id < len(names) {
		return fmt.Sprintf("p%d %q", id, names[id])
	}
	return "p" + strconv.Itoa(id)
}

// TimelineChanges is Timeline with a row for each change of the run (see
// ChangesOf) before the events of the step it was made at: "* essential:"
// for the changes the failure needs, "- change:" for the others, so that a
// reader sees which preemptions and faults made the failure.
func TimelineChanges(events []sim.Event, names []string, changes []Change) string {
	return timeline(events, names, timelineWidth, changeMarks(changes, names))
}
