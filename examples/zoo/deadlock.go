package zoo

import "github.com/weftsim/weft/sim"

// account is a balance guarded by its own mutex. id orders accounts for
// locking.
type account struct {
	id      int
	mu      *sim.Mutex
	balance int
}

func newAccount(w *sim.World, id int, name string, balance int) *account {
	return &account{id: id, mu: sim.NewMutex(w).Named("account " + name), balance: balance}
}

// deadlockTransfers is how many transfers each teller makes.
const deadlockTransfers = 5

// Deadlock has two tellers move money between accounts a and b in opposite
// directions. Each transfer locks the source and then the destination, so
// teller a->b takes a then b while teller b->a takes b then a: the AB-BA
// lock order. The run fails with a Deadlock when each holds its first lock.
func Deadlock(w *sim.World) {
	tellers(w, func(from, to *account, amount int) {
		from.mu.Lock() // BUG: the lock order depends on the transfer's direction
		defer from.mu.Unlock()
		to.mu.Lock()
		defer to.mu.Unlock()
		from.balance -= amount
		to.balance += amount
	})
}

// DeadlockFixed takes the two locks of a transfer in one global order, the
// lower account id first, whatever the direction; no cycle of waiting
// tellers can form.
func DeadlockFixed(w *sim.World) {
	tellers(w, func(from, to *account, amount int) {
		first, second := from, to
		if second.id < first.id {
			first, second = second, first
		}
		first.mu.Lock()
		defer first.mu.Unlock()
		second.mu.Lock()
		defer second.mu.Unlock()
		from.balance -= amount
		to.balance += amount
	})
}

// tellers runs the two tellers with the given transfer and checks that no
// money was made or lost.
func tellers(w *sim.World, transfer func(from, to *account, amount int)) {
	a, b := newAccount(w, 1, "a", 100), newAccount(w, 2, "b", 100)
	wg := sim.NewWaitGroup(w)
	wg.Go("teller a->b", func() {
		for range deadlockTransfers {
			transfer(a, b, 10)
		}
	})
	wg.Go("teller b->a", func() {
		for range deadlockTransfers {
			transfer(b, a, 7)
		}
	})
	wg.Wait()
	if a.balance+b.balance != 200 {
		w.Fatalf("money changed: a has %d and b has %d", a.balance, b.balance)
	}
}
