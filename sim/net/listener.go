package net

import (
	"fmt"
	"strconv"
	"time"

	"github.com/weftsim/weft/sim"
)

// Listening, accepting and connecting: the handshake that brings a
// connection into being. The client's SYN goes out and is resent after 1s,
// 2s, 4s, ... until a SYN-ACK comes back; the client is then connected, and
// the handshake's last leg travels ahead of its data. When that leg reaches
// the server, the server's side comes into being in its listener's backlog,
// holding no descriptor until Accept takes it. No listener on the port
// means a reset back (ErrRefused); a full backlog drops the last leg, which
// is resent like data.

// Listener is a listening socket on a host's port.
type Listener struct {
	sockBase // its active mode is inherited by accepted connections
	host     *Host
	port     int
	backlog  []*Conn // established, not yet accepted
	acceptq  waitList
	driver   func(*Conn) Handler // drives what it accepts (driven.go); nil: Accept takes them
}

// Listen opens a listening socket on port (0: the next free ephemeral port)
// owned by the calling process. It fails with ErrAddrInUse if the port is
// taken and with ErrEMFILE if the host has no free descriptor.
func (h *Host) Listen(port int) (*Listener, error) {
	n := h.n
	n.op("Listen")
	if port < 0 || port > 65535 {
		panic(fmt.Sprintf("net: Listen(%d): ports are 0 to 65535", port))
	}
	l, err := h.listen(port, sockBase{n: n, owner: n.k.Running()}, nil)
	if err != nil {
		return nil, err
	}
	n.own(l.owner, l)
	n.k.Event(sim.EventNote, &l.obj, int64(l.port), func() string { return fmt.Sprintf("listen %v", &l.obj) })
	return l, nil
}

// listen takes port (0: the next free ephemeral one) and a descriptor for
// a listener made of base and driver, which Listen and ListenFunc share;
// it fails with ErrAddrInUse or ErrEMFILE.
func (h *Host) listen(port int, base sockBase, driver func(c *Conn) Handler) (*Listener, error) {
	n := h.n
	if port != 0 && h.ports[port] != nil {
		return nil, n.opErr(&h.obj, "listen :"+strconv.Itoa(port), ErrAddrInUse)
	}
	if !h.takeFD() {
		return nil, n.opErr(&h.obj, "listen :"+strconv.Itoa(port), ErrEMFILE)
	}
	if port == 0 {
		p, ok := h.ephemeralPort(h.tcpTaken)
		if !ok {
			h.releaseFD()
			return nil, n.opErr(&h.obj, "listen :0", ErrAddrInUse)
		}
		port = p
	}
	l := &Listener{sockBase: base, host: h, port: port, driver: driver}
	n.k.Register(&l.obj, "listener", 2) // the line is the caller's of Listen or ListenFunc
	l.obj.SetName(Addr{h.addr, port}.String())
	h.ports[port] = l
	return l, nil
}

// Port is the port the listener listens on.
func (l *Listener) Port() int { return l.port }

// Addr is the listener's address.
func (l *Listener) Addr() Addr { return Addr{l.host.addr, l.port} }

// Host is the listener's host.
func (l *Listener) Host() *Host { return l.host }

// Owner is the listener's controlling process.
func (l *Listener) Owner() *sim.Proc { return l.owner }

// Pending is the number of connections established and not yet accepted.
func (l *Listener) Pending() int { return len(l.backlog) }

func (l *Listener) String() string { return l.obj.String() }

// Accept waits for a connection and returns it, owned by the calling
// process and in the listener's active mode; data that arrived before is
// delivered to the caller at once if that mode is active. It fails with
// ErrClosed once the listener is closed, and with ErrEMFILE when a
// connection is pending and the host has no free descriptor: the connection
// stays pending, and a later Accept takes it once a descriptor is free.
func (l *Listener) Accept() (*Conn, error) { return l.accept(sim.Infinity) }

// AcceptTimeout is Accept that gives up with ErrTimeout after d of virtual
// time (0: only takes a pending connection; negative: waits forever).
func (l *Listener) AcceptTimeout(d time.Duration) (*Conn, error) { return l.accept(d) }

func (l *Listener) accept(timeout time.Duration) (*Conn, error) {
	n := l.n
	n.op("Accept")
	deadline := n.deadline(timeout)
	for {
		if l.closed {
			return nil, n.opErr(&l.obj, "accept", ErrClosed)
		}
		if len(l.backlog) > 0 {
			if l.host.fds >= l.host.fdLimit || n.k.Fault(FaultEMFILE) {
				return nil, n.opErr(&l.obj, "accept", ErrEMFILE)
			}
			c := l.backlog[0]
			l.backlog[0] = nil
			l.backlog = l.backlog[1:]
			l.host.takeFD()
			c.hasFD = true
			c.owner = n.k.Running()
			c.active = l.active
			c.obj.SetSite(n.k.Site(2))
			n.own(c.owner, c)
			n.k.Event(sim.EventNote, &c.obj, int64(c.obj.ID()), func() string { return fmt.Sprintf("accept %v on %v", &c.obj, &l.obj) })
			c.pump()
			return c, nil
		}
		if n.expired(deadline) {
			return nil, n.opErr(&l.obj, "accept", ErrTimeout)
		}
		l.acceptq.park(n.k, "accept", &l.obj, deadline)
	}
}

// SetActive sets the active mode that connections accepted from now on
// start in. It fails with ErrClosed on a closed listener.
func (l *Listener) SetActive(mode ActiveMode) error { return l.setActive(mode, nil, nil) }

// ControllingProcess hands the listener to p; only its current controlling
// process may (ErrNotOwner otherwise). The listener then closes when p
// exits.
func (l *Listener) ControllingProcess(p *sim.Proc) error { return l.handOff(l, p, nil) }

// Close closes the listener: its port and descriptor are freed, waiting
// Accepts fail with ErrClosed, and connections still pending are reset.
func (l *Listener) Close() error { return l.closeOp("Close", "close", l.shut) }

func (l *Listener) shut() {
	n := l.n
	l.closed = true
	l.host.releaseFD()
	delete(l.host.ports, l.port)
	l.n.disown(l.owner, l)
	n.k.Event(sim.EventClose, &l.obj, int64(len(l.backlog)), func() string {
		return fmt.Sprintf("%v (%d pending reset)", &l.obj, len(l.backlog))
	})
	pending := l.backlog
	l.backlog = nil
	for _, c := range pending {
		c.close(true)
	}
	l.acceptq.wakeAll(n.k)
}

// Connect opens a connection from h to port on the host with address addr,
// owned by the calling process, in passive mode. It waits for the
// handshake, resending it as TCP does, and fails with ErrNoHost (no such
// address), ErrEMFILE (h has no free descriptor), ErrRefused (nothing
// listens there) or ErrTimeout (no answer for about two minutes).
func (h *Host) Connect(addr string, port int) (*Conn, error) {
	return h.connect(addr, port, sim.Infinity)
}

// ConnectTimeout is Connect that gives up with ErrTimeout after d of
// virtual time (negative: the handshake's own limit only).
func (h *Host) ConnectTimeout(addr string, port int, d time.Duration) (*Conn, error) {
	return h.connect(addr, port, d)
}

func (h *Host) connect(addr string, port int, timeout time.Duration) (*Conn, error) {
	n := h.n
	n.op("Connect")
	if port < 0 || port > 65535 {
		panic(fmt.Sprintf("net: Connect(%q, %d): ports are 0 to 65535", addr, port))
	}
	c, err := h.open("connect", addr, port, sockBase{n: n, owner: n.k.Running()}, nil, 3)
	if err != nil {
		return nil, err
	}
	n.own(c.owner, c)
	n.k.Event(sim.EventNote, &c.obj, int64(port), func() string { return fmt.Sprintf("connect %v", &c.obj) })
	c.sendSyn()
	deadline := n.deadline(timeout)
	for c.state == connConnecting {
		if n.expired(deadline) {
			c.close(true)
			return nil, n.opErr(&c.obj, "connect", ErrTimeout)
		}
		c.connq.park(n.k, "connect", &c.obj, deadline)
	}
	if c.state == connFailed {
		return nil, n.opErr(&c.obj, "connect", c.connErr)
	}
	return c, nil
}

// open makes a connecting socket to addr:port from a free ephemeral port
// of h, which Connect and Dial share; op names the operation in its
// errors (ErrNoHost, ErrEMFILE, ErrAddrInUse), and skip counts the calls
// between the user's code and open's Register. The caller sends the first
// syn once it has taken the socket.
func (h *Host) open(op, addr string, port int, base sockBase, handle Handler, skip int) (*Conn, error) {
	n := h.n
	op += " " + Addr{addr, port}.String()
	dst := n.byAddr[addr]
	if dst == nil {
		return nil, n.opErr(&h.obj, op, ErrNoHost)
	}
	if !h.takeFD() {
		return nil, n.opErr(&h.obj, op, ErrEMFILE)
	}
	lport, ok := h.ephemeralPort(h.tcpTaken)
	if !ok {
		h.releaseFD()
		return nil, n.opErr(&h.obj, op, ErrAddrInUse)
	}
	c := &Conn{sockBase: base, host: h, remote: dst, local: Addr{h.addr, lport}, raddr: Addr{addr, port},
		state: connConnecting, hasFD: true, ownsPort: true, handle: handle}
	n.k.Register(&c.obj, "conn", skip)
	c.obj.SetName(c.local.String() + "->" + c.raddr.String())
	c.out = newPipe(n, c, h, dst, 0)
	c.synTimer = sim.Alarm{Obj: &c.obj, Fire: c.synTimeout}
	h.ports[lport] = c
	h.conns = append(h.conns, c)
	return c, nil
}

func (c *Conn) sendSyn() {
	n := c.n
	n.sendPacket(c.host, c.remote, &c.obj, "syn", func() { n.synArrived(c) })
	n.k.SetAlarm(&c.synTimer, n.k.Deadline(synRTO<<c.synTries))
}

// synTimeout resends the handshake, or gives up.
func (c *Conn) synTimeout() {
	if c.state != connConnecting {
		return
	}
	c.synTries++
	if c.synTries > synRetries {
		c.connectFailed(ErrTimeout)
		return
	}
	c.sendSyn()
}

// synArrived answers a client's SYN at the server's host.
func (n *network) synArrived(c *Conn) {
	srv := c.remote
	if l, _ := srv.ports[c.raddr.Port].(*Listener); l == nil {
		n.sendPacket(srv, c.host, &c.obj, "rst", func() {
			if c.state == connConnecting {
				c.connectFailed(ErrRefused)
			}
		})
		return
	}
	window := srv.recvBuffer
	n.sendPacket(srv, c.host, &c.obj, "syn-ack", func() { c.synAcked(window) })
}

// synAcked completes the client's side of the handshake; the last leg goes
// ahead of any data on the connection.
func (c *Conn) synAcked(window int) {
	if c.state != connConnecting {
		return
	}
	n := c.n
	c.state = connOpen
	n.k.StopAlarm(&c.synTimer)
	c.out.window = window
	c.out.push(segAck, nil)
	n.k.Event(sim.EventNote, &c.obj, 0, func() string { return fmt.Sprintf("%v established", &c.obj) })
	for _, data := range c.pending {
		c.out.push(segData, data)
	}
	c.pending = nil
	c.connq.wakeAll(n.k)
}

func (c *Conn) connectFailed(err error) {
	n := c.n
	c.state, c.connErr = connFailed, err
	n.k.StopAlarm(&c.synTimer)
	n.k.Event(sim.EventNote, &c.obj, 1, func() string { return fmt.Sprintf("%v handshake failed: %v", &c.obj, err) })
	c.release()
	c.connq.wakeAll(n.k)
	if c.handle != nil {
		c.pending = nil
		c.handle(TCPError{Conn: c, Err: err})
		c.handle(TCPClosed{Conn: c})
	}
}

// backlogFull reports whether the handshake's last leg must be dropped
// because the listener's backlog is full (Linux drops it, and the client
// resends).
func (n *network) backlogFull(pp *pipe) bool {
	l, _ := pp.to.ports[pp.src.raddr.Port].(*Listener)
	return l != nil && len(l.backlog) >= defaultListenBacklog
}

// establish brings the server's side of a connection into being, pending
// in its listener's backlog, when the handshake's last leg arrives.
func (n *network) establish(pp *pipe) {
	c, srv := pp.src, pp.to
	l, _ := srv.ports[c.raddr.Port].(*Listener)
	if l == nil {
		// The listener went away during the handshake.
		n.sendPacket(srv, c.host, &c.obj, "rst", c.arriveRst)
		return
	}
	s := &Conn{sockBase: sockBase{n: n}, host: srv, remote: c.host, local: c.raddr, raddr: c.local, state: connOpen}
	n.k.Register(&s.obj, "conn", 0)
	s.obj.SetSite("") // set by Accept: the alarm's stack names no user code
	s.obj.SetName(s.local.String() + "->" + s.raddr.String())
	s.in, pp.dst = pp, s
	s.out = newPipe(n, s, srv, c.host, c.host.recvBuffer)
	s.out.dst, c.in = c, s.out
	s.peer, c.peer = c, s
	srv.conns = append(srv.conns, s)
	if l.driver != nil {
		l.acceptDriven(s)
		return
	}
	l.backlog = append(l.backlog, s)
	n.k.Event(sim.EventNote, &s.obj, int64(len(l.backlog)), func() string { return fmt.Sprintf("%v pending on %v", &s.obj, &l.obj) })
	l.acceptq.wakeAll(n.k)
}
