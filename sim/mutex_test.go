package sim

// Mutex, and the table of sync scenarios that every sync type shares.
// Method: where Go's semantics can be observed, run the same program against
// the real sync package and compare what it observes (fatal messages come
// from a child test process, since Go's fatal errors cannot be recovered);
// where they are properties of every schedule, run a scenario over 200 seeds
// and check the invariant in each, and check that a broken twin of the
// scenario fails in some seeds and passes in others, which shows that the
// explorer explores; where they are Go's algorithm (barging, starvation
// handoff), run the calm schedule, which is exact, and assert the order.
// Every seed of the table is run twice in part, to check determinism.

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
)

const syncSeeds = 200

// syncCalm runs every decision at its default: the exact, calm schedule.
func syncCalm() Config { return Config{Strategy: scheduler.Replay(nil)} }

// syncOutcome names how a run ended, in the words the scenario table uses:
// "pass", or the failure's signature (kind, process, value; or who was
// blocked in what).
func syncOutcome(r *Result) string {
	switch f := r.Failure; {
	case f == nil:
		return "pass"
	case f.Kind == Fatal:
		// The signature keeps Fatalf's format, not its values; the table
		// tells outcomes apart by the values.
		return fmt.Sprintf("%s %s %v", f.Kind, f.ProcName, f.Value)
	}
	return r.Failure.Signature()
}

// syncRecover calls f and returns what it panicked with, or nil.
func syncRecover(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// syncLine returns the caller's site as object creation sites render it.
func syncLine(skip int) string {
	w := &World{cfg: Config{KeepTrace: true}}
	return w.site(skip + 1)
}

// A syncScenario is a small program and the outcomes it may have over
// syncSeeds seeds: every outcome seen must be allowed, and every one listed
// in must must be seen.
type syncScenario struct {
	name    string
	run     func(w *World)
	allowed []string
	must    []string
}

// counterScenario increments a shared counter from three processes, three
// times each, reading and writing it on either side of a scheduling point;
// lock and unlock guard the critical section.
func counterScenario(lock, unlock func(), between func(w *World)) func(w *World) {
	return func(w *World) {
		wg := NewWaitGroup(w)
		n := 0
		for i := range 3 {
			wg.Go("inc"+strconv.Itoa(i), func() {
				for range 3 {
					lock()
					v := n
					between(w)
					n = v + 1
					unlock()
				}
			})
		}
		wg.Wait()
		if n != 9 {
			w.Fatalf("lost update: counter %d, want 9", n)
		}
	}
}

func syncScenarios() []syncScenario {
	var rows []syncScenario
	pass := []string{"pass"}

	// Mutual exclusion: with the lock, a Yield inside the critical section
	// loses no update; without it, some schedules do and some do not.
	{
		var mu *Mutex
		rows = append(rows, syncScenario{
			name: "mutex keeps a counter exact",
			run: func(w *World) {
				mu = NewMutex(w)
				counterScenario(mu.Lock, mu.Unlock, (*World).Yield)(w)
			},
			allowed: pass, must: pass,
		})
	}
	lost := func(n int) string { return fmt.Sprintf("fatal main lost update: counter %d, want 9", n) }
	rows = append(rows, syncScenario{
		name:    "no lock loses updates in some schedules",
		run:     counterScenario(func() {}, func() {}, func(w *World) { w.Sleep(0) }),
		allowed: []string{"pass", lost(3), lost(4), lost(5), lost(6), lost(7), lost(8)},
		must:    []string{"pass", lost(8)},
	})

	// AB-BA: two processes take two mutexes in opposite orders.
	abba := func(w *World) {
		a, b := NewMutex(w).Named("A"), NewMutex(w).Named("B")
		wg := NewWaitGroup(w)
		wg.Go("ab", func() { a.Lock(); b.Lock(); b.Unlock(); a.Unlock() })
		wg.Go("ba", func() { b.Lock(); a.Lock(); a.Unlock(); b.Unlock() })
		wg.Wait()
	}
	rows = append(rows, syncScenario{
		name: "AB-BA deadlocks in some schedules", run: abba,
		allowed: []string{"pass", "deadlock main:wait,ab:lock,ba:lock"},
		must:    []string{"pass", "deadlock main:wait,ab:lock,ba:lock"},
	})

	// RWMutex: readers share, a writer is alone.
	rows = append(rows, syncScenario{
		name: "rwmutex excludes writers from readers and writers",
		run: func(w *World) {
			rw := NewRWMutex(w)
			wg := NewWaitGroup(w)
			readers, writers := 0, 0
			for i := range 2 {
				wg.Go("reader"+strconv.Itoa(i), func() {
					for range 2 {
						rw.RLock()
						readers++
						if writers != 0 {
							w.Fatalf("reader with a writer")
						}
						w.Yield()
						readers--
						rw.RUnlock()
					}
				})
			}
			wg.Go("writer", func() {
				for range 2 {
					rw.Lock()
					writers++
					if readers != 0 || writers != 1 {
						w.Fatalf("writer with %d readers and %d writers", readers, writers)
					}
					w.Yield()
					writers--
					rw.Unlock()
				}
			})
			wg.Wait()
		},
		allowed: pass, must: pass,
	})
	recursive := "deadlock main:wait,reader:rlock,writer:lock"
	rows = append(rows, syncScenario{
		name: "recursive RLock deadlocks when a writer comes between",
		run: func(w *World) {
			rw := NewRWMutex(w)
			wg := NewWaitGroup(w)
			wg.Go("reader", func() { rw.RLock(); rw.RLock(); rw.RUnlock(); rw.RUnlock() })
			wg.Go("writer", func() { rw.Lock(); rw.Unlock() })
			wg.Wait()
		},
		allowed: []string{"pass", recursive}, must: []string{"pass", recursive},
	})

	// WaitGroup: Wait returns after every Done; an Add inside the process
	// it counts can come too late.
	rows = append(rows, syncScenario{
		name: "waitgroup waits for every task",
		run: func(w *World) {
			wg := NewWaitGroup(w)
			n := 0
			wg.Add(3)
			for i := range 3 {
				w.Go("task"+strconv.Itoa(i), func() { n++; w.Yield(); wg.Done() })
			}
			wg.Wait()
			if n != 3 {
				w.Fatalf("Wait returned with %d of 3 tasks done", n)
			}
		},
		allowed: pass, must: pass,
	})
	early := func(n int) string { return fmt.Sprintf("fatal main Wait returned with %d of 3 tasks done", n) }
	rows = append(rows, syncScenario{
		name: "waitgroup Add inside the task comes too late in some schedules",
		run: func(w *World) {
			wg := NewWaitGroup(w)
			n := 0
			for i := range 3 {
				w.Go("task"+strconv.Itoa(i), func() { wg.Add(1); n++; wg.Done() })
			}
			wg.Wait()
			if n != 3 {
				w.Fatalf("Wait returned with %d of 3 tasks done", n)
			}
			w.Sleep(time.Second) // let the late tasks finish
		},
		// An Add that lands while a Done releases Wait, or before the
		// released Wait returns, is caught too, as Go catches it.
		allowed: []string{"pass", early(0), early(1), early(2),
			"panic task0 " + errAddDuringWait, "panic task1 " + errAddDuringWait,
			"panic task2 " + errAddDuringWait, "panic main " + errWaitGroupReused},
		must: []string{"pass", early(0)},
	})
	// The zoo's "WaitGroup reused before Wait returns": the counter drops to
	// zero and is raised again while the waiter it released has not run.
	reused := "panic waiter " + errWaitGroupReused
	concurrent := "panic adder " + errAddDuringWait
	rows = append(rows, syncScenario{
		name: "waitgroup reused before Wait returns",
		run: func(w *World) {
			wg := NewWaitGroup(w)
			all := NewWaitGroup(w)
			wg.Add(1)
			all.Go("waiter", func() { wg.Wait() })
			all.Go("doner", func() { wg.Done() })
			all.Go("adder", func() { wg.Add(1); wg.Done() })
			all.Wait()
		},
		allowed: []string{"pass", reused, concurrent},
		must:    []string{"pass", reused, concurrent},
	})

	// Cond: a queue handed over under a Cond loses nothing when waiters
	// check their condition in a loop, and breaks when they check it once.
	condQueue := func(loop bool) func(w *World) {
		return func(w *World) {
			mu := NewMutex(w)
			c := NewCond(mu)
			wg := NewWaitGroup(w)
			var q []int
			for i := range 2 {
				wg.Go("consumer"+strconv.Itoa(i), func() {
					mu.Lock()
					if loop {
						for len(q) == 0 {
							c.Wait()
						}
					} else if len(q) == 0 {
						c.Wait()
					}
					if len(q) == 0 {
						w.Fatalf("woke to an empty queue")
					}
					q = q[1:]
					mu.Unlock()
				})
			}
			wg.Go("producer", func() {
				for i := range 2 {
					mu.Lock()
					q = append(q, i)
					c.Broadcast()
					mu.Unlock()
				}
			})
			wg.Wait()
		}
	}
	rows = append(rows, syncScenario{
		name: "cond hands a queue over", run: condQueue(true),
		allowed: pass, must: pass,
	})
	empty := func(i int) string { return "fatal consumer" + strconv.Itoa(i) + " woke to an empty queue" }
	rows = append(rows, syncScenario{
		name: "cond checked with if instead of for breaks in some schedules", run: condQueue(false),
		allowed: []string{"pass", empty(0), empty(1)},
		must:    []string{"pass", empty(0), empty(1)},
	})

	// Once: f runs once, and every Do returns after it has.
	rows = append(rows, syncScenario{
		name: "once runs its function once, before any Do returns",
		run: func(w *World) {
			once := NewOnce(w)
			wg := NewWaitGroup(w)
			calls := 0
			for i := range 3 {
				wg.Go("caller"+strconv.Itoa(i), func() {
					once.Do(func() { w.Yield(); calls++ })
					if calls != 1 {
						w.Fatalf("Do returned with %d calls", calls)
					}
				})
			}
			wg.Wait()
		},
		allowed: pass, must: pass,
	})
	return rows
}

// TestSyncScenarios runs each scenario of the table over syncSeeds seeds.
// Every twentieth seed runs twice and must give the same hash and outcome,
// and different seeds must not all give the same hash.
func TestSyncScenarios(t *testing.T) {
	for _, sc := range syncScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			seen := map[string]uint64{} // outcome -> first seed
			hashes := map[uint64]bool{}
			for seed := range uint64(syncSeeds) {
				r := Run(Config{Seed: seed}, sc.run)
				out := syncOutcome(r)
				if !slices.Contains(sc.allowed, out) {
					t.Fatalf("seed %d: outcome %q, allowed %q\n%v", seed, out, sc.allowed, r.Failure)
				}
				if _, ok := seen[out]; !ok {
					seen[out] = seed
				}
				hashes[r.Hash] = true
				if seed%20 == 0 {
					again := Run(Config{Seed: seed}, sc.run)
					if again.Hash != r.Hash || syncOutcome(again) != out {
						t.Fatalf("seed %d is not deterministic: hash %x then %x, outcome %q then %q", seed, r.Hash, again.Hash, out, syncOutcome(again))
					}
				}
			}
			for _, m := range sc.must {
				if _, ok := seen[m]; !ok {
					t.Errorf("no seed of %d had outcome %q; seen %v", syncSeeds, m, seen)
				}
			}
			if len(hashes) < 2 {
				t.Errorf("all %d seeds have the same hash: the explorer did not explore", syncSeeds)
			}
		})
	}
}

// TestMutexABBADeadlockReport checks that the report of an AB-BA deadlock
// names both processes, both mutexes by name, and where they were made.
func TestMutexABBADeadlockReport(t *testing.T) {
	var siteA, siteB string
	scenario := func(w *World) {
		a, s := NewMutex(w).Named("A"), syncLine(0)
		siteA = s
		b, s := NewMutex(w).Named("B"), syncLine(0)
		siteB = s
		wg := NewWaitGroup(w)
		wg.Go("ab", func() { a.Lock(); b.Lock(); b.Unlock(); a.Unlock() })
		wg.Go("ba", func() { b.Lock(); a.Lock(); a.Unlock(); b.Unlock() })
		wg.Wait()
	}
	for seed := range uint64(syncSeeds) {
		r := Run(Config{Seed: seed, KeepTrace: true}, scenario)
		if r.Failure == nil {
			continue
		}
		f := r.Failure
		if f.Kind != Deadlock {
			t.Fatalf("seed %d: %v, want a deadlock", seed, f)
		}
		want := []Blocked{
			{Proc: 0, Name: "main", In: "wait", On: []string{"waitgroup#3"}, Proven: true},
			{Proc: 1, Name: "ab", In: "lock", On: []string{`mutex#2 "B" created at ` + siteB}, Held: `held by p2 "ba"`, Proven: true},
			{Proc: 2, Name: "ba", In: "lock", On: []string{`mutex#1 "A" created at ` + siteA}, Held: `held by p1 "ab"`, Proven: true},
		}
		// The WaitGroup's site is this file too; compare it by prefix.
		if len(f.Blocked) != 3 || !strings.HasPrefix(f.Blocked[0].On[0], "waitgroup#3 created at sim/mutex_test.go:") {
			t.Fatalf("seed %d: blocked %v", seed, f.Blocked)
		}
		f.Blocked[0].On = []string{"waitgroup#3"}
		for i := range want {
			if fmt.Sprint(f.Blocked[i]) != fmt.Sprint(want[i]) {
				t.Fatalf("seed %d: blocked[%d] = %v\nwant %v", seed, i, f.Blocked[i], want[i])
			}
		}
		msg := f.Error()
		for _, s := range []string{
			`"ab" blocked in lock on mutex#2 "B" created at ` + siteB + `, held by p2 "ba"`,
			`"ba" blocked in lock on mutex#1 "A" created at ` + siteA + `, held by p1 "ab"`,
		} {
			if !strings.Contains(msg, s) {
				t.Fatalf("report does not say %q:\n%s", s, msg)
			}
		}
		return
	}
	t.Fatalf("no seed of %d deadlocked", syncSeeds)
}

const syncFatalEnv = "WEFT_SYNC_REAL_FATAL"

// TestSyncRealFatalChild is not a test of its own: realSyncFatal runs the
// test binary again with only it selected, to commit one of the sync
// package's fatal errors for real.
func TestSyncRealFatalChild(t *testing.T) {
	switch os.Getenv(syncFatalEnv) {
	case "":
		t.Skip("runs only as the child process of realSyncFatal")
	case "mutex":
		var mu sync.Mutex
		mu.Unlock()
	case "runlock":
		var rw sync.RWMutex
		rw.RUnlock()
	case "rwunlock":
		var rw sync.RWMutex
		rw.Unlock()
	}
	t.Fatal("no fatal error")
}

// realSyncFatal returns the message of the fatal error the real sync
// package throws for the misuse named what.
func realSyncFatal(t *testing.T, what string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncRealFatalChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), syncFatalEnv+"="+what)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("child for %s exited cleanly:\n%s", what, out)
	}
	m := regexp.MustCompile(`(?m)^fatal error: (.*)$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("child for %s printed no fatal error:\n%s", what, out)
	}
	return string(m[1])
}

// syncMisuse runs misuse as the main process, under a recover that must not
// help, and checks that the run fails as Go's fatal error real would end a
// program: a Panic of the main process with the same message, after which
// the process reaches no further scheduling point.
func syncMisuse(t *testing.T, real string, misuse func(w *World)) {
	t.Helper()
	after := false
	r := Run(syncCalm(), func(w *World) {
		func() {
			defer func() { recover() }()
			misuse(w)
		}()
		w.Yield()
		after = true
	})
	f := r.Failure
	if f == nil || f.Kind != Panic || f.Proc != 0 || f.Value != real {
		t.Fatalf("failure %v, want a panic of main with %q", f, real)
	}
	if after {
		t.Fatalf("the process went past a scheduling point after a fatal error")
	}
	if !strings.Contains(f.Stack, "sim.syncMisuse") {
		t.Fatalf("the stack does not show the misuse:\n%s", f.Stack)
	}
}

func TestMutexUnlockOfUnlockedMatchesGo(t *testing.T) {
	real := realSyncFatal(t, "mutex")
	if real != errUnlockUnlocked {
		t.Fatalf("Go says %q, weft %q", real, errUnlockUnlocked)
	}
	syncMisuse(t, real, func(w *World) { NewMutex(w).Unlock() })
	syncMisuse(t, real, func(w *World) {
		mu := NewMutex(w)
		mu.Lock()
		mu.Unlock()
		mu.Unlock()
	})
}

// TestMutexAnyProcessMayUnlock: Go's Mutex has no owner.
func TestMutexAnyProcessMayUnlock(t *testing.T) {
	r := Run(syncCalm(), func(w *World) {
		mu := NewMutex(w)
		mu.Lock()
		w.Go("unlocker", mu.Unlock)
		mu.Lock() // blocks until the unlocker runs
		mu.Unlock()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

func TestMutexTryLock(t *testing.T) {
	var got []bool
	r := Run(syncCalm(), func(w *World) {
		mu := NewMutex(w)
		got = append(got, mu.TryLock(), mu.TryLock())
		mu.Unlock()
		got = append(got, mu.TryLock())
		mu.Unlock()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	if want := []bool{true, false, true}; !slices.Equal(got, want) {
		t.Fatalf("TryLock results %v, want %v", got, want)
	}
}

// lockOrder runs main and a waiter on one mutex: main holds it (for hold of
// virtual time) while the waiter queues, then unlocks and at once locks it
// again, rounds times; it returns who got the lock in which order.
func lockOrder(t *testing.T, cfg Config, rounds int, hold time.Duration) []string {
	t.Helper()
	var order []string
	r := Run(cfg, func(w *World) {
		mu := NewMutex(w)
		wg := NewWaitGroup(w)
		mu.Lock()
		order = append(order, "main")
		wg.Go("waiter", func() {
			mu.Lock()
			order = append(order, "waiter")
			mu.Unlock()
		})
		w.Yield() // the waiter queues
		for range rounds {
			w.Sleep(hold)
			mu.Unlock()
			mu.Lock()
			order = append(order, "main")
		}
		mu.Unlock()
		wg.Wait()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	return order
}

// TestMutexBarging: in normal mode a woken waiter competes with the
// unlocker re-locking, as in Go. Under the calm schedule the unlocker wins
// every time; other schedules let the waiter in first.
func TestMutexBarging(t *testing.T) {
	calm := lockOrder(t, syncCalm(), 3, 0)
	if want := []string{"main", "main", "main", "main", "waiter"}; !slices.Equal(calm, want) {
		t.Fatalf("calm order %v, want %v", calm, want)
	}
	orders := map[string]bool{}
	for seed := range uint64(syncSeeds) {
		orders[strings.Join(lockOrder(t, Config{Seed: seed}, 1, 0), ",")] = true
	}
	for _, want := range []string{"main,main,waiter", "main,waiter,main"} {
		if !orders[want] {
			t.Errorf("no seed gave the order %s; got %v", want, orders)
		}
	}
}

// TestMutexWaitersKeepTheirOrder: newcomers may barge, but processes that
// blocked get the lock in the order they blocked, as Go's do: a woken
// waiter that loses goes back to the front, and no other sleeper is woken
// while it has not retried (Go's mutexWoken). Checked on the trace of every
// seed: each EventLock of a process that blocked must be by the oldest one.
func TestMutexWaitersKeepTheirOrder(t *testing.T) {
	barged := 0
	for seed := range uint64(syncSeeds) {
		r := Run(Config{Seed: seed, KeepTrace: true}, func(w *World) {
			mu := NewMutex(w)
			wg := NewWaitGroup(w)
			mu.Lock()
			for i := range 3 {
				wg.Go("waiter"+strconv.Itoa(i), func() { mu.Lock(); w.Sleep(0); mu.Unlock() })
			}
			w.Yield()
			for range 3 {
				mu.Unlock()
				mu.Lock()
			}
			mu.Unlock()
			wg.Wait()
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		var queue []int // processes blocked on the mutex, in the order they first blocked
		for _, e := range r.Trace {
			if e.Obj != 1 {
				continue
			}
			switch e.Kind {
			case EventBlock:
				if !slices.Contains(queue, e.Proc) {
					queue = append(queue, e.Proc)
				}
			case EventLock:
				if i := slices.Index(queue, e.Proc); i > 0 {
					t.Fatalf("seed %d: p%d got the lock before p%d, which blocked first\n%v", seed, e.Proc, queue[0], r.Trace)
				} else if i == 0 {
					queue = queue[1:]
				} else if len(queue) > 0 {
					barged++
				}
			}
		}
	}
	if barged == 0 {
		t.Fatalf("no seed had a newcomer barge past a waiter")
	}
}

// TestMutexStarvationHandoff: a waiter that has waited more than a
// millisecond of virtual time and loses the race once more switches the
// mutex to starvation mode, and the next Unlock hands it the lock, as Go's
// does after a millisecond of real time.
func TestMutexStarvationHandoff(t *testing.T) {
	got := lockOrder(t, syncCalm(), 3, 2*time.Millisecond)
	// Round 1: the waiter (waiting 2ms) is woken, loses to main's re-lock
	// and starves. Round 2: Unlock hands it the lock; main's Lock queues.
	if want := []string{"main", "main", "waiter", "main", "main"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	// At the threshold itself the waiter does not starve yet (Go compares
	// with >): it loses both rounds.
	got = lockOrder(t, syncCalm(), 2, time.Millisecond)
	if want := []string{"main", "main", "main", "waiter"}; !slices.Equal(got, want) {
		t.Fatalf("order at 1ms %v, want %v", got, want)
	}
}

// TestMutexDeferredUnlockDuringPanic: a deferred Unlock runs while its
// process panics (and may let others run), and the run fails with the
// process's panic.
func TestMutexDeferredUnlockDuringPanic(t *testing.T) {
	for seed := range uint64(20) {
		r := Run(Config{Seed: seed}, func(w *World) {
			mu := NewMutex(w)
			w.Go("other", func() { mu.Lock(); mu.Unlock() })
			func() {
				mu.Lock()
				defer mu.Unlock()
				w.Yield()
				panic("boom")
			}()
		})
		if f := r.Failure; f == nil || f.Kind != Panic || f.Value != "boom" || f.ProcName != "main" {
			t.Fatalf("seed %d: failure %v, want main's panic boom", seed, f)
		}
	}
}

// TestMutexTraceEvents checks the events a contended Lock and Unlock leave.
func TestMutexTraceEvents(t *testing.T) {
	cfg := syncCalm()
	cfg.KeepTrace = true
	r := Run(cfg, func(w *World) {
		mu := NewMutex(w).Named("m")
		mu.Lock()
		w.Go("waiter", func() { mu.Lock(); mu.Unlock() })
		w.Yield()
		mu.Unlock()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	var got []string
	for _, e := range r.Trace {
		if e.Obj == 1 {
			got = append(got, fmt.Sprintf("p%d %v %s", e.Proc, e.Kind, e.Detail))
		}
	}
	want := []string{
		`p0 lock mutex#1 "m"`,
		`p1 block mutex#1 "m"`,
		`p0 unlock mutex#1 "m"`,
		`p0 wake mutex#1 "m" wakes p1 waiter`,
		`p1 lock mutex#1 "m"`,
		`p1 unlock mutex#1 "m"`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// withAmbient runs scenario with the ambient world set to the running world,
// as rewritten code would.
func withAmbient(cfg Config, scenario func(w *World)) *Result {
	prev := ambientWorld
	defer func() { ambientWorld = prev }()
	var cur *World
	ambientWorld = func() *World { return cur }
	return Run(cfg, func(w *World) {
		cur = w
		scenario(w)
	})
}

// TestSyncZeroValues: each zero-value type binds to the ambient world on
// first use, with an identity whose site is that use; with no ambient world
// it panics with ambient's guidance.
func TestSyncZeroValues(t *testing.T) {
	uses := []struct {
		name string
		use  func(w *World) *Object // uses a zero value, returns its identity
	}{
		{"Mutex", func(w *World) *Object { var mu Mutex; mu.Lock(); mu.Unlock(); return &mu.obj }},
		{"RWMutex", func(w *World) *Object { var rw RWMutex; rw.RLock(); rw.RUnlock(); return &rw.obj }},
		{"WaitGroup", func(w *World) *Object { var wg WaitGroup; wg.Add(1); wg.Done(); wg.Wait(); return &wg.obj }},
		{"Once", func(w *World) *Object { var o Once; o.Do(func() {}); return &o.obj }},
		{"Cond", func(w *World) *Object { c := Cond{L: &Mutex{}}; c.Signal(); return &c.obj }},
	}
	for _, u := range uses {
		t.Run(u.name, func(t *testing.T) {
			cfg := syncCalm()
			cfg.KeepTrace = true
			var o *Object
			var site string
			r := withAmbient(cfg, func(w *World) { o, site = u.use(w), syncLine(0) })
			if r.Failure != nil {
				t.Fatal(r.Failure)
			}
			kind := strings.ToLower(u.name)
			if o.kind != kind || o.id == 0 {
				t.Fatalf("identity %v, want a %s", o, kind)
			}
			if file, _, _ := strings.Cut(site, ":"); !strings.HasPrefix(o.site, file+":") {
				t.Fatalf("site %q, want one in %s", o.site, file)
			}
			r = Run(syncCalm(), func(w *World) { u.use(w) })
			if f := r.Failure; f == nil || f.Kind != Panic || !strings.HasPrefix(fmt.Sprint(f.Value), "sim: this primitive has no world") {
				t.Fatalf("without an ambient world: %v, want ambient's panic", f)
			}
		})
	}
}

// TestMutexZeroValueInStruct: mutexes that are fields of a struct work once
// bound, and exclude as made ones do.
func TestMutexZeroValueInStruct(t *testing.T) {
	type account struct {
		mu      Mutex
		balance int
	}
	for seed := range uint64(50) {
		r := withAmbient(Config{Seed: seed}, func(w *World) {
			var acct account
			var wg WaitGroup
			for i := range 3 {
				wg.Go("deposit"+strconv.Itoa(i), func() {
					acct.mu.Lock()
					b := acct.balance
					w.Yield()
					acct.balance = b + 10
					acct.mu.Unlock()
				})
			}
			wg.Wait()
			if acct.balance != 30 {
				w.Fatalf("balance %d, want 30", acct.balance)
			}
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
	}
}

// BenchmarkMutexUncontended measures one Lock/Unlock pair with nothing else
// runnable: two scheduling points, two events.
func BenchmarkMutexUncontended(b *testing.B) {
	b.ReportAllocs()
	r := Run(Config{MaxSteps: 1 << 62}, func(w *World) {
		mu := NewMutex(w)
		b.ResetTimer()
		for range b.N {
			mu.Lock()
			mu.Unlock()
		}
		b.StopTimer()
	})
	if r.Failure != nil {
		b.Fatal(r.Failure)
	}
	b.ReportMetric(float64(r.Steps)/float64(b.N), "steps/op")
}

// BenchmarkMutexContended measures one Lock/Unlock pair when two processes
// take turns on the mutex under the random strategy, each yielding inside
// its critical section so that the other finds the mutex locked and blocks.
func BenchmarkMutexContended(b *testing.B) {
	b.ReportAllocs()
	r := Run(Config{Seed: 1, MaxSteps: 1 << 62}, func(w *World) {
		mu := NewMutex(w)
		wg := NewWaitGroup(w)
		b.ResetTimer()
		for i := range 2 {
			n := b.N / 2
			if i == 0 {
				n = b.N - n
			}
			wg.Go("locker", func() {
				for range n {
					mu.Lock()
					w.Yield()
					mu.Unlock()
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
