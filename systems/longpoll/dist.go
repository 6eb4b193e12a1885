package longpoll

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// The cross-node hop: Erlang distribution between the two servers. A
// message from a process on one node to a process on the other travels
// over one TCP connection per direction (dist links), in order, each with
// the link's latency; a node that cannot reach the other drops what it
// sends (nodedown), as a send to a pid on a disconnected node is dropped.
// The bytes on the wire name the message by its index in the run's wire
// table, which stands for its serialization.

// relayMsg is a message to a process on another node.
type relayMsg struct {
	to  *sim.Proc
	msg any
}

func (m relayMsg) String() string { return fmt.Sprintf("relay to %v: %v", m.to, m.msg) }

// distLink is a node's sending side of its link to another node.
type distLink struct {
	from, to *node
	proc     *sim.Proc
	conn     *net.Conn
}

// sendTo sends msg to process p on node dst: directly on the same node,
// over the distribution link otherwise.
func (n *node) sendTo(dst *node, p *sim.Proc, msg any) {
	w := n.r.w
	if dst == n {
		w.Send(p, msg)
		return
	}
	w.Send(n.link(dst).proc, relayMsg{to: p, msg: msg})
}

// link returns the node's link to dst.
func (n *node) link(dst *node) *distLink {
	for _, l := range n.links {
		if l.to == dst {
			return l
		}
	}
	panic(fmt.Sprintf("longpoll: %s has no link to %s", n.name, dst.name))
}

// startLinks starts the node's sending side of a link to every other
// node (it connects when it first has something to send).
func (n *node) startLinks() {
	for _, dst := range n.r.nodes {
		if dst == n {
			continue
		}
		l := &distLink{from: n, to: dst}
		l.proc = n.spawn(fmt.Sprintf("dist %s->%s", n.name, dst.name), l.loop)
		n.links = append(n.links, l)
	}
}

// distConnectTimeout bounds a dist connection's handshake (net_setuptime
// is 7s; a refused connection fails at once).
const distConnectTimeout = 7 * time.Second

// loop sends each message it is given, connecting first when it has no
// connection.
func (l *distLink) loop() {
	r := l.from.r
	w := r.w
	for {
		m, _ := w.Receive(nil, sim.Infinity)
		rm, ok := m.(relayMsg)
		if !ok {
			continue
		}
		if l.conn == nil {
			c, err := l.from.host.ConnectTimeout(l.to.name, distPort, distConnectTimeout)
			if err != nil {
				r.note("dist", "%s cannot reach %s (%v): dropped %v", l.from.name, l.to.name, err, rm.msg)
				continue
			}
			l.conn = c
		}
		if r.maybeBreakRelay(l, rm) {
			continue
		}
		r.wire = append(r.wire, rm)
		frame := binary.BigEndian.AppendUint32(nil, uint32(len(r.wire)-1))
		if err := l.conn.Send(frame); err != nil {
			r.note("dist", "%s's link to %s broke (%v): dropped %v", l.from.name, l.to.name, err, rm.msg)
			_ = l.conn.Close()
			l.conn = nil
		}
	}
}

// acceptDist takes the other node's dist connections and delivers what
// comes over each.
func (n *node) acceptDist(dl *net.Listener) {
	for {
		c, err := dl.Accept()
		if err != nil {
			return
		}
		p := n.spawn(fmt.Sprintf("dist %s<-%s", n.name, c.Remote().Host), func() { n.readDist(c) })
		if c.ControllingProcess(p) != nil {
			_ = c.Close()
		}
	}
}

func (n *node) readDist(c *net.Conn) {
	r := n.r
	w := r.w
	var buf []byte
	for {
		data, err := c.Recv(0)
		if err != nil {
			_ = c.Close()
			return
		}
		buf = append(buf, data...)
		for len(buf) >= 4 {
			rm := r.wire[binary.BigEndian.Uint32(buf)]
			buf = buf[4:]
			w.Send(rm.to, rm.msg)
		}
	}
}
