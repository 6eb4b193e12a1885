package node

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// FaultNetsplit, for a sim.FaultPlan, resets the connection between two
// nodes as a message (or a link's exit signal, or a monitor's Down) is
// about to cross it: the message is lost, what was in flight on the
// connection too, and links, monitors and node watchers across it fire
// noconnection; the next message opens a new connection. A partition of
// the hosts, which TCP rides out by resending, is sim/net's FaultPartition.
var FaultNetsplit = sim.NewFaultKind(21, "node-netsplit")

// NoConnection is the exit reason of a link or monitor cut by a netsplit
// or by the death of the far node: Erlang's noconnection.
const NoConnection sim.Atom = "noconnection"

// dist is a world's distribution: the connections between nodes, and the
// links and monitors that cross nodes.
type dist struct {
	st     *state
	k      *sim.Kernel
	w      *sim.World
	obj    sim.Object
	chans  []*channel              // open (or opening) connections, oldest first
	wire   []*frame                // what travels, by the index its frame carries; nil once arrived
	links  []*remoteLink           // live, oldest first
	mons   []*remoteMonitor        // live, oldest first
	hooked map[*sim.Proc]bool      // has the exit hook that carries its links and monitors
	off    map[sim.MonitorRef]bool // remote monitors turned off: a Down in flight is not delivered
}

// channel is the connection between two nodes: ends[0] dialed it, ends[1]
// accepted it. conns[1] is nil until the accept; what ends[1] sends before
// waits in queue.
type channel struct {
	ends  [2]*Node
	conns [2]*net.Conn
	queue [][]byte
	bufs  [2][]byte // a frame arrived in part, at each end
	dead  bool      // closed: nothing more is delivered
}

// frame is one message, exit signal or Down on its way.
type frame struct {
	what   func() string
	arrive func()
}

// frameLen is the size of a frame on the wire: the index of what it
// carries in dist.wire, which stands for the message's serialization.
const frameLen = 8

type remoteLink struct{ a, b *sim.Proc }

type remoteMonitor struct {
	ref             sim.MonitorRef
	watcher, target *sim.Proc
}

func distOf(w *sim.World) *dist {
	st := worlds.Get(w.Kernel())
	if st.dist == nil {
		st.dist = &dist{st: st, k: st.k, w: w, hooked: map[*sim.Proc]bool{}, off: map[sim.MonitorRef]bool{}}
		st.k.Register(&st.dist.obj, "dist", 3)
		st.dist.obj.SetName("distribution")
	}
	return st.dist
}

// partitioned reports whether the link between a's and b's hosts is cut
// either way.
func (d *dist) partitioned(a, b *Node) bool {
	return net.Partitioned(d.w, a.host, b.host) || net.Partitioned(d.w, b.host, a.host)
}

// reachable reports whether a and b are both up and a message between
// them can go: a connection is open, or one can be opened.
func (d *dist) reachable(a, b *Node) bool {
	return a.crash == nil && b.crash == nil && (d.chanOf(a, b) != nil || !d.partitioned(a, b))
}

// Connected reports whether processes on a and b can reach each other now:
// both nodes up, and a connection between them open or possible (see
// the package doc's Distribution). It only reads.
func Connected(w *sim.World, a, b *Node) bool {
	return a == b && a.crash == nil || a != b && distOf(w).reachable(a, b)
}

// splitFrom reports whether p is on a node up and cut off from n by a
// netsplit.
func (d *dist) splitFrom(p *sim.Proc, n *Node) bool {
	np := d.st.on[p]
	return np != nil && np != n && np.crash == nil && !d.reachable(np, n)
}

// ends returns the nodes of x and y, and whether they are two different
// nodes: only then does anything between x and y travel a connection.
func (d *dist) ends(x, y *sim.Proc) (nx, ny *Node, remote bool) {
	nx, ny = d.st.on[x], d.st.on[y]
	return nx, ny, nx != nil && ny != nil && nx != ny
}

func (d *dist) chanOf(a, b *Node) *channel {
	for _, ch := range d.chans {
		if ch.ends == [2]*Node{a, b} || ch.ends == [2]*Node{b, a} {
			return ch
		}
	}
	return nil
}

// listen opens n's distribution listener, if it has none: on its first
// connection, as if the node had listened since it booted. It fails as
// listen(2) does (a host out of descriptors: ErrEMFILE).
func (d *dist) listen(n *Node) error {
	if n.lis != nil {
		return nil
	}
	l, err := n.host.ListenFunc(0, d.accepted)
	n.lis = l
	return err
}

// dial opens the connection from a to b.
func (d *dist) dial(a, b *Node) (*channel, error) {
	if err := d.listen(b); err != nil {
		return nil, err
	}
	ch := &channel{ends: [2]*Node{a, b}}
	c, err := a.host.Dial(b.host.Addr(), b.lis.Port(), d.handler(ch, 0))
	if err != nil {
		return nil, err
	}
	ch.conns[0] = c
	d.chans = append(d.chans, ch)
	return ch, nil
}

// accepted takes the far end of a connection a node dialed.
func (d *dist) accepted(c *net.Conn) net.Handler {
	for _, ch := range d.chans {
		if ch.conns[1] == nil && ch.conns[0].Local() == c.Remote() && ch.conns[0].Remote() == c.Local() {
			ch.conns[1] = c
			for _, f := range ch.queue {
				_ = c.Write(f)
			}
			ch.queue = nil
			return d.handler(ch, 1)
		}
	}
	_ = c.Abort() // its channel was closed during the handshake
	return func(any) {}
}

// handler takes what arrives at end i of ch: frames, and the connection's
// end, which is a netsplit.
func (d *dist) handler(ch *channel, i int) net.Handler {
	return func(m any) {
		if ch.dead {
			return
		}
		switch m := m.(type) {
		case net.TCPData:
			ch.bufs[i] = append(ch.bufs[i], m.Data...)
			for len(ch.bufs[i]) >= frameLen && !ch.dead {
				idx := binary.BigEndian.Uint64(ch.bufs[i])
				ch.bufs[i] = ch.bufs[i][frameLen:]
				f := d.wire[idx]
				d.wire[idx] = nil
				from, to := ch.ends[1-i], ch.ends[i]
				d.k.Event(sim.EventRecv, &d.obj, int64(idx), func() string {
					return fmt.Sprintf("%s: %s -> %s, arrived at %v", f.what(), from.name, to.name, d.w.Elapsed())
				})
				f.arrive()
			}
		case net.TCPError:
			d.netsplit(ch.ends[0], ch.ends[1], fmt.Sprint(m.Err))
		case net.TCPClosed:
			d.netsplit(ch.ends[0], ch.ends[1], "the connection closed")
		}
	}
}

// carry sends what over the connection from -> to: arrive runs when it
// gets there, unless the connection was closed in the meantime. what
// describes it for the trace.
func (d *dist) carry(from, to *Node, what func() string, arrive func()) {
	drop := func(why string) {
		d.k.Event(sim.EventNote, &d.obj, 0, func() string {
			return fmt.Sprintf("%s dropped: %s -> %s: %s", what(), from.name, to.name, why)
		})
	}
	if d.reachable(from, to) && d.k.Fault(FaultNetsplit) {
		d.netsplit(from, to, "reset (a fault)")
		drop("the connection reset")
		return
	}
	if !d.reachable(from, to) {
		drop("no connection")
		return
	}
	ch := d.chanOf(from, to)
	if ch == nil {
		var err error
		if ch, err = d.dial(from, to); err != nil {
			drop(err.Error())
			return
		}
	}
	d.wire = append(d.wire, &frame{what: what, arrive: arrive})
	idx := len(d.wire) - 1
	f := binary.BigEndian.AppendUint64(nil, uint64(idx))
	d.k.Event(sim.EventSend, &d.obj, int64(idx), func() string {
		return fmt.Sprintf("%s: %s -> %s", what(), from.name, to.name)
	})
	i := 0
	if ch.ends[1] == from {
		i = 1
	}
	if ch.conns[i] == nil {
		ch.queue = append(ch.queue, f)
		return
	}
	if err := ch.conns[i].Write(f); err != nil {
		drop(err.Error())
		d.netsplit(from, to, err.Error())
	}
}

// Send sends msg from the calling process to p, as Pid ! Msg: at once when
// both are on one node or either is on none (World.Send), over the
// connection between their nodes otherwise, and dropped when there is
// none. It never blocks, and it is a scheduling point.
func Send(w *sim.World, p *sim.Proc, msg any) {
	d := distOf(w)
	self := d.k.Running()
	from, to, remote := d.ends(self, p)
	if !remote {
		w.Send(p, msg)
		return
	}
	d.k.Point()
	d.carry(from, to, func() string { return fmt.Sprintf("%v ! %v", p, msg) }, func() { d.k.Deliver(p, msg) })
}

// hook makes p's exit carry its links and monitors to the far nodes.
func (d *dist) hook(p *sim.Proc) {
	if d.hooked[p] || !p.Alive() {
		return
	}
	d.hooked[p] = true
	d.k.OnExit(p, func(reason any) { d.exited(p, reason) })
}

// exited carries p's exit to its remote links and monitors. When p's node
// went down, down has cut them already.
func (d *dist) exited(p *sim.Proc, reason any) {
	np := d.st.on[p]
	var links []*remoteLink
	d.links = slices.DeleteFunc(d.links, func(l *remoteLink) bool {
		if l.a == p || l.b == p {
			links = append(links, l)
			return true
		}
		return false
	})
	var mons []*remoteMonitor
	d.mons = slices.DeleteFunc(d.mons, func(m *remoteMonitor) bool {
		if m.target == p {
			mons = append(mons, m)
			return true
		}
		return m.watcher == p
	})
	if np == nil || np.crash != nil {
		return
	}
	for _, l := range links {
		other := l.a
		if other == p {
			other = l.b
		}
		d.carry(np, d.st.on[other], func() string { return fmt.Sprintf("exit signal %v -> %v: %v", p, other, reason) }, func() {
			d.k.ExitSignal(other, p, reason)
		})
	}
	for _, m := range mons {
		down := sim.Down{Ref: m.ref, Proc: p, Reason: reason}
		d.carry(np, d.st.on[m.watcher], func() string { return fmt.Sprintf("%v ! down %v: %v", m.watcher, p, reason) }, func() {
			if !d.off[m.ref] {
				d.k.Deliver(m.watcher, down)
			}
		})
	}
}

// Link links the calling process and p, as erlang:link/1. Across two
// nodes, the link is kept by the distribution: when either ends, the other
// gets the exit signal over the connection; when the connection is cut,
// both get NoConnection. Linking to a process on a node that cannot be
// reached sends the caller NoConnection at once, and to a process that has
// ended NoProc. Linking twice is the same as once. It is a scheduling point.
func Link(w *sim.World, p *sim.Proc) {
	d := distOf(w)
	self := d.k.Running()
	from, to, remote := d.ends(self, p)
	if !remote {
		w.Link(p)
		return
	}
	d.k.Point()
	switch {
	case !d.reachable(from, to):
		d.k.ExitSignal(self, p, NoConnection)
	case !p.Alive():
		d.k.ExitSignal(self, p, sim.NoProc)
	case d.linked(self, p) < 0:
		d.links = append(d.links, &remoteLink{a: self, b: p})
		d.hook(self)
		d.hook(p)
		d.k.Event(sim.EventNote, &d.obj, int64(p.ID()), func() string {
			return fmt.Sprintf("link %v@%s <-> %v@%s", self, from.name, p, to.name)
		})
	}
}

func (d *dist) linked(x, y *sim.Proc) int {
	return slices.IndexFunc(d.links, func(l *remoteLink) bool { return l.a == x && l.b == y || l.a == y && l.b == x })
}

// Unlink removes the link between the calling process and p, if any, as
// erlang:unlink/1. It is a scheduling point.
func Unlink(w *sim.World, p *sim.Proc) {
	d := distOf(w)
	self := d.k.Running()
	if _, _, remote := d.ends(self, p); !remote {
		w.Unlink(p)
		return
	}
	d.k.Point()
	if i := d.linked(self, p); i >= 0 {
		d.links = slices.Delete(d.links, i, i+1)
	}
}

// Monitor starts monitoring p from the calling process, as
// erlang:monitor(process, P), and returns the monitor's reference. Across
// two nodes, the Down comes over the connection when p ends, or at once
// with reason NoConnection when the connection is cut (or was already);
// p's having ended gives a Down with NoProc. Turn such a monitor off with
// Demonitor (World.Demonitor does not know it). It is a scheduling point.
func Monitor(w *sim.World, p *sim.Proc) sim.MonitorRef {
	d := distOf(w)
	self := d.k.Running()
	from, to, remote := d.ends(self, p)
	if !remote {
		return w.Monitor(p)
	}
	d.k.Point()
	ref := d.k.NewMonitorRef()
	switch {
	case !d.reachable(from, to):
		d.k.Deliver(self, sim.Down{Ref: ref, Proc: p, Reason: NoConnection})
	case !p.Alive():
		d.k.Deliver(self, sim.Down{Ref: ref, Proc: p, Reason: sim.NoProc})
	default:
		d.mons = append(d.mons, &remoteMonitor{ref: ref, watcher: self, target: p})
		d.hook(self)
		d.hook(p)
		d.k.Event(sim.EventNote, &d.obj, int64(p.ID()), func() string {
			return fmt.Sprintf("monitor %v@%s -> %v@%s", self, from.name, p, to.name)
		})
	}
	return ref
}

// Demonitor turns off a monitor that Monitor made, as
// erlang:demonitor(Ref, [flush]): no Down of it comes after it returns, and
// one already in the caller's mailbox is dropped. It is a scheduling point.
func Demonitor(w *sim.World, ref sim.MonitorRef) {
	d := distOf(w)
	d.k.Point()
	d.off[ref] = true
	d.mons = slices.DeleteFunc(d.mons, func(m *remoteMonitor) bool { return m.ref == ref })
	d.k.DemonitorFlush(ref)
}

// signal is one exit signal or Down that a netsplit makes.
type signal struct {
	to, from *sim.Proc
	down     *sim.Down
}

// cut closes the connection between a and b, if one is open: what is in
// flight on it is lost; and the links and monitors across a and b fire with
// NoConnection, in the order they were made. It returns what to deliver;
// deliver delivers it.
func (d *dist) cut(a, b *Node) []signal {
	if ch := d.chanOf(a, b); ch != nil {
		ch.dead = true
		d.chans = slices.DeleteFunc(d.chans, func(x *channel) bool { return x == ch })
		for _, c := range ch.conns {
			if c != nil {
				_ = c.Abort()
			}
		}
	}
	across := func(x, y *sim.Proc) bool {
		nx, ny := d.st.on[x], d.st.on[y]
		return nx == a && ny == b || nx == b && ny == a
	}
	var out []signal
	d.links = slices.DeleteFunc(d.links, func(l *remoteLink) bool {
		if !across(l.a, l.b) {
			return false
		}
		out = append(out, signal{to: l.a, from: l.b}, signal{to: l.b, from: l.a})
		return true
	})
	d.mons = slices.DeleteFunc(d.mons, func(m *remoteMonitor) bool {
		if !across(m.watcher, m.target) {
			return false
		}
		out = append(out, signal{to: m.watcher, down: &sim.Down{Ref: m.ref, Proc: m.target, Reason: NoConnection}})
		return true
	})
	return out
}

// netsplit cuts a and b apart, both up, for why: their connection closes,
// and links, monitors and node watchers across fire.
func (d *dist) netsplit(a, b *Node, why string) {
	d.k.Event(sim.EventFault, &d.obj, 1, func() string { return fmt.Sprintf("netsplit %s | %s: %s", a.name, b.name, why) })
	sigs := d.cut(a, b)
	d.watchersCut(a, b)
	d.watchersCut(b, a)
	d.deliver(sigs)
}

// deliver delivers what cut returned, to the running process last: an
// exit signal may end it, and then nothing after it would be delivered.
func (d *dist) deliver(sigs []signal) {
	self := d.k.Running()
	var mine []signal
	for _, s := range sigs {
		if s.to == self {
			mine = append(mine, s)
			continue
		}
		d.deliverOne(s)
	}
	for _, s := range mine {
		d.deliverOne(s)
	}
}

func (d *dist) deliverOne(s signal) {
	if s.down != nil {
		d.k.Deliver(s.to, *s.down)
		return
	}
	d.k.ExitSignal(s.to, s.from, NoConnection)
}

// watchersCut gives NodeDown (Reason nil) to the processes on a that
// watch b with Node.Monitor, and stop watching it.
func (d *dist) watchersCut(a, b *Node) {
	b.watchers = slices.DeleteFunc(b.watchers, func(p *sim.Proc) bool {
		if d.st.on[p] != a {
			return false
		}
		d.k.Deliver(p, NodeDown{Node: b})
		return true
	})
}

// Partition cuts a and b off from each other, a netsplit: it cuts the link
// between their hosts both ways (net.Partition) and closes their
// connection at once, as the nodes would find it dead after net_ticktime.
// See the package doc's Distribution for the rules. Processes on no node, and other pairs of
// nodes, are untouched. The nodes must be on two hosts. It is a scheduling
// point.
func Partition(w *sim.World, a, b *Node) {
	d := distOf(w)
	if a.host == b.host {
		panic(fmt.Sprintf("node: Partition(%s, %s): the nodes are on one host, %s", a.name, b.name, a.host.Addr()))
	}
	net.Partition(w, a.host, b.host, false)
	if a.crash == nil && b.crash == nil {
		d.netsplit(a, b, "partition")
	}
}

// Heal ends a netsplit between a and b: it heals the link between their
// hosts (net.Heal), and the next message between them opens a new
// connection. Links and monitors cut by the split stay cut. It is a
// scheduling point.
func Heal(w *sim.World, a, b *Node) {
	net.Heal(w, a.host, b.host)
}

// down closes every connection of n, which has just gone down (halt), and
// its listener: the far ends of its links and monitors get NoConnection, as
// they do when a node dies on the BEAM.
func (d *dist) down(n *Node) {
	var sigs []signal
	for _, other := range d.st.nodes {
		if other != n {
			sigs = append(sigs, d.cut(n, other)...)
		}
	}
	if n.lis != nil {
		_ = n.lis.Close()
		n.lis = nil
	}
	// The processes on n are gone: only what goes to the other nodes stays.
	sigs = slices.DeleteFunc(sigs, func(s signal) bool { return d.st.on[s.to] == n })
	d.deliver(sigs)
}

// Restart brings a node that went down up again, as a new incarnation
// with the same name on the same host: an atom table as New made it, no
// processes (those that ran on it stay ended), and new connections on the
// next message. Watchers must call Monitor again. Restarting a node that
// is up panics. Restart is a scheduling point.
func (n *Node) Restart() {
	n.k.Point()
	if n.crash == nil {
		panic(fmt.Sprintf("node: Restart of %s, which is up", n.name))
	}
	n.crash = nil
	n.atoms = make(map[string]sim.Atom)
	n.atomCount = n.boot
	n.k.Event(sim.EventNote, &n.obj, int64(n.atomLimit), func() string {
		return fmt.Sprintf("node %s restarted (%d of %d atoms)", n.name, n.atomCount, n.atomLimit)
	})
}
