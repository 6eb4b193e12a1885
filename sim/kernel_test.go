package sim_test

// The kernel, from outside: a counting semaphore built only on sim's public
// API and its Kernel, checked for what sim's own primitives give: blocked
// processes in leak reports with the object and its creation site, exit
// signals that withdraw a waiter, timeouts on the virtual clock, per-world
// state, exit hooks, and faults that are decisions.

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// semaphores counts, per world, the semaphores made and the permits
// released by an owner's exit: a Local.
type semaphores struct{ made, reclaimed int }

var semaState = sim.NewLocal(func(*sim.Kernel) *semaphores { return &semaphores{} })

// faultLostRelease makes a Release lose its permit.
var faultLostRelease = sim.NewFaultKind(9001, "test-lost-release")

type sema struct {
	k       *sim.Kernel
	obj     sim.Object
	permits int
	waiters []*semaWait
}

// semaWait is one process waiting in Acquire, and its Withdrawer.
type semaWait struct {
	s        *sema
	p        *sim.Proc
	alarm    sim.Alarm
	timedOut bool
}

func (wt *semaWait) Withdraw() {
	wt.s.remove(wt)
	wt.s.k.StopAlarm(&wt.alarm)
}

func newSema(w *sim.World, permits int) *sema {
	k := w.Kernel()
	s := &sema{k: k, permits: permits}
	k.Register(&s.obj, "sema", 1)
	semaState.Get(k).made++
	return s
}

func (s *sema) remove(wt *semaWait) {
	for i, x := range s.waiters {
		if x == wt {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return
		}
	}
}

// Acquire takes a permit, waiting up to timeout (negative: forever), and
// reports whether it got one.
func (s *sema) Acquire(timeout time.Duration) bool {
	k := s.k
	k.Point()
	if s.permits > 0 {
		s.permits--
		k.Event(sim.EventLock, &s.obj, 0, nil)
		return true
	}
	wt := &semaWait{s: s, p: k.Running()}
	s.waiters = append(s.waiters, wt)
	if timeout >= 0 {
		wt.alarm = sim.Alarm{Obj: &s.obj, Fire: func() {
			s.remove(wt)
			wt.timedOut = true
			k.Wake(wt.p)
		}}
		k.SetAlarm(&wt.alarm, k.Deadline(timeout))
	}
	k.Event(sim.EventBlock, &s.obj, 0, nil)
	k.Block("acquire", wt, &s.obj)
	if wt.timedOut {
		return false
	}
	k.Event(sim.EventLock, &s.obj, 0, nil)
	return true
}

// Release gives a permit back, to the longest waiter if there is one,
// unless a lost-release fault strikes.
func (s *sema) Release() {
	k := s.k
	k.Point()
	if k.Fault(faultLostRelease) {
		return
	}
	k.Event(sim.EventUnlock, &s.obj, int64(len(s.waiters)), nil)
	if len(s.waiters) > 0 {
		wt := s.waiters[0]
		s.waiters = s.waiters[1:]
		k.StopAlarm(&wt.alarm)
		k.Wake(wt.p)
		return
	}
	s.permits++
}

// Hold makes the running process own one permit until it ends.
func (s *sema) Hold() {
	s.Acquire(-1)
	s.k.OnExit(s.k.Running(), func(any) {
		s.permits++
		semaState.Get(s.k).reclaimed++
	})
}

func TestKernelSemaphoreExcludes(t *testing.T) {
	scenario := func(w *sim.World) {
		s := newSema(w, 2)
		inside := 0
		wg := sim.NewWaitGroup(w)
		for range 4 {
			wg.Go("worker", func() {
				s.Acquire(-1)
				inside++
				if inside > 2 {
					w.Fatalf("%d inside a semaphore of 2", inside)
				}
				w.Yield()
				inside--
				s.Release()
			})
		}
		wg.Wait()
	}
	hashes := map[uint64]bool{}
	for seed := range uint64(200) {
		r := sim.Run(sim.Config{Seed: seed}, scenario)
		require.Nil(t, r.Failure, "seed %d", seed)
		require.Equal(t, r.Hash, sim.Run(sim.Config{Seed: seed}, scenario).Hash, "seed %d: same seed, different hash", seed)
		hashes[r.Hash] = true
		require.Equal(t, 1, semaState.Of(r).made)
	}
	require.Greater(t, len(hashes), 20, "the semaphore's scheduling points let the strategy interleave")
}

func TestKernelBlockedInLeakReport(t *testing.T) {
	r := sim.Run(sim.Config{KeepTrace: true}, func(w *sim.World) {
		s := newSema(w, 0)
		s.obj.SetName("pool")
		s.Acquire(-1)
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Deadlock, r.Failure.Kind)
	require.Len(t, r.Failure.Blocked, 1)
	b := r.Failure.Blocked[0]
	require.Equal(t, "acquire", b.In)
	require.Len(t, b.On, 1)
	require.Regexp(t, `^sema#1 "pool" created at sim/kernel_test.go:\d+$`, b.On[0])
	require.True(t, b.Proven)
}

func TestKernelExitSignalWithdraws(t *testing.T) {
	r := sim.Run(sim.Config{KeepTrace: true}, func(w *sim.World) {
		s := newSema(w, 0)
		p := w.Spawn("waiter", func() { s.Acquire(-1) })
		w.Sleep(time.Second)
		w.Kill(p)
		w.Sleep(time.Second)
		require.Empty(t, s.waiters, "the killed waiter left the queue")
		s.Release() // with a waiter still queued, this would wake a dead process
		require.True(t, s.Acquire(0), "the permit went to no one and is still there")
	})
	require.Nil(t, r.Failure)
	require.Equal(t, sim.Killed, r.Processes[1].Reason)
}

func TestKernelAlarmTimesOut(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		s := newSema(w, 0)
		start := w.Elapsed()
		require.False(t, s.Acquire(10*time.Millisecond))
		require.Equal(t, 10*time.Millisecond, w.Elapsed()-start)
		require.Empty(t, s.waiters)
		w.Go("releaser", func() {
			w.Sleep(time.Millisecond)
			s.Release()
		})
		require.True(t, s.Acquire(time.Hour), "woken by the release, its alarm stopped")
		require.Equal(t, 11*time.Millisecond, w.Elapsed()-start)
	})
	require.Nil(t, r.Failure)
	require.Equal(t, 11*time.Millisecond, r.Time, "no alarm was left to move the clock")
}

func TestKernelOnExitAndLocal(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		s := newSema(w, 1)
		w.Spawn("holder", func() { s.Hold() })
		w.Sleep(time.Second)
		require.True(t, s.Acquire(0), "the holder's exit gave its permit back")
	})
	require.Nil(t, r.Failure)
	require.Equal(t, &semaphores{made: 1, reclaimed: 1}, semaState.Of(r))
	untouched := sim.Run(sim.Config{}, func(w *sim.World) {})
	require.Nil(t, semaState.Of(untouched), "a world that never asked has no value")
}

func TestKernelFaultIsADecision(t *testing.T) {
	scenario := func(w *sim.World) {
		s := newSema(w, 0)
		s.Release()
		if !s.Acquire(0) {
			w.Fatalf("the permit was lost")
		}
	}
	calm := sim.Run(sim.Config{}, scenario)
	require.Nil(t, calm.Failure)
	require.Empty(t, calm.Decisions, "a kind the plan leaves off asks nothing")

	cfg := sim.Config{Faults: sim.FaultPlan{}.With(faultLostRelease, 1), KeepTrace: true}
	r := sim.Run(cfg, scenario)
	require.NotNil(t, r.Failure)
	require.Equal(t, []scheduler.Decision{{Kind: scheduler.Fault, N: 1024, Choice: r.Decisions[0].Choice}}, r.Decisions)
	var faults []string
	for _, e := range r.Trace {
		if e.Kind == sim.EventFault {
			faults = append(faults, e.Detail)
		}
	}
	require.Equal(t, []string{"test-lost-release"}, faults)
	require.Equal(t, "test-lost-release", faultLostRelease.String())

	// The fault is a decision: choosing its default replays the calm run.
	cfg.Strategy = scheduler.Replay([]scheduler.Decision{{Kind: scheduler.Fault, N: 1024, Choice: 0}})
	require.Nil(t, sim.Run(cfg, scenario).Failure)
}

func TestKernelDecideAndChance(t *testing.T) {
	r := sim.Run(sim.Config{Seed: 7}, func(w *sim.World) {
		k := w.Kernel()
		require.Equal(t, 0, k.Decide(scheduler.Random, 1), "one option asks nothing")
		require.Less(t, k.Decide(scheduler.Random, 5), 5)
		require.False(t, k.Chance(0))
		require.True(t, k.Chance(1))
		k.Chance(0.5)
		require.PanicsWithValue(t,
			"sim: Kernel.Decide: schedule is not a kind a library may ask for (Select, Random, Fault or Timer)",
			func() { k.Decide(scheduler.Schedule, 2) })
	})
	require.Nil(t, r.Failure)
	require.Equal(t, []scheduler.Kind{scheduler.Random, scheduler.Fault}, []scheduler.Kind{r.Decisions[0].Kind, r.Decisions[1].Kind})
	require.Len(t, r.Decisions, 2)
}

func TestKernelMessages(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		k := w.Kernel()
		self := w.Self()
		for _, m := range []any{"a", 1, "b", 2} {
			k.Deliver(self, m)
		}
		ints := k.TakeMessages(self, func(m any) bool { _, ok := m.(int); return ok })
		require.Equal(t, []any{1, 2}, ints)
		require.Equal(t, []any{"a", "b"}, k.Mailbox(self))
		p := w.Spawn("peer", func() { w.Receive(nil, sim.Infinity) })
		ref := w.Monitor(p)
		k.Link(self, p)
		w.TrapExits(true)
		w.Kill(p)
		m, _ := w.Receive(func(m any) bool { _, ok := m.(sim.ExitMsg); return ok }, sim.Infinity)
		require.Equal(t, sim.Killed, m.(sim.ExitMsg).Reason)
		k.DemonitorFlush(ref)
		_, ok := w.Receive(func(m any) bool { _, ok := m.(sim.Down); return ok }, 0)
		require.False(t, ok, "the Down was flushed")
		unwinding := false
		q := w.Spawn("exiter", func() {
			defer func() {
				v := recover()
				unwinding = k.Unwinding(v)
				panic(v) // let the world finish the unwinding
			}()
			w.Exit(sim.Shutdown)
		})
		w.Sleep(time.Second)
		require.True(t, unwinding, "an exit unwinds through the process's defers")
		require.Equal(t, sim.Shutdown, q.Reason())
		require.False(t, k.Unwinding("boom"))
	})
	require.Nil(t, r.Failure)
	require.True(t, strings.HasPrefix(r.Procs[1], "peer"))
}

// CheckRun does nothing while the run goes on, and unwinds a process that
// runs after its run is over: here a deferred function of a main process
// that Fatalf is unwinding.
func TestKernelCheckRun(t *testing.T) {
	unwound := false
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		k := w.Kernel()
		k.CheckRun()
		defer func() {
			v := recover()
			func() {
				defer func() { unwound = k.Unwinding(recover()) }()
				k.CheckRun()
			}()
			panic(v)
		}()
		w.Fatalf("over")
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Fatal, r.Failure.Kind)
	require.True(t, unwound, "CheckRun unwinds once the run is over")
	require.Zero(t, r.Steps, "CheckRun is not a scheduling point")
	require.Empty(t, r.Decisions)
}

func TestFaultKindsAndPlans(t *testing.T) {
	require.PanicsWithValue(t, `sim: NewFaultKind(9001, "again"): 9001 is already the number of "test-lost-release"`,
		func() { sim.NewFaultKind(9001, "again") })
	require.PanicsWithValue(t, `sim: NewFaultKind(9002, "kill"): "kill" is already the name of kind 0`,
		func() { sim.NewFaultKind(9002, "kill") })
	require.Equal(t, "FaultKind(9003)", sim.FaultKind(9003).String())

	plan := sim.FaultPlan{}.With(faultLostRelease, 0.5).With(sim.FaultKill, 0.25)
	again := plan.With(faultLostRelease, 0.125)
	require.Equal(t, 0.5, plan.Rate(faultLostRelease), "With copies the plan")
	require.Equal(t, 0.125, again.Rate(faultLostRelease))
	require.Equal(t, 0.25, again.Rate(sim.FaultKill))
	require.Zero(t, again.Rate(sim.FaultKind(9003)))
	for _, bad := range []float64{1.5, -0.1, math.NaN(), math.Inf(1), 1e-9} {
		require.Panics(t, func() { plan.With(sim.FaultKill, bad) }, "rate %v", bad)
	}
	require.Equal(t, 1.0/1024, plan.With(sim.FaultKill, 1.0/1024).Rate(sim.FaultKill), "the resolution itself is a rate")
}

// OnSpawn sees every process spawned after it is registered, by any of the
// spawning calls, with its parent, before the child runs; Kill ends
// processes, trapping or not, blocked or runnable, with the reason given,
// in one step, and a process that kills itself unwinds at once.
func TestKernelOnSpawnAndKill(t *testing.T) {
	type seen struct{ parent, child string }
	var spawns []seen
	reason := sim.Atom("node down")
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		k := w.Kernel()
		k.OnSpawn(func(parent, child *sim.Proc) {
			require.Equal(t, 0, child.MailboxLen(), "the hook runs before the child runs")
			spawns = append(spawns, seen{parent.Name(), child.Name()})
		})
		self := w.Self()
		var grandchild *sim.Proc
		trapper := w.Spawn("trapper", func() {
			w.TrapExits(true)
			grandchild = w.SpawnLink("grandchild", func() { w.Receive(nil, sim.Infinity) })
			w.Send(self, "ready")
			w.Receive(nil, sim.Infinity)
			t.Error("a trapping process got past Kill")
		})
		sleeper, ref := w.SpawnMonitor("sleeper", func() { w.Sleep(time.Hour) })
		w.Go("go", func() {})
		w.Receive(func(m any) bool { return m == "ready" }, sim.Infinity)
		step := k.Step()
		for _, p := range []*sim.Proc{trapper, grandchild, sleeper} {
			k.Kill(p, reason)
		}
		require.Equal(t, step, k.Step(), "Kill is no scheduling point")
		m, _ := w.Receive(func(m any) bool { _, ok := m.(sim.Down); return ok }, sim.Infinity)
		require.Equal(t, sim.Down{Ref: ref, Proc: sleeper, Reason: reason}, m)
		w.Sleep(time.Millisecond)
		for _, p := range []*sim.Proc{trapper, grandchild, sleeper} {
			require.Equal(t, reason, p.Reason(), p.Name())
		}
		k.Kill(trapper, sim.Killed) // ended: left alone
		require.Equal(t, reason, trapper.Reason())
		done := false
		suicide := w.Spawn("suicide", func() {
			k.Kill(w.Self(), reason)
			done = true
		})
		w.Sleep(time.Millisecond)
		require.False(t, done, "a process that kills itself does not go on")
		require.Equal(t, reason, suicide.Reason())
	})
	require.Nil(t, r.Failure)
	require.ElementsMatch(t, []seen{{"main", "trapper"}, {"trapper", "grandchild"}, {"main", "sleeper"}, {"main", "go"}, {"main", "suicide"}}, spawns)
}
