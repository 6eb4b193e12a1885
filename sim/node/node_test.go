package node_test

// The node's rules, one test each: where processes run, what the atom table
// does, and what its exhaustion takes down and reports, with sockets
// (sim/net) and supervisors (sim/otp) on the node as a system has them.

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/internal/simtest"
	"github.com/weftsim/weft/sim/net"
	"github.com/weftsim/weft/sim/node"
	"github.com/weftsim/weft/sim/otp"
)

func TestPlacement(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		n := node.New(w, "srv", node.Options{})
		self := w.Self()
		var kids []*sim.Proc
		root := n.Spawn("root", func() {
			kids = append(kids, w.SpawnLink("linked", func() {}))
			kids = append(kids, w.Go("go", func() {}))
			sup, err := otp.StartSupervisor(w, "sup", otp.SupervisorSpec{Children: []otp.ChildSpec{{ID: "worker", Run: func() { w.Receive(nil, sim.Infinity) }}}})
			require.NoError(t, err)
			kids = append(kids, sup.Proc(), sup.Which()[0].Proc)
			w.Send(self, "ready")
			w.Receive(nil, sim.Infinity)
		})
		off := w.Spawn("off", func() {})
		w.Receive(func(m any) bool { return m == "ready" }, sim.Infinity)
		require.True(t, n.Has(root))
		for _, k := range kids {
			require.True(t, n.Has(k), "%s is spawned by a process on the node", k.Name())
			require.Same(t, n, node.Of(w, k))
		}
		require.False(t, n.Has(off))
		require.False(t, n.Has(self))
		require.Nil(t, node.Of(w, self))
		require.Equal(t, root, n.Procs()[0])
		require.Len(t, n.Procs(), 1+len(kids))
		w.Kill(root)
	})
}

func TestAtoms(t *testing.T) {
	simtest.RunSeeds(t, 5, func(w *sim.World) {
		n := node.New(w, "srv", node.Options{AtomLimit: 100, BootAtoms: 90})
		require.Equal(t, 90, n.Atoms())
		require.Equal(t, 100, n.AtomLimit())
		_, err := n.ListToExistingAtom("k1")
		require.ErrorIs(t, err, sim.ErrBadArg, "no such atom yet")
		a := n.ListToAtom("k1")
		require.Equal(t, sim.Atom("k1"), a)
		require.Equal(t, a, n.ListToAtom("k1"), "the same name, the same atom")
		require.Equal(t, 91, n.Atoms(), "and no new entry")
		got, err := n.ListToExistingAtom("k1")
		require.NoError(t, err)
		require.Equal(t, a, got)
		long := strings.Repeat("x", 256)
		_, err = n.ListToExistingAtom(long)
		require.ErrorIs(t, err, node.ErrSystemLimit)
		require.PanicsWithError(t, "node: system_limit: list_to_atom: a name of 256 characters (at most 255)", func() { n.ListToAtom(long) })
		require.Equal(t, sim.Atom(strings.Repeat("é", 255)), n.ListToAtom(strings.Repeat("é", 255)), "the limit counts characters")
	})
}

// TestExhaustionTakesTheNodeDown fills a watched node's table from a server
// process on it: the node goes down in one step, its processes end with the
// crash as their reason, its sockets close, its watcher off the node gets
// NodeDown, and a process linked to it from off the node gets the reason.
func TestExhaustionTakesTheNodeDown(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		srv, cli := net.NewHost(w, "srv"), net.NewHost(w, "cli")
		n := node.New(w, "srv@host", node.Options{AtomLimit: 50, BootAtoms: 40})
		n.Monitor()
		self := w.Self()
		var bystander, server *sim.Proc
		made := 0
		server = n.Spawn("server", func() {
			l, err := srv.Listen(80)
			require.NoError(t, err)
			bystander = w.Spawn("bystander", func() { _, _ = l.Accept() })
			w.Send(self, "listening")
			for i := 0; ; i++ {
				n.ListToAtom(fmt.Sprintf("key%d", i))
				made++
			}
		})
		w.TrapExits(true)
		w.Link(server)
		w.Receive(func(m any) bool { return m == "listening" }, sim.Infinity)
		m, _ := w.Receive(func(m any) bool { _, ok := m.(node.NodeDown); return ok }, sim.Infinity)
		crash := &node.Crash{Node: "srv@host", Slogan: "no more index entries in atom_tab (max=50)"}
		require.Equal(t, node.NodeDown{Node: n, Reason: crash}, m)
		require.Equal(t, 10, made, "the table held 10 more atoms; the 11th took the node down")
		require.False(t, n.Alive())
		require.Equal(t, crash, n.Reason())
		exit, _ := w.Receive(func(m any) bool { _, ok := m.(sim.ExitMsg); return ok }, sim.Infinity)
		require.Equal(t, sim.ExitMsg{From: server, Reason: crash}, exit, "a link from off the node gets the crash")
		w.Sleep(time.Millisecond)
		require.Equal(t, crash, bystander.Reason())
		_, err := cli.Connect("srv", 80)
		require.ErrorIs(t, err, net.ErrRefused, "the listener went with its owner")
		require.Zero(t, srv.FDs())
		late := n.Spawn("late", func() { t.Error("a process ran on a node that is down") })
		w.Sleep(time.Millisecond)
		require.Equal(t, sim.Atom("noconnection"), late.Reason())
		require.Panics(t, func() { n.ListToAtom("key0") }, "a node that is down answers nothing")
		n.Monitor()
		m, _ = w.Receive(nil, 0)
		require.Equal(t, node.NodeDown{Node: n, Reason: crash}, m, "monitoring a node that is down: NodeDown at once")
	})
}

// TestUnwatchedExhaustionFailsTheRun: with nobody off the node to notice,
// the crash is the run's failure, told by the process that made the atom.
func TestUnwatchedExhaustionFailsTheRun(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		n := node.New(w, "db", node.Options{AtomLimit: 8192, BootAtoms: 8190})
		n.Spawn("query parser", func() {
			for _, k := range []string{"a", "b", "c"} {
				n.ListToAtom(k)
			}
			t.Error("the parser went on after its node went down")
		})
		w.Sleep(time.Second)
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Fatal, r.Failure.Kind)
	require.Equal(t, "query parser", r.Failure.ProcName)
	require.Equal(t, `node db crashed: no more index entries in atom_tab (max=8192) (in p1 "query parser"; no process off the node watched it)`, fmt.Sprint(r.Failure.Value))
}

// Halt is the same death, for faults and for erlang:halt/1; from off the
// node it returns.
func TestHalt(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		n := node.New(w, "srv", node.Options{})
		n.Monitor()
		p := n.Spawn("worker", func() { w.Receive(nil, sim.Infinity) })
		n.Halt("killed by the test")
		n.Halt("again") // down already: nothing
		m, _ := w.Receive(nil, sim.Infinity)
		require.Equal(t, "killed by the test", m.(node.NodeDown).Reason.Slogan)
		w.Sleep(time.Millisecond)
		require.Equal(t, n.Reason(), p.Reason())
		_, err := n.ListToExistingAtom("x")
		require.True(t, errors.Is(err, sim.ErrBadArg))
	})
}

func TestMisuse(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		node.New(w, "a", node.Options{})
		require.PanicsWithValue(t, `node: New: a node named "a" already exists`, func() { node.New(w, "a", node.Options{}) })
		require.PanicsWithValue(t, `node: New("b"): 10 boot atoms in a table of 10: the table needs room for them and one more`,
			func() { node.New(w, "b", node.Options{AtomLimit: 10, BootAtoms: 10}) })
	})
	require.Nil(t, r.Failure)
}
