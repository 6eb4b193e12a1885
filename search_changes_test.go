package weft

// The bound of dfs counts changes as a person does: a fault is one change
// wherever it sits, and holding one process back for many steps is one
// change. Each scenario below fails only through such changes, among draws
// and select choices that the search must not spend its bound on.

import (
	"testing"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// noise makes draws and a select with two ready cases: decisions that do
// not matter, around the ones that do.
func noise(w *sim.World) {
	w.Intn(5)
	a, b := sim.NewChan[int](w, 1), sim.NewChan[int](w, 1)
	a.Send(1)
	b.Send(2)
	var v int
	w.Select(a.RecvCase(&v, nil), b.RecvCase(&v, nil))
	w.Intn(3)
}

// behindOneFault fails when its Buggify site fires at the third reach, and
// only then.
func behindOneFault(w *sim.World) {
	for i := range 5 {
		noise(w)
		if w.Buggify("lose-ack") && i == 2 {
			w.Fatalf("the third ack was lost")
		}
	}
}

func TestSearchFindsABugBehindOneFault(t *testing.T) {
	calm := sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, behindOneFault)
	if calm.Failure != nil {
		t.Fatalf("the calm run fails: %v", calm.Failure)
	}
	rep := Explore(Options{Spec: dfs(t, 1), Runs: 10_000}, behindOneFault)
	if rep.Failure == nil {
		t.Fatalf("dfs:1 did not find the bug behind one fault in %d runs (exhausted %v)", rep.Runs, rep.Exhausted)
	}
	f := rep.Failure
	if got := scheduler.Faults(f.Log.Decisions); got != 1 || f.After.Changes != 1 {
		t.Fatalf("the finding fires %d faults and makes %d changes, want 1 and 1:\n%v", got, f.After.Changes, f)
	}
}

// killAndPreemption fails when the worker is preempted between its two
// writes, the checker sees the half-done state while the worker lives, and
// the worker is then killed: a kill and a preemption, among draws and
// select choices.
func killAndPreemption(w *sim.World) {
	half, sawHalf := false, false
	checked := sim.NewChan[int](w, 1)
	var worker *sim.Proc
	worker, _ = w.SpawnMonitor("worker", func() {
		noise(w)
		half = true
		noise(w)
		half = false
		noise(w)
	})
	w.Go("checker", func() {
		noise(w)
		if half && worker.Alive() {
			sawHalf = true
		}
		checked.Send(0)
	})
	checked.Recv()
	msg, _ := w.Receive(nil, sim.Infinity)
	if sawHalf && msg.(sim.Down).Reason == sim.Killed {
		w.Fatalf("the checker saw the worker's half-done write, and the worker died before finishing it")
	}
}

func TestSearchFindsKillAndPreemption(t *testing.T) {
	o := Options{Spec: dfs(t, 2), Runs: 100_000, Config: sim.Config{Faults: sim.FaultPlan{}.With(sim.FaultKill, 0.05)}}
	for _, cfg := range []sim.Config{{}, o.Config} {
		cfg.Strategy = scheduler.Replay(nil)
		if r := sim.Run(cfg, killAndPreemption); r.Failure != nil {
			t.Fatalf("the calm run fails: %v", r.Failure)
		}
	}
	one := o
	one.Spec = dfs(t, 1)
	if rep := Explore(one, killAndPreemption); rep.Failure != nil || !rep.Exhausted {
		t.Fatalf("dfs:1 ran %d logs: failure %v, exhausted %v; want no failure within one change", rep.Runs, rep.Failure, rep.Exhausted)
	}
	rep := Explore(o, killAndPreemption)
	if rep.Failure == nil {
		t.Fatalf("dfs:2 did not find the kill and the preemption in %d runs (exhausted %v)", rep.Runs, rep.Exhausted)
	}
	f := rep.Failure
	if faults := scheduler.Faults(f.Log.Decisions); faults != 1 || f.After.Changes != 2 {
		t.Fatalf("the finding fires %d faults and makes %d changes, want 1 and 2:\n%v", faults, f.After.Changes, f)
	}
	t.Logf("dfs:2 found it in %d runs", rep.Runs)
}

// starved fails when the last worker runs only after every other one has
// done all its steps: the worker is held back for many steps, which the
// FIFO run queue makes a preemption at each of them, and which is one
// change.
func starved(w *sim.World) {
	const others = 3
	lastRan := false
	finished := 0
	done := sim.NewChan[int](w, others+1)
	w.Go("last", func() {
		lastRan = finished == others
		done.Send(0)
	})
	for range others {
		w.Go("other", func() {
			ch := sim.NewChan[int](w, 0)
			w.Go("echo", func() { ch.Recv(); ch.Recv() })
			ch.Send(1)
			ch.Send(2)
			finished++
			done.Send(0)
		})
	}
	for range others + 1 {
		done.Recv()
	}
	if lastRan {
		w.Fatalf("the last worker ran only after the %d others had finished", others)
	}
}

func TestSearchCountsAHoldAsOneChange(t *testing.T) {
	rep := Explore(Options{Spec: dfs(t, 1), Runs: 100_000}, starved)
	if rep.Failure == nil {
		t.Fatalf("dfs:1 did not find the starvation in %d runs (exhausted %v)", rep.Runs, rep.Exhausted)
	}
	f := rep.Failure
	if f.After.Changes != 1 || f.PreemptionsAfter < 2 {
		t.Fatalf("the finding makes %d changes in %d preemptions, want one change in several:\n%v", f.After.Changes, f.PreemptionsAfter, f)
	}
	t.Logf("dfs:1 found it in %d runs: %d preemptions, one change", rep.Runs, f.PreemptionsAfter)
}
