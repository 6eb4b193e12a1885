package sim

import (
	"fmt"

	"github.com/weftsim/weft/scheduler"
)

// FaultKind names a kind of injected fault.
type FaultKind uint8

const (
	// FaultKill kills an eligible process at a scheduling point.
	FaultKill FaultKind = iota
	// FaultDrop drops a packet on a network link.
	FaultDrop
	// FaultDelay delays a packet beyond its link's latency.
	FaultDelay
	// FaultDuplicate delivers a packet twice.
	FaultDuplicate
	// FaultPartition cuts a link for a while.
	FaultPartition
	// FaultEMFILE makes an accept fail as if the host were out of fds.
	FaultEMFILE
	// FaultSlowReader stalls a reader, so its receive buffer fills up.
	FaultSlowReader

	faultKinds
)

var faultNames = [...]string{
	FaultKill: "kill", FaultDrop: "drop", FaultDelay: "delay", FaultDuplicate: "duplicate",
	FaultPartition: "partition", FaultEMFILE: "emfile", FaultSlowReader: "slow-reader",
}

func (k FaultKind) String() string {
	if k < faultKinds {
		return faultNames[k]
	}
	return fmt.Sprintf("FaultKind(%d)", uint8(k))
}

// FaultPlan says which faults a run injects and how often. The zero plan
// injects none. Every fault is a Fault decision whose default is "no
// fault", so a failing run's faults shrink away when they do not matter,
// and the shrunk log keeps only those that do.
type FaultPlan struct {
	// Rate is the probability, per opportunity, that a fault of each kind
	// fires: per scheduling point of an eligible process for FaultKill,
	// per packet for the network kinds, per accept for FaultEMFILE. Rates
	// are rounded to multiples of 1/1024; 0 turns the kind off.
	Rate [faultKinds]float64
	// Swarm turns on, at the start of each run, a random subset of the kinds
	// with a nonzero rate (swarm testing: runs that leave some faults out
	// reach states that runs with all of them crowd out).
	Swarm bool
	// Killable says which processes FaultKill may kill. Nil means every
	// process made with Spawn (an OTP process) other than the main process.
	Killable func(p *Proc) bool

	_ struct{}
}

// With returns a copy of the plan with kind set to rate.
func (f FaultPlan) With(kind FaultKind, rate float64) FaultPlan {
	f.Rate[kind] = rate
	return f
}

// faultScale is the number of options of a fault decision: a kind with rate
// r fires on the top round(r*faultScale) of them.
const faultScale = 1024

// faultState is a run's fault state: the kinds switched on, and Buggify's
// sites. Sites are looked up, never iterated, so the map cannot leak its
// random order into the run.
type faultState struct {
	on     [faultKinds]uint32 // threshold: fires when choice >= on (0: off)
	killOn bool
	sites  map[string]bool
}

// setupFaults decides, at the start of a run, which kinds are on.
func (w *World) setupFaults() {
	plan := &w.cfg.Faults
	for k := FaultKind(0); k < faultKinds; k++ {
		r := plan.Rate[k]
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
	w.faults.killOn = w.faults.on[FaultKill] != 0
}

// fault reports whether a fault of kind fires now, through a Fault decision
// when the kind is on.
func (w *World) fault(kind FaultKind) bool {
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

// Fault reports whether a fault of the given kind fires now, according to
// the run's FaultPlan. Systems with fault sites of their own (a disk, a
// clock) call it where the fault would strike.
func (w *World) Fault(kind FaultKind) bool {
	w.checkAlive()
	return w.fault(kind)
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
