package sim

// OTP semantics, rule by rule: each test builds the smallest world that
// exercises one rule of otp.go and checks the exact messages and reasons,
// under several seeds, and that the same seed gives the same hash.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/scheduler"
)

func TestSelectiveReceiveKeepsOrder(t *testing.T) {
	runSeeds(t, 50, func(w *World) {
		self := w.Self()
		w.Spawn("sender", func() {
			for i := 0; i < 5; i++ {
				w.Send(self, i)
			}
			w.Send(self, "done")
		})
		// Take "done" first: the integers it skipped stay, in order.
		m, ok := w.Receive(func(m any) bool { return m == "done" }, Infinity)
		require.True(t, ok)
		require.Equal(t, "done", m)
		for i := 0; i < 5; i++ {
			m, _ := w.Receive(nil, Infinity)
			require.Equal(t, i, m)
		}
		_, ok = w.Receive(nil, 0)
		require.False(t, ok, "mailbox should be empty")
	})
}

func TestReceiveTimeout(t *testing.T) {
	runSeeds(t, 10, func(w *World) {
		start := w.Elapsed()
		_, ok := w.Receive(nil, 5*time.Second)
		require.False(t, ok)
		require.Equal(t, 5*time.Second, w.Elapsed()-start)
		self := w.Self()
		w.Spawn("late", func() { w.Sleep(time.Second); w.Send(self, "hi") })
		m, ok := w.Receive(nil, 5*time.Second)
		require.True(t, ok)
		require.Equal(t, "hi", m)
		require.Equal(t, 6*time.Second, w.Elapsed()-start, "a message ends the wait early")
	})
}

func TestLinkPropagatesCrash(t *testing.T) {
	runSeeds(t, 50, func(w *World) {
		var child, grandchild *Proc
		parent, ref := w.SpawnMonitor("parent", func() {
			// The spawner may die inside SpawnLink (the new process runs,
			// crashes, and the link ends the spawner before SpawnLink
			// returns), so each process records itself.
			w.SpawnLink("child", func() {
				child = w.Self()
				w.SpawnLink("grandchild", func() {
					grandchild = w.Self()
					panic("boom")
				})
				w.Receive(nil, Infinity)
			})
			w.Receive(nil, Infinity)
		})
		m, _ := w.Receive(nil, Infinity)
		down := m.(Down)
		require.Equal(t, parent, down.Proc)
		require.Equal(t, ref, down.Ref)
		crash, ok := down.Reason.(*Crash)
		require.True(t, ok, "reason %v", down.Reason)
		require.Equal(t, "boom", crash.Value)
		require.False(t, child.Alive())
		require.False(t, grandchild.Alive())
		require.Equal(t, down.Reason, child.Reason(), "a link passes the reason on unchanged")
	})
}

func TestTrapExitsTurnsSignalsIntoMessages(t *testing.T) {
	runSeeds(t, 50, func(w *World) {
		w.TrapExits(true)
		c := w.SpawnLink("child", func() { w.Exit("custom") })
		m, _ := w.Receive(nil, Infinity)
		require.Equal(t, ExitMsg{From: c, Reason: "custom"}, m)
		n := w.SpawnLink("normal", func() {})
		m, _ = w.Receive(nil, Infinity)
		require.Equal(t, ExitMsg{From: n, Reason: Normal}, m, "a trapping process sees normal exits too")
	})
}

func TestNormalExitDoesNotPropagate(t *testing.T) {
	runSeeds(t, 20, func(w *World) {
		w.SpawnLink("child", func() {})
		w.Sleep(time.Second)
		require.True(t, w.Self().Alive())
	})
}

func TestKillIsUntrappable(t *testing.T) {
	runSeeds(t, 50, func(w *World) {
		w.TrapExits(true)
		var inner *Proc
		self := w.Self()
		victim, ref := w.SpawnMonitor("victim", func() {
			w.TrapExits(true)
			// Whether inner traps the signal (if it ran) or dies of it (if
			// it had not), it ends with the reason killed.
			inner = w.SpawnLink("inner", func() {
				w.TrapExits(true)
				m, _ := w.Receive(nil, Infinity)
				// The victim died of Kill; its link carries killed, trappable.
				w.Exit(m.(ExitMsg).Reason)
			})
			w.Send(self, "ready")
			w.Receive(func(m any) bool { return false }, Infinity)
		})
		w.Receive(func(m any) bool { return m == "ready" }, Infinity)
		w.Kill(victim)
		m, _ := w.Receive(nil, Infinity)
		require.Equal(t, Down{Ref: ref, Proc: victim, Reason: Killed}, m)
		w.Sleep(time.Second)
		require.Equal(t, Killed, inner.Reason())
	})
}

func TestMonitorDeliversExactlyOneDown(t *testing.T) {
	runSeeds(t, 50, func(w *World) {
		p := w.Spawn("short", func() { w.Sleep(time.Second) })
		r1 := w.Monitor(p)
		r2 := w.Monitor(p)
		r3 := w.Monitor(p)
		w.Demonitor(r3)
		got := map[MonitorRef]int{}
		for {
			m, ok := w.Receive(nil, 10*time.Second)
			if !ok {
				break
			}
			d := m.(Down)
			require.Equal(t, Normal, d.Reason)
			got[d.Ref]++
		}
		require.Equal(t, map[MonitorRef]int{r1: 1, r2: 1}, got)
		// Monitoring an ended process: one Down with NoProc, at once.
		r4 := w.Monitor(p)
		m, ok := w.Receive(nil, 0)
		require.True(t, ok)
		require.Equal(t, Down{Ref: r4, Proc: p, Reason: NoProc}, m)
	})
}

func TestSpawnCrashIsNotARunFailure(t *testing.T) {
	r := Run(Config{}, func(w *World) {
		p := w.Spawn("crasher", func() { panic("expected") })
		w.Monitor(p)
		w.Receive(nil, Infinity)
	})
	require.Nil(t, r.Failure)
	r = Run(Config{KeepTrace: true}, func(w *World) {
		w.Go("goroutine", func() { panic("unexpected") })
		w.Sleep(time.Second)
	})
	require.NotNil(t, r.Failure, "a panic in a Go process fails the run, as in Go")
	require.Equal(t, Panic, r.Failure.Kind)
}

// An exit signal reaches a process blocked on a channel: it is withdrawn
// from the channel, so a later send is not handed to a dead process.
func TestKillWhileBlockedOnChannel(t *testing.T) {
	runSeeds(t, 100, func(w *World) {
		ch := NewChan[int](w, 0)
		cleaned := false
		victim := w.Spawn("victim", func() {
			defer func() { cleaned = true }()
			ch.Recv()
		})
		other := NewChan[int](w, 1)
		w.Go("receiver", func() { other.Send(ch.Recv()) })
		w.Sleep(time.Second)
		w.Kill(victim)
		ch.Send(42)
		require.Equal(t, 42, other.Recv(), "the value went to the live receiver")
		w.Sleep(time.Second)
		require.True(t, cleaned, "the victim's defers ran")
		require.Equal(t, Killed, victim.Reason())
	})
}

func TestKillWhileBlockedInSelectAndReceive(t *testing.T) {
	runSeeds(t, 50, func(w *World) {
		a, b := NewChan[int](w, 0), NewChan[int](w, 0)
		sel := w.Spawn("selector", func() {
			w.Select(a.RecvCase(nil, nil), b.RecvCase(nil, nil))
		})
		rcv := w.Spawn("receiver", func() { w.Receive(nil, time.Hour) })
		w.Sleep(time.Second)
		w.Kill(sel)
		w.Kill(rcv)
		w.Sleep(time.Second)
		require.False(t, sel.Alive())
		require.False(t, rcv.Alive())
		// Neither channel holds a waiter of the dead selector.
		ok := w.Select(a.SendCase(1), DefaultCase())
		require.Equal(t, 1, ok, "nobody receives on a any more")
		// The receiver's timeout timer was stopped: the world is idle now,
		// not an hour later.
		require.Equal(t, 2*time.Second, w.Elapsed())
	})
}

func TestSendToEndedProcessIsDropped(t *testing.T) {
	runSeeds(t, 10, func(w *World) {
		p := w.Spawn("gone", func() {})
		w.Sleep(time.Second)
		w.Send(p, "hello")
		require.Equal(t, 0, p.MailboxLen())
	})
}

func TestMailboxHighWater(t *testing.T) {
	runSeeds(t, 10, func(w *World) {
		self := w.Self()
		for i := 0; i < 7; i++ {
			w.Send(self, i)
		}
		for i := 0; i < 7; i++ {
			w.Receive(nil, 0)
		}
		require.Equal(t, 0, self.MailboxLen())
		require.Equal(t, 7, self.MailboxHigh())
	})
}

// A fault plan that kills processes at scheduling points: some seeds kill
// the worker before it reports, some do not; the kill is a decision, so it
// replays, and with the plan off nothing dies.
func TestFaultPlanKills(t *testing.T) {
	scenario := func(w *World) {
		self := w.Self()
		_, ref := w.SpawnMonitor("worker", func() {
			for i := 0; i < 5; i++ {
				w.Yield()
			}
			w.Send(self, "done")
		})
		m, _ := w.Receive(nil, Infinity)
		if d, ok := m.(Down); ok && d.Ref == ref {
			w.Fatalf("worker died: %v", d.Reason)
		}
	}
	plan := FaultPlan{}.With(FaultKill, 0.1)
	killed, passed := 0, 0
	for seed := uint64(0); seed < 200; seed++ {
		r := Run(Config{Seed: seed, Faults: plan}, scenario)
		if r.Failure != nil {
			require.Contains(t, r.Failure.Error(), "worker died: killed")
			killed++
			again := Run(Config{Strategy: scheduler.Replay(r.Decisions), Faults: plan}, scenario)
			require.Equal(t, r.Hash, again.Hash)
		} else {
			passed++
		}
		require.Nil(t, Run(Config{Seed: seed}, scenario).Failure, "no plan, no kill")
	}
	require.Positive(t, killed)
	require.Positive(t, passed)

	// Swarm: some runs leave the kill kind out altogether.
	swarm := plan
	swarm.Swarm = true
	off := 0
	for seed := uint64(0); seed < 100; seed++ {
		r := Run(Config{Seed: seed, Faults: swarm}, scenario)
		if r.Decisions[0].Kind == scheduler.Random && r.Decisions[0].Choice == 1 {
			off++
			require.Nil(t, r.Failure, "seed %d: kill was off for this run", seed)
		}
	}
	require.Positive(t, off)
}

// An exit signal that ends a process waiting for a Mutex must not take the
// lock, or the wake-up meant for it, to its grave: the next waiter gets it.
// The calm schedule makes the kill land after Unlock chose b and before b
// ran. (A process killed after it got the lock dies holding it, and the
// others wait forever: that is a deadlock the run reports, as it should.)
func TestKillWhileWaitingForMutex(t *testing.T) {
	for _, starve := range []bool{false, true} {
		r := Run(Config{Strategy: scheduler.Replay(nil)}, func(w *World) {
			mu := NewMutex(w)
			mu.Lock()
			got := NewChan[string](w, 2)
			b := w.Spawn("b", func() { mu.Lock(); got.Send("b"); mu.Unlock() })
			w.Sleep(time.Millisecond)
			w.Spawn("c", func() { mu.Lock(); got.Send("c"); mu.Unlock() })
			if starve {
				// b has waited past Go's starvation threshold: Unlock hands
				// the lock straight to it.
				w.Sleep(2 * time.Millisecond)
			} else {
				w.Yield()
			}
			mu.Unlock() // wakes b, or hands it the lock
			w.Kill(b)   // before b runs
			if v := got.Recv(); v != "c" {
				w.Fatalf("got %q", v)
			}
			require.Equal(t, Killed, b.Reason())
		})
		require.Nil(t, r.Failure, "starving %v", starve)
	}
}

// A sleeper ended by an exit signal takes its timer with it: the world does
// not wait out the sleep of a dead process.
func TestKillWhileSleeping(t *testing.T) {
	runSeeds(t, 20, func(w *World) {
		p := w.Spawn("sleeper", func() { w.Sleep(time.Hour) })
		w.Sleep(time.Second)
		w.Kill(p)
		w.Sleep(time.Millisecond)
		require.Equal(t, Killed, p.Reason())
		require.Equal(t, time.Second+time.Millisecond, w.Elapsed())
	})
	// A main process stuck for good is a deadlock at once, not after the
	// dead sleeper's hour.
	r := Run(Config{}, func(w *World) {
		p := w.Spawn("sleeper", func() { w.Sleep(time.Hour) })
		w.Sleep(time.Second)
		w.Kill(p)
		NewChan[int](w, 0).Recv()
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, Deadlock, r.Failure.Kind)
	require.Equal(t, time.Second, r.Time)
}
