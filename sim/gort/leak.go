package gort

import (
	"fmt"
	"strings"

	"github.com/weftsim/weft/sim"
)

// A Leak is a process of rewritten code that a run left blocked: a
// goroutine leak, read as Go 1.26's goroutine leak profile reads one.
type Leak struct {
	Proc int
	// Func is the function the process runs, as Go names it
	// ("main.F.func2", "main.(*T).run").
	Func string
	// Reason is what it waits in, as Go's wait reasons say it: "chan send",
	// "chan receive (nil chan)", "select", "select (no cases)",
	// "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.WaitGroup.Wait",
	// "sync.Cond.Wait", "sleep", ...
	Reason string
	// On lists the objects it waits on, with their creation sites when the
	// run kept a trace.
	On []string
	// Held says who holds the lock it waits on, if any.
	Held string
	// Stack is where it waits, innermost first: its own frames, at the
	// positions of the source the rewriter read (sim.Blocked.Stack).
	Stack  []sim.Frame
	Origin Origin
	// Proven is true when the world was quiescent: the process can never
	// run again. Otherwise a budget ended the run and the leak is suspected.
	Proven bool
}

// Site is the leak as Go's leak tests match it: "F.func2() [chan send]",
// the function without its package, and the wait reason.
func (l Leak) Site() string {
	f := l.Func
	if i := strings.LastIndex(f, "/"); i >= 0 {
		f = f[i+1:]
	}
	if i := strings.Index(f, "."); i >= 0 {
		f = f[i+1:]
	}
	return f + "() [" + l.Reason + "]"
}

// String renders the leak as an entry of Go's goroutine leak profile: its
// stack (the frames of its code, without the runtime's), what it waits on,
// and where it was started.
func (l Leak) String() string {
	state := "leaked"
	if !l.Proven {
		state = "leaked, suspected"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "goroutine %d [%s (%s)]:\n", l.Proc, l.Reason, state)
	for _, f := range l.Stack {
		fmt.Fprintf(&b, "%s()\n\t%s:%d\n", f.Func, f.File, f.Line)
	}
	if len(l.Stack) == 0 {
		fmt.Fprintf(&b, "%s()\n", l.Func)
	}
	for _, on := range l.On {
		fmt.Fprintf(&b, "\twaits on %s\n", on)
	}
	if l.Held != "" {
		fmt.Fprintf(&b, "\t%s\n", l.Held)
	}
	if l.Origin.Site != "" {
		fmt.Fprintf(&b, "created by %s in goroutine %d\n\t%s\n", l.Origin.Creator, l.Origin.CreatorID, l.Origin.Site)
	}
	return b.String()
}

// Leaks lists the processes a run of rewritten code left blocked, main
// excepted: those Result.Leaked lists when the main process returned, and
// those blocked beside a deadlocked main process. A process that was
// runnable when a budget cut the run short is not blocked, and is left out.
func Leaks(r *sim.Result) []Leak {
	blocked := r.Leaked
	if f := r.Failure; f != nil && len(f.Blocked) > 0 {
		blocked = f.Blocked
	}
	var orig map[int]Origin
	if m := origins.Of(r); m != nil {
		orig = *m
	}
	var out []Leak
	for _, b := range blocked {
		if b.Proc == 0 {
			continue // the main process: the test itself, never a leak
		}
		reason := waitReason(b)
		if reason == "" {
			continue
		}
		out = append(out, Leak{Proc: b.Proc, Func: b.Name, Reason: reason, On: b.On, Held: b.Held, Stack: b.Stack, Origin: orig[b.Proc], Proven: b.Proven})
	}
	return out
}

// waitReason says what b waits in as Go says it; "" for a process that was
// not blocked.
func waitReason(b sim.Blocked) string {
	kind := ""
	if len(b.On) > 0 {
		kind, _, _ = strings.Cut(b.On[0], "#")
	}
	switch b.In {
	case "runnable", "running":
		return ""
	case "send":
		return "chan send"
	case "recv":
		return "chan receive"
	case "send on nil chan":
		return "chan send (nil chan)"
	case "receive from nil chan":
		return "chan receive (nil chan)"
	case "select":
		if len(b.On) == 0 {
			return "select (no cases)"
		}
		return "select"
	case "lock":
		if kind == "rwmutex" && !strings.HasPrefix(b.Held, "held by") && !strings.HasPrefix(b.Held, "write-locked") {
			// Go's RWMutex.Lock waits for readers in RWMutex.Lock, and for
			// another writer on its inner Mutex, in Mutex.Lock: who holds
			// it tells the two apart (Blocked.Held needs the trace).
			return "sync.RWMutex.Lock"
		}
		return "sync.Mutex.Lock"
	case "sleep":
		return "" // it will wake: no leak
	case "rlock":
		return "sync.RWMutex.RLock"
	case "wait":
		switch kind {
		case "waitgroup":
			return "sync.WaitGroup.Wait"
		case "cond":
			return "sync.Cond.Wait"
		}
	case "once":
		return "sync.Mutex.Lock" // sync.Once.Do waits on its mutex
	}
	return b.In
}
