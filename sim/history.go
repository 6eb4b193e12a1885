package sim

import (
	"math"
	"time"
)

// Operation is one operation in a run's history, recorded by the process
// that performed it with World.Call and World.Return, for a linearizability
// check. Call and Return are logical timestamps: a counter that every Call
// and Return advances, so the order of any two marks is exact even when
// virtual time stood still between them. An operation whose process ended
// before it returned stays open: Return is math.MaxInt64 and Output nil.
type Operation struct {
	Client int
	Input  any
	Output any
	Call   int64
	Return int64
	// Proc is the process that called, CallStep and ReturnStep the scheduling
	// points, CallTime and ReturnTime the virtual times of the two marks.
	Proc       int
	CallStep   int64
	ReturnStep int64
	CallTime   time.Duration
	ReturnTime time.Duration
}

// Open reports whether the operation never returned.
func (o Operation) Open() bool { return o.Return == math.MaxInt64 }

// OpID names an operation between its Call and its Return.
type OpID int

type history struct {
	ops   []Operation
	clock int64
}

// Call marks the start of an operation by client with the given input and
// returns the id to pass to Return.
func (w *World) Call(client int, input any) OpID {
	w.checkAlive()
	w.stepOp()
	w.history.clock++
	pid := -1
	if w.cur != nil {
		pid = w.cur.id
	}
	w.history.ops = append(w.history.ops, Operation{
		Client: client, Input: input, Call: w.history.clock, Return: math.MaxInt64,
		Proc: pid, CallStep: w.step, ReturnStep: -1, CallTime: w.now, ReturnTime: -1,
	})
	id := OpID(len(w.history.ops) - 1)
	w.event(EventCall, nil, int64(client), nil)
	return id
}

// Return marks the end of operation id with its output.
func (w *World) Return(id OpID, output any) {
	w.checkAlive()
	w.stepOp()
	if int(id) < 0 || int(id) >= len(w.history.ops) || !w.history.ops[id].Open() {
		panic("sim: Return of an operation that is not open")
	}
	w.history.clock++
	op := &w.history.ops[id]
	op.Output, op.Return, op.ReturnStep, op.ReturnTime = output, w.history.clock, w.step, w.now
	w.event(EventReturn, nil, int64(op.Client), nil)
}
