package sim

// Cond. Method: the order in which Signal wakes waiters is compared with
// the real sync.Cond running the same program; a Signal that lands while
// Wait is unlocking (a scheduling point) must not be lost, which is checked
// over seeds, with a count of the seeds that exercised it; Broadcast and the
// binding of a Cond to its Locker's world are checked under the calm
// schedule. The table in mutex_test.go adds a queue handed over under a Cond,
// and its broken twin.

import (
	"runtime"
	"slices"
	"sync"
	"testing"
)

// condOps are the operations condOrder needs, from either world.
type condOps struct {
	lock, unlock, wait, signal func()
	goFunc                     func(f func())
	yield                      func()
	woke                       func() // blocks until a woken waiter reports
	reported                   func() // a waiter reports that it woke
}

// condOrder starts n waiters one at a time, each only once the previous one
// is inside Wait, then signals n times, one waiter at a time, and returns the
// order in which they woke.
func condOrder(ops condOps, n int) []int {
	registered := 0
	var woke []int
	for i := range n {
		ops.goFunc(func() {
			ops.lock()
			registered++
			ops.wait()
			woke = append(woke, i)
			ops.unlock()
			ops.reported()
		})
		for {
			// Holding the lock with registered == i+1 means waiter i
			// is inside Wait: it held the lock until Wait released it.
			ops.lock()
			r := registered
			ops.unlock()
			if r == i+1 {
				break
			}
			ops.yield()
		}
	}
	for range n {
		ops.signal()
		ops.woke()
	}
	return woke
}

func TestCondSignalOrderMatchesGo(t *testing.T) {
	const n = 5
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	reports := make(chan struct{})
	real := condOrder(condOps{
		lock: mu.Lock, unlock: mu.Unlock, wait: c.Wait, signal: c.Signal,
		goFunc:   func(f func()) { go f() },
		yield:    runtime.Gosched,
		woke:     func() { <-reports },
		reported: func() { reports <- struct{}{} },
	}, n)
	if want := []int{0, 1, 2, 3, 4}; !slices.Equal(real, want) {
		t.Fatalf("real Go woke %v, want %v", real, want)
	}
	for seed := range uint64(syncSeeds) {
		var got []int
		r := Run(Config{Seed: seed}, func(w *World) {
			mu := NewMutex(w)
			c := NewCond(mu)
			reports := NewChan[struct{}](w, 0)
			got = condOrder(condOps{
				lock: mu.Lock, unlock: mu.Unlock, wait: c.Wait, signal: c.Signal,
				goFunc:   func(f func()) { w.Go("waiter", f) },
				yield:    w.Yield,
				woke:     func() { reports.Recv() },
				reported: func() { reports.Send(struct{}{}) },
			}, n)
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		if !slices.Equal(got, real) {
			t.Fatalf("seed %d: woke %v, real Go %v", seed, got, real)
		}
	}
}

// condFlagLocker is a Mutex that runs hook before each Unlock.
type condFlagLocker struct {
	*Mutex
	hook func()
}

func (l *condFlagLocker) Unlock() { l.hook(); l.Mutex.Unlock() }

// TestCondSignalDuringWaitUnlock: a Signal that comes after Wait queued the
// process but before it blocked (Wait's Unlock is a scheduling point) wakes
// it, as Go's ticket taken before Unlock does. The Locker tells the
// signaller when Wait is unlocking, so that it may signal inside.
func TestCondSignalDuringWaitUnlock(t *testing.T) {
	early := 0
	for seed := range uint64(syncSeeds) {
		r := Run(Config{Seed: seed, KeepTrace: true}, func(w *World) {
			inWait, waiting := false, false
			l := &condFlagLocker{Mutex: NewMutex(w), hook: func() { waiting = inWait }}
			c := NewCond(l)
			w.Go("signaller", func() {
				for !waiting {
					w.Yield()
				}
				c.Signal() // without the lock: it may land inside Wait
			})
			l.Lock()
			inWait = true
			c.Wait()
			l.Unlock()
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		blocked := false
		for _, e := range r.Trace {
			if e.Kind == EventBlock && e.Obj == 2 {
				blocked = true
			}
		}
		if !blocked {
			early++
		}
	}
	if early == 0 || early == syncSeeds {
		t.Fatalf("%d of %d seeds signalled inside Wait's Unlock, want some but not all", early, syncSeeds)
	}
}

func TestCondBroadcast(t *testing.T) {
	var woke []string
	r := Run(syncCalm(), func(w *World) {
		mu := NewMutex(w)
		c := NewCond(mu).Named("go")
		wg := NewWaitGroup(w)
		start := false
		for _, name := range []string{"a", "b", "c"} {
			wg.Go(name, func() {
				mu.Lock()
				for !start {
					c.Wait()
				}
				woke = append(woke, name)
				mu.Unlock()
			})
		}
		w.Yield() // all three wait
		c.Signal()
		mu.Lock()
		start = true
		c.Broadcast()
		mu.Unlock()
		wg.Wait()
		c.Broadcast() // nobody waits: nothing happens
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	// a was signalled first, and so reached the mutex first.
	if want := []string{"a", "b", "c"}; !slices.Equal(woke, want) {
		t.Fatalf("woke %v, want %v", woke, want)
	}
}

// TestCondWorld: a Cond made with NewCond belongs to its Mutex's world at
// once; one made as a literal binds through L on first use, with no
// ambient world needed; a Cond whose L is not weft's needs the ambient one.
func TestCondWorld(t *testing.T) {
	r := Run(syncCalm(), func(w *World) {
		mu := NewMutex(w)
		if c := NewCond(mu); c.w != w || c.obj.id == 0 {
			w.Fatalf("NewCond did not bind to the mutex's world")
		}
		c := &Cond{L: mu}
		c.Signal()
		if c.w != w || c.obj.kind != "cond" {
			w.Fatalf("a literal Cond did not bind through L")
		}
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	r = Run(syncCalm(), func(w *World) {
		c := NewCond(&sync.Mutex{})
		c.Signal()
	})
	if f := r.Failure; f == nil || f.Kind != Panic {
		t.Fatalf("a Cond over a sync.Mutex bound without an ambient world: %v", f)
	}
}
