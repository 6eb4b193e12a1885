package model

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// CounterOp is what a counter operation does.
type CounterOp uint8

const (
	// CounterAdd adds Input.Delta (negative to subtract). Output.Value is
	// the value after it, as atomic.AddInt64 returns, unless
	// Output.ValueUnknown says the counter does not report it.
	CounterAdd CounterOp = iota + 1
	// CounterRead reads the value: Output.Value.
	CounterRead
)

var counterOpNames = [...]string{CounterAdd: "add", CounterRead: "read"}

func (o CounterOp) String() string {
	if int(o) < len(counterOpNames) && counterOpNames[o] != "" {
		return counterOpNames[o]
	}
	return fmt.Sprintf("CounterOp(%d)", uint8(o))
}

// CounterInput is a counter operation's input.
type CounterInput struct {
	Op    CounterOp
	Delta int64
}

// CounterOutput is a counter operation's output.
type CounterOutput struct {
	Value int64
	// ValueUnknown marks an Add whose counter does not say the new value
	// (an increment that returns nothing): the model then checks only the
	// reads.
	ValueUnknown bool
}

// Counter is an integer that starts at 0 and that adds and reads act on.
// Inputs are CounterInput and outputs CounterOutput; an operation that never
// returned (no output) may take effect at any point after its call, or
// never.
//
// A lost update (two increments read the same value and both write it
// plus one) shows as a read that is one short of every order of the adds.
var Counter = porcupine.Model{
	Init: func() any { return int64(0) },
	Step: func(state, input, output any) (bool, any) {
		v := state.(int64)
		in := input.(CounterInput)
		out, returned := output.(CounterOutput)
		switch in.Op {
		case CounterAdd:
			next := v + in.Delta
			return !returned || out.ValueUnknown || out.Value == next, next
		case CounterRead:
			return !returned || out.Value == v, v
		}
		return false, v
	},
	DescribeOperation: func(input, output any) string {
		in := input.(CounterInput)
		out, returned := output.(CounterOutput)
		call := "read()"
		if in.Op == CounterAdd {
			call = fmt.Sprintf("add(%d)", in.Delta)
		}
		switch {
		case !returned:
			return call + " -> (no answer)"
		case in.Op == CounterAdd && out.ValueUnknown:
			return call
		}
		return fmt.Sprintf("%s -> %d", call, out.Value)
	},
	DescribeState: func(state any) string { return fmt.Sprint(state.(int64)) },
}
