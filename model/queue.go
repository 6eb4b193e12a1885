package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// QueueOp is what a queue operation does.
type QueueOp uint8

const (
	// Enqueue adds Input.Value at the back.
	Enqueue QueueOp = iota + 1
	// Dequeue takes the value at the front: Output.Value, or Output.Empty
	// when there was none (a non-blocking dequeue).
	Dequeue
)

var queueOpNames = [...]string{Enqueue: "enqueue", Dequeue: "dequeue"}

func (o QueueOp) String() string {
	if int(o) < len(queueOpNames) && queueOpNames[o] != "" {
		return queueOpNames[o]
	}
	return fmt.Sprintf("QueueOp(%d)", uint8(o))
}

// QueueInput is a queue operation's input. Values are compared with ==, so
// they must be comparable.
type QueueInput struct {
	Op    QueueOp
	Value any // enqueued (Enqueue)
}

// QueueOutput is a queue operation's output.
type QueueOutput struct {
	Value any  // dequeued (Dequeue)
	Empty bool // Dequeue found nothing
}

// queueState is the queue, front first. Steps copy it.
type queueState []any

// Queue is a FIFO queue, empty at first. Inputs are QueueInput and outputs
// QueueOutput; an operation that never returned (no output) may take effect
// at any point after its call, or never: a dequeue that never returned may
// have taken the front value, which nobody else then gets.
var Queue = porcupine.Model{
	Init: func() any { return queueState(nil) },
	Step: func(state, input, output any) (bool, any) {
		q := state.(queueState)
		in := input.(QueueInput)
		out, returned := output.(QueueOutput)
		switch in.Op {
		case Enqueue:
			return true, append(slices.Clip(q), in.Value) // Clip: never write into a shared array
		case Dequeue:
			if len(q) == 0 {
				return !returned || out.Empty, q
			}
			if returned && (out.Empty || out.Value != q[0]) {
				return false, q
			}
			return true, q[1:]
		}
		return false, q
	},
	Equal: func(a, b any) bool {
		x, y := a.(queueState), b.(queueState)
		return slices.Equal(x, y)
	},
	DescribeOperation: func(input, output any) string {
		in := input.(QueueInput)
		out, returned := output.(QueueOutput)
		call := "dequeue()"
		if in.Op == Enqueue {
			call = fmt.Sprintf("enqueue(%v)", in.Value)
		}
		switch {
		case !returned:
			return call + " -> (no answer)"
		case in.Op == Enqueue:
			return call
		case out.Empty:
			return call + " -> empty"
		}
		return fmt.Sprintf("%s -> %v", call, out.Value)
	},
	DescribeState: func(state any) string {
		q := state.(queueState)
		if len(q) == 0 {
			return "[] (empty)"
		}
		parts := make([]string, len(q))
		for i, v := range q {
			parts[i] = fmt.Sprint(v)
		}
		return "[" + strings.Join(parts, " ") + "] (front first)"
	},
}
