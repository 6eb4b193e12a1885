// Package model holds porcupine models (sequential specifications) for the
// systems weft checks for linearizability: the reference systems use them,
// and so can users whose systems share their shape.
//
// Each model's inputs and outputs are its own types (KVInput, KVOutput,
// ...); an operation that never returned (nil output) may take effect at
// any point after its call, or never; and DescribeOperation and
// DescribeState write what porcupine's page shows in plain words.
//
// # Index
//
// Stores: [KV] (keys partitioned), [Register] (read, write,
// compare-and-swap), [Counter], [Bank] (accounts and transfers, audits),
// [Queue] (FIFO), [Set].
//
// Exclusion: [Lock], [Lease] (a lock whose holder's time runs out on
// virtual time), [Membership] (one member per key).
package model

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// KVOp is what a key-value operation does.
type KVOp uint8

const (
	// Get reads a key: Output.Found says whether it was present, and
	// Output.Value its value.
	Get KVOp = iota + 1
	// Put sets a key's value, present or not.
	Put
	// PutNew sets a key's value only if the key is absent (ets:insert_new):
	// Output.Found says whether it was present, in which case nothing
	// changed.
	PutNew
	// Delete removes a key. Output.Found, when the store reports it, says
	// whether the key was present; see KVOutput.
	Delete
)

var kvOpNames = [...]string{Get: "get", Put: "put", PutNew: "put-new", Delete: "delete"}

func (o KVOp) String() string {
	if int(o) < len(kvOpNames) && kvOpNames[o] != "" {
		return kvOpNames[o]
	}
	return fmt.Sprintf("KVOp(%d)", uint8(o))
}

// KVInput is a key-value operation's input. Values are compared with ==, so
// they must be comparable.
type KVInput struct {
	Op    KVOp
	Key   string
	Value any
}

// KVOutput is a key-value operation's output.
type KVOutput struct {
	Value any
	Found bool
	// FoundUnknown marks a Delete or Put whose store does not report whether
	// the key was present: the model then does not check Found.
	FoundUnknown bool
	// Err is set when the operation failed and had no effect (a table that
	// did not exist, say). A failed operation is a no-op to the model: it is
	// linearizable anywhere, and it changes nothing.
	Err string
}

// kvState is the state of one key: the partition the model checks.
type kvState struct {
	value   any
	present bool
}

// KV is a key-value store, partitioned by key: a history is linearizable
// if and only if the operations on each key are. Inputs are KVInput and
// outputs KVOutput; an operation cut short by a crash (no output) may take
// effect or not.
var KV = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string]int{}
		var parts [][]porcupine.Operation
		for _, op := range history {
			k := op.Input.(KVInput).Key
			i, ok := byKey[k]
			if !ok {
				i = len(parts)
				byKey[k] = i
				parts = append(parts, nil)
			}
			parts[i] = append(parts[i], op)
		}
		return parts
	},
	Init: func() any { return kvState{} },
	Step: func(state, input, output any) (bool, any) {
		s := state.(kvState)
		in := input.(KVInput)
		out, ok := output.(KVOutput)
		if !ok {
			// An open operation (its process crashed before it returned):
			// porcupine lets it take effect at any point or never.
			out = KVOutput{FoundUnknown: true}
			if in.Op == Get || in.Op == PutNew {
				return true, s
			}
		}
		if out.Err != "" {
			return true, s
		}
		switch in.Op {
		case Get:
			if out.Found != s.present || s.present && out.Value != s.value {
				return false, s
			}
			return true, s
		case Put:
			if !out.FoundUnknown && out.Found != s.present {
				return false, s
			}
			return true, kvState{value: in.Value, present: true}
		case PutNew:
			if out.Found != s.present {
				return false, s
			}
			if s.present {
				return true, s
			}
			return true, kvState{value: in.Value, present: true}
		case Delete:
			if !out.FoundUnknown && out.Found != s.present {
				return false, s
			}
			return true, kvState{}
		}
		return false, s
	},
	DescribeOperation: func(input, output any) string {
		in := input.(KVInput)
		out, ok := output.(KVOutput)
		call := fmt.Sprintf("%s(%q", in.Op, in.Key)
		if in.Op == Put || in.Op == PutNew {
			call += fmt.Sprintf(", %v", in.Value)
		}
		call += ")"
		switch {
		case !ok:
			return call + " -> (crashed)"
		case out.Err != "":
			return call + " -> error: " + out.Err
		case in.Op == Get && out.Found:
			return fmt.Sprintf("%s -> %v", call, out.Value)
		case in.Op == Get:
			return call + " -> not found"
		case out.FoundUnknown:
			return call
		}
		return fmt.Sprintf("%s -> was present: %v", call, out.Found)
	},
	DescribeState: func(state any) string {
		s := state.(kvState)
		if !s.present {
			return "(absent)"
		}
		return fmt.Sprint(s.value)
	},
}
