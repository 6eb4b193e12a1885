package disk

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/sim"
)

// Client timing: how long a client waits for an answer before it gives up
// on a request, and how it waits for a node while the machine is down.
const (
	replyTimeout = time.Second
	bootRetry    = time.Millisecond
	bootRetries  = 50
)

// client is one client of the store. It records every operation it sends
// into the world's history, from its own point of view: Call just before the
// request goes out, Return when the answer is in. An operation without an
// answer (the node died, or the client gave up waiting) stays open, because
// it may or may not have taken effect; the client then takes a fresh client
// id, as a Jepsen client does after an indeterminate operation, so that
// each id's operations stay sequential.
type client struct {
	w   *sim.World
	m   *machine
	ids *int // the scenario's client id counter
	id  int
}

func newClient(w *sim.World, m *machine, ids *int) *client {
	c := &client{w: w, m: m, ids: ids}
	c.renew()
	return c
}

func (c *client) renew() {
	*c.ids++
	c.id = *c.ids
}

// do performs one operation, recording it. It records nothing when no node
// came up to send it to.
func (c *client) do(in model.KVInput) {
	w := c.w
	node := c.m.node
	for tries := 0; node == nil || !node.Alive(); tries++ {
		if tries == bootRetries {
			return
		}
		w.Sleep(bootRetry)
		node = c.m.node
	}
	op := w.Call(c.id, in)
	ref := w.Monitor(node)
	switch in.Op {
	case model.Put:
		w.Send(node, putReq{key: in.Key, value: in.Value.(int), from: w.Self(), ref: ref})
	case model.Get:
		w.Send(node, getReq{key: in.Key, from: w.Self(), ref: ref})
	default:
		panic(fmt.Sprintf("disk: the client does not do %v", in.Op))
	}
	msg, ok := w.Receive(func(msg any) bool {
		switch msg := msg.(type) {
		case reply:
			return msg.ref == ref
		case sim.Down:
			return msg.Ref == ref
		}
		return false
	}, replyTimeout)
	r, answered := msg.(reply)
	switch {
	case !ok || !answered:
		c.renew() // the operation stays open
	case in.Op == model.Put:
		w.Return(op, model.KVOutput{FoundUnknown: true})
	case r.found:
		w.Return(op, model.KVOutput{Found: true, Value: r.value})
	default:
		w.Return(op, model.KVOutput{})
	}
	w.Demonitor(ref)
	// Flush a Down that arrived after the reply, before the Demonitor.
	w.Receive(func(msg any) bool { d, ok := msg.(sim.Down); return ok && d.Ref == ref }, 0)
}
