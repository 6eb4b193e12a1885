package sim

// WaitGroup. Method: the negative-counter panic is compared with the one
// recovered from a real sync.WaitGroup; the two misuse messages that real Go
// only shows under a race are checked against the sync package's source, and
// the schedules that provoke them are checked here under the calm schedule
// with chosen preemptions, exactly; Go and Wait are checked over seeds. The
// table in mutex_test.go shows that the zoo's "reused before Wait returns"
// fails in some schedules and not in others.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/weftsim/weft/scheduler"
)

func TestWaitGroupNegativeCounterMatchesGo(t *testing.T) {
	real := syncRecover(func() {
		var wg sync.WaitGroup
		wg.Add(-1)
	})
	if real != errNegativeCounter {
		t.Fatalf("Go panics with %#v, weft with %q", real, errNegativeCounter)
	}

	// Unrecovered, it fails the run; recovered, the process goes on, as
	// in Go (it is a panic, not a fatal error).
	r := Run(syncCalm(), func(w *World) { NewWaitGroup(w).Done() })
	if f := r.Failure; f == nil || f.Kind != Panic || f.Value != real {
		t.Fatalf("failure %v, want a panic with %q", f, real)
	}
	var got any
	r = Run(syncCalm(), func(w *World) {
		wg := NewWaitGroup(w)
		wg.Add(1)
		got = syncRecover(func() { wg.Add(-2) })
	})
	if r.Failure != nil || got != real {
		t.Fatalf("recovered %#v (failure %v), want %q", got, r.Failure, real)
	}
}

// TestWaitGroupMessagesAreGos: the messages of the misuses real Go detects
// only under a race are the sync package's own.
func TestWaitGroupMessagesAreGos(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("no go command to find GOROOT: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "src", "sync", "waitgroup.go"))
	if err != nil {
		t.Skipf("no sync source: %v", err)
	}
	for _, msg := range []string{errNegativeCounter, errWaitGroupReused, errAddDuringWait} {
		if !strings.Contains(string(src), `panic("`+msg+`")`) {
			t.Errorf("sync/waitgroup.go has no panic(%q)", msg)
		}
	}
}

// preempt returns a strategy that takes the default everywhere except at
// the Schedule points listed, where it takes option 1.
type preempt map[int]bool

func (p preempt) strategy() scheduler.Strategy { return &preemptStrategy{at: p} }

type preemptStrategy struct {
	at preempt
	n  int
}

func (s *preemptStrategy) Choose(pt scheduler.Point) int {
	defer func() { s.n++ }()
	if pt.Kind == scheduler.Schedule && s.at[s.n] {
		return 1
	}
	return 0
}

// reuseScenario: a waiter waits for one task; the task's Done releases it and
// the task at once Adds again.
func reuseScenario(w *World) {
	wg := NewWaitGroup(w)
	wg.Add(1)
	w.Go("waiter", wg.Wait)
	w.Yield() // the waiter blocks
	wg.Done()
	wg.Add(1)
	w.Sleep(1) // the waiter runs
	wg.Done()
}

// TestWaitGroupReuseDetected: under the calm schedule the waiter is released
// but the main process Adds again before it runs, and the waiter panics when
// it does, as Go's does.
func TestWaitGroupReuseDetected(t *testing.T) {
	r := Run(syncCalm(), reuseScenario)
	f := r.Failure
	if f == nil || f.Kind != Panic || f.ProcName != "waiter" || f.Value != errWaitGroupReused {
		t.Fatalf("failure %v, want the waiter to panic with %q", f, errWaitGroupReused)
	}
	// Let the waiter run right after its release (the decision after the
	// window point in Done): it returns, and nothing is reused too early.
	found := false
	for at := range 8 {
		r = Run(Config{Strategy: preempt{at: true}.strategy()}, reuseScenario)
		if r.Failure == nil {
			found = true
			break
		}
	}
	if !found {
		t.Fatalf("no single preemption lets the waiter return first: %v", r.Failure)
	}
}

// TestWaitGroupAddDuringRelease: an Add from zero that comes between the
// counter reaching zero and the waiters' release is Go's "Add called
// concurrently with Wait".
func TestWaitGroupAddDuringRelease(t *testing.T) {
	scenario := func(w *World) {
		wg := NewWaitGroup(w)
		wg.Add(1)
		w.Go("waiter", wg.Wait)
		w.Yield() // the waiter blocks
		w.Go("adder", func() { wg.Add(1) })
		wg.Done()
	}
	// Decisions: Go waiter, Go adder, then in Done the point before the
	// counter changes and the window point after it. Preempting at the
	// window runs the adder inside it.
	for at := range 6 {
		r := Run(Config{Strategy: preempt{at: true}.strategy()}, scenario)
		if f := r.Failure; f != nil && f.Kind == Panic && f.ProcName == "adder" && f.Value == errAddDuringWait {
			return
		}
	}
	t.Fatalf("no single preemption puts the Add inside Done's window")
}

func TestWaitGroupWaitAtZeroReturns(t *testing.T) {
	r := Run(syncCalm(), func(w *World) {
		wg := NewWaitGroup(w)
		wg.Wait()
		wg.Add(2)
		wg.Add(-2)
		wg.Wait()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

// TestWaitGroupGo: Go starts named processes and Wait returns once all of
// them have returned, under every seed.
func TestWaitGroupGo(t *testing.T) {
	for seed := range uint64(syncSeeds) {
		done := 0
		var names []string
		r := Run(Config{Seed: seed}, func(w *World) {
			wg := NewWaitGroup(w)
			for i := range 3 {
				p := wg.Go("task"+strconv.Itoa(i), func() { w.Sleep(0); done++ })
				names = append(names, p.Name())
			}
			wg.Wait()
			if done != 3 {
				w.Fatalf("Wait returned with %d of 3 tasks done", done)
			}
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		if strings.Join(names, ",") != "task0,task1,task2" {
			t.Fatalf("names %v", names)
		}
	}
}

// TestWaitGroupGoPanic: a task that panics fails the run with its panic,
// and is not counted done: a Wait stays blocked rather than return.
func TestWaitGroupGoPanic(t *testing.T) {
	returned := false
	r := Run(syncCalm(), func(w *World) {
		wg := NewWaitGroup(w)
		w.Go("waiter", func() { wg.Wait(); returned = true })
		wg.Go("task", func() { panic("task failed") })
		w.Sleep(1)
	})
	if f := r.Failure; f == nil || f.Kind != Panic || f.ProcName != "task" || f.Value != "task failed" {
		t.Fatalf("failure %v, want the task's panic", f)
	}
	if returned {
		t.Fatalf("Wait returned though the task panicked")
	}
}
