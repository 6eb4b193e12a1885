package node_test

// Distribution, one rule a test: messages within a node arrive at once;
// between nodes they take the network's time, in order per connection; a
// message forwarded through a third node can overtake one sent directly,
// which weft finds; a netsplit drops messages and fires links, monitors and
// node watchers with noconnection; a node crashes and restarts; and all of
// it travels sim/net, whose links, partitions and resends apply.

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/internal/simtest"
	"github.com/weftsim/weft/sim/net"
	"github.com/weftsim/weft/sim/node"
)

func recv(w *sim.World, timeout time.Duration) any {
	m, ok := w.Receive(nil, timeout)
	if !ok {
		return nil
	}
	return m
}

func TestMessagesWithinANodeArriveAtOnce(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a := node.New(w, "a", node.Options{})
		net.SetDefaultLink(w, net.Link{Latency: 5 * time.Millisecond})
		b := a.Spawn("b", func() { w.Receive(nil, sim.Infinity) })
		a.Spawn("a", func() {
			node.Send(w, b, "hi")
			require.Equal(t, 1, b.MailboxLen(), "in the mailbox when Send returns")
			require.Zero(t, w.Elapsed())
		})
		w.Sleep(time.Second)
	})
}

func TestMessagesBetweenNodesTakeTheNetworksTimeInOrder(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		a, b := node.New(w, "a", node.Options{}), node.New(w, "b", node.Options{})
		net.SetDefaultLink(w, net.Link{Latency: 2 * time.Millisecond, Jitter: 8 * time.Millisecond})
		self := w.Self()
		rx := b.Spawn("rx", func() {
			first := recv(w, sim.Infinity)
			at := w.Elapsed()
			for i := 1; i < 20; i++ {
				require.Equal(t, i, recv(w, sim.Infinity), "one connection delivers in order")
			}
			w.Send(self, [2]any{first, at})
		})
		a.Spawn("tx", func() {
			for i := 0; i < 20; i++ {
				node.Send(w, rx, i)
			}
		})
		got := recv(w, sim.Infinity).([2]any)
		require.Equal(t, 0, got[0])
		at := got[1].(time.Duration)
		require.True(t, at >= 6*time.Millisecond && at <= 30*time.Millisecond,
			"arrived at %v: the first message waits for the handshake, three one-way trips of 2ms and up to 8ms of jitter each", at)
	})
}

// overtaking is the A->B overtaken by A->C->B case: B takes the order its
// messages arrive in for the order they were caused in.
func overtaking(jitter time.Duration) func(w *sim.World) {
	return func(w *sim.World) {
		na, nb, nc := node.New(w, "a", node.Options{}), node.New(w, "b", node.Options{}), node.New(w, "c", node.Options{})
		net.SetDefaultLink(w, net.Link{Latency: time.Millisecond, Jitter: jitter})
		self := w.Self()
		b := nb.Spawn("B", func() {
			first, second := recv(w, sim.Infinity), recv(w, sim.Infinity)
			w.Send(self, []any{first, second})
		})
		c := nc.Spawn("C", func() {
			m := recv(w, sim.Infinity)
			node.Send(w, b, fmt.Sprintf("%v, forwarded by C", m))
		})
		na.Spawn("A", func() {
			node.Send(w, b, "update")
			node.Send(w, c, "after the update")
		})
		got := recv(w, sim.Infinity).([]any)
		if got[0] != "update" {
			w.Fatalf("B got %q before %q", got[0], got[1])
		}
	}
}

func TestForwardedMessageOvertakes(t *testing.T) {
	rep := weft.Explore(weft.Options{Runs: 500, CheckDeterminism: true}, overtaking(4*time.Millisecond))
	require.NotNil(t, rep.Failure, "Explore missed the overtaking")
	require.Equal(t, `B got "after the update, forwarded by C" before "update"`, rep.Failure.Shrunk.Failure.Value)
	seed := rep.Failure.Seed
	r1, r2 := sim.Run(sim.Config{Seed: seed, Spec: rep.Failure.Spec}, overtaking(4*time.Millisecond)), sim.Run(sim.Config{Seed: seed, Spec: rep.Failure.Spec}, overtaking(4*time.Millisecond))
	require.NotNil(t, r1.Failure, "seed %d under %s", seed, rep.Failure.Spec)
	require.Equal(t, r1.Hash, r2.Hash, "same seed, same run")

	// Without jitter the direct message is always first: the forwarded one
	// crosses two connections.
	calm := weft.Explore(weft.Options{Runs: 200, CheckDeterminism: true}, overtaking(0))
	require.Nil(t, calm.Failure)
}

func TestNetsplit(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		a, b := node.New(w, "a", node.Options{}), node.New(w, "b", node.Options{})
		net.SetDefaultLink(w, net.Link{Latency: time.Millisecond, Jitter: time.Millisecond})
		self := w.Self()
		far := b.Spawn("far", func() {
			w.TrapExits(true) // the split fires its links at its end too
			for {
				if m, ok := recv(w, sim.Infinity).(string); ok {
					w.Send(self, "far got "+m)
				}
			}
		})
		watcher := a.Spawn("watcher", func() {
			w.TrapExits(true)
			node.Link(w, far)
			ref := node.Monitor(w, far)
			b.Monitor()
			w.Send(self, "watching")
			var got []string
			for len(got) < 3 {
				switch m := recv(w, sim.Infinity).(type) {
				case sim.ExitMsg:
					require.Same(t, far, m.From)
					got = append(got, fmt.Sprint("exit ", m.Reason))
				case sim.Down:
					require.Equal(t, ref, m.Ref)
					got = append(got, fmt.Sprint("down ", m.Reason))
				case node.NodeDown:
					require.Nil(t, m.Reason)
					got = append(got, m.String())
				}
			}
			require.ElementsMatch(t, []string{"exit noconnection", "down noconnection", "nodedown b: noconnection"}, got)
			w.Send(self, "cut")
			recv(w, sim.Infinity)
		})
		linked := a.Spawn("linked", func() {
			node.Link(w, far)
			w.Send(self, "linked")
			recv(w, sim.Infinity)
		})
		for _, want := range []string{"watching", "linked"} {
			_, ok := w.Receive(func(m any) bool { return m == want }, sim.Infinity)
			require.True(t, ok)
		}

		sender := a.Spawn("sender", func() {
			node.Send(w, far, "in flight")
			w.Send(self, "sent")
			recv(w, sim.Infinity)
		})
		require.Equal(t, "sent", recv(w, sim.Infinity))
		require.True(t, node.Connected(w, a, b))
		node.Partition(w, a, b)
		require.False(t, node.Connected(w, a, b))
		require.Equal(t, "cut", recv(w, time.Second), "the watcher got all three")
		a.Spawn("late watcher", func() {
			b.Monitor()
			w.Send(self, recv(w, 0))
		})
		require.Equal(t, node.NodeDown{Node: b}, recv(w, time.Second), "watching a node cut off: nodedown at once")
		w.Sleep(10 * time.Millisecond)
		require.False(t, linked.Alive(), "a link across the split ends a process that does not trap exits")
		require.Equal(t, sim.Atom("noconnection"), linked.Reason())
		require.True(t, far.Alive(), "far traps exits")

		// During the split: dropped. After healing: delivered.
		w.Send(sender, "again")
		w.Kill(sender)
		a.Spawn("during", func() { node.Send(w, far, "during the split") })
		w.Sleep(10 * time.Millisecond)
		node.Heal(w, a, b)
		a.Spawn("after", func() { node.Send(w, far, "after healing") })
		require.Equal(t, "far got after healing", recv(w, time.Second), "what was in flight and what was sent during the split are lost")
		w.Kill(far)
		w.Kill(watcher)
	})
}

func TestRemoteExitsTravel(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := node.New(w, "a", node.Options{}), node.New(w, "b", node.Options{})
		net.SetDefaultLink(w, net.Link{Latency: 3 * time.Millisecond})
		self := w.Self()
		far := b.Spawn("far", func() {
			recv(w, sim.Infinity)
			w.Exit(sim.Atom("boom"))
		})
		a.Spawn("near", func() {
			w.TrapExits(true)
			node.Link(w, far)
			kept := node.Monitor(w, far)
			dropped := node.Monitor(w, far)
			node.Send(w, far, "go") // arrives at 9ms, after the handshake; the exit is back at 12ms
			node.Demonitor(w, dropped)
			m1, m2 := recv(w, sim.Infinity), recv(w, sim.Infinity)
			require.Equal(t, 12*time.Millisecond, w.Elapsed(), "a handshake and there, and back over the same connection")
			require.ElementsMatch(t, []any{
				sim.ExitMsg{From: far, Reason: sim.Atom("boom")},
				sim.Down{Ref: kept, Proc: far, Reason: sim.Atom("boom")},
			}, []any{m1, m2})
			require.Nil(t, recv(w, 10*time.Millisecond), "no Down of a monitor turned off")
			w.Send(self, "done")
		})
		require.Equal(t, "done", recv(w, time.Second))
	})
}

func TestNodeCrashAndRestart(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := node.New(w, "a", node.Options{}), node.New(w, "b", node.Options{BootAtoms: 5})
		net.SetDefaultLink(w, net.Link{Latency: time.Millisecond})
		b.Monitor()
		self := w.Self()
		echo := func() {
			for {
				m := recv(w, sim.Infinity).([2]any)
				node.Send(w, m[0].(*sim.Proc), m[1])
			}
		}
		old := b.Spawn("echo", echo)
		b.ListToAtom("made before the crash")
		near := a.Spawn("near", func() {
			w.TrapExits(true)
			node.Link(w, old)
			ref := node.Monitor(w, old)
			w.Send(self, "ready")
			for i := 0; i < 2; i++ {
				switch m := recv(w, sim.Infinity).(type) {
				case sim.ExitMsg:
					require.Equal(t, node.NoConnection, m.Reason, "a dead node's links fire noconnection")
				case sim.Down:
					require.Equal(t, ref, m.Ref)
					require.Equal(t, node.NoConnection, m.Reason)
				}
			}
			w.Send(self, "cut off")
			m := recv(w, sim.Infinity).(*sim.Proc)
			node.Send(w, m, [2]any{w.Self(), "ping"})
			w.Send(self, recv(w, sim.Infinity))
		})
		require.Equal(t, "ready", recv(w, sim.Infinity))
		b.Halt("killed by the test")
		down := recv(w, sim.Infinity).(node.NodeDown)
		require.Equal(t, "killed by the test", down.Reason.Slogan)
		require.Equal(t, "cut off", recv(w, sim.Infinity))
		require.False(t, node.Connected(w, a, b))

		b.Restart()
		require.True(t, b.Alive())
		require.True(t, node.Connected(w, a, b))
		require.Equal(t, 5, b.Atoms(), "a new atom table")
		require.Panics(t, func() { b.Restart() })
		w.Send(near, b.Spawn("echo again", echo))
		require.Equal(t, "ping", recv(w, time.Second), "the restarted node answers")
		require.False(t, old.Alive())
		w.Kill(near)
		b.Monitor()
		b.Halt("end")
		recv(w, sim.Infinity)
	})
}

// A FaultNetsplit splits two nodes as a message crosses: the message is
// lost and the link across fires noconnection. weft finds it; without the
// fault, every message arrives.
func TestFaultNetsplit(t *testing.T) {
	scenario := func(w *sim.World) {
		a, b := node.New(w, "a", node.Options{}), node.New(w, "b", node.Options{})
		self := w.Self()
		rx := b.Spawn("rx", func() {
			w.TrapExits(true)
			w.Send(self, "trapping")
			for i := 0; i < 3; i++ {
				m := recv(w, time.Second)
				if _, cut := m.(sim.ExitMsg); cut || m == nil {
					w.Send(self, fmt.Sprint("rx got ", m))
					return
				}
			}
			w.Send(self, "rx got all three")
		})
		recv(w, sim.Infinity) // rx traps exits: the split cannot kill it
		a.Spawn("tx", func() {
			w.TrapExits(true)
			node.Link(w, rx)
			for i := 0; i < 3; i++ {
				node.Send(w, rx, i)
				w.Sleep(time.Millisecond)
			}
		})
		if m := recv(w, sim.Infinity); m != "rx got all three" {
			w.Fatalf("%v", m)
		}
	}
	plan := sim.FaultPlan{}.With(node.FaultNetsplit, 0.3)
	rep := weft.Explore(weft.Options{Runs: 200, CheckDeterminism: true, Config: sim.Config{Faults: plan}}, scenario)
	require.NotNil(t, rep.Failure, "Explore missed the netsplit")
	require.Contains(t, rep.Failure.Shrunk.Failure.Value, "rx got {p")
	require.Contains(t, rep.Failure.Shrunk.Failure.Value, "noconnection}")
	var faults []string
	for _, e := range rep.Failure.Shrunk.Trace {
		if e.Kind == sim.EventFault {
			faults = append(faults, e.Detail)
		}
	}
	require.Equal(t, []string{"node-netsplit", "netsplit a | b: reset (a fault)"}, faults, "one split (the fault, then what it did)")
	seed := rep.Failure.Seed
	cfg := sim.Config{Seed: seed, Spec: rep.Failure.Spec, Faults: plan}
	require.Equal(t, sim.Run(cfg, scenario).Hash, sim.Run(cfg, scenario).Hash, "same seed, same run")

	calm := weft.Explore(weft.Options{Runs: 100, CheckDeterminism: true}, scenario)
	require.Nil(t, calm.Failure)
}

// The distribution is sim/net's: a link of its own between two hosts sets
// the time between their nodes; a partition of the hosts alone delays an
// open connection's messages (TCP resends them once it heals) without a
// netsplit; a partition that outlasts TCP's retransmissions breaks the
// connection, which is a netsplit: the link across fires noconnection.
func TestDistributionTravelsTheSimulatedNetwork(t *testing.T) {
	simtest.RunSeeds(t, 5, func(w *sim.World) {
		a, b := node.New(w, "app@ha", node.Options{}), node.New(w, "db@hb", node.Options{})
		require.Equal(t, "ha", a.Host().Addr(), "the host after the '@'")
		net.SetLink(w, a.Host(), b.Host(), net.Link{Latency: 5 * time.Millisecond})
		net.SetLink(w, b.Host(), a.Host(), net.Link{Latency: 5 * time.Millisecond})
		self := w.Self()
		rx := b.Spawn("rx", func() {
			w.TrapExits(true)
			for {
				w.Send(self, [2]any{recv(w, sim.Infinity), w.Elapsed()})
			}
		})
		tx := a.Spawn("tx", func() {
			node.Link(w, rx)
			for {
				node.Send(w, rx, recv(w, sim.Infinity))
			}
		})
		w.Send(tx, "first")
		require.Equal(t, [2]any{"first", 15 * time.Millisecond}, recv(w, time.Second), "a handshake (three trips of the link's 5ms), the message with its last")

		net.Partition(w, a.Host(), b.Host(), false)
		require.True(t, node.Connected(w, a, b), "the connection is open: TCP rides the partition out")
		start := w.Elapsed()
		w.Send(tx, "during")
		w.Sleep(time.Second)
		net.Heal(w, a.Host(), b.Host())
		got := recv(w, 10*time.Second).([2]any)
		require.Equal(t, "during", got[0], "resent after the heal, not lost")
		require.Greater(t, got[1].(time.Duration)-start, time.Second)
		require.True(t, tx.Alive())

		net.Partition(w, a.Host(), b.Host(), false)
		w.Send(tx, "lost")
		got = recv(w, time.Hour).([2]any)
		require.Equal(t, sim.ExitMsg{From: tx, Reason: node.NoConnection}, got[0], "retransmissions gave up: a netsplit")
		require.Greater(t, got[1].(time.Duration)-start, 10*time.Minute)
		w.Sleep(time.Millisecond)
		require.False(t, tx.Alive(), "the link killed tx, which does not trap exits")
		require.False(t, node.Connected(w, a, b), "no connection, and none can be opened across the partition")
		w.Kill(rx)
	})
}
