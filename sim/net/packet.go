package net

import (
	"fmt"
	"strconv"
	"time"

	"github.com/weftsim/weft/sim"
)

// Datagrams, as UDP: messages between hosts with nothing to mask what the
// links do. A datagram a link loses is gone, one it duplicates arrives
// twice, and datagrams arrive in any order their delays give. A datagram
// keeps its boundaries; it is dropped when its destination port has no
// socket, or when the socket's receive buffer (the host's RecvBuffer) cannot
// hold it. A PacketConn has a controlling process and active modes as a
// connection does; UDP ports are a space of their own, apart from TCP's.

// PacketConn is a datagram socket bound to a port of a host. It holds a
// file descriptor until it is closed, or until its controlling process
// exits.
type PacketConn struct {
	sockBase
	host    *Host
	port    int
	queue   []Datagram // received, not yet read or delivered
	queued  int        // the bytes in queue
	high    int        // the most bytes queue ever held
	dropped int        // datagrams dropped for want of room
	readq   waitList
}

// Datagram is a datagram received: who sent it, and what.
type Datagram struct {
	From Addr
	Data []byte
}

// UDPData is the message an active PacketConn sends its controlling process
// for each datagram, as gen_udp's {udp, Socket, IP, Port, Data}.
type UDPData struct {
	Conn *PacketConn
	From Addr
	Data []byte
}

func (m UDPData) String() string {
	return fmt.Sprintf("udp %v from %v %s", m.Conn, m.From, quoteBytes(m.Data))
}

// ListenPacket opens a datagram socket on port (0: the next free ephemeral
// port), owned by the calling process, in passive mode. It fails with
// ErrAddrInUse if the port is taken and ErrEMFILE if the host has no free
// descriptor.
func (h *Host) ListenPacket(port int) (*PacketConn, error) {
	n := h.n
	n.op("ListenPacket")
	if port < 0 || port > 65535 {
		panic(fmt.Sprintf("net: ListenPacket(%d): ports are 0 to 65535", port))
	}
	op := "listen udp :" + strconv.Itoa(port)
	if port != 0 && h.udpPorts[port] != nil {
		return nil, n.opErr(&h.obj, op, ErrAddrInUse)
	}
	if !h.takeFD() {
		return nil, n.opErr(&h.obj, op, ErrEMFILE)
	}
	if port == 0 {
		p, ok := h.ephemeralPort(h.udpTaken)
		if !ok {
			h.releaseFD()
			return nil, n.opErr(&h.obj, op, ErrAddrInUse)
		}
		port = p
	}
	pc := &PacketConn{sockBase: sockBase{n: n, owner: n.k.Running()}, host: h, port: port}
	n.k.Register(&pc.obj, "udp", 1)
	pc.obj.SetName(Addr{h.addr, port}.String())
	h.udpPorts[port] = pc
	n.own(pc.owner, pc)
	n.k.Event(sim.EventNote, &pc.obj, int64(port), func() string { return fmt.Sprintf("open %v", &pc.obj) })
	return pc, nil
}

// SendTo sends data as one datagram to port on the host with address addr.
// It never blocks, and succeeds whether or not the datagram arrives; it
// fails with ErrClosed on a closed socket and ErrNoHost for an unknown
// address.
func (pc *PacketConn) SendTo(addr string, port int, data []byte) error {
	n := pc.n
	n.op("SendTo")
	if pc.closed {
		return n.opErr(&pc.obj, "sendto", ErrClosed)
	}
	to := n.byAddr[addr]
	if to == nil {
		return n.opErr(&pc.obj, "sendto "+addr, ErrNoHost)
	}
	data = append([]byte(nil), data...)
	from := Addr{pc.host.addr, pc.port}
	n.k.Event(sim.EventSend, &pc.obj, int64(len(data)), func() string {
		return fmt.Sprintf("%v -> %v %s", &pc.obj, Addr{addr, port}, quoteBytes(data))
	})
	copies := 1
	if n.duplicated(pc.host, to) {
		copies = 2
		n.k.Event(sim.EventFault, &pc.obj, 0, func() string { return fmt.Sprintf("duplicate datagram to %v", Addr{addr, port}) })
	}
	for range copies {
		n.sendPacket(pc.host, to, &pc.obj, "datagram", func() { n.datagramArrived(to, port, Datagram{From: from, Data: data}) })
	}
	return nil
}

// datagramArrived queues a datagram at its destination, if a socket is
// there with room for it.
func (n *network) datagramArrived(to *Host, port int, d Datagram) {
	pc := to.udpPorts[port]
	if pc == nil {
		n.k.Event(sim.EventNote, &to.obj, int64(port), func() string {
			return fmt.Sprintf("datagram from %v to %s:%d dropped: no socket", d.From, to.addr, port)
		})
		return
	}
	if pc.queued+len(d.Data) > to.recvBuffer {
		pc.dropped++
		n.k.Event(sim.EventNote, &pc.obj, -1, func() string { return fmt.Sprintf("datagram from %v dropped: %v is full", d.From, &pc.obj) })
		return
	}
	pc.queue = append(pc.queue, d)
	pc.queued += len(d.Data)
	pc.high = max(pc.high, pc.queued)
	n.k.Event(sim.EventNote, &pc.obj, int64(len(d.Data)), func() string {
		return fmt.Sprintf("arrive %v from %v %s", &pc.obj, d.From, quoteBytes(d.Data))
	})
	pc.pump()
	pc.readq.wakeAll(n.k)
}

// RecvFrom waits for a datagram and returns it. It fails with ErrClosed
// once the socket is closed and ErrActive in active mode.
func (pc *PacketConn) RecvFrom() (Datagram, error) { return pc.recvFrom(sim.Infinity) }

// RecvFromTimeout is RecvFrom that gives up with ErrTimeout after d of
// virtual time (0: only takes a queued datagram; negative: waits forever).
func (pc *PacketConn) RecvFromTimeout(d time.Duration) (Datagram, error) { return pc.recvFrom(d) }

func (pc *PacketConn) recvFrom(timeout time.Duration) (Datagram, error) {
	n := pc.n
	n.op("RecvFrom")
	deadline := n.deadline(timeout)
	for {
		switch {
		case pc.closed:
			return Datagram{}, n.opErr(&pc.obj, "recvfrom", ErrClosed)
		case pc.active != ActiveFalse:
			return Datagram{}, n.opErr(&pc.obj, "recvfrom", ErrActive)
		case len(pc.queue) > 0:
			d := pc.take()
			n.k.Event(sim.EventRecv, &pc.obj, int64(len(d.Data)), func() string {
				return fmt.Sprintf("%v from %v %s", &pc.obj, d.From, quoteBytes(d.Data))
			})
			return d, nil
		case n.expired(deadline):
			return Datagram{}, n.opErr(&pc.obj, "recvfrom", ErrTimeout)
		}
		pc.readq.park(n.k, "recvfrom", &pc.obj, deadline)
	}
}

func (pc *PacketConn) take() Datagram {
	d := pc.queue[0]
	pc.queue[0] = Datagram{}
	pc.queue = pc.queue[1:]
	pc.queued -= len(d.Data)
	return d
}

// pump delivers queued datagrams to the controlling process while the
// socket is active.
func (pc *PacketConn) pump() {
	if pc.closed {
		return
	}
	for pc.active != ActiveFalse && len(pc.queue) > 0 {
		d := pc.take()
		pc.n.k.Deliver(pc.owner, UDPData{Conn: pc, From: d.From, Data: d.Data})
		if pc.active == ActiveOnce {
			pc.active = ActiveFalse
		}
	}
}

// SetActive sets where arriving datagrams go (see ActiveMode); switching to
// an active mode delivers what is queued at once.
func (pc *PacketConn) SetActive(mode ActiveMode) error {
	return pc.setActive(mode, pc.pump, &pc.readq)
}

// ControllingProcess hands the socket to p, with the rules of
// Conn.ControllingProcess: only the owner may, p must be alive, and the
// socket's messages in the caller's mailbox move to p's.
func (pc *PacketConn) ControllingProcess(p *sim.Proc) error {
	return pc.handOff(pc, p, func(m any) bool {
		u, ok := m.(UDPData)
		return ok && u.Conn == pc
	})
}

// Close closes the socket: its port and descriptor are freed, queued
// datagrams are discarded, and a waiting RecvFrom fails with ErrClosed.
func (pc *PacketConn) Close() error { return pc.closeOp("Close", "close", pc.shut) }

func (pc *PacketConn) shut() {
	pc.closed = true
	pc.host.releaseFD()
	delete(pc.host.udpPorts, pc.port)
	pc.n.disown(pc.owner, pc)
	clear(pc.queue)
	pc.queue, pc.queued = nil, 0
	pc.n.k.Event(sim.EventClose, &pc.obj, 0, nil)
	pc.readq.wakeAll(pc.n.k)
}

// Addr is the socket's address.
func (pc *PacketConn) Addr() Addr { return Addr{pc.host.addr, pc.port} }

// Owner is the socket's controlling process.
func (pc *PacketConn) Owner() *sim.Proc { return pc.owner }

// Buffered is the number of bytes queued and not yet read or delivered,
// BufferedHigh the most ever queued, and Dropped the number of datagrams
// dropped because the queue had no room.
func (pc *PacketConn) Buffered() int     { return pc.queued }
func (pc *PacketConn) BufferedHigh() int { return pc.high }
func (pc *PacketConn) Dropped() int      { return pc.dropped }

func (pc *PacketConn) String() string { return pc.obj.String() }
