package sim

import (
	"fmt"
	"sync"

	"github.com/weftsim/weft/scheduler"
)

// FaultKind names a kind of injected fault that a FaultPlan can turn on.
// sim has two, FaultKill and FaultSlow; a library declares its own with
// NewFaultKind (the network's packet drops, delays and partitions, say)
// and asks whether one strikes with Kernel.Fault.
//
// A kind is a number. The number goes into the trace (a fault's event
// records it), so, like a protocol buffer's field number, it is chosen once
// and never changed, and it is the same in every binary whatever else the
// binary imports. weft's own kinds use 0 to 99; choose yours above.
type FaultKind uint16

// FaultKill kills an eligible process at a scheduling point (see
// FaultPlan.Killable).
const FaultKill FaultKind = 0

// FaultSlow makes a scheduling point slow: the step that reaches it lasts
// until the next timer is due, so every timer due by then fires before the
// process goes on. A real thread is descheduled, pauses for the garbage
// collector or computes for longer than its steps cost, and the timers of
// others fire meanwhile; a process that only ever takes a step's cost
// (Config.StepCost) or no time at all never lets a sleeper wake up in the
// middle of a few steps of its work. Its opportunities are the scheduling
// points of a process that is the only one able to run (otherwise a
// preemption already lets the others in) while a timer is due within a
// millisecond (a pause longer than that is not a hiccup).
const FaultSlow FaultKind = 10

// faultKinds names the declared kinds. It is written while packages
// initialize (NewFaultKind) and read afterwards; it is looked up, never
// iterated.
var faultKinds = struct {
	sync.Mutex
	names  map[FaultKind]string
	byName map[string]FaultKind
}{names: map[FaultKind]string{FaultKill: "kill", FaultSlow: "slow"}, byName: map[string]FaultKind{"kill": FaultKill, "slow": FaultSlow}}

// NewFaultKind declares the kind of fault with the given number and name,
// for a FaultPlan to turn on and Kernel.Fault to ask about. Call it once per
// kind, to initialize a package-level variable:
//
//	var FaultTornWrite = sim.NewFaultKind(1201, "torn-write")
//
// It panics when the number or the name is already declared.
func NewFaultKind(number uint16, name string) FaultKind {
	faultKinds.Lock()
	defer faultKinds.Unlock()
	k := FaultKind(number)
	if name == "" {
		panic(fmt.Sprintf("sim: NewFaultKind(%d, \"\"): the name is empty", number))
	}
	if old, ok := faultKinds.names[k]; ok {
		panic(fmt.Sprintf("sim: NewFaultKind(%d, %q): %d is already the number of %q", number, name, number, old))
	}
	if old, ok := faultKinds.byName[name]; ok {
		panic(fmt.Sprintf("sim: NewFaultKind(%d, %q): %q is already the name of kind %d", number, name, name, old))
	}
	faultKinds.names[k] = name
	faultKinds.byName[name] = k
	return k
}

func (k FaultKind) String() string {
	faultKinds.Lock()
	defer faultKinds.Unlock()
	if name, ok := faultKinds.names[k]; ok {
		return name
	}
	return fmt.Sprintf("FaultKind(%d)", uint16(k))
}

// FaultPlan says which faults a run injects and how often. The zero plan
// injects none. Every fault is a Fault decision whose default is "no
// fault", so a failing run's faults shrink away when they do not matter,
// and the shrunk log keeps only those that do.
type FaultPlan struct {
	// rates holds the kinds With set, in the order of their numbers; a plan
	// is a value, so With copies it.
	rates []faultRate
	// Swarm turns on, at the start of each run, a random subset of the kinds
	// with a nonzero rate (swarm testing: runs that leave some faults out
	// reach states that runs with all of them crowd out). Each kind's
	// draw (a Random decision whose default keeps the kind in, so that a
	// fault costs one change from the calm run) is taken in the order of
	// the kinds' numbers.
	Swarm bool
	// Killable says which processes FaultKill may kill, besides the main
	// process, which it never kills: the main process is the scenario's
	// harness, and its checks must run. Nil means every process made with
	// Spawn (an OTP process).
	Killable func(p *Proc) bool

	_ struct{}
}

type faultRate struct {
	kind FaultKind
	rate float64
}

// With returns a copy of the plan with kind set to rate: the probability,
// per opportunity, that a fault of that kind strikes (per scheduling point
// of an eligible process for FaultKill; per scheduling point of a process
// running alone with a timer due within a millisecond for FaultSlow; per
// packet, accept, write, ... for a
// library's kinds, as the kind's documentation says). A fault is a Fault
// decision of two options, "no fault" (the default) and "fire", drawn with
// this rate; rates are rounded to multiples of 1/1024 and a rate of 1 acts
// as 1023/1024, so that a random run still leaves some opportunities
// alone, and a fault that matters can always be shrunk away. 0 turns the
// kind off. It
// panics on a rate that is not a number in [0, 1], or that is below 1/1024
// but not 0 (it would act as 1/1024).
func (f FaultPlan) With(kind FaultKind, rate float64) FaultPlan {
	switch {
	case !(rate >= 0 && rate <= 1):
		panic(fmt.Sprintf("sim: FaultPlan.With(%v, %v): a rate is a probability, in [0, 1]", kind, rate))
	case rate > 0 && rate < 1.0/faultScale:
		panic(fmt.Sprintf("sim: FaultPlan.With(%v, %v): rates below 1/%d, the resolution of a fault decision, would act as 1/%d; use 0 to turn the kind off", kind, rate, faultScale, faultScale))
	}
	i := 0
	for i < len(f.rates) && f.rates[i].kind < kind {
		i++
	}
	rates := make([]faultRate, 0, len(f.rates)+1)
	rates = append(rates, f.rates[:i]...)
	rates = append(rates, faultRate{kind, rate})
	if i < len(f.rates) && f.rates[i].kind == kind {
		i++
	}
	f.rates = append(rates, f.rates[i:]...)
	return f
}

// Rate is the rate the plan sets for kind (0: off).
func (f FaultPlan) Rate(kind FaultKind) float64 {
	for _, r := range f.rates {
		if r.kind == kind {
			return r.rate
		}
	}
	return 0
}

// faultScale is the resolution of a rate: rates are rounded to multiples
// of 1/faultScale, and stay below 1 so that no fault is certain.
const faultScale = 1024

// faultState is a run's fault state: the kinds switched on, and Buggify's
// sites. Sites are looked up, never iterated, so the map cannot leak its
// random order into the run.
type faultState struct {
	on     []faultOn // the kinds switched on, in the order of their numbers
	killOn bool
	slowOn bool
	sites  map[string]bool
}

// faultOn is a kind switched on for a run, and its rate.
type faultOn struct {
	kind FaultKind
	rate float64
}

// setupFaults decides, at the start of a run, which kinds are on.
func (w *World) setupFaults() {
	plan := &w.cfg.Faults
	for _, kr := range plan.rates {
		r := kr.rate
		if r <= 0 {
			continue
		}
		n := uint32(r*faultScale + 0.5)
		if n < 1 {
			n = 1
		}
		if n > faultScale-1 {
			n = faultScale - 1
		}
		// A draw, not a fault: the default keeps the kind in, so that the
		// calm run has every kind on (and none firing) and a fault costs
		// one change, not two.
		if plan.Swarm && w.decide(scheduler.Random, 2, nil) == 1 {
			continue // swarm: this kind sits the run out
		}
		w.faults.on = append(w.faults.on, faultOn{kr.kind, float64(n) / faultScale})
		w.faults.killOn = w.faults.killOn || kr.kind == FaultKill
		w.faults.slowOn = w.faults.slowOn || kr.kind == FaultSlow
	}
}

// fault reports whether a fault of kind fires now, through a Fault decision
// when the kind is on.
func (w *World) fault(kind FaultKind) bool {
	rate := 0.0
	for _, on := range w.faults.on {
		if on.kind == kind {
			rate = on.rate
			break
		}
	}
	if rate == 0 || !w.decideFault(rate) {
		return false
	}
	w.event(EventFault, nil, int64(kind), kind.String) // the timeline reads "fault kill"
	return true
}

// maybeKill runs at the scheduling points of a run whose plan kills
// processes: the running process dies here if a FaultKill fires.
func (w *World) maybeKill() {
	p := w.cur
	if p.exiting || p.exit != nil {
		return
	}
	killable := w.cfg.Faults.Killable
	if p.id == 0 || killable == nil && !p.otp || killable != nil && !killable(p) {
		return
	}
	if w.fault(FaultKill) {
		w.end(p, Killed)
	}
}
