package sim

import (
	"fmt"
	"strings"
)

// A process blocked outside the simulation: in a real time.Sleep, on a real
// channel or lock, in real I/O. The world can neither see nor schedule what
// it waits for, so the run's outcome then depends on real time, and a real
// sleep of 10ms in a scenario costs 10ms in every run. The watchdog (see
// World.watch) notices a step that has lasted Config.RealBlock and looks at
// the running process's goroutine in a dump of every goroutine: when its
// state there is one of blockedStates, the run fails naming the process,
// with its stack and what to use instead. Nothing of this is on a step's
// path: the watchdog reads the sign of life a step stores anyway.

// blockedStates maps the goroutine states of a goroutine dump (runtime2.go's
// waitReasonStrings, "[sleep]" in "goroutine 7 [sleep]:") that mean blocked
// outside the simulation to what blocks there and what to use instead. A
// state not listed (running, runnable, preempted, a GC wait, ...) is a
// process busy computing, which only the watchdog's own period bounds. Nor
// is "semacquire": an allocation waits in it while another goroutine stops
// the world (a goroutine dump, the start of a garbage collection), which
// many worlds in parallel make a matter of milliseconds.
var blockedStates = map[string][2]string{
	"sleep":                   {"a real time.Sleep", "use w.Sleep, or sim.NewTimer and w.After, whose time is virtual"},
	"chan receive":            {"a receive from a real channel", "use a sim.Chan (sim.NewChan) and w.Select"},
	"chan send":               {"a send on a real channel", "use a sim.Chan (sim.NewChan) and w.Select"},
	"chan receive (nil chan)": {"a receive from a nil real channel", "use a sim.Chan (sim.NewChan)"},
	"chan send (nil chan)":    {"a send on a nil real channel", "use a sim.Chan (sim.NewChan)"},
	"select":                  {"a select on real channels", "use w.Select on sim.Chans"},
	"select (no cases)":       {"an empty select", "block on a sim primitive, or return"},
	"sync.Mutex.Lock":         {"a real sync.Mutex", "use sim.NewMutex"},
	"sync.RWMutex.Lock":       {"a real sync.RWMutex", "use sim.NewRWMutex"},
	"sync.RWMutex.RLock":      {"a real sync.RWMutex", "use sim.NewRWMutex"},
	"sync.Cond.Wait":          {"a real sync.Cond", "use sim.NewCond"},
	"sync.WaitGroup.Wait":     {"a real sync.WaitGroup", "use sim.NewWaitGroup"},
	"IO wait":                 {"real network I/O", "use sim/net, whose network is simulated"},
	"syscall":                 {"a real system call (I/O?)", "keep real I/O out of processes: use sim/net or a simulated stand-in"},
}

// blockedOutside returns the failure of a run whose running process p has
// been in the step that life names for at least Config.RealBlock, when its
// goroutine is blocked outside the simulation; nil when it is not, or when
// the step has ended meanwhile.
func (w *World) blockedOutside(p *Proc, life uint64) *Failure {
	stack := stackOf(p)
	if w.life.Load() != life {
		return nil // the step ended: the dump may show the next one
	}
	what, ok := blockedStates[goroutineState(stack)]
	if !ok {
		return nil
	}
	return &Failure{
		Kind: RealBlock, Proc: p.id, ProcName: p.name, Step: int64(life >> lifeIDBits), Stack: stack,
		Value: fmt.Sprintf("%s held it for more than %v of real time in one step (Config.RealBlock); the world can neither see nor schedule what it waits for: %s (the run is abandoned; its goroutine stays until the call returns)", what[0], w.cfg.RealBlock, what[1]),
	}
}

// goroutineState returns the state of a goroutine in its dump, as in
// "goroutine 7 [chan receive, 2 minutes]:": "chan receive".
func goroutineState(stack string) string {
	head, _, _ := strings.Cut(stack, "\n")
	_, state, ok := strings.Cut(head, " [")
	if !ok {
		return ""
	}
	state, _, _ = strings.Cut(state, "]")
	state, _, _ = strings.Cut(state, ",")
	return state
}
