package model

// Each model gets small histories with a known verdict, written as a run
// would record them: logical call and return times, one operation per
// row, nil output for an operation that never returned.

import (
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

type op struct {
	client    int
	in, out   any
	call, ret int64
}

func ops(rows ...op) []porcupine.Operation {
	var h []porcupine.Operation
	for _, r := range rows {
		h = append(h, porcupine.Operation{ClientId: r.client, Input: r.in, Output: r.out, Call: r.call, Return: r.ret})
	}
	return h
}

type verdictCase struct {
	name string
	h    []porcupine.Operation
	want bool
}

func checkVerdicts(t *testing.T, m porcupine.Model, cases []verdictCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := porcupine.CheckOperations(m, tc.h); got != tc.want {
				t.Errorf("linearizable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRegister(t *testing.T) {
	read := RegisterInput{Op: RegisterRead}
	write := func(v int) RegisterInput { return RegisterInput{Op: RegisterWrite, Value: v} }
	cas := func(from, to int) RegisterInput { return RegisterInput{Op: RegisterCAS, Expected: from, Value: to} }
	got := func(v any) RegisterOutput { return RegisterOutput{Value: v} }
	swapped, unswapped := RegisterOutput{OK: true}, RegisterOutput{}
	checkVerdicts(t, Register(0), []verdictCase{
		{"the initial value", ops(op{0, read, got(0), 1, 2}), true},
		{"a made-up value", ops(op{0, read, got(7), 1, 2}), false},
		{"a stale read after the write returned", ops(
			op{0, write(1), RegisterOutput{}, 1, 2},
			op{1, read, got(0), 3, 4},
		), false},
		{"a concurrent read may see either", ops(
			op{0, write(1), RegisterOutput{}, 1, 6},
			op{1, read, got(1), 2, 3},
			op{2, read, got(0), 4, 5},
		), false}, // once one read saw 1, a later read cannot see 0
		{"reads around a concurrent write, in order", ops(
			op{0, write(1), RegisterOutput{}, 1, 6},
			op{1, read, got(0), 2, 3},
			op{2, read, got(1), 4, 5},
		), true},
		{"two swaps from the same value: one wins", ops(
			op{0, cas(0, 1), swapped, 1, 4},
			op{1, cas(0, 2), unswapped, 2, 3},
			op{2, read, got(1), 5, 6},
		), true},
		{"two swaps from the same value cannot both win", ops(
			op{0, cas(0, 1), swapped, 1, 4},
			op{1, cas(0, 2), swapped, 2, 3},
		), false},
		{"a write that never returned may land", ops(
			op{0, write(5), nil, 1, never},
			op{1, read, got(5), 2, 3},
		), true},
	})
}

func TestCounter(t *testing.T) {
	add := func(d int64) CounterInput { return CounterInput{Op: CounterAdd, Delta: d} }
	read := CounterInput{Op: CounterRead}
	val := func(v int64) CounterOutput { return CounterOutput{Value: v} }
	blind := CounterOutput{ValueUnknown: true}
	checkVerdicts(t, Counter, []verdictCase{
		{"two increments then a read", ops(
			op{0, add(1), blind, 1, 3},
			op{1, add(1), blind, 2, 4},
			op{2, read, val(2), 5, 6},
		), true},
		{"a lost update", ops(
			op{0, add(1), blind, 1, 3},
			op{1, add(1), blind, 2, 4},
			op{2, read, val(1), 5, 6},
		), false},
		{"both adds return the same new value", ops(
			op{0, add(1), val(1), 1, 3},
			op{1, add(1), val(1), 2, 4},
		), false},
		{"adds return their own new values", ops(
			op{0, add(1), val(2), 1, 3},
			op{1, add(1), val(1), 2, 4},
		), true},
		{"a negative delta", ops(op{0, add(-3), val(-3), 1, 2}), true},
		{"an add that never returned may count", ops(
			op{0, add(5), nil, 1, never},
			op{1, read, val(0), 2, 3},
			op{1, read, val(5), 4, 5},
		), true},
	})
}

func TestBank(t *testing.T) {
	bank := Bank(map[string]int64{"alice": 100, "bob": 0, "carol": 0})
	move := func(n int64, from, to string) BankInput {
		return BankInput{Op: BankTransfer, From: from, To: to, Amount: n}
	}
	done, refused := BankOutput{OK: true}, BankOutput{}
	audit := BankInput{Op: BankAudit}
	sees := func(a, b, c int64) BankOutput {
		return BankOutput{Balances: map[string]int64{"alice": a, "bob": b, "carol": c}}
	}
	checkVerdicts(t, bank, []verdictCase{
		{"a transfer then an audit", ops(
			op{0, move(30, "alice", "bob"), done, 1, 2},
			op{1, audit, sees(70, 30, 0), 3, 4},
		), true},
		{"an audit sees a transfer half done", ops(
			op{0, move(30, "alice", "bob"), done, 1, 4},
			op{1, audit, sees(70, 0, 0), 2, 3},
		), false},
		{"two withdrawals cannot both overdraw", ops(
			op{0, move(80, "alice", "bob"), done, 1, 4},
			op{1, move(80, "alice", "carol"), done, 2, 3},
		), false},
		{"one of two overdrawing transfers is refused", ops(
			op{0, move(80, "alice", "bob"), done, 1, 4},
			op{1, move(80, "alice", "carol"), refused, 2, 3},
			op{2, BankInput{Op: BankBalance, From: "carol"}, BankOutput{Balance: 0}, 5, 6},
		), true},
		{"refusing a transfer that had the money", ops(
			op{0, move(10, "alice", "bob"), refused, 1, 2},
		), false},
		{"a chain of transfers", ops(
			op{0, move(50, "alice", "bob"), done, 1, 2},
			op{1, move(50, "bob", "carol"), done, 3, 4},
			op{2, audit, sees(50, 0, 50), 5, 6},
		), true},
		{"an unknown account never linearizes", ops(
			op{0, move(1, "alice", "mallory"), done, 1, 2},
		), false},
	})
}

func TestQueue(t *testing.T) {
	enq := func(v int) QueueInput { return QueueInput{Op: Enqueue, Value: v} }
	deq := QueueInput{Op: Dequeue}
	got := func(v int) QueueOutput { return QueueOutput{Value: v} }
	empty := QueueOutput{Empty: true}
	checkVerdicts(t, Queue, []verdictCase{
		{"first in, first out", ops(
			op{0, enq(1), QueueOutput{}, 1, 2},
			op{0, enq(2), QueueOutput{}, 3, 4},
			op{1, deq, got(1), 5, 6},
			op{1, deq, got(2), 7, 8},
			op{1, deq, empty, 9, 10},
		), true},
		{"last in, first out is caught", ops(
			op{0, enq(1), QueueOutput{}, 1, 2},
			op{0, enq(2), QueueOutput{}, 3, 4},
			op{1, deq, got(2), 5, 6},
		), false},
		{"concurrent enqueues go in either order", ops(
			op{0, enq(1), QueueOutput{}, 1, 4},
			op{1, enq(2), QueueOutput{}, 2, 3},
			op{2, deq, got(2), 5, 6},
			op{2, deq, got(1), 7, 8},
		), true},
		{"a value dequeued twice", ops(
			op{0, enq(1), QueueOutput{}, 1, 2},
			op{1, deq, got(1), 3, 6},
			op{2, deq, got(1), 4, 5},
		), false},
		{"empty while it held a value", ops(
			op{0, enq(1), QueueOutput{}, 1, 2},
			op{1, deq, empty, 3, 4},
		), false},
		{"a dequeue that never returned may take the front", ops(
			op{0, enq(1), QueueOutput{}, 1, 2},
			op{0, enq(2), QueueOutput{}, 3, 4},
			op{1, deq, nil, 5, never},
			op{2, deq, got(2), 6, 7},
		), true},
	})
}

func TestSet(t *testing.T) {
	add := func(v string) SetInput { return SetInput{Op: SetAdd, Value: v} }
	remove := func(v string) SetInput { return SetInput{Op: SetRemove, Value: v} }
	has := func(v string) SetInput { return SetInput{Op: SetContains, Value: v} }
	read := SetInput{Op: SetRead}
	found, absent, blind := SetOutput{Found: true}, SetOutput{}, SetOutput{FoundUnknown: true}
	elems := func(vs ...any) SetOutput { return SetOutput{Elements: vs} }
	checkVerdicts(t, Set, []verdictCase{
		{"add then contains", ops(
			op{0, add("a"), absent, 1, 2},
			op{1, has("a"), found, 3, 4},
		), true},
		{"a removed value is still there", ops(
			op{0, add("a"), blind, 1, 2},
			op{0, remove("a"), found, 3, 4},
			op{1, has("a"), found, 5, 6},
		), false},
		{"two adds both say new", ops(
			op{0, add("a"), absent, 1, 3},
			op{1, add("a"), absent, 2, 4},
		), false},
		{"a read in any order", ops(
			op{0, add("a"), blind, 1, 2},
			op{0, add("b"), blind, 3, 4},
			op{1, read, elems("b", "a"), 5, 6},
		), true},
		{"a read that misses a finished add", ops(
			op{0, add("a"), blind, 1, 2},
			op{0, add("b"), blind, 3, 4},
			op{1, read, elems("a"), 5, 6},
		), false},
		{"a read with a value never added", ops(
			op{1, read, elems("z"), 1, 2},
		), false},
		{"values are independent", ops(
			op{0, add("a"), absent, 1, 2},
			op{1, remove("b"), absent, 3, 4},
			op{1, has("a"), found, 5, 6},
		), true},
	})
}

func TestLock(t *testing.T) {
	acquire := func(o int) LockInput { return LockInput{Op: LockAcquire, Owner: o} }
	release := func(o int) LockInput { return LockInput{Op: LockRelease, Owner: o} }
	yes, no := LockOutput{OK: true}, LockOutput{}
	checkVerdicts(t, Lock, []verdictCase{
		{"one after the other", ops(
			op{1, acquire(1), yes, 1, 2},
			op{1, release(1), yes, 3, 4},
			op{2, acquire(2), yes, 5, 6},
		), true},
		{"two holders at once", ops(
			op{1, acquire(1), yes, 1, 2},
			op{2, acquire(2), yes, 3, 4},
		), false},
		{"a try-lock refused while held", ops(
			op{1, acquire(1), yes, 1, 2},
			op{2, acquire(2), no, 3, 4},
		), true},
		{"a try-lock refused while free", ops(
			op{2, acquire(2), no, 1, 2},
		), false},
		{"a release by someone else", ops(
			op{1, acquire(1), yes, 1, 2},
			op{2, release(2), yes, 3, 4},
		), false},
		{"a release overlapping the next acquire", ops(
			op{1, acquire(1), yes, 1, 2},
			op{1, release(1), yes, 3, 6},
			op{2, acquire(2), yes, 4, 5},
		), true},
		{"an owner that crashed acquiring may hold it for good", ops(
			op{1, acquire(1), nil, 1, never},
			op{2, acquire(2), no, 2, 3},
		), true},
	})
}

func TestLease(t *testing.T) {
	const ttl = 10 * time.Millisecond
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	acquire := func(h int) LeaseInput { return LeaseInput{Op: LeaseAcquire, Holder: h, TTL: ttl} }
	renew := func(h int) LeaseInput { return LeaseInput{Op: LeaseRenew, Holder: h, TTL: ttl} }
	check := func(h int) LeaseInput { return LeaseInput{Op: LeaseCheck, Holder: h} }
	release := func(h int) LeaseInput { return LeaseInput{Op: LeaseRelease, Holder: h} }
	yes := func(at int) LeaseOutput { return LeaseOutput{OK: true, At: ms(at)} }
	no := func(at int) LeaseOutput { return LeaseOutput{At: ms(at)} }
	checkVerdicts(t, Lease, []verdictCase{
		{"a second holder after the first ran out", ops(
			op{1, acquire(1), yes(0), 1, 2},
			op{2, acquire(2), yes(10), 3, 4},
		), true},
		{"a second holder before the first ran out", ops(
			op{1, acquire(1), yes(0), 1, 2},
			op{2, acquire(2), yes(9), 3, 4},
		), false},
		{"a holder writes after its lease ran out", ops(
			op{1, acquire(1), yes(0), 1, 2},
			op{1, check(1), yes(12), 3, 4},
		), false},
		{"a renewal keeps others out", ops(
			op{1, acquire(1), yes(0), 1, 2},
			op{1, renew(1), yes(8), 3, 4},
			op{2, acquire(2), no(15), 5, 6},
			op{1, check(1), yes(17), 7, 8},
		), true},
		{"renewing a lease that ran out", ops(
			op{1, acquire(1), yes(0), 1, 2},
			op{1, renew(1), yes(10), 3, 4},
		), false},
		{"a release lets the next in early", ops(
			op{1, acquire(1), yes(0), 1, 2},
			op{1, release(1), yes(3), 3, 4},
			op{2, acquire(2), yes(4), 5, 6},
		), true},
		{"time does not go back", ops(
			op{1, acquire(1), yes(5), 1, 2},
			op{2, check(2), no(3), 3, 4},
		), false},
		{"refused though it had run out", ops(
			op{1, acquire(1), yes(0), 1, 2},
			op{2, acquire(2), no(11), 3, 4},
		), false},
		{"a crashed acquirer holds it until its TTL runs out", ops(
			op{1, acquire(1), nil, 1, never},
			op{2, acquire(2), no(4), 2, 3},
			op{2, acquire(2), yes(20), 4, 5},
		), true},
	})
}
