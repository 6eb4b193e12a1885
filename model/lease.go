package model

import (
	"fmt"
	"time"

	"github.com/anishathalye/porcupine"
)

// LeaseOp is what a lease operation does.
type LeaseOp uint8

const (
	// LeaseAcquire takes the lease for Input.Holder for Input.TTL: granted
	// (Output.OK) exactly when nobody holds it, or its holder's time ran
	// out, or Input.Holder holds it already (then it is a renewal).
	LeaseAcquire LeaseOp = iota + 1
	// LeaseRenew extends the lease by Input.TTL from now: granted exactly
	// when Input.Holder holds it and its time has not run out.
	LeaseRenew
	// LeaseRelease gives the lease up: Output.OK exactly when Input.Holder
	// held it and its time had not run out.
	LeaseRelease
	// LeaseCheck asks whether Input.Holder holds the lease now (a write
	// fenced by the lease, say): Output.OK.
	LeaseCheck
)

var leaseOpNames = [...]string{LeaseAcquire: "acquire", LeaseRenew: "renew", LeaseRelease: "release", LeaseCheck: "check"}

func (o LeaseOp) String() string {
	if int(o) < len(leaseOpNames) && leaseOpNames[o] != "" {
		return leaseOpNames[o]
	}
	return fmt.Sprintf("LeaseOp(%d)", uint8(o))
}

// LeaseInput is a lease operation's input. Holder is never 0, which stands
// for "nobody".
type LeaseInput struct {
	Op     LeaseOp
	Holder int
	TTL    time.Duration // Acquire, Renew
}

// LeaseOutput is a lease operation's output. At is the virtual time at
// which the operation took effect, as the lease's keeper read its clock
// when it decided (World.Elapsed): it must lie between the operation's call
// and return, and the model orders operations by it.
type LeaseOutput struct {
	OK bool
	At time.Duration
}

// leaseState is who holds the lease until when, and the latest instant an
// operation took effect at (time does not go back).
type leaseState struct {
	holder int
	until  time.Duration
	now    time.Duration
}

func (s leaseState) heldBy(h int, at time.Duration) bool {
	return s.holder != 0 && s.holder == h && at < s.until
}

func (s leaseState) free(at time.Duration) bool { return s.holder == 0 || at >= s.until }

// Lease is mutual exclusion with expiry on virtual time: at any instant at
// most one holder has the lease, and it holds it until its TTL runs out
// unless it renews or releases it. Inputs are LeaseInput and outputs
// LeaseOutput. Operations linearize in the order of their Output.At.
//
// An operation that never returned has no At: it may take effect or never,
// and when it does, it is taken to act at the latest instant of the
// operations before it in the linearization (the earliest it could have).
// So a holder that crashed while acquiring may hold the lease, but only
// until its TTL runs out.
var Lease = porcupine.Model{
	Init: func() any { return leaseState{} },
	Step: func(state, input, output any) (bool, any) {
		s := state.(leaseState)
		in := input.(LeaseInput)
		out, returned := output.(LeaseOutput)
		at := s.now
		if returned {
			if out.At < s.now {
				return false, s
			}
			at = out.At
		}
		next := s
		next.now = at
		var can bool
		switch in.Op {
		case LeaseAcquire:
			can = s.free(at) || s.heldBy(in.Holder, at)
			if can {
				next.holder, next.until = in.Holder, at+in.TTL
			}
		case LeaseRenew:
			can = s.heldBy(in.Holder, at)
			if can {
				next.until = at + in.TTL
			}
		case LeaseRelease:
			can = s.heldBy(in.Holder, at)
			if can {
				next.holder, next.until = 0, 0
			}
		case LeaseCheck:
			can = s.heldBy(in.Holder, at)
		default:
			return false, s
		}
		if returned && out.OK != can {
			return false, s
		}
		return true, next
	},
	DescribeOperation: func(input, output any) string {
		in := input.(LeaseInput)
		out, returned := output.(LeaseOutput)
		call := fmt.Sprintf("%s(#%d)", in.Op, in.Holder)
		if in.Op == LeaseAcquire || in.Op == LeaseRenew {
			call = fmt.Sprintf("%s(#%d, %v)", in.Op, in.Holder, in.TTL)
		}
		if !returned {
			return call + " -> (no answer)"
		}
		verdict := "refused"
		switch {
		case in.Op == LeaseCheck && out.OK:
			verdict = "holds it"
		case in.Op == LeaseCheck:
			verdict = "does not hold it"
		case out.OK:
			verdict = "ok"
		}
		return fmt.Sprintf("%s at %v -> %s", call, out.At, verdict)
	},
	DescribeState: func(state any) string {
		s := state.(leaseState)
		switch {
		case s.holder == 0:
			return fmt.Sprintf("(free) at %v", s.now)
		case s.now >= s.until:
			return fmt.Sprintf("#%d's lease ran out at %v (now %v)", s.holder, s.until, s.now)
		}
		return fmt.Sprintf("held by #%d until %v (now %v)", s.holder, s.until, s.now)
	},
}
