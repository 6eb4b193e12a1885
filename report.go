package weft

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/weftsim/weft/sim"
)

// reportEvents is how many events of the shrunk run a report shows: enough to
// see the interleaving that led to the failure, few enough to read.
const reportEvents = 40

// reportFrames bounds the stack frames a report shows.
const reportFrames = 12

// String renders the exploration for a person: how much ran, and the
// finding if there is one.
func (r *Report) String() string {
	rate := ""
	if secs := r.Elapsed.Seconds(); secs > 0 {
		rate = fmt.Sprintf(", %.0f runs/s", float64(r.Runs)/secs)
	}
	elapsed := r.Elapsed.Round(time.Millisecond)
	if r.Elapsed < time.Second {
		elapsed = r.Elapsed.Round(10 * time.Microsecond)
	}
	head := fmt.Sprintf("weft: %d runs, %d steps in %v%s", r.Runs, r.Steps, elapsed, rate)
	if r.Failure == nil {
		if r.Exhausted {
			if r.Classes > 0 {
				return head + fmt.Sprintf(": no failure; the search with partial-order reduction ended, having run %d classes of schedules within its bound", r.Classes)
			}
			return head + ": no failure; the search ran every log within its bound"
		}
		return head + ": no failure"
	}
	return head + "\n" + r.Failure.String()
}

// String renders the finding as a developer reads it: the failure (kind,
// process, value), where the run came from (seed, strategy), how far it
// shrank, the failing process's stack trimmed to the interesting frames, the
// blocked processes, and the last events of the shrunk run as a timeline.
// It does not say how to replay the run: that depends on where the log is
// saved, so the caller (Test, Fuzz, the weft command) adds it. Every string
// that comes from the program under test shows with its control characters
// quoted (see quoteControls), so that it cannot steer the terminal.
//
// The timeline leaves out the WaitGroup Add and Done events (every
// WaitGroup.Go makes one), unless the failure is a WaitGroup's misuse, and
// says how many it left out; Test shows them with -weft.v.
func (f *Finding) String() string { return f.text(reportStyle{}) }

// reportStyle is how Test renders a report, from its flags.
type reportStyle struct {
	width   int  // the widest column of the timeline (-weft.width; 0: Timeline's)
	verbose bool // keep every event, WaitGroup Add and Done included (-weft.v)
}

// text is String, rendered in style.
func (f *Finding) text(style reportStyle) string {
	var b strings.Builder
	run := f.Shrunk
	if run == nil {
		run = f.Original
	}
	fail := run.Failure
	if fail == nil && f.Original != nil {
		fail = f.Original.Failure
	}

	switch {
	case f.Nondeterministic != "":
		fmt.Fprintf(&b, "weft: nondeterminism: %s\n", quoteControlsLines(f.Nondeterministic))
	case fail != nil:
		fmt.Fprintf(&b, "weft: %s\n", quoteControlsLines(headline(fail)))
	default:
		b.WriteString("weft: failure\n")
	}
	fmt.Fprintf(&b, "  scenario %s, seed %d, strategy %s", quoteControls(orDash(run.Scenario)), f.Seed, quoteControls(orDash(f.Spec)))
	if f.Portfolio != "" {
		fmt.Fprintf(&b, " (the member of %s that seed %d runs)", quoteControls(f.Portfolio), f.Seed)
	}
	b.WriteString("\n")
	if f.seedOnly != "" {
		fmt.Fprintf(&b, "  %s\n", f.seedOnly)
	} else if f.Log != nil {
		switch {
		case f.ShrinkRuns > 0:
			cut := ""
			if f.ShrinkCut {
				cut = " (cut short by its bound)"
			}
			fmt.Fprintf(&b, "  preemptions: %d before shrinking, %d after (%d replays%s); the log has %d decisions\n",
				f.PreemptionsBefore, f.PreemptionsAfter, f.ShrinkRuns, cut, len(f.Log.Decisions))
		default:
			fmt.Fprintf(&b, "  preemptions: %d; the log has %d decisions\n", f.PreemptionsAfter, len(f.Log.Decisions))
		}
		if f.ShrinkRuns > 0 {
			fmt.Fprintf(&b, "  shrunk from %v\n           to %v\n", f.Before, f.After)
		}
		if ess := f.Essential(); len(ess) > 0 {
			var list []string
			for _, c := range ess {
				list = append(list, fmt.Sprintf("step %d %s", c.Step, describe(c, run.Procs)))
			}
			fmt.Fprintf(&b, "  essential: %d of its %d changes: %s\n", len(ess), len(f.Changes), quoteControls(strings.Join(list, "; ")))
		}
	}
	if fail != nil {
		explain(&b, fail)
	}
	if len(run.Trace) > 0 {
		events, left := run.Trace, 0
		if !style.verbose && !waitGroupMisuse(fail) {
			events, left = withoutWaitGroupAdds(events)
		}
		what := fmt.Sprintf("all %d events", len(events))
		if len(events) > reportEvents {
			what = fmt.Sprintf("the last %d of %d events", reportEvents, len(events))
			events = events[len(events)-reportEvents:]
		}
		if left > 0 {
			what += fmt.Sprintf("; %d WaitGroup Add and Done events left out, -weft.v shows them", left)
		}
		kind := "shrunk"
		if f.Nondeterministic != "" || f.ShrinkRuns == 0 {
			kind = "failing"
		}
		fmt.Fprintf(&b, "\ntimeline of the %s run (%s):\n", kind, what)
		width := style.width
		if width <= 0 {
			width = timelineWidth
		}
		var marks []mark
		if len(events) > 0 {
			for _, m := range changeMarks(f.Changes, run.Procs) {
				if m.step >= events[0].Step {
					marks = append(marks, m)
				}
			}
		}
		b.WriteString(indentLines(timeline(events, run.Procs, width, marks), "    "))
	}
	return b.String()
}

// explain writes what a report says under a failure's headline: the
// failing process's stack, trimmed, and the blocked processes.
func explain(b *strings.Builder, fail *sim.Failure) {
	if st := trimStack(fail.Stack); st != "" {
		fmt.Fprintf(b, "\nstack of p%d %q:\n%s", fail.Proc, fail.ProcName, quoteControlsLines(st))
	}
	if len(fail.Blocked) > 0 {
		switch fail.Kind {
		case sim.StepLimit, sim.Horizon:
			b.WriteString("\nprocesses alive when the run was cut short:\n")
		default:
			b.WriteString("\nblocked:\n")
		}
		for _, bl := range fail.Blocked {
			b.WriteString("    " + quoteControls(bl.String()) + "\n")
			for _, f := range bl.Stack {
				b.WriteString("        at " + quoteControls(f.Func) + " (" + quoteControls(f.Site()) + ")\n")
			}
		}
	}
}

// replayTimeline renders the timeline of a replayed run as st says, with
// a last line that says how many WaitGroup events it left out, if any.
func (st reportStyle) replayTimeline(r *sim.Result) string {
	events, left := r.Trace, 0
	if !st.verbose && !waitGroupMisuse(r.Failure) {
		events, left = withoutWaitGroupAdds(events)
	}
	width := st.width
	if width <= 0 {
		width = timelineWidth
	}
	text := TimelineWidth(events, r.Procs, width)
	if left > 0 {
		text += fmt.Sprintf("(%d WaitGroup Add and Done events left out, -weft.v shows them)\n", left)
	}
	return text
}

// waitGroupAdd matches the detail of the event a WaitGroup's Add (or Done,
// or Go) makes: waitgroup#3 "workers" add 1: counter 2.
var waitGroupAdd = regexp.MustCompile(`^waitgroup#\d+(?: "(?:[^"\\]|\\.)*")? add -?\d+: counter -?\d+$`)

// withoutWaitGroupAdds returns events without the WaitGroup Add and Done
// events, and how many it left out. It returns events itself when there are
// none.
func withoutWaitGroupAdds(events []sim.Event) ([]sim.Event, int) {
	isAdd := func(e sim.Event) bool { return e.Kind == sim.EventNote && waitGroupAdd.MatchString(e.Detail) }
	n := 0
	for _, e := range events {
		if isAdd(e) {
			n++
		}
	}
	if n == 0 {
		return events, 0
	}
	out := make([]sim.Event, 0, len(events)-n)
	for _, e := range events {
		if !isAdd(e) {
			out = append(out, e)
		}
	}
	return out, n
}

// waitGroupMisuse reports whether f is one of a WaitGroup's fatal errors,
// whose story is told by its Add and Done events.
func waitGroupMisuse(f *sim.Failure) bool {
	if f == nil || f.Kind != sim.Panic {
		return false
	}
	msg, ok := f.Value.(string)
	return ok && strings.HasPrefix(msg, "sync: ") && strings.Contains(msg, "WaitGroup")
}

// headline is the failure without its list of blocked processes, which the
// report shows on its own lines.
func headline(f *sim.Failure) string {
	s := f.Error()
	if len(f.Blocked) > 0 {
		s, _, _ = strings.Cut(s, "\n\t")
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func indentLines(s, by string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" && l != "\n" {
			lines[i] = by + l
		}
	}
	return strings.Join(lines, "")
}

// trimStack keeps the frames of a process's stack that say something about
// the program: it drops the goroutine header, the frames of the recovery
// machinery above the panic (debug.Stack, the deferred recover, runtime's
// panic), and the coroutine plumbing below the process body (Proc.run,
// iter.Pull). Argument values and PC offsets go too.
func trimStack(stack string) string {
	type frame struct{ fn, loc string }
	var frames []frame
	lines := strings.Split(strings.TrimSpace(stack), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "goroutine ") || strings.HasPrefix(l, "\t") || l == "" {
			continue
		}
		fr := frame{fn: stripArgs(l)}
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			fr.loc = strings.TrimSpace(lines[i+1])
			if k := strings.LastIndex(fr.loc, " +0x"); k >= 0 {
				fr.loc = fr.loc[:k]
			}
			i++
		}
		frames = append(frames, fr)
	}
	// The function in sim that runs a process's body: an unexported name
	// of another package, so TestFindingReport checks that the trimmed
	// stack still ends at the scenario's own frame.
	const body = "github.com/weftsim/weft/sim.(*Proc).run"
	end := len(frames)
	for i, fr := range frames {
		if fr.fn == body {
			end = i
			break
		}
	}
	start := 0
	for i := range frames[:end] {
		switch fn := frames[i].fn; {
		case fn == "panic", fn == body+".func1", strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "runtime/debug."):
			start = i + 1
		}
	}
	frames = frames[start:end]
	var b strings.Builder
	for i, fr := range frames {
		if i == reportFrames {
			fmt.Fprintf(&b, "    ... %d more frames\n", len(frames)-i)
			break
		}
		fmt.Fprintf(&b, "    %s\n", fr.fn)
		if fr.loc != "" {
			fmt.Fprintf(&b, "        %s\n", fr.loc)
		}
	}
	return b.String()
}

// stripArgs turns "pkg.f(0x1, 0x2)" into "pkg.f", and "panic({...})" into
// "panic", leaving "created by ..." lines alone.
func stripArgs(fn string) string {
	if strings.HasSuffix(fn, ")") {
		if k := strings.LastIndex(fn, "("); k > 0 {
			return fn[:k]
		}
	}
	return fn
}
