package model

import (
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// The descriptions are what porcupine's page shows for each operation and
// state: each must say what was called, what came back, and what the state
// is, in words a reader of the page needs no legend for.
func TestDescriptions(t *testing.T) {
	bank := Bank(map[string]int64{"bob": 5, "alice": 10})
	for _, tc := range []struct {
		m    porcupine.Model
		in   any
		out  any
		want string
	}{
		{Register(0), RegisterInput{Op: RegisterRead}, RegisterOutput{Value: 3}, "read() -> 3"},
		{Register(0), RegisterInput{Op: RegisterCAS, Expected: 1, Value: 2}, RegisterOutput{}, "cas(1 -> 2) -> not swapped"},
		{Register(0), RegisterInput{Op: RegisterWrite, Value: 4}, nil, "write(4) -> (no answer)"},
		{Counter, CounterInput{Op: CounterAdd, Delta: 2}, CounterOutput{Value: 5}, "add(2) -> 5"},
		{Counter, CounterInput{Op: CounterAdd, Delta: 1}, CounterOutput{ValueUnknown: true}, "add(1)"},
		{bank, BankInput{Op: BankTransfer, From: "alice", To: "bob", Amount: 3}, BankOutput{OK: true}, "transfer(3, alice -> bob) -> done"},
		{bank, BankInput{Op: BankAudit}, BankOutput{Balances: map[string]int64{"alice": 7, "bob": 8}}, "audit() -> alice=7 bob=8"},
		{Queue, QueueInput{Op: Dequeue}, QueueOutput{Empty: true}, "dequeue() -> empty"},
		{Queue, QueueInput{Op: Enqueue, Value: "x"}, QueueOutput{}, "enqueue(x)"},
		{Set, SetInput{Op: SetRead}, SetOutput{Elements: []any{"b", "a"}}, "read() -> {a b}"},
		{Set, SetInput{Op: SetAdd, Value: 1}, SetOutput{Found: true}, "add(1) -> was present: true"},
		{Lock, LockInput{Op: LockAcquire, Owner: 2}, LockOutput{}, "acquire(#2) -> refused"},
		{Lock, LockInput{Op: LockRelease, Owner: 2}, LockOutput{}, "release(#2) -> not the holder"},
		{Lease, LeaseInput{Op: LeaseAcquire, Holder: 1, TTL: time.Second}, LeaseOutput{OK: true, At: time.Millisecond}, "acquire(#1, 1s) at 1ms -> ok"},
		{Lease, LeaseInput{Op: LeaseCheck, Holder: 1}, LeaseOutput{At: 2 * time.Second}, "check(#1) at 2s -> does not hold it"},
	} {
		if got := tc.m.DescribeOperation(tc.in, tc.out); got != tc.want {
			t.Errorf("DescribeOperation(%+v, %+v) = %q, want %q", tc.in, tc.out, got, tc.want)
		}
	}
	for _, tc := range []struct {
		m     porcupine.Model
		state any
		want  string
	}{
		{bank, bank.Init(), "alice=10 bob=5 (total 15)"},
		{Queue, queueState{1, 2}, "[1 2] (front first)"},
		{Queue, Queue.Init(), "[] (empty)"},
		{Set, setState{"z", "a"}, "{a z}"},
		{Lock, 0, "(free)"},
		{Lock, 3, "held by #3"},
		{Lease, leaseState{holder: 1, until: time.Second, now: 2 * time.Second}, "#1's lease ran out at 1s (now 2s)"},
		{Lease, leaseState{holder: 1, until: time.Second}, "held by #1 until 1s (now 0s)"},
	} {
		if got := tc.m.DescribeState(tc.state); got != tc.want {
			t.Errorf("DescribeState(%+v) = %q, want %q", tc.state, got, tc.want)
		}
	}
}

// Each model's page, as porcupine draws it for a history that does not
// linearize: the operations and the states along the longest linearizable
// prefix read in the model's words.
func TestVisualizations(t *testing.T) {
	bank := Bank(map[string]int64{"alice": 100, "bob": 0})
	for _, tc := range []struct {
		name string
		m    porcupine.Model
		h    []porcupine.Operation
		want []string
	}{
		{"register", Register(0), ops(
			op{0, RegisterInput{Op: RegisterWrite, Value: 1}, RegisterOutput{}, 1, 2},
			op{1, RegisterInput{Op: RegisterRead}, RegisterOutput{Value: 0}, 3, 4},
		), []string{"write(1)", "read() -\\u003e 0"}},
		{"bank", bank, ops(
			op{0, BankInput{Op: BankTransfer, From: "alice", To: "bob", Amount: 80}, BankOutput{OK: true}, 1, 2},
			op{1, BankInput{Op: BankTransfer, From: "alice", To: "bob", Amount: 80}, BankOutput{OK: true}, 3, 4},
		), []string{"transfer(80, alice -\\u003e bob) -\\u003e done", "alice=20 bob=80 (total 100)"}},
		{"queue", Queue, ops(
			op{0, QueueInput{Op: Enqueue, Value: 1}, QueueOutput{}, 1, 2},
			op{1, QueueInput{Op: Dequeue}, QueueOutput{Empty: true}, 3, 4},
		), []string{"enqueue(1)", "[1] (front first)"}},
		{"lease", Lease, ops(
			op{1, LeaseInput{Op: LeaseAcquire, Holder: 1, TTL: time.Second}, LeaseOutput{OK: true}, 1, 2},
			op{2, LeaseInput{Op: LeaseAcquire, Holder: 2, TTL: time.Second}, LeaseOutput{OK: true, At: time.Millisecond}, 3, 4},
		), []string{"acquire(#1, 1s) at 0s -\\u003e ok", "held by #1 until 1s (now 0s)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, info := porcupine.CheckOperationsVerbose(tc.m, tc.h, 0)
			if res != porcupine.Illegal {
				t.Fatalf("check = %v, want Illegal", res)
			}
			var page strings.Builder
			if err := porcupine.Visualize(tc.m, info, &page); err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(page.String(), want) {
					t.Errorf("the page lacks %q", want)
				}
			}
		})
	}
}
