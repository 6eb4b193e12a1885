package sim

// Who holds a lock, in the reports of a run that ends with processes
// blocked on it. Method: for each way a lock can be left held (by a process
// that returned, was killed, or is the waiter itself; a read lock asked to
// become a write lock; readers gone; a writer gone; a read lock released by
// another process), run the calm schedule with the trace kept, which is
// exact, and compare the blocked processes' Held with the text a user
// reads. Without the trace no holder is named. The holders are read from
// the trace when the report is made, so nothing a run does changes: the
// same scenario under many seeds runs to the same trace hash and decisions
// with and without the trace.

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// heldOf runs scenario under the calm schedule, which must deadlock, and
// returns each blocked process's line, with its Held, by name.
func heldOf(t *testing.T, scenario func(w *World)) map[string]Blocked {
	t.Helper()
	cfg := syncCalm()
	cfg.KeepTrace = true
	r := Run(cfg, scenario)
	f := r.Failure
	if f == nil || f.Kind != Deadlock {
		t.Fatalf("failure %v, want a deadlock", f)
	}
	// Without the trace, the same report names no holder.
	again := Run(syncCalm(), scenario)
	if again.Failure == nil || again.Failure.Kind != Deadlock {
		t.Fatalf("without a trace: failure %v, want a deadlock", again.Failure)
	}
	for _, b := range again.Failure.Blocked {
		// What the lock's state says stays: who it is handed to, or
		// which writer waits for the readers.
		if strings.Contains(b.Held, "held by") || strings.Contains(b.Held, "-locked by") || strings.Contains(b.Held, "runs in") {
			t.Fatalf("without a trace: %v", b)
		}
	}
	out := map[string]Blocked{}
	for _, b := range f.Blocked {
		if !b.Proven {
			t.Fatalf("%v: a deadlock at quiescence is proven", b)
		}
		out[b.Name] = b
	}
	return out
}

func TestHeldMutex(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scenario func(w *World)
		waiter   string
		want     string // Held of the waiter
	}{
		{"holder returned", func(w *World) {
			mu := NewMutex(w).Named("m")
			w.Go("worker", func() { mu.Lock() }) // returns holding it
			w.Sleep(time.Second)
			mu.Lock()
		}, "main", `held by p1 "worker", which has returned`},
		{"holder killed", func(w *World) {
			mu := NewMutex(w).Named("m")
			worker := w.Spawn("worker", func() {
				mu.Lock()
				w.Sleep(time.Hour)
			})
			w.Sleep(time.Second)
			w.Kill(worker)
			mu.Lock()
		}, "main", `held by p1 "worker", which was killed`},
		{"holder alive", func(w *World) {
			mu := NewMutex(w).Named("m")
			never := NewChan[int](w, 0)
			w.Go("worker", func() { mu.Lock(); never.Recv() })
			w.Sleep(time.Second)
			mu.Lock()
		}, "main", `held by p1 "worker"`},
		{"the waiter itself", func(w *World) {
			mu := NewMutex(w).Named("m")
			mu.Lock()
			mu.Lock()
		}, "main", `held by p0 "main" itself`},
		{"taken by TryLock", func(w *World) {
			mu := NewMutex(w).Named("m")
			w.Go("worker", func() { mu.TryLock() })
			w.Sleep(time.Second)
			mu.Lock()
		}, "main", `held by p1 "worker", which has returned`},
		{"after a handoff in starvation mode", func(w *World) {
			// worker waits more than a millisecond, is woken, and finds
			// the lock taken again by main: the mutex starves, main's
			// next Unlock hands it to worker, which returns with it.
			mu := NewMutex(w).Named("m")
			mu.Lock()
			w.Go("worker", func() { mu.Lock() })
			w.Sleep(2 * time.Millisecond)
			mu.Unlock()
			mu.Lock() // barges in before worker retries
			w.Yield() // worker retries, starved
			if !mu.core.starving {
				w.Fatalf("the mutex does not starve")
			}
			mu.Unlock() // hands it to worker
			w.Sleep(time.Second)
			mu.Lock()
		}, "main", `held by p1 "worker", which has returned`},
		{"unlocked by another process, then taken", func(w *World) {
			mu := NewMutex(w).Named("m")
			mu.Lock()
			w.Go("unlocker", func() { mu.Unlock(); mu.Lock() })
			w.Sleep(time.Second)
			mu.Lock()
		}, "main", `held by p1 "unlocker", which has returned`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := heldOf(t, tc.scenario)[tc.waiter]
			if b.Held != tc.want {
				t.Fatalf("%s: Held %q, want %q", b, b.Held, tc.want)
			}
			if !strings.Contains(b.String(), `on mutex#1 "m" created at sim/holders_test.go:`) || !strings.HasSuffix(b.String(), ", "+tc.want) {
				t.Fatalf("the report's line %q does not end with %q", b, tc.want)
			}
		})
	}
}

func TestHeldRWMutex(t *testing.T) {
	for _, tc := range []struct {
		name     string
		scenario func(w *World)
		want     map[string]string // Held by process name
	}{
		{"a read lock upgraded to a write lock", func(w *World) {
			rw := NewRWMutex(w).Named("state")
			rw.RLock()
			rw.Lock()
		}, map[string]string{"main": `read-locked by p0 "main" itself`}},
		{"readers returned", func(w *World) {
			rw := NewRWMutex(w).Named("state")
			w.Go("r1", func() { rw.RLock() })
			w.Go("r2", func() { rw.RLock(); rw.RLock(); rw.RUnlock() })
			w.Sleep(time.Second)
			rw.Lock()
		}, map[string]string{"main": `read-locked by p1 "r1", which has returned, p2 "r2", which has returned`}},
		{"a reader killed", func(w *World) {
			rw := NewRWMutex(w).Named("state")
			r := w.Spawn("reader", func() { rw.RLock(); w.Sleep(time.Hour) })
			w.Sleep(time.Second)
			w.Kill(r)
			rw.Lock()
		}, map[string]string{"main": `read-locked by p1 "reader", which was killed`}},
		{"writer returned", func(w *World) {
			rw := NewRWMutex(w).Named("state")
			w.Go("writer", func() { rw.Lock() })
			w.Sleep(time.Second)
			rw.RLock()
		}, map[string]string{"main": `write-locked by p1 "writer", which has returned`}},
		{"a second writer behind the first", func(w *World) {
			rw := NewRWMutex(w).Named("state")
			w.Go("writer", func() { rw.Lock() })
			w.Sleep(time.Second)
			rw.Lock()
		}, map[string]string{"main": `write-locked by p1 "writer", which has returned`}},
		{"recursive read lock with a writer between", func(w *World) {
			rw := NewRWMutex(w).Named("state")
			rw.RLock()
			w.Go("writer", func() { rw.Lock(); rw.Unlock() })
			w.Yield() // the writer waits for the reader
			rw.RLock()
		}, map[string]string{
			"main":   `p1 "writer" waits to write-lock it (new readers wait behind it); read-locked by p0 "main" itself`,
			"writer": `read-locked by p0 "main"`,
		}},
		{"read lock released by another process", func(w *World) {
			// RUnlock by a process that took no read lock releases the
			// oldest: "r1" took it, main released it, "r2" holds one.
			rw := NewRWMutex(w).Named("state")
			w.Go("r1", func() { rw.RLock() })
			w.Go("r2", func() { rw.RLock() })
			w.Sleep(time.Second)
			rw.RUnlock()
			rw.Lock()
		}, map[string]string{"main": `read-locked by p2 "r2", which has returned`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := heldOf(t, tc.scenario)
			for name, want := range tc.want {
				b, ok := got[name]
				if !ok {
					t.Fatalf("%s is not blocked: %v", name, got)
				}
				if b.Held != want {
					t.Fatalf("%s: Held %q\nwant %q", b, b.Held, want)
				}
				if !strings.Contains(b.String(), `on rwmutex#1 "state" created at sim/holders_test.go:`) || !strings.HasSuffix(b.String(), ", "+want) {
					t.Fatalf("the report's line %q does not say %q", b, want)
				}
			}
		})
	}
}

// A process blocked on something that is not a lock has no Held; nor does a
// process in a select, whose objects are channels.
func TestHeldOnlyForLocks(t *testing.T) {
	got := heldOf(t, func(w *World) {
		c, d, e := NewChan[int](w, 0), NewChan[int](w, 0), NewChan[int](w, 0)
		w.Go("receiver", func() { c.Recv() })
		w.Select(e.SendCase(1), d.RecvCase(nil, nil))
	})
	for _, b := range got {
		if b.Held != "" || strings.Contains(b.String(), "held") {
			t.Fatalf("%v: Held %q", b, b.Held)
		}
	}
}

// The holders are read from the trace, never an input of a run: every seed
// of a scenario that contends on every kind of lock runs to the trace hash
// and the decisions it has when the run keeps its trace (the reports' runs)
// and when it does not. (TestPinned in cmd/weft holds the catalogued
// scenarios' hashes to the values from before the holders were named.)
func TestHeldChangesNoRun(t *testing.T) {
	scenario := func(w *World) {
		mu, rw, once := NewMutex(w), NewRWMutex(w), NewOnce(w)
		wg := NewWaitGroup(w)
		for i := range 3 {
			wg.Go(fmt.Sprint("p", i), func() {
				for range 3 {
					mu.Lock()
					w.Yield()
					mu.Unlock()
					rw.RLock()
					w.Yield()
					rw.RUnlock()
					rw.Lock()
					w.Yield()
					rw.Unlock()
					once.Do(func() { w.Yield() })
				}
			})
		}
		wg.Wait()
	}
	for seed := range uint64(50) {
		a := Run(Config{Seed: seed}, scenario)
		b := Run(Config{Seed: seed, KeepTrace: true}, scenario)
		if a.Failure != nil || a.Hash != b.Hash || fmt.Sprint(a.Decisions) != fmt.Sprint(b.Decisions) {
			t.Fatalf("seed %d: %v, hash %016x and %016x", seed, a.Failure, a.Hash, b.Hash)
		}
	}
}
