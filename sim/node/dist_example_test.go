package node_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
	"github.com/weftsim/weft/sim/node"
)

// A sends B an update, then tells C, which tells B, each on a node of its
// own: the messages travel sim/net's TCP connections between the nodes'
// hosts, on links with latency and jitter. Each connection keeps its
// order, but the two paths do not keep theirs: weft finds the run where
// C's word overtakes A's update, and the shrunk run shows when each
// message arrived.
func ExampleSend() {
	rep := weft.Explore(weft.Options{Runs: 500, CheckDeterminism: true}, func(w *sim.World) {
		na, nb, nc := node.New(w, "a", node.Options{}), node.New(w, "b", node.Options{}), node.New(w, "c", node.Options{})
		net.SetDefaultLink(w, net.Link{Latency: time.Millisecond, Jitter: 4 * time.Millisecond})
		self := w.Self()
		b := nb.Spawn("B", func() {
			first, _ := w.Receive(nil, sim.Infinity)
			second, _ := w.Receive(nil, sim.Infinity)
			w.Send(self, []any{first, second})
		})
		c := nc.Spawn("C", func() {
			m, _ := w.Receive(nil, sim.Infinity)
			node.Send(w, b, fmt.Sprint(m, ", from C"))
		})
		na.Spawn("A", func() {
			node.Send(w, b, "update")
			node.Send(w, c, "updated")
		})
		m, _ := w.Receive(nil, sim.Infinity)
		if got := m.([]any); got[0] != "update" {
			w.Fatalf("B got %q before %q", got[0], got[1])
		}
	})
	fmt.Println(rep.Failure.Shrunk.Failure.Value)
	for _, e := range rep.Failure.Shrunk.Trace {
		if e.Kind == sim.EventRecv && strings.Contains(e.Detail, "arrived at") {
			fmt.Println(e.Detail)
		}
	}
	// Output:
	// B got "updated, from C" before "update"
	// p2 ! updated: a -> c, arrived at 3ms
	// p1 ! updated, from C: c -> b, arrived at 6ms
	// p1 ! update: a -> b, arrived at 7ms
}
