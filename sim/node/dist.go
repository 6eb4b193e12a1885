package node

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// FaultNetsplit, for a sim.FaultPlan, splits two nodes as a message (or a
// link's exit signal, or a monitor's Down) is about to cross between them,
// for a while (a Random decision among faultSplits; shrinking picks the
// shortest), as Partition and then Heal would: the message is dropped, and
// links, monitors and node watchers across the split fire noconnection.
var FaultNetsplit = sim.NewFaultKind(21, "node-netsplit")

// forever is how long Partition cuts two nodes apart: until Heal.
const forever = time.Duration(math.MaxInt64)

// faultSplits are the lengths a FaultNetsplit may last.
var faultSplits = [...]time.Duration{10 * time.Millisecond, 100 * time.Millisecond, time.Second, 10 * time.Second}

// NoConnection is the exit reason of a link or monitor cut by a netsplit
// or by the death of the far node: Erlang's noconnection.
const NoConnection sim.Atom = "noconnection"

// Network says how the connections between a world's nodes carry what is
// sent over them. The zero value is usable.
//
// Messages, links and monitors between processes on two
// different nodes travel the connection between the nodes, as Erlang
// distribution carries them, instead of arriving at once.
//
// Each ordered pair of nodes has one connection, as the BEAM has one TCP
// connection per pair: what goes over it arrives in the order it was sent,
// Latency plus up to Jitter later (a Random decision per message, so
// option 0, no extra delay, is the calm run). Two connections know nothing
// of each other, so a message A sends B directly may be overtaken by one A
// sends C that C forwards to B: Erlang guarantees order only per pair of
// processes.
//
// A netsplit (Partition) or a node going down (Halt) closes the
// connections it cuts: what was in flight on them is lost, what is sent
// while they are cut is dropped, links across them fire with reason
// NoConnection at both ends, monitors across them deliver a Down with
// NoConnection, and a process that watches the node on the far side with
// Node.Monitor gets NodeDown (Reason nil for a netsplit). Heal, or a
// Restart of the node, lets the next message open a new connection.
//
// Processes on no node, and two processes on the same node, keep the
// world's own semantics: Send delivers at once, Link and Monitor are
// World.Link and World.Monitor. The world's own operations know nothing of
// nodes: World.Send between two nodes still delivers at once, so code that
// runs on nodes sends with Send, links with Link and monitors with Monitor
// of this package.
type Network struct {
	// Latency is how long a message takes from one node to another (0:
	// 1ms).
	Latency time.Duration
	// Jitter is the most a message may take beyond Latency; how much it
	// takes is a Random decision per message, in eighths of Jitter (0: no
	// jitter, and no decision).
	Jitter time.Duration

	_ struct{} // disallow positional literals, for extensibility
}

// jitterSteps is how finely Jitter is divided: a message's extra delay is
// Jitter*i/jitterSteps for a drawn i in [0, jitterSteps].
const jitterSteps = 8

// dist is a world's distribution: its network, its connections, the cuts
// between nodes, and the links and monitors that cross nodes.
type dist struct {
	st     *state
	k      *sim.Kernel
	net    Network
	obj    sim.Object
	conns  map[[2]*Node]*conn         // by (from, to); looked up, never iterated
	split  map[[2]*Node]time.Duration // cut until then (forever: Partition), by pair, lower id first; looked up, never iterated
	links  []*remoteLink              // live, oldest first
	mons   []*remoteMonitor           // live, oldest first
	hooked map[*sim.Proc]bool         // has the exit hook that carries its links and monitors
	off    map[sim.MonitorRef]bool    // remote monitors turned off: a Down in flight is not delivered
}

// conn is one direction of the connection between two nodes: what is in
// flight on it, in the order it was sent, under one alarm for the oldest,
// so that two messages due at the same instant still arrive in order.
type conn struct {
	flight []delivery // arrival times never decrease
	alarm  sim.Alarm
}

type delivery struct {
	at     time.Duration
	arrive func()
}

type remoteLink struct{ a, b *sim.Proc }

type remoteMonitor struct {
	ref             sim.MonitorRef
	watcher, target *sim.Proc
}

func distOf(w *sim.World) *dist {
	st := worlds.Get(w.Kernel())
	if st.dist == nil {
		st.dist = &dist{st: st, k: st.k, conns: map[[2]*Node]*conn{}, split: map[[2]*Node]time.Duration{}, hooked: map[*sim.Proc]bool{}, off: map[sim.MonitorRef]bool{}}
		st.k.Register(&st.dist.obj, "dist", 3)
		st.dist.obj.SetName("distribution")
		st.dist.setNetwork(Network{})
	}
	return st.dist
}

func (d *dist) setNetwork(net Network) {
	if net.Latency < 0 || net.Jitter < 0 {
		panic(fmt.Sprintf("node: Configure: latency %v and jitter %v: neither may be negative", net.Latency, net.Jitter))
	}
	if net.Latency == 0 {
		net.Latency = time.Millisecond
	}
	d.net = net
}

// Configure sets how messages travel between w's nodes, for messages sent
// from now on. It only sets: it is not a scheduling point.
func Configure(w *sim.World, net Network) { distOf(w).setNetwork(net) }

func pairOf(a, b *Node) [2]*Node {
	if a.obj.ID() > b.obj.ID() {
		a, b = b, a
	}
	return [2]*Node{a, b}
}

// reachable reports whether a and b are both up and not split.
func (d *dist) reachable(a, b *Node) bool {
	_, cut := d.split[pairOf(a, b)]
	return a.crash == nil && b.crash == nil && !cut
}

// Connected reports whether processes on a and b can reach each other now:
// both nodes up, and no netsplit between them. It only reads.
func Connected(w *sim.World, a, b *Node) bool {
	return a == b && a.crash == nil || distOf(w).reachable(a, b)
}

// splitFrom reports whether p is on a node that a netsplit cuts off from n.
func (d *dist) splitFrom(p *sim.Proc, n *Node) bool {
	np := d.st.on[p]
	if np == nil || np == n {
		return false
	}
	_, cut := d.split[pairOf(np, n)]
	return cut
}

// ends returns the nodes of x and y, and whether they are two different
// nodes: only then does anything between x and y travel a connection.
func (d *dist) ends(x, y *sim.Proc) (nx, ny *Node, remote bool) {
	nx, ny = d.st.on[x], d.st.on[y]
	return nx, ny, nx != nil && ny != nil && nx != ny
}

func (d *dist) conn(from, to *Node) *conn {
	c := d.conns[[2]*Node{from, to}]
	if c == nil {
		c = &conn{}
		c.alarm = sim.Alarm{Obj: &d.obj, Fire: func() { d.arrived(c) }}
		d.conns[[2]*Node{from, to}] = c
	}
	return c
}

// carry sends what over the connection from -> to: arrive runs when it
// gets there (from an alarm), unless the connection was closed in the
// meantime. what describes it for the trace.
func (d *dist) carry(from, to *Node, what string, arrive func()) {
	if d.reachable(from, to) && d.k.Fault(FaultNetsplit) {
		d.splitFor(from, to, faultSplits[d.k.Decide(scheduler.Random, len(faultSplits))])
	}
	if !d.reachable(from, to) {
		d.k.Event(sim.EventNote, &d.obj, 0, func() string {
			return fmt.Sprintf("%s dropped: no connection %s -> %s", what, from.name, to.name)
		})
		return
	}
	c := d.conn(from, to)
	delay := d.net.Latency
	if d.net.Jitter > 0 {
		delay += d.net.Jitter * time.Duration(d.k.Decide(scheduler.Random, jitterSteps+1)) / jitterSteps
	}
	at := d.k.Deadline(delay)
	if n := len(c.flight); n > 0 {
		at = max(at, c.flight[n-1].at) // behind what is in flight: one connection is FIFO
	}
	d.k.Event(sim.EventSend, &d.obj, int64(at), func() string {
		return fmt.Sprintf("%s: %s -> %s, arrives at %v", what, from.name, to.name, at)
	})
	c.flight = append(c.flight, delivery{at: at, arrive: arrive})
	if len(c.flight) == 1 {
		d.k.SetAlarm(&c.alarm, at)
	}
}

// arrived delivers what is due on c, oldest first, and sets c's alarm for
// the rest.
func (d *dist) arrived(c *conn) {
	now := d.k.Deadline(0)
	for len(c.flight) > 0 && c.flight[0].at <= now {
		next := c.flight[0]
		c.flight = c.flight[1:]
		next.arrive()
	}
	if len(c.flight) > 0 {
		d.k.SetAlarm(&c.alarm, c.flight[0].at)
	}
}

// close closes c: what is in flight is lost.
func (d *dist) close(c *conn, from, to *Node) {
	if n := len(c.flight); n > 0 {
		d.k.Event(sim.EventNote, &d.obj, int64(n), func() string {
			return fmt.Sprintf("%d in flight lost: the connection %s -> %s closed", n, from.name, to.name)
		})
	}
	c.flight = nil
	d.k.StopAlarm(&c.alarm)
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
	d.carry(from, to, fmt.Sprintf("%v ! %v", p, msg), func() { d.k.Deliver(p, msg) })
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
		d.carry(np, d.st.on[other], fmt.Sprintf("exit signal %v -> %v: %v", p, other, reason), func() {
			d.k.ExitSignal(other, p, reason)
		})
	}
	for _, m := range mons {
		down := sim.Down{Ref: m.ref, Proc: p, Reason: reason}
		d.carry(np, d.st.on[m.watcher], fmt.Sprintf("%v ! down %v: %v", m.watcher, p, reason), func() {
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

// signal is one exit signal or Down that a cut connection makes.
type signal struct {
	to, from *sim.Proc
	down     *sim.Down
}

// cut closes the connections between a and b both ways: what is in
// flight is lost, and the links and monitors across them fire with
// NoConnection, in the order they were made. It returns what to deliver;
// deliver delivers it.
func (d *dist) cut(a, b *Node) []signal {
	d.close(d.conn(a, b), a, b)
	d.close(d.conn(b, a), b, a)
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

// splitFor splits a and b for d, a FaultNetsplit: as Partition, then Heal
// from an alarm.
func (d *dist) splitFor(a, b *Node, length time.Duration) {
	until := d.k.Deadline(length)
	d.split[pairOf(a, b)] = until
	d.k.Event(sim.EventFault, &d.obj, int64(length), func() string {
		return fmt.Sprintf("netsplit %s | %s for %v", a.name, b.name, length)
	})
	heal := &sim.Alarm{Obj: &d.obj}
	heal.Fire = func() {
		if d.split[pairOf(a, b)] != until {
			return // made for good by Partition since
		}
		delete(d.split, pairOf(a, b))
		d.k.Event(sim.EventNote, &d.obj, 0, func() string { return fmt.Sprintf("healed %s | %s", a.name, b.name) })
	}
	d.k.SetAlarm(heal, until)
	sigs := d.cut(a, b)
	d.watchersCut(a, b)
	d.watchersCut(b, a)
	d.deliver(sigs)
}

// Partition cuts a and b off from each other, a netsplit: see Network for
// the rules. Processes on no node, and other pairs of nodes, are untouched.
// Partitioning a split pair makes its split last until Heal. It is a scheduling point.
func Partition(w *sim.World, a, b *Node) {
	d := distOf(w)
	d.k.Point()
	if a == b {
		panic(fmt.Sprintf("node: Partition(%s, %s): a node cannot be cut off from itself", a.name, b.name))
	}
	_, cut := d.split[pairOf(a, b)]
	d.split[pairOf(a, b)] = forever
	if cut {
		return // cut already, by a FaultNetsplit: now for good
	}
	d.k.Event(sim.EventFault, &d.obj, 1, func() string { return fmt.Sprintf("netsplit %s | %s", a.name, b.name) })
	sigs := d.cut(a, b)
	d.watchersCut(a, b)
	d.watchersCut(b, a)
	d.deliver(sigs)
}

// Heal ends a netsplit between a and b: the next message between them
// opens a new connection. Links and monitors cut by the split stay cut.
// It is a scheduling point.
func Heal(w *sim.World, a, b *Node) {
	d := distOf(w)
	d.k.Point()
	if _, cut := d.split[pairOf(a, b)]; !cut {
		return
	}
	delete(d.split, pairOf(a, b))
	d.k.Event(sim.EventNote, &d.obj, 0, func() string { return fmt.Sprintf("healed %s | %s", a.name, b.name) })
}

// down cuts every connection of n, which has just gone down (halt): the
// far ends of its links and monitors get NoConnection, as they do when a
// node dies on the BEAM.
func (d *dist) down(n *Node) {
	var sigs []signal
	for _, other := range d.st.nodes {
		if other != n {
			sigs = append(sigs, d.cut(n, other)...)
		}
	}
	// The processes on n are gone: only what goes to the other nodes stays.
	sigs = slices.DeleteFunc(sigs, func(s signal) bool { return d.st.on[s.to] == n })
	d.deliver(sigs)
}

// Restart brings a node that went down up again, as a new incarnation
// with the same name: an atom table as New made it, no processes (those
// that ran on it stay ended), and new connections on the next message.
// Watchers must call Monitor again. Restarting a node that is up panics.
// Restart is a scheduling point.
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
