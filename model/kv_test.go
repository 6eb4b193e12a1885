package model

// Each case is a small history with a known verdict, written as it would
// come out of a run: logical call and return times, one operation per row.

import (
	"testing"

	"github.com/anishathalye/porcupine"
)

type row struct {
	client        int
	in            KVInput
	out           any // KVOutput, or nil for an open operation
	call, return_ int64
}

func history(rows ...row) []porcupine.Operation {
	var ops []porcupine.Operation
	for _, r := range rows {
		ops = append(ops, porcupine.Operation{ClientId: r.client, Input: r.in, Output: r.out, Call: r.call, Return: r.return_})
	}
	return ops
}

const never = int64(1 << 62)

func TestKV(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []porcupine.Operation
		want bool
	}{
		{"read your write", history(
			row{0, KVInput{Op: Put, Key: "a", Value: "1"}, KVOutput{FoundUnknown: true}, 1, 2},
			row{1, KVInput{Op: Get, Key: "a"}, KVOutput{Value: "1", Found: true}, 3, 4},
		), true},
		{"stale read after the write returned", history(
			row{0, KVInput{Op: Put, Key: "a", Value: "1"}, KVOutput{FoundUnknown: true}, 1, 2},
			row{1, KVInput{Op: Get, Key: "a"}, KVOutput{}, 3, 4},
		), false},
		{"concurrent read may miss the write", history(
			row{0, KVInput{Op: Put, Key: "a", Value: "1"}, KVOutput{FoundUnknown: true}, 1, 4},
			row{1, KVInput{Op: Get, Key: "a"}, KVOutput{}, 2, 3},
		), true},
		{"a made-up value is caught", history(
			row{0, KVInput{Op: Put, Key: "a", Value: "1"}, KVOutput{FoundUnknown: true}, 1, 2},
			row{1, KVInput{Op: Get, Key: "a"}, KVOutput{Value: "default", Found: true}, 3, 4},
		), false},
		{"failed operations are no-ops", history(
			row{0, KVInput{Op: Put, Key: "a", Value: "1"}, KVOutput{Err: "badarg"}, 1, 2},
			row{1, KVInput{Op: Get, Key: "a"}, KVOutput{}, 3, 4},
		), true},
		{"put-new twice: one wins", history(
			row{0, KVInput{Op: PutNew, Key: "a", Value: "x"}, KVOutput{}, 1, 4},
			row{1, KVInput{Op: PutNew, Key: "a", Value: "y"}, KVOutput{Found: true}, 2, 3},
			row{2, KVInput{Op: Get, Key: "a"}, KVOutput{Value: "x", Found: true}, 5, 6},
		), true},
		{"put-new twice: both cannot win", history(
			row{0, KVInput{Op: PutNew, Key: "a", Value: "x"}, KVOutput{}, 1, 4},
			row{1, KVInput{Op: PutNew, Key: "a", Value: "y"}, KVOutput{}, 2, 3},
		), false},
		{"a crashed put may or may not land", history(
			row{0, KVInput{Op: Put, Key: "a", Value: "1"}, nil, 1, never},
			row{1, KVInput{Op: Get, Key: "a"}, KVOutput{Value: "1", Found: true}, 3, 4},
			row{1, KVInput{Op: Get, Key: "b"}, KVOutput{}, 5, 6},
		), true},
		{"keys are independent", history(
			row{0, KVInput{Op: Put, Key: "a", Value: "1"}, KVOutput{FoundUnknown: true}, 1, 2},
			row{1, KVInput{Op: Delete, Key: "b"}, KVOutput{Found: false}, 3, 4},
			row{1, KVInput{Op: Get, Key: "a"}, KVOutput{Value: "1", Found: true}, 5, 6},
		), true},
		{"delete reports presence", history(
			row{0, KVInput{Op: Delete, Key: "a"}, KVOutput{Found: true}, 1, 2},
		), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := porcupine.CheckOperations(KV, tc.ops); got != tc.want {
				t.Errorf("linearizable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestKVDescriptions(t *testing.T) {
	got := KV.DescribeOperation(KVInput{Op: Get, Key: "k"}, KVOutput{Value: 7, Found: true})
	if got != `get("k") -> 7` {
		t.Errorf("describe = %q", got)
	}
	if got := KV.DescribeOperation(KVInput{Op: Put, Key: "k", Value: 1}, nil); got != `put("k", 1) -> (crashed)` {
		t.Errorf("describe crashed = %q", got)
	}
}
