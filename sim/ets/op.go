package ets

import (
	"fmt"
	"strconv"
)

// Op names a table operation in errors, the trace and recorded histories
// (Input.Op).
type Op uint8

// The operations that Options.Record puts in the history. Their numbers go
// into the trace's hash (see outcome): never renumber them.
const (
	Insert Op = iota + 1
	InsertNew
	Lookup
	Delete
	UpdateCounter

	opNew
	opSelectAll
	opSize
	opInfo
	opExists
	opGiveAway
	opSetHeir
	opDestroy
	opInherit   // the heir took the table (an event, not a call)
	opOwnerExit // the owner's exit destroyed the table (an event)
	opEnd
)

var opNames = [...]string{
	Insert: "Insert", InsertNew: "InsertNew", Lookup: "Lookup",
	Delete: "Delete", UpdateCounter: "UpdateCounter",
	opNew: "New", opSelectAll: "SelectAll", opSize: "Size",
	opInfo: "Info", opExists: "Exists", opGiveAway: "GiveAway",
	opSetHeir: "SetHeir", opDestroy: "Destroy", opInherit: "inherit",
	opOwnerExit: "owner exit",
}

func (o Op) String() string {
	if o > 0 && o < opEnd {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Input is the input of a recorded table operation: Value is the value of
// Insert and InsertNew and the increment of UpdateCounter, nil otherwise.
type Input struct {
	Op    Op
	Key   any
	Value any
}

func (in Input) String() string {
	switch in.Op {
	case Insert, InsertNew, UpdateCounter:
		return fmt.Sprintf("%v(%s, %s)", in.Op, show(in.Key), show(in.Value))
	}
	return fmt.Sprintf("%v(%s)", in.Op, show(in.Key))
}

// Output is the output of a recorded table operation. Err is the
// operation's error (wrapping sim.ErrBadArg) or nil; when it is nil, Found
// says whether the key was present when the operation took effect, and
// Value is the value Lookup found, the value InsertNew found in its way, or
// the new value of UpdateCounter. Table is the object id of the table the
// operation reached (0 when none existed), so that a model can tell a table
// re-created under the same name, which starts empty, from the one before.
type Output struct {
	Value any
	Found bool
	Err   error
	Table int
}

func (out Output) String() string {
	switch {
	case out.Err != nil:
		return "badarg"
	case !out.Found:
		return "not found"
	case out.Value != nil:
		return show(out.Value)
	}
	return "found"
}

// outcome folds an operation and its result into an event's argument, so
// that the trace hash tells apart a hit from a miss and a badarg.
func outcome(op Op, ok bool, err error) int64 {
	switch {
	case err != nil:
		return int64(op)<<2 | 2
	case !ok:
		return int64(op)<<2 | 1
	}
	return int64(op) << 2
}

// show renders a key or value in messages: strings quoted, so that a key
// "a b" reads as one.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
