package model_test

import (
	"fmt"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/weftsim/weft/model"
)

// Two transfers out of alice's 100 ran at once and both said done: no
// order of them leaves alice solvent, so the history does not linearize.
func ExampleBank() {
	bank := model.Bank(map[string]int64{"alice": 100, "bob": 0, "carol": 0})
	history := []porcupine.Operation{
		{ClientId: 0, Call: 1, Return: 4,
			Input:  model.BankInput{Op: model.BankTransfer, From: "alice", To: "bob", Amount: 80},
			Output: model.BankOutput{OK: true}},
		{ClientId: 1, Call: 2, Return: 3,
			Input:  model.BankInput{Op: model.BankTransfer, From: "alice", To: "carol", Amount: 80},
			Output: model.BankOutput{OK: true}},
	}
	fmt.Println(porcupine.CheckOperations(bank, history))
	fmt.Println(bank.DescribeState(bank.Init()))
	for _, op := range history {
		fmt.Println(bank.DescribeOperation(op.Input, op.Output))
	}
	// Output:
	// false
	// alice=100 bob=0 carol=0 (total 100)
	// transfer(80, alice -> bob) -> done
	// transfer(80, alice -> carol) -> done
}

// A holder paused past its lease's expiry and then wrote as if it still
// held it, after another had taken the lease: the fenced write is the
// violation.
func ExampleLease() {
	const ttl = 10 * time.Millisecond
	history := []porcupine.Operation{
		{ClientId: 1, Call: 1, Return: 2,
			Input:  model.LeaseInput{Op: model.LeaseAcquire, Holder: 1, TTL: ttl},
			Output: model.LeaseOutput{OK: true, At: 0}},
		{ClientId: 2, Call: 3, Return: 4,
			Input:  model.LeaseInput{Op: model.LeaseAcquire, Holder: 2, TTL: ttl},
			Output: model.LeaseOutput{OK: true, At: 12 * time.Millisecond}},
		{ClientId: 1, Call: 5, Return: 6,
			Input:  model.LeaseInput{Op: model.LeaseCheck, Holder: 1},
			Output: model.LeaseOutput{OK: true, At: 13 * time.Millisecond}},
	}
	fmt.Println(porcupine.CheckOperations(model.Lease, history))
	fmt.Println(porcupine.CheckOperations(model.Lease, history[:2]))
	// Output:
	// false
	// true
}

// A counter whose increments lost an update: two adds and a read of 1.
func ExampleCounter() {
	add := model.CounterInput{Op: model.CounterAdd, Delta: 1}
	history := []porcupine.Operation{
		{ClientId: 0, Call: 1, Return: 3, Input: add, Output: model.CounterOutput{ValueUnknown: true}},
		{ClientId: 1, Call: 2, Return: 4, Input: add, Output: model.CounterOutput{ValueUnknown: true}},
		{ClientId: 2, Call: 5, Return: 6, Input: model.CounterInput{Op: model.CounterRead}, Output: model.CounterOutput{Value: 1}},
	}
	fmt.Println(porcupine.CheckOperations(model.Counter, history))
	// Output: false
}
