package sim

// RWMutex. Method: writer preference and misuse are compared with the real
// sync.RWMutex running the same program (fatal messages through a child
// process, see realSyncFatal); Go's batching of readers between writers and
// the try variants are checked under the calm schedule, which is exact; that
// readers really share the lock is checked over seeds. The table in
// mutex_test.go adds mutual exclusion and the recursive-RLock deadlock.

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// rwOps are the operations rwPreference needs, from either world.
type rwOps struct {
	rlock, runlock, lock, unlock func()
	tryRLock                     func() bool
	goFunc                       func(name string, f func())
	yield                        func()
	pause                        func() // gives a reader-preferring lock time to let the reader in
	wait                         func() // until both goroutines are done
}

// rwPreference is the writer-preference program: a reader holds the lock; a
// writer starts and waits; until TryRLock fails, the writer is not pending
// yet. A second reader then starts while the first still holds the lock;
// with writer preference it gets in only after the writer. note records who
// got the lock in which order.
func rwPreference(ops rwOps, note func(string)) {
	note("first")
	ops.rlock()
	ops.goFunc("writer", func() {
		ops.lock()
		note("writer")
		ops.unlock()
	})
	for ops.tryRLock() {
		ops.runlock()
		ops.yield()
	}
	note("TryRLock fails")
	ops.goFunc("second", func() {
		ops.rlock()
		note("second")
		ops.runlock()
	})
	ops.pause()
	ops.runlock()
	ops.wait()
}

func TestRWMutexWriterPreferenceMatchesGo(t *testing.T) {
	want := []string{"first", "TryRLock fails", "writer", "second"}

	// Real Go.
	var rw sync.RWMutex
	var mu sync.Mutex
	var real []string
	var wg sync.WaitGroup
	deadline := time.Now().Add(10 * time.Second)
	rwPreference(rwOps{
		rlock: rw.RLock, runlock: rw.RUnlock, lock: rw.Lock, unlock: rw.Unlock,
		tryRLock: rw.TryRLock,
		goFunc: func(_ string, f func()) {
			wg.Add(1)
			go func() { defer wg.Done(); f() }()
		},
		yield: func() {
			if time.Now().After(deadline) {
				panic("the writer never became pending")
			}
			runtime.Gosched()
		},
		pause: func() { time.Sleep(5 * time.Millisecond) },
		wait:  wg.Wait,
	}, func(s string) { mu.Lock(); real = append(real, s); mu.Unlock() })
	if !slices.Equal(real, want) {
		t.Fatalf("real Go: %v, want %v", real, want)
	}

	// The simulation, over seeds.
	for seed := range uint64(syncSeeds) {
		var got []string
		r := Run(Config{Seed: seed}, func(w *World) {
			rw := NewRWMutex(w)
			wg := NewWaitGroup(w)
			rwPreference(rwOps{
				rlock: rw.RLock, runlock: rw.RUnlock, lock: rw.Lock, unlock: rw.Unlock,
				tryRLock: rw.TryRLock,
				goFunc:   func(name string, f func()) { wg.Go(name, f) },
				yield:    w.Yield,
				pause:    func() { w.Sleep(5 * time.Millisecond) },
				wait:     wg.Wait,
			}, func(s string) { got = append(got, s) })
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		if !slices.Equal(got, real) {
			t.Fatalf("seed %d: %v, real Go %v", seed, got, real)
		}
	}
}

func TestRWMutexMisuseMatchesGo(t *testing.T) {
	real := realSyncFatal(t, "runlock")
	if real != errRUnlockUnlocked {
		t.Fatalf("Go says %q, weft %q", real, errRUnlockUnlocked)
	}
	syncMisuse(t, real, func(w *World) { NewRWMutex(w).RUnlock() })
	syncMisuse(t, real, func(w *World) {
		rw := NewRWMutex(w)
		rw.Lock()
		rw.RUnlock() // a writer holds it, no reader does
	})

	real = realSyncFatal(t, "rwunlock")
	if real != errRWUnlockUnlock {
		t.Fatalf("Go says %q, weft %q", real, errRWUnlockUnlock)
	}
	syncMisuse(t, real, func(w *World) { NewRWMutex(w).Unlock() })
	syncMisuse(t, real, func(w *World) {
		rw := NewRWMutex(w)
		rw.RLock()
		rw.Unlock() // a reader holds it, no writer does
	})
}

// TestRWMutexReadersBetweenWriters: readers that arrive while a writer holds
// the lock get it, together, when that writer unlocks, before a writer that
// was already waiting (Go's Unlock releases them before the writer mutex).
func TestRWMutexReadersBetweenWriters(t *testing.T) {
	var order []string
	r := Run(syncCalm(), func(w *World) {
		rw := NewRWMutex(w)
		wg := NewWaitGroup(w)
		rw.Lock()
		reader := func(name string) {
			rw.RLock()
			order = append(order, name+" in")
			w.Yield()
			order = append(order, name+" out")
			rw.RUnlock()
		}
		wg.Go("r1", func() { reader("r1") })
		wg.Go("w2", func() {
			rw.Lock()
			order = append(order, "w2")
			rw.Unlock()
		})
		wg.Go("r2", func() { reader("r2") })
		w.Yield() // all three queue
		order = append(order, "w1 unlocks")
		rw.Unlock()
		wg.Wait()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	want := []string{"w1 unlocks", "r1 in", "r2 in", "r1 out", "r2 out", "w2"}
	if !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
}

// TestRWMutexReadersShare: some schedule has both readers inside at once.
func TestRWMutexReadersShare(t *testing.T) {
	most := 0
	for seed := range uint64(syncSeeds) {
		r := Run(Config{Seed: seed}, func(w *World) {
			rw := NewRWMutex(w)
			wg := NewWaitGroup(w)
			inside := 0
			for range 2 {
				wg.Go("reader", func() {
					rw.RLock()
					inside++
					most = max(most, inside)
					w.Sleep(0)
					inside--
					rw.RUnlock()
				})
			}
			wg.Wait()
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
	}
	if most != 2 {
		t.Fatalf("at most %d readers at once, want 2", most)
	}
}

func TestRWMutexTry(t *testing.T) {
	var got []bool
	r := Run(syncCalm(), func(w *World) {
		rw := NewRWMutex(w)
		got = append(got, rw.TryLock(), rw.TryLock(), rw.TryRLock())
		rw.Unlock()
		got = append(got, rw.TryRLock(), rw.TryRLock(), rw.TryLock())
		rw.RUnlock()
		rw.RUnlock()
		got = append(got, rw.TryLock())
		rw.Unlock()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	want := []bool{true, false, false, true, true, false, true}
	var real []bool
	var rw sync.RWMutex
	real = append(real, rw.TryLock(), rw.TryLock(), rw.TryRLock())
	rw.Unlock()
	real = append(real, rw.TryRLock(), rw.TryRLock(), rw.TryLock())
	rw.RUnlock()
	rw.RUnlock()
	real = append(real, rw.TryLock())
	rw.Unlock()
	if !slices.Equal(real, want) || !slices.Equal(got, want) {
		t.Fatalf("weft %v, real Go %v, want %v", got, real, want)
	}
}

// TestRWMutexRecursiveRLockReport: the deadlock of a recursive RLock with a
// writer in between names the reader in rlock and the writer in lock.
func TestRWMutexRecursiveRLockReport(t *testing.T) {
	r := Run(syncCalm(), func(w *World) {
		rw := NewRWMutex(w).Named("state")
		rw.RLock()
		w.Go("writer", func() { rw.Lock(); rw.Unlock() })
		w.Yield() // the writer waits for the reader
		rw.RLock()
	})
	f := r.Failure
	if f == nil || f.Kind != Deadlock {
		t.Fatalf("failure %v, want a deadlock", f)
	}
	msg := f.Error()
	for _, s := range []string{`"main" blocked in rlock on rwmutex#1 "state"`, `"writer" blocked in lock on rwmutex#1 "state"`} {
		if !strings.Contains(msg, s) {
			t.Fatalf("report does not say %q:\n%s", s, msg)
		}
	}
}

// TestRWMutexRLocker: RLocker locks for reading, and serves as a Cond's L.
func TestRWMutexRLocker(t *testing.T) {
	r := Run(syncCalm(), func(w *World) {
		rw := NewRWMutex(w)
		l := rw.RLocker()
		l.Lock()
		if rw.TryLock() {
			w.Fatalf("TryLock succeeded under RLocker().Lock")
		}
		if !rw.TryRLock() {
			w.Fatalf("TryRLock failed under RLocker().Lock")
		}
		rw.RUnlock()
		l.Unlock()
		if !rw.TryLock() {
			w.Fatalf("TryLock failed after RLocker().Unlock")
		}
		rw.Unlock()

		c := NewCond(rw.RLocker())
		ready := false
		w.Go("signaller", func() {
			rw.Lock()
			ready = true
			rw.Unlock()
			c.Signal()
		})
		l.Lock()
		for !ready {
			c.Wait()
		}
		l.Unlock()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

// BenchmarkRWMutexRead measures one RLock/RUnlock pair with nothing else
// runnable: two scheduling points, two events.
func BenchmarkRWMutexRead(b *testing.B) {
	b.ReportAllocs()
	r := Run(Config{MaxSteps: 1 << 62}, func(w *World) {
		rw := NewRWMutex(w)
		b.ResetTimer()
		for range b.N {
			rw.RLock()
			rw.RUnlock()
		}
		b.StopTimer()
	})
	if r.Failure != nil {
		b.Fatal(r.Failure)
	}
	b.ReportMetric(float64(r.Steps)/float64(b.N), "steps/op")
}

// BenchmarkRWMutexReaders measures one RLock/RUnlock pair when four readers
// share the lock under the random strategy, each yielding while it holds
// it, so that the lock usually has several readers at once.
func BenchmarkRWMutexReaders(b *testing.B) {
	b.ReportAllocs()
	r := Run(Config{Seed: 1, MaxSteps: 1 << 62}, func(w *World) {
		rw := NewRWMutex(w)
		wg := NewWaitGroup(w)
		b.ResetTimer()
		const readers = 4
		for i := range readers {
			n := b.N / readers
			if i == 0 {
				n = b.N - (readers-1)*n
			}
			wg.Go("reader", func() {
				for range n {
					rw.RLock()
					w.Yield()
					rw.RUnlock()
				}
			})
		}
		wg.Wait()
		b.StopTimer()
	})
	if r.Failure != nil {
		b.Fatal(r.Failure)
	}
	b.ReportMetric(float64(r.Steps)/float64(b.N), "steps/op")
}
