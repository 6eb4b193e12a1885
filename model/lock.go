package model

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// LockOp is what a lock operation does.
type LockOp uint8

const (
	// LockAcquire takes the lock for Input.Owner: Output.OK says it did. A
	// blocking acquire returns only with OK; a try-lock that finds the lock
	// held returns without it.
	LockAcquire LockOp = iota + 1
	// LockRelease lets the lock go: Output.OK says Input.Owner held it (a
	// release by anyone else changes nothing and must say so).
	LockRelease
)

var lockOpNames = [...]string{LockAcquire: "acquire", LockRelease: "release"}

func (o LockOp) String() string {
	if int(o) < len(lockOpNames) && lockOpNames[o] != "" {
		return lockOpNames[o]
	}
	return fmt.Sprintf("LockOp(%d)", uint8(o))
}

// LockInput is a lock operation's input. Owner names who acts (a client, a
// process); it is never 0, which stands for "free".
type LockInput struct {
	Op    LockOp
	Owner int
}

// LockOutput is a lock operation's output.
type LockOutput struct {
	OK bool
}

// Lock is a mutual-exclusion lock, free at first, held by one owner at a
// time and not reentrant: an owner that acquires the lock it holds is
// refused. Inputs are LockInput and outputs LockOutput; an operation that
// never returned (no output) may take effect at any point after its call,
// or never: an owner that crashed while acquiring may hold the lock for
// good, as it would with a lock that has no lease (see Lease).
//
// Two owners granted the lock with no release between them is the
// violation it exists to catch.
var Lock = porcupine.Model{
	Init: func() any { return 0 },
	Step: func(state, input, output any) (bool, any) {
		owner := state.(int)
		in := input.(LockInput)
		out, returned := output.(LockOutput)
		switch in.Op {
		case LockAcquire:
			free := owner == 0
			if returned && out.OK != free {
				return false, owner
			}
			if free {
				return true, in.Owner
			}
			return true, owner
		case LockRelease:
			holds := owner == in.Owner
			if returned && out.OK != holds {
				return false, owner
			}
			if holds {
				return true, 0
			}
			return true, owner
		}
		return false, owner
	},
	DescribeOperation: func(input, output any) string {
		in := input.(LockInput)
		out, returned := output.(LockOutput)
		call := fmt.Sprintf("%s(#%d)", in.Op, in.Owner)
		switch {
		case !returned:
			return call + " -> (no answer)"
		case in.Op == LockAcquire && out.OK:
			return call + " -> granted"
		case in.Op == LockAcquire:
			return call + " -> refused"
		case out.OK:
			return call + " -> released"
		}
		return call + " -> not the holder"
	},
	DescribeState: func(state any) string {
		if state.(int) == 0 {
			return "(free)"
		}
		return fmt.Sprintf("held by #%d", state.(int))
	},
}
