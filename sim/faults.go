package sim

import (
	"fmt"
	"sync"

	"github.com/weftsim/weft/scheduler"
)

// FaultKind names a kind of injected fault that a FaultPlan can turn on.
// sim has one, FaultKill; a library declares its own with NewFaultKind (the
// network's packet drops, delays and partitions, say) and asks whether one
// strikes with Kernel.Fault.
type FaultKind uint8

// FaultKill kills an eligible process at a scheduling point (see
// FaultPlan.Killable).
const FaultKill FaultKind = 0

// faultKinds names the declared kinds, by number. It is written only while
// packages initialize (NewFaultKind) and read afterwards; the lock keeps a
// late NewFaultKind honest.
var faultKinds = struct {
	sync.Mutex
	names []string
}{names: []string{FaultKill: "kill"}}

// NewFaultKind declares a kind of fault named name, for a FaultPlan to turn
// on and Kernel.Fault to ask about. Call it once per kind, to initialize a
// package-level variable:
//
//	var FaultTornWrite = sim.NewFaultKind("torn-write")
//
// Kinds are numbered in the order they are declared, which is the order in
// which their packages initialize: the same in every binary built from the
// same code, so a run's trace (which records a fault's number) is too. It
// panics on a name already declared, or past 256 kinds.
func NewFaultKind(name string) FaultKind {
	faultKinds.Lock()
	defer faultKinds.Unlock()
	if name == "" {
		panic("sim: NewFaultKind with an empty name")
	}
	for _, n := range faultKinds.names {
		if n == name {
			panic(fmt.Sprintf("sim: NewFaultKind(%q): a kind with that name is already declared", name))
		}
	}
	if len(faultKinds.names) > 255 {
		panic(fmt.Sprintf("sim: NewFaultKind(%q): more than 256 kinds", name))
	}
	faultKinds.names = append(faultKinds.names, name)
	return FaultKind(len(faultKinds.names) - 1)
}

func (k FaultKind) String() string {
	faultKinds.Lock()
	defer faultKinds.Unlock()
	if int(k) < len(faultKinds.names) {
		return faultKinds.names[k]
	}
	return fmt.Sprintf("FaultKind(%d)", uint8(k))
}

// FaultPlan says which faults a run injects and how often. The zero plan
// injects none. Every fault is a Fault decision whose default is "no
// fault", so a failing run's faults shrink away when they do not matter,
// and the shrunk log keeps only those that do.
type FaultPlan struct {
	// rates holds each kind's rate, by kind (With sets them); a plan is a
	// value, so With copies it.
	rates []float64
	// Swarm turns on, at the start of each run, a random subset of the kinds
	// with a nonzero rate (swarm testing: runs that leave some faults out
	// reach states that runs with all of them crowd out).
	Swarm bool
	// Killable says which processes FaultKill may kill. Nil means every
	// process made with Spawn (an OTP process) other than the main process.
	Killable func(p *Proc) bool

	_ struct{}
}

// With returns a copy of the plan with kind set to rate: the probability,
// per opportunity, that a fault of that kind strikes (per scheduling point
// of an eligible process for FaultKill; per packet, accept, write, ... for a
// library's kinds, as the kind's documentation says). Rates are rounded to
// multiples of 1/1024; 0 turns the kind off. It panics on a rate outside
// [0, 1].
func (f FaultPlan) With(kind FaultKind, rate float64) FaultPlan {
	if !(rate >= 0 && rate <= 1) {
		panic(fmt.Sprintf("sim: FaultPlan.With(%v, %v): a rate is a probability, in [0, 1]", kind, rate))
	}
	rates := make([]float64, max(len(f.rates), int(kind)+1))
	copy(rates, f.rates)
	rates[kind] = rate
	f.rates = rates
	return f
}

// Rate is the rate the plan sets for kind (0: off).
func (f FaultPlan) Rate(kind FaultKind) float64 {
	if int(kind) < len(f.rates) {
		return f.rates[kind]
	}
	return 0
}

// faultScale is the number of options of a fault decision: a kind with rate
// r fires on the top round(r*faultScale) of them.
const faultScale = 1024

// faultState is a run's fault state: the kinds switched on, and Buggify's
// sites. Sites are looked up, never iterated, so the map cannot leak its
// random order into the run.
type faultState struct {
	on     []uint32 // by kind, the threshold: fires when choice >= on (0: off)
	killOn bool
	sites  map[string]bool
}

// setupFaults decides, at the start of a run, which kinds are on.
func (w *World) setupFaults() {
	plan := &w.cfg.Faults
	if len(plan.rates) > 0 {
		w.faults.on = make([]uint32, len(plan.rates))
	}
	for k, r := range plan.rates {
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
		if plan.Swarm && w.decide(scheduler.Fault, 2, nil) == 0 {
			continue // swarm: this kind sits the run out
		}
		w.faults.on[k] = faultScale - n
	}
	w.faults.killOn = len(w.faults.on) > 0 && w.faults.on[FaultKill] != 0
}

// fault reports whether a fault of kind fires now, through a Fault decision
// when the kind is on.
func (w *World) fault(kind FaultKind) bool {
	if int(kind) >= len(w.faults.on) {
		return false
	}
	th := w.faults.on[kind]
	if th == 0 {
		return false
	}
	if w.decide(scheduler.Fault, faultScale, nil) < int(th) {
		return false
	}
	w.event(EventFault, nil, int64(kind), func() string { return "fault " + kind.String() })
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
	if killable == nil && (!p.otp || p.id == 0) || killable != nil && !killable(p) {
		return
	}
	if w.fault(FaultKill) {
		w.end(p, Killed)
	}
}
