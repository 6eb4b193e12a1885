package sim

// Processes and the calm schedule. Method: processes append to a log at each
// step they take; under scheduler.Replay(nil), where every decision is the
// default, the log must be exactly the order the contract promises (the
// running process keeps running until it blocks, the ready queue is served
// first come first served, Yield goes to the back). Under random seeds the
// same programs must show other orders, so the defaults are a choice and
// not the only possibility.

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
)

func calmConfig() Config { return Config{Strategy: scheduler.Replay(nil)} }

// runLogged runs scenario, which logs through the function it is given, and
// returns the log joined with spaces.
func runLogged(t *testing.T, cfg Config, scenario func(w *World, log func(string))) (string, *Result) {
	t.Helper()
	var out []string
	r := Run(cfg, func(w *World) { scenario(w, func(s string) { out = append(out, s) }) })
	return strings.Join(out, " "), r
}

// The running process keeps running until it blocks; then the processes
// that became ready run in the order they became ready.
func TestCalmScheduleRunsUntilBlocked(t *testing.T) {
	scenario := func(w *World, log func(string)) {
		done := NewChan[int](w, 0)
		for _, name := range []string{"a", "b", "c"} {
			w.Go(name, func() {
				log(name)
				done.Send(0)
				log(name + "'")
			})
			log("spawned " + name)
		}
		for range 3 {
			done.Recv()
			log("main got")
		}
		w.Sleep(time.Second)
	}
	got, r := runLogged(t, calmConfig(), scenario)
	// main spawns all three without being preempted and blocks receiving
	// on done; a, b and c run in spawn order. a's send completes main's
	// receive, so a runs on to its end; b and c block on their sends. main
	// runs next, and each of its receives takes a blocked sender in order.
	want := "spawned a spawned b spawned c a a' b c main got main got main got b' c'"
	if r.Failure != nil || got != want {
		t.Fatalf("calm schedule:\n got %s\nwant %s\n(failure %v)", got, want, r.Failure)
	}
	for _, d := range r.Decisions {
		if d.Choice != 0 {
			t.Fatalf("calm schedule recorded %v", d)
		}
	}
	if scheduler.Preemptions(r.Decisions) != 0 {
		t.Fatal("calm schedule preempted")
	}
	// Go is a scheduling point: some seed runs a child before its parent
	// goes on.
	orders := map[string]bool{}
	for seed := range uint64(100) {
		got, r := runLogged(t, Config{Seed: seed}, scenario)
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		orders[got] = true
	}
	if len(orders) < 10 || !slices.ContainsFunc(slices.Collect(maps.Keys(orders)), func(s string) bool { return strings.HasPrefix(s, "a ") }) {
		t.Fatalf("%d orders over 100 seeds; none starts with the child: %v", len(orders), orders)
	}
}

// Yield sends the running process to the back of the ready queue: the
// others go first, in FIFO order.
func TestCalmScheduleYieldIsFIFO(t *testing.T) {
	got, r := runLogged(t, calmConfig(), func(w *World, log func(string)) {
		for _, name := range []string{"a", "b", "c"} {
			w.Go(name, func() {
				for i := range 3 {
					log(fmt.Sprint(name, i))
					w.Yield()
				}
			})
		}
		log("main")
		w.Yield()
		log("main'")
	})
	want := "main a0 b0 c0 main' a1 b1 c1 a2 b2 c2"
	if r.Failure != nil || got != want {
		t.Fatalf("got  %s\nwant %s\n(failure %v)", got, want, r.Failure)
	}
	// A Yield with nothing else ready returns at once, and is still a step.
	r = Run(calmConfig(), func(w *World) {
		for range 10 {
			w.Yield()
		}
	})
	if r.Failure != nil || r.Steps != 10 || len(r.Decisions) != 0 {
		t.Fatalf("lone yields: %d steps, %d decisions, failure %v", r.Steps, len(r.Decisions), r.Failure)
	}
}

// Processes sleeping for different times wake in time order; equal times
// wake in the order the timers were set by default, and in either order
// under some seed.
func TestCalmScheduleSleepOrder(t *testing.T) {
	scenario := func(w *World, log func(string)) {
		for _, p := range []struct {
			name string
			d    time.Duration
		}{{"slow", 3 * time.Second}, {"tie1", time.Second}, {"fast", time.Millisecond}, {"tie2", time.Second}} {
			w.Go(p.name, func() {
				w.Sleep(p.d)
				log(fmt.Sprintf("%s@%v", p.name, w.Elapsed()))
			})
		}
		w.Sleep(time.Minute)
		if !w.Now().Equal(Epoch.Add(time.Minute)) {
			w.Fatalf("Now() = %v", w.Now())
		}
	}
	got, r := runLogged(t, calmConfig(), scenario)
	if want := "fast@1ms tie1@1s tie2@1s slow@3s"; r.Failure != nil || got != want {
		t.Fatalf("got  %s\nwant %s\n(failure %v)", got, want, r.Failure)
	}
	orders := map[string]bool{}
	for seed := range uint64(60) {
		got, r := runLogged(t, Config{Seed: seed}, scenario)
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		orders[got] = true
	}
	if len(orders) != 2 || !orders["fast@1ms tie1@1s tie2@1s slow@3s"] || !orders["fast@1ms tie2@1s tie1@1s slow@3s"] {
		t.Fatalf("orders over 60 seeds: %v", orders)
	}
}

// Ids are given in spawn order from 0 (main), names are kept, and Self is
// the running process.
func TestProcIdentity(t *testing.T) {
	var got []string
	r := Run(Config{Seed: 3}, func(w *World) {
		note := func() { got = append(got, fmt.Sprintf("%d:%s", w.Self().ID(), w.Self().Name())) }
		note()
		a := w.Go("a", func() {
			note()
			w.Go("a.child", note)
		})
		b := w.Go("b", note)
		if a.ID() != 1 || b.ID() != 2 || a.Name() != "a" {
			w.Fatalf("a %d %s, b %d", a.ID(), a.Name(), b.ID())
		}
		w.Sleep(time.Second)
	})
	slices.Sort(got)
	if r.Failure != nil || !slices.Equal(got, []string{"0:main", "1:a", "2:b", "3:a.child"}) {
		t.Fatalf("got %v, failure %v", got, r.Failure)
	}
	if !slices.Equal(r.Procs, []string{"main", "a", "b", "a.child"}) {
		t.Fatalf("procs %v", r.Procs)
	}
}

// Sleep(0) and negative sleeps are scheduling points that do not block.
func TestSleepNonPositive(t *testing.T) {
	got, r := runLogged(t, calmConfig(), func(w *World, log func(string)) {
		w.Go("other", func() { log("other") })
		w.Sleep(0)
		log("main")
		w.Sleep(-time.Second)
		log(fmt.Sprint(w.Elapsed()))
	})
	if r.Failure != nil || got != "main 0s other" || r.Steps != 3 {
		t.Fatalf("got %q in %d steps, failure %v", got, r.Steps, r.Failure)
	}
}

// A send or receive on a nil channel blocks its process forever. A nil
// channel has no world; it finds the world through the ambient hook that
// rewritten code installs, and the world reports the process as deadlocked
// or leaked. Without the hook the operation fails with guidance.
func TestNilChanBlocksForever(t *testing.T) {
	var current *World
	defer func(old func() *World) { ambientWorld = old }(ambientWorld)
	ambientWorld = func() *World { return current }

	var nilc *Chan[int]
	r := Run(calmConfig(), func(w *World) {
		current = w
		w.Go("sender", func() { nilc.Send(1) })
		w.Go("receiver", func() { nilc.Recv() })
		w.Sleep(time.Second)
	})
	f := r.Failure
	if f == nil || f.Kind != Leak || len(f.Blocked) != 2 {
		t.Fatalf("failure %v, want a leak of two processes", f)
	}
	if b := f.Blocked[0]; b.Name != "sender" || b.In != "send on nil chan" || len(b.On) != 0 || !b.Proven {
		t.Fatalf("blocked[0] = %+v", b)
	}
	if b := f.Blocked[1]; b.Name != "receiver" || b.In != "receive from nil chan" || !b.Proven {
		t.Fatalf("blocked[1] = %+v", b)
	}
	r = Run(calmConfig(), func(w *World) {
		current = w
		nilc.Recv()
	})
	if f := r.Failure; f == nil || f.Kind != Deadlock || len(f.Blocked) != 1 || f.Blocked[0].Name != "main" || f.Blocked[0].In != "receive from nil chan" {
		t.Fatalf("failure %v, want main deadlocked on a nil channel", f)
	}

	ambientWorld = nil
	r = Run(calmConfig(), func(w *World) { nilc.Send(1) })
	if f := r.Failure; f == nil || f.Kind != Panic || !strings.Contains(fmt.Sprint(f.Value), "has no world") {
		t.Fatalf("without the hook: failure %v, want a panic with guidance", f)
	}
}

// Processes started by a process that then ends keep running; the run ends
// when all of them are done.
func TestProcOutlivesParent(t *testing.T) {
	got, r := runLogged(t, calmConfig(), func(w *World, log func(string)) {
		c := NewChan[int](w, 0)
		w.Go("parent", func() {
			w.Go("child", func() {
				w.Sleep(time.Second)
				log("child")
				c.Send(1)
			})
			log("parent done")
		})
		c.Recv()
		log("main")
	})
	if r.Failure != nil || got != "parent done child main" || r.Time != time.Second {
		t.Fatalf("got %q at %v, failure %v", got, r.Time, r.Failure)
	}
}

// A select that loses on a channel takes its waiter off that channel's
// queue when it wakes, so a loop of selects over a channel that never fires
// does not pile up dead waiters on it. (Dead waiters would be skipped, so
// only the queues show it.)
func TestSelectWithdrawsWaiters(t *testing.T) {
	r := Run(calmConfig(), func(w *World) {
		a := NewChan[int](w, 0)
		never, full := NewChan[int](w, 0), NewChan[int](w, 0)
		w.Go("feeder", func() {
			for i := range 100 {
				w.Yield()
				a.Send(i)
			}
		})
		for range 100 {
			w.Select(a.RecvCase(nil, nil), never.RecvCase(nil, nil), full.SendCase(0))
		}
		if never.recvq.first != nil || full.sendq.first != nil || a.recvq.first != nil {
			w.Fatalf("waiters left queued: never.recvq %v, full.sendq %v, a.recvq %v", never.recvq.first != nil, full.sendq.first != nil, a.recvq.first != nil)
		}
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}
