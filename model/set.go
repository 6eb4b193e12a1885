package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// SetOp is what a set operation does.
type SetOp uint8

const (
	// SetAdd adds Input.Value. Output.Found says whether it was there
	// already, unless Output.FoundUnknown.
	SetAdd SetOp = iota + 1
	// SetRemove removes Input.Value. Output.Found says whether it was
	// there, unless Output.FoundUnknown.
	SetRemove
	// SetContains asks whether Input.Value is there: Output.Found.
	SetContains
	// SetRead reads the whole set: Output.Elements, in any order.
	SetRead
)

var setOpNames = [...]string{SetAdd: "add", SetRemove: "remove", SetContains: "contains", SetRead: "read"}

func (o SetOp) String() string {
	if int(o) < len(setOpNames) && setOpNames[o] != "" {
		return setOpNames[o]
	}
	return fmt.Sprintf("SetOp(%d)", uint8(o))
}

// SetInput is a set operation's input. Values are compared with ==, so
// they must be comparable.
type SetInput struct {
	Op    SetOp
	Value any
}

// SetOutput is a set operation's output.
type SetOutput struct {
	Found bool
	// FoundUnknown marks an Add or Remove whose set does not say whether
	// the value was there: the model then does not check Found.
	FoundUnknown bool
	Elements     []any // Read, in any order, each once
}

// setState is the set, as its elements in the order they were added.
// Steps copy it.
type setState []any

// Set is a set of values, empty at first. Inputs are SetInput and outputs
// SetOutput; an operation that never returned (no output) may take effect
// at any point after its call, or never. A history without SetRead is
// checked one value at a time, which is much faster.
var Set = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byValue := map[any]int{} // looked up, never ranged over
		var parts [][]porcupine.Operation
		for _, op := range history {
			in := op.Input.(SetInput)
			if in.Op == SetRead {
				return [][]porcupine.Operation{history} // a read sees every value: one partition
			}
			i, ok := byValue[in.Value]
			if !ok {
				i = len(parts)
				byValue[in.Value] = i
				parts = append(parts, nil)
			}
			parts[i] = append(parts[i], op)
		}
		return parts
	},
	Init: func() any { return setState(nil) },
	Step: func(state, input, output any) (bool, any) {
		s := state.(setState)
		in := input.(SetInput)
		out, returned := output.(SetOutput)
		i := slices.Index(s, in.Value)
		checks := returned && !out.FoundUnknown
		switch in.Op {
		case SetAdd:
			if checks && out.Found != (i >= 0) {
				return false, s
			}
			if i >= 0 {
				return true, s
			}
			return true, append(slices.Clip(s), in.Value)
		case SetRemove:
			if checks && out.Found != (i >= 0) {
				return false, s
			}
			if i < 0 {
				return true, s
			}
			return true, slices.Delete(slices.Clone(s), i, i+1)
		case SetContains:
			return !returned || out.Found == (i >= 0), s
		case SetRead:
			if !returned {
				return true, s
			}
			if len(out.Elements) != len(s) {
				return false, s
			}
			for _, v := range out.Elements {
				if !slices.Contains(s, v) {
					return false, s
				}
			}
			return true, s
		}
		return false, s
	},
	Equal: func(a, b any) bool {
		x, y := a.(setState), b.(setState)
		if len(x) != len(y) {
			return false
		}
		for _, v := range x {
			if !slices.Contains(y, v) {
				return false
			}
		}
		return true
	},
	DescribeOperation: func(input, output any) string {
		in := input.(SetInput)
		out, returned := output.(SetOutput)
		call := fmt.Sprintf("%s(%v)", in.Op, in.Value)
		if in.Op == SetRead {
			call = "read()"
		}
		switch {
		case !returned:
			return call + " -> (no answer)"
		case in.Op == SetRead:
			return call + " -> " + describeElements(out.Elements)
		case out.FoundUnknown:
			return call
		case in.Op == SetContains:
			return fmt.Sprintf("%s -> %v", call, out.Found)
		}
		return fmt.Sprintf("%s -> was present: %v", call, out.Found)
	},
	DescribeState: func(state any) string { return describeElements(state.(setState)) },
}

// describeElements writes a set sorted by its text, so that a set reads
// the same whatever order it was built in.
func describeElements(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprint(v)
	}
	slices.Sort(parts)
	return "{" + strings.Join(parts, " ") + "}"
}
