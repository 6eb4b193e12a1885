package net

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Links: how packets travel between hosts. Each ordered pair of hosts has a
// link (a Link of its own, or the network's default). A packet's delay is
// drawn when it is sent; whether it is lost is decided when it would arrive,
// so a packet in flight when a partition starts is lost, and one sent just
// before a partition heals gets through. Connections retransmit what is
// lost, as TCP does: a segment is resent after an RTO of 200ms that doubles
// with every attempt up to 120s, and after 15 retransmissions (about 15
// minutes) the sending side gives up with ErrTimeout (Linux's
// tcp_retries2); a handshake is resent after 1s, doubling, 6 times (about
// two minutes, tcp_syn_retries). Healing a partition does not hurry a
// retransmission: what was lost arrives at its next attempt.
//
// Within one connection segments arrive in the order they were sent, even
// under jitter: a segment arrives no earlier than the one before it, and a
// segment waiting for retransmission holds back those behind it (one timer
// per direction delivers them in order, so ties between timers cannot
// reorder them). Separate connections are separate timers: when they are
// due at the same instant, a Timer decision picks which arrives first.

// Link says how packets travel from one host to another, in one
// direction. The zero Link delivers every packet at the instant it is
// sent: it arrives as soon as the world next looks at its timers, that is,
// when the running process blocks, so on a zero link the order of arrivals
// and process steps is the schedule's to choose.
type Link struct {
	// Latency is every packet's one-way delay.
	Latency time.Duration
	// Jitter is the most extra delay a packet gets on top of Latency: each
	// packet draws none, 1/4, 1/2, 3/4 or all of it through a Random
	// decision (which shrinks toward none).
	Jitter time.Duration
	// Drop is the probability that a packet is lost, decided for each
	// packet through a Fault decision (rates are rounded to multiples of
	// 1/1024; 1 loses every packet and asks nothing). A connection resends
	// what is lost, so its drops show up as delay; a lost datagram is gone.
	// Zero leaves drops to the run's FaultPlan (FaultDrop).
	Drop float64
	// Duplicate is the probability that a packet arrives twice, decided
	// like Drop. A connection discards the copy, as TCP does, so only
	// datagrams (PacketConn) see it. Zero leaves it to FaultDuplicate.
	Duplicate float64

	_ struct{} // disallow positional literals, for extensibility
}

func (l Link) validate(op string) {
	if l.Latency < 0 || l.Jitter < 0 {
		panic(fmt.Sprintf("net: %s: negative latency or jitter (%v, %v)", op, l.Latency, l.Jitter))
	}
	if !(l.Drop >= 0 && l.Drop <= 1) || !(l.Duplicate >= 0 && l.Duplicate <= 1) {
		panic(fmt.Sprintf("net: %s: drop or duplicate probability (%v, %v) is not in [0, 1]", op, l.Drop, l.Duplicate))
	}
}

// Retransmission, after Linux's TCP defaults.
const (
	rtoInitial  = 200 * time.Millisecond // TCP_RTO_MIN
	rtoMax      = 120 * time.Second      // TCP_RTO_MAX
	dataRetries = 15                     // tcp_retries2
	synRTO      = time.Second            // TCP_TIMEOUT_INIT
	synRetries  = 6                      // tcp_syn_retries
	jitterSteps = 4                      // Jitter is drawn in quarters
)

// The extra delays of a FaultDelay, the lengths of a FaultPartition and the
// stalls of a FaultSlowReader: a Random decision picks one, and shrinking
// picks the shortest.
var (
	faultDelays     = [...]time.Duration{10 * time.Millisecond, 100 * time.Millisecond, time.Second, 10 * time.Second}
	faultPartitions = [...]time.Duration{time.Second, 10 * time.Second, time.Minute, 10 * time.Minute}
	faultStalls     = [...]time.Duration{100 * time.Millisecond, time.Second, 10 * time.Second, time.Minute}
)

// rto is the wait before the tries-th retransmission (tries >= 1).
func rto(tries int) time.Duration {
	if tries > 10 {
		return rtoMax
	}
	return min(rtoInitial<<(tries-1), rtoMax)
}

// linkState is the link from one host to another.
type linkState struct {
	cfg      Link
	own      bool          // cfg was set by SetLink; else the default applies
	cut      bool          // cut by Partition until Heal
	cutUntil time.Duration // cut by a partition fault until then
}

// state returns the link from one host to another, making it on first use.
func (n *network) state(from, to *Host) *linkState {
	for len(from.links) <= to.idx {
		from.links = append(from.links, nil)
	}
	ls := from.links[to.idx]
	if ls == nil {
		ls = &linkState{}
		from.links[to.idx] = ls
	}
	return ls
}

// cfg is the Link packets from one host to another travel by. A host's
// link to itself is the zero Link unless set.
func (n *network) cfg(from, to *Host) Link {
	if to.idx < len(from.links) {
		if ls := from.links[to.idx]; ls != nil && ls.own {
			return ls.cfg
		}
	}
	if from == to {
		return Link{}
	}
	return n.link
}

func (n *network) isCut(from, to *Host) bool {
	if to.idx >= len(from.links) {
		return false
	}
	ls := from.links[to.idx]
	return ls != nil && (ls.cut || n.w.Elapsed() < ls.cutUntil)
}

// delay draws the time a packet sent now takes from one host to another.
func (n *network) delay(from, to *Host) time.Duration {
	l := n.cfg(from, to)
	d := l.Latency
	if l.Jitter > 0 {
		d += l.Jitter * time.Duration(n.k.Decide(scheduler.Random, jitterSteps+1)) / jitterSteps
	}
	if from != to && n.k.Fault(FaultDelay) {
		d += faultDelays[n.k.Decide(scheduler.Random, len(faultDelays))]
	}
	return d
}

// lost decides whether a packet arriving now is lost, and why. Faults never
// strike a host's link to itself.
func (n *network) lost(from, to *Host) (bool, string) {
	if from == to {
		return false, ""
	}
	if n.isCut(from, to) {
		return true, "partition"
	}
	if l := n.cfg(from, to); l.Drop > 0 {
		if n.k.Chance(l.Drop) {
			return true, "drop"
		}
		return false, ""
	}
	if n.k.Fault(FaultDrop) {
		return true, "drop"
	}
	return false, ""
}

// duplicated decides whether a datagram sent now arrives twice.
func (n *network) duplicated(from, to *Host) bool {
	if from == to {
		return false
	}
	if l := n.cfg(from, to); l.Duplicate > 0 {
		return n.k.Chance(l.Duplicate)
	}
	return n.k.Fault(FaultDuplicate)
}

// maybePartition lets the run's FaultPlan cut the link between two hosts,
// both ways, for a while, as a packet is sent over it.
func (n *network) maybePartition(from, to *Host) {
	if from == to || n.isCut(from, to) || !n.k.Fault(FaultPartition) {
		return
	}
	d := faultPartitions[n.k.Decide(scheduler.Random, len(faultPartitions))]
	until := n.k.Deadline(d)
	a, b := n.state(from, to), n.state(to, from)
	a.cutUntil, b.cutUntil = max(a.cutUntil, until), max(b.cutUntil, until)
	n.k.Event(sim.EventFault, &from.obj, int64(to.idx), func() string {
		return fmt.Sprintf("partition %s <-> %s for %v", from.addr, to.addr, d)
	})
}

// sendPacket sends a handshake packet: it arrives after the link's delay
// unless it is lost then, in which case the handshake's own timer resends.
func (n *network) sendPacket(from, to *Host, obj *sim.Object, what string, arrive func()) {
	n.maybePartition(from, to)
	t := &sim.Alarm{Obj: obj}
	t.Fire = func() {
		if lost, why := n.lost(from, to); lost {
			n.k.Event(sim.EventNote, obj, 2, func() string { return fmt.Sprintf("%s %s -> %s lost (%s)", what, from.addr, to.addr, why) })
			return
		}
		arrive()
	}
	n.k.SetAlarm(t, n.k.Deadline(n.delay(from, to)))
}

type segKind uint8

const (
	segData segKind = iota
	segFin          // end of stream
	segRst          // reset
	segAck          // the handshake's last leg: the server's side comes into being
)

var segNames = [...]string{segData: "data", segFin: "fin", segRst: "rst", segAck: "ack"}

// segment is a packet of one direction of a connection.
type segment struct {
	kind  segKind
	data  []byte
	sent  time.Duration // when it was last (re)sent
	at    time.Duration // when it arrives, unless it is lost then
	tries int           // retransmissions so far
}

// pipe is one direction of a connection: what src sent to dst that dst has
// not consumed yet.
type pipe struct {
	n        *network
	from, to *Host
	src, dst *Conn // dst is nil until the handshake's last leg reaches the server
	segs     []*segment
	timer    sim.Alarm // fires when segs[0] is due; armed says it is pending
	armed    bool
	last     time.Duration // when the newest segment arrives: none overtakes it
	// window is the receive buffer of dst, unacked the bytes pushed and not
	// yet consumed there (in flight, or in dst's buffer).
	// Invariant: a sender pushes only while unacked < window.
	window  int
	unacked int
	sendq   waitList // senders waiting for room in the window
	dead    bool     // reset or timed out: nothing more travels
}

func newPipe(n *network, src *Conn, from, to *Host, window int) *pipe {
	pp := &pipe{n: n, from: from, to: to, src: src, window: window}
	pp.timer = sim.Alarm{Obj: &src.obj, Fire: pp.fire}
	return pp
}

// push sends a segment.
func (pp *pipe) push(kind segKind, data []byte) {
	n := pp.n
	n.maybePartition(pp.from, pp.to)
	now := n.w.Elapsed()
	s := &segment{kind: kind, data: data, sent: now}
	s.at = max(now+n.delay(pp.from, pp.to), pp.last)
	pp.last = s.at
	pp.segs = append(pp.segs, s)
	pp.unacked += len(data)
	pp.arm()
}

func (pp *pipe) arm() {
	if pp.armed || pp.dead || len(pp.segs) == 0 {
		return
	}
	pp.armed = true
	pp.n.k.SetAlarm(&pp.timer, pp.segs[0].at)
}

// fire delivers the segments that are due, in order, until one is lost: that
// one is resent later and holds back the rest.
func (pp *pipe) fire() {
	pp.armed = false
	n := pp.n
	for len(pp.segs) > 0 && pp.segs[0].at <= n.w.Elapsed() && !pp.dead {
		s := pp.segs[0]
		lost, why := n.lost(pp.from, pp.to)
		if !lost && s.kind == segAck && n.backlogFull(pp) {
			lost, why = true, "backlog full"
		}
		if lost {
			s.tries++
			limit := dataRetries
			if s.kind == segAck {
				limit = synRetries
			}
			if s.tries > limit {
				n.k.Event(sim.EventNote, &pp.src.obj, 3, func() string {
					return fmt.Sprintf("%s %s gave up after %d retransmissions", pp.src, segNames[s.kind], limit)
				})
				pp.src.fail(ErrTimeout)
				return
			}
			s.sent += rto(s.tries)
			s.at = max(s.sent+n.delay(pp.from, pp.to), n.w.Elapsed())
			pp.last = max(pp.last, s.at)
			n.k.Event(sim.EventNote, &pp.src.obj, 2, func() string {
				return fmt.Sprintf("%s %s lost (%s), resent to arrive at %v", pp.src, segNames[s.kind], why, s.at)
			})
			break
		}
		pp.segs[0] = nil
		pp.segs = pp.segs[1:]
		pp.arrive(s)
	}
	pp.arm()
}

func (pp *pipe) arrive(s *segment) {
	if s.kind == segAck {
		pp.n.establish(pp)
		return
	}
	c := pp.dst
	if c == nil {
		// The handshake failed at the server (it answered with a reset):
		// what the client sent after it goes nowhere.
		pp.unacked -= len(s.data)
		return
	}
	switch s.kind {
	case segData:
		c.arriveData(s.data)
	case segFin:
		c.arriveFin()
	case segRst:
		c.arriveRst()
	}
}

// kill drops everything in the pipe: the connection was reset or gave up.
func (pp *pipe) kill() {
	if pp.dead {
		return
	}
	pp.dead = true
	if pp.armed {
		pp.n.k.StopAlarm(&pp.timer)
		pp.armed = false
	}
	clear(pp.segs)
	pp.segs = nil
	pp.unacked = 0
	pp.sendq.wakeAll(pp.n.k)
}

// SetLink sets how packets travel from one host of w to another (one
// direction; call it twice for both). It is a scheduling point.
func SetLink(w *sim.World, from, to *Host, l Link) {
	n := of(w)
	n.op("SetLink")
	l.validate("SetLink")
	n.check("SetLink", from, to)
	ls := n.state(from, to)
	ls.cfg, ls.own = l, true
	n.k.Event(sim.EventNote, &from.obj, int64(to.idx), func() string {
		return fmt.Sprintf("link %s -> %s: latency %v, jitter %v, drop %v, duplicate %v", from.addr, to.addr, l.Latency, l.Jitter, l.Drop, l.Duplicate)
	})
}

// SetDefaultLink sets the link of every pair of distinct hosts of w that has
// none of its own (initially the zero Link). It is a scheduling point.
func SetDefaultLink(w *sim.World, l Link) {
	n := of(w)
	n.op("SetDefaultLink")
	l.validate("SetDefaultLink")
	n.link = l
	n.k.Event(sim.EventNote, nil, 0, func() string {
		return fmt.Sprintf("default link: latency %v, jitter %v, drop %v, duplicate %v", l.Latency, l.Jitter, l.Drop, l.Duplicate)
	})
}

// Partition cuts the link from host a to host b of w, and from b to a too
// unless oneWay: every packet that would arrive over a cut link is lost
// (connections resend it, see the package's rules), until Heal. It is a
// scheduling point.
func Partition(w *sim.World, a, b *Host, oneWay bool) {
	n := of(w)
	n.op("Partition")
	n.check("Partition", a, b)
	if a == b {
		panic(fmt.Sprintf("net: Partition: a host (%s) cannot be cut from itself", a.addr))
	}
	n.state(a, b).cut = true
	if !oneWay {
		n.state(b, a).cut = true
	}
	n.k.Event(sim.EventFault, &a.obj, int64(b.idx), func() string {
		arrow := "<->"
		if oneWay {
			arrow = "->"
		}
		return fmt.Sprintf("partition %s %s %s", a.addr, arrow, b.addr)
	})
}

// Heal restores the links between hosts a and b of w, both ways, including
// a cut made by a partition fault. It is a scheduling point.
func Heal(w *sim.World, a, b *Host) {
	n := of(w)
	n.op("Heal")
	n.check("Heal", a, b)
	for _, ls := range [2]*linkState{n.state(a, b), n.state(b, a)} {
		ls.cut, ls.cutUntil = false, 0
	}
	n.k.Event(sim.EventNote, &a.obj, int64(b.idx), func() string { return fmt.Sprintf("heal %s <-> %s", a.addr, b.addr) })
}

// HealAll restores every link of w. It is a scheduling point.
func HealAll(w *sim.World) {
	n := of(w)
	n.op("HealAll")
	for _, h := range n.hosts {
		for _, ls := range h.links {
			if ls != nil {
				ls.cut, ls.cutUntil = false, 0
			}
		}
	}
	n.k.Event(sim.EventNote, nil, 0, func() string { return "heal all links" })
}

// Partitioned reports whether packets from one host of w to another are
// lost now because the link is cut. It only reads, and may be called
// anywhere.
func Partitioned(w *sim.World, from, to *Host) bool {
	n := networks.Peek(w.Kernel())
	n.check("Partitioned", from, to)
	return n != nil && from != to && n.isCut(from, to)
}
