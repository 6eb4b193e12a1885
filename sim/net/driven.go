package net

import (
	"fmt"

	"github.com/weftsim/weft/sim"
)

// Driven sockets: connections a library drives through a Handler instead of
// a process, as the BEAM's distribution drives its connections from the
// emulator (a port), not from an Erlang process: what arrives is handed
// over as it arrives, nothing waits, and no process is left blocked in
// Recv or Accept when the run ends. They are TCP connections like any
// other: they hold descriptors, travel the hosts' links (latency, jitter,
// drops and partitions, with retransmission) and meet the network's
// faults; only who takes their messages differs.
//
// Dial, ListenFunc, Write, Close and Abort of a driven socket are not
// scheduling points and need no calling process: a library calls them from
// its own operations, from alarms and from exit hooks.

// Handler takes the messages of a driven connection, in order, as an active
// connection's owner would get them: TCPData as data arrives, TCPError
// when the connection breaks or its handshake fails, then TCPClosed. It
// runs in the world's step that made the message (often an alarm's): it
// must not block or reach a scheduling point.
type Handler func(msg any)

// Dial opens a connection from h to port on the host with address addr,
// driven by handle: it returns at once, while the handshake goes on; what
// Write is given meanwhile goes once the handshake completes. A handshake
// that fails (refused, or no answer for about two minutes) comes to handle
// as a TCPError, then a TCPClosed. Dial fails at once with ErrNoHost or
// ErrEMFILE.
func (h *Host) Dial(addr string, port int, handle Handler) (*Conn, error) {
	n := h.n
	if port < 0 || port > 65535 {
		panic(fmt.Sprintf("net: Dial(%q, %d): ports are 0 to 65535", addr, port))
	}
	if handle == nil {
		panic(fmt.Sprintf("net: Dial(%q, %d): no Handler", addr, port))
	}
	c, err := h.open("dial", addr, port, sockBase{n: n, active: ActiveTrue, driven: true}, handle, 2)
	if err != nil {
		return nil, err
	}
	n.k.Event(sim.EventNote, &c.obj, int64(port), func() string { return fmt.Sprintf("dial %v", &c.obj) })
	c.sendSyn()
	return c, nil
}

// ListenFunc opens a listening socket on port (0: the next free ephemeral
// port) that accepts every connection as it is established, driven by the
// Handler accept returns for it. A connection established while the host
// has no free descriptor (or under a FaultEMFILE) is reset. It fails with
// ErrAddrInUse and ErrEMFILE as Listen does.
func (h *Host) ListenFunc(port int, accept func(c *Conn) Handler) (*Listener, error) {
	n := h.n
	if port < 0 || port > 65535 {
		panic(fmt.Sprintf("net: ListenFunc(%d): ports are 0 to 65535", port))
	}
	l, err := h.listen(port, sockBase{n: n, active: ActiveTrue, driven: true}, accept)
	if err != nil {
		return nil, err
	}
	n.k.Event(sim.EventNote, &l.obj, int64(l.port), func() string { return fmt.Sprintf("listen %v (driven)", &l.obj) })
	return l, nil
}

// acceptDriven accepts s, just established, on a driven listener.
func (l *Listener) acceptDriven(s *Conn) {
	n := l.n
	if !l.host.takeFD() || n.k.Fault(FaultEMFILE) {
		n.k.Event(sim.EventNote, &s.obj, -1-errCode(ErrEMFILE), func() string { return fmt.Sprintf("accept %v on %v: %v", &s.obj, &l.obj, ErrEMFILE) })
		s.close(true)
		return
	}
	s.hasFD, s.driven, s.active = true, true, ActiveTrue
	n.k.Event(sim.EventNote, &s.obj, int64(s.obj.ID()), func() string { return fmt.Sprintf("accept %v on %v", &s.obj, &l.obj) })
	s.handle = l.driver(s)
	if s.handle == nil {
		panic(fmt.Sprintf("net: ListenFunc on %v: accept returned no Handler", &l.obj))
	}
	s.pump()
}

// Write sends data on a driven connection without waiting: before the
// handshake completes it waits in the connection, and it does not wait
// for room in the peer's window (a driven peer takes data as it arrives).
// It fails as Send does: ErrClosed after Close, ErrPipe after CloseWrite,
// and once the connection broke its error, once, then ErrPipe.
func (c *Conn) Write(data []byte) error {
	n := c.n
	if !c.driven {
		panic(fmt.Sprintf("net: Write on %v, which a process drives: use Send", &c.obj))
	}
	switch {
	case c.closed:
		return n.opErr(&c.obj, "write", ErrClosed)
	case c.wrClosed:
		return n.opErr(&c.obj, "write", ErrPipe)
	case c.soErr != nil:
		return n.opErr(&c.obj, "write", c.takeErr())
	case c.broken:
		return n.opErr(&c.obj, "write", ErrPipe)
	case len(data) == 0:
		return nil
	}
	data = append([]byte(nil), data...)
	if c.state == connConnecting {
		c.pending = append(c.pending, data)
		return nil
	}
	c.out.push(segData, data)
	n.k.Event(sim.EventSend, &c.obj, int64(len(data)), func() string { return fmt.Sprintf("%v %s", &c.obj, quoteBytes(data)) })
	return nil
}
