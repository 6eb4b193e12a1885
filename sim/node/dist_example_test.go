package node_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/node"
)

// A sends B an update, then tells C, which tells B. Each connection keeps
// its order, but the two paths do not keep theirs: with jitter, weft finds
// the run where C's word overtakes A's update.
func ExampleSend() {
	rep := weft.Explore(weft.Options{Runs: 500, CheckDeterminism: true}, func(w *sim.World) {
		na, nb, nc := node.New(w, "a", node.Options{}), node.New(w, "b", node.Options{}), node.New(w, "c", node.Options{})
		node.Configure(w, node.Network{Latency: time.Millisecond, Jitter: 4 * time.Millisecond})
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
		if e.Kind == sim.EventSend && strings.Contains(e.Detail, "arrives at") {
			fmt.Println(e.Detail)
		}
	}
	// Output:
	// B got "updated, from C" before "update"
	// p1 ! update: a -> b, arrives at 2.5ms
	// p2 ! updated: a -> c, arrives at 1ms
	// p1 ! updated, from C: c -> b, arrives at 2ms
}
