package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FailureKind classifies why a run failed.
type FailureKind uint8

const (
	// Panic: a process panicked.
	Panic FailureKind = iota + 1
	// Goexit: a process called runtime.Goexit, for example through t.FailNow.
	Goexit
	// Fatal: a process called World.Fatalf, or a check reported an error.
	Fatal
	// Deadlock: every live process is blocked and no timer is pending, while
	// the main process has not returned (proven: Blocked says so). Or,
	// suspected, the main process stays blocked while only timers keep the
	// world going (see Config.MainStallAdvances): then Value says what was
	// seen, and Blocked is not proven.
	Deadlock
	// Leak: the main process returned but other processes stayed blocked.
	Leak
	// StepLimit: the run took more scheduling points than Config.MaxSteps.
	StepLimit
	// Horizon: virtual time passed Config.Horizon before the main process
	// returned.
	Horizon
	// Watchdog: a process ran for Config.Watchdog of real time without
	// reaching a scheduling point: it is blocked outside the simulation (a
	// real channel, lock or I/O) or spins without calling into the world.
	Watchdog
	// PropertyViolated: a Property of Config.Properties failed on the
	// finished run; Property names it.
	PropertyViolated
	// MainExited: the main process ended with an abnormal exit reason (an
	// exit signal from a linked process, a Kill, World.Exit) instead of
	// returning: the scenario's checks after that point never ran, so the
	// run cannot pass. Value is the reason.
	MainExited
	// Runaway: a process made more than Config.MaxStepOps decisions and
	// history marks between two scheduling points, or the program's live
	// heap passed Config.MaxHeap. Value says which.
	Runaway
	// RealBlock: a process stayed blocked outside the simulation (a real
	// time.Sleep, channel, lock or I/O) for Config.RealBlock of real time
	// in one step. Value says on what and what to use instead, Stack where.
	RealBlock
)

var failureNames = [...]string{
	Panic: "panic", Goexit: "goexit", Fatal: "fatal", Deadlock: "deadlock", Leak: "leak",
	StepLimit: "step limit", Horizon: "horizon", Watchdog: "watchdog", PropertyViolated: "property",
	MainExited: "main exited", Runaway: "runaway", RealBlock: "real block",
}

func (k FailureKind) String() string {
	if int(k) < len(failureNames) && failureNames[k] != "" {
		return failureNames[k]
	}
	return fmt.Sprintf("FailureKind(%d)", uint8(k))
}

// Blocked describes a process that was still alive when a run ended with
// processes waiting: a deadlock, a leak, or a run cut short by a bound (the
// step limit, the horizon, the budget after main).
type Blocked struct {
	Proc int
	Name string
	// In is what it waits in (send, recv, select, lock, ...), On the objects
	// it waits on, rendered with their creation sites when known. A process
	// that was not blocked when a bound cut the run short is "runnable" (it
	// was ready to run) or "running" (it was the one running), with no On.
	In string
	On []string
	// Held says who holds the lock it waits on (a Mutex, RWMutex or Once):
	// `held by p2 "ba"`, or `read-locked by p0 "main" itself` for a process
	// that waits on a lock it holds, with ", which has returned" or ", which
	// was killed" for a holder that has ended without letting go; "" when it
	// waits on no lock. The holders are read from the trace, so a run that
	// did not keep it (Config.KeepTrace) names none; the replay of a
	// failing run for its report keeps it.
	Held string
	// Proven is true when the world was quiescent (nothing runnable, no timer
	// pending), so the process can never run again. Otherwise the run was cut
	// short by a budget and the leak is only suspected.
	Proven bool
	// Stack is where a blocked process waits, innermost first: the frames
	// of its code, without the world's own (package sim, sim/gort, the
	// runtime), read from its stack when the run tore it down. Code
	// rewritten with //line directives reads as its original source.
	Stack []Frame
}

// Frame is a frame of a blocked process's stack.
type Frame struct {
	Func string // as Go names it: "main.(*T).run", "main.F.func2"
	File string
	Line int
}

func (f Frame) String() string { return f.Func + " " + f.File + ":" + strconv.Itoa(f.Line) }

// Site is the frame's position as reports print sites: "dir/file.go:12".
func (f Frame) Site() string { return shortFile(f.File) + ":" + strconv.Itoa(f.Line) }

func (b Blocked) String() string {
	if b.In == "runnable" || b.In == "running" {
		return fmt.Sprintf("p%d %q %s", b.Proc, b.Name, b.In)
	}
	s := fmt.Sprintf("p%d %q blocked in %s", b.Proc, b.Name, b.In)
	if len(b.On) > 0 {
		s += " on " + strings.Join(b.On, ", ")
	}
	if b.Held != "" {
		s += ", " + b.Held
	}
	if !b.Proven {
		s += " (suspected: the run was cut short)"
	}
	return s
}

// Failure says why a run failed.
type Failure struct {
	Kind FailureKind
	// Proc and ProcName name the process that failed, or -1 and "" when the
	// failure belongs to no process (deadlock, leak, horizon).
	Proc     int
	ProcName string
	// Property names the property a PropertyViolated failure broke.
	Property string
	// Value is the panic value, or the message of a Fatal failure.
	Value any
	// Stack is the failing process's stack, when there is one.
	Stack string
	Step  int64
	Time  time.Duration
	// Blocked lists the blocked processes of a deadlock or leak, and every
	// live process of a run cut short by the step limit or the horizon.
	Blocked []Blocked

	// format is the format string of a Fatal failure: the signature uses it
	// rather than the message, whose values change as a schedule shrinks.
	format string
}

func (f *Failure) Error() string {
	var b strings.Builder
	switch f.Kind {
	case Panic:
		fmt.Fprintf(&b, "process p%d %q panicked: %v", f.Proc, f.ProcName, f.Value)
	case Goexit:
		fmt.Fprintf(&b, "process p%d %q called runtime.Goexit (t.FailNow or t.SkipNow inside a process?)", f.Proc, f.ProcName)
	case Fatal:
		if f.Proc >= 0 {
			fmt.Fprintf(&b, "process p%d %q: %v", f.Proc, f.ProcName, f.Value)
		} else {
			fmt.Fprintf(&b, "%v", f.Value)
		}
	case Deadlock:
		if f.Value != nil {
			fmt.Fprintf(&b, "deadlock (suspected): %v", f.Value)
		} else {
			b.WriteString("deadlock: all processes are blocked")
		}
	case Leak:
		b.WriteString("leak: processes still blocked after the main process returned")
	case Watchdog:
		fmt.Fprintf(&b, "watchdog: process p%d %q %v", f.Proc, f.ProcName, f.Value)
	case RealBlock:
		fmt.Fprintf(&b, "process p%d %q is blocked outside the simulation: %v", f.Proc, f.ProcName, f.Value)
	case PropertyViolated:
		fmt.Fprintf(&b, "property %s violated: %v", f.Property, f.Value)
	case MainExited:
		fmt.Fprintf(&b, "the main process p0 exited with reason %v before it returned: the scenario's checks after that point did not run", f.Value)
	default:
		fmt.Fprintf(&b, "%s: %v", f.Kind, f.Value)
	}
	fmt.Fprintf(&b, " (step %d, virtual time %v)", f.Step, f.Time)
	for _, bl := range f.Blocked {
		b.WriteString("\n\t" + bl.String())
	}
	return b.String()
}

// Signature identifies a failure for shrinking: two runs fail "the same way"
// when their signatures are equal. It leaves out steps, times and stacks,
// which change as a schedule shrinks, and keeps what the user would call the
// bug: the kind, the process and the value, or who was blocked on what.
func (f *Failure) Signature() string {
	if f == nil {
		return ""
	}
	switch f.Kind {
	case Deadlock, Leak:
		var names []string
		for _, b := range f.Blocked {
			names = append(names, b.Name+":"+b.In)
		}
		return f.Kind.String() + " " + strings.Join(names, ",")
	case StepLimit, Horizon:
		return f.Kind.String()
	case PropertyViolated:
		// The message often quotes values that change as the schedule
		// shrinks; the property's name is what must stay.
		return f.Kind.String() + " " + f.Property
	}
	if f.Kind == Fatal && f.format != "" {
		return fmt.Sprintf("%s %s %s", f.Kind, f.ProcName, f.format)
	}
	return fmt.Sprintf("%s %s %v", f.Kind, f.ProcName, f.Value)
}
