package model

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// RegisterOp is what a register operation does.
type RegisterOp uint8

const (
	// RegisterRead reads the value: Output.Value.
	RegisterRead RegisterOp = iota + 1
	// RegisterWrite sets the value to Input.Value.
	RegisterWrite
	// RegisterCAS sets the value to Input.Value if it is Input.Expected:
	// Output.OK says whether it did (compare-and-swap).
	RegisterCAS
)

var registerOpNames = [...]string{RegisterRead: "read", RegisterWrite: "write", RegisterCAS: "cas"}

func (o RegisterOp) String() string {
	if int(o) < len(registerOpNames) && registerOpNames[o] != "" {
		return registerOpNames[o]
	}
	return fmt.Sprintf("RegisterOp(%d)", uint8(o))
}

// RegisterInput is a register operation's input. Values are compared with
// ==, so they must be comparable.
type RegisterInput struct {
	Op       RegisterOp
	Value    any // written (Write, CAS)
	Expected any // compared (CAS)
}

// RegisterOutput is a register operation's output.
type RegisterOutput struct {
	Value any  // read (Read)
	OK    bool // swapped (CAS)
}

// Register is a single read/write register with compare-and-swap that
// holds initial until the first write. Inputs are RegisterInput and outputs
// RegisterOutput; an operation that never returned (no output) may take
// effect at any point after its call, or never.
func Register(initial any) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return initial },
		Step: func(state, input, output any) (bool, any) {
			in := input.(RegisterInput)
			out, returned := output.(RegisterOutput)
			switch in.Op {
			case RegisterRead:
				return !returned || out.Value == state, state
			case RegisterWrite:
				return true, in.Value
			case RegisterCAS:
				swaps := state == in.Expected
				if !returned {
					if swaps {
						return true, in.Value
					}
					return true, state
				}
				if out.OK != swaps {
					return false, state
				}
				if swaps {
					return true, in.Value
				}
				return true, state
			}
			return false, state
		},
		DescribeOperation: func(input, output any) string {
			in := input.(RegisterInput)
			out, returned := output.(RegisterOutput)
			var call string
			switch in.Op {
			case RegisterRead:
				call = "read()"
			case RegisterWrite:
				call = fmt.Sprintf("write(%v)", in.Value)
			default:
				call = fmt.Sprintf("cas(%v -> %v)", in.Expected, in.Value)
			}
			switch {
			case !returned:
				return call + " -> (no answer)"
			case in.Op == RegisterRead:
				return fmt.Sprintf("%s -> %v", call, out.Value)
			case in.Op == RegisterCAS && out.OK:
				return call + " -> swapped"
			case in.Op == RegisterCAS:
				return call + " -> not swapped"
			}
			return call
		},
		DescribeState: func(state any) string { return fmt.Sprint(state) },
	}
}
