package net

import (
	"fmt"
	"io"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// ActiveMode says where a connection's arriving data goes, as gen_tcp's
// active option does.
type ActiveMode uint8

const (
	// ActiveFalse (passive, the default): data waits in the receive buffer
	// for Recv, and a full buffer holds the sender back.
	ActiveFalse ActiveMode = iota
	// ActiveTrue: every arrival becomes a message to the controlling
	// process at once; nothing holds the sender back.
	ActiveTrue
	// ActiveOnce: the next arrival becomes a message, then the connection
	// is passive again.
	ActiveOnce
)

func (m ActiveMode) String() string {
	switch m {
	case ActiveFalse:
		return "false"
	case ActiveTrue:
		return "true"
	case ActiveOnce:
		return "once"
	}
	return fmt.Sprintf("ActiveMode(%d)", uint8(m))
}

func (m ActiveMode) validate(op string) {
	if m > ActiveOnce {
		panic(fmt.Sprintf("net: %s: %v is not an active mode (ActiveFalse, ActiveTrue or ActiveOnce)", op, m))
	}
}

// TCPData is the message an active connection sends its controlling process
// when data arrives, as gen_tcp's {tcp, Socket, Data}. Boundaries between
// messages need not match those of the peer's Sends.
type TCPData struct {
	Conn *Conn
	Data []byte
}

// TCPClosed is the message an active connection sends its controlling
// process when the stream ends: the peer closed its side, or (after a
// TCPError) the connection broke. As gen_tcp's {tcp_closed, Socket}. The
// connection stays open, and its descriptor held, until it is closed.
type TCPClosed struct{ Conn *Conn }

// TCPError is the message an active connection sends its controlling
// process when it breaks: Err is ErrReset or ErrTimeout. A TCPClosed
// follows, as gen_tcp does with show_econnreset.
type TCPError struct {
	Conn *Conn
	Err  error
}

func (m TCPData) String() string   { return fmt.Sprintf("tcp %v %s", m.Conn, quoteBytes(m.Data)) }
func (m TCPClosed) String() string { return fmt.Sprintf("tcp_closed %v", m.Conn) }
func (m TCPError) String() string  { return fmt.Sprintf("tcp_error %v: %v", m.Conn, m.Err) }

type connState uint8

const (
	connConnecting connState = iota // the client's handshake is under way
	connOpen                        // established
	connFailed                      // the handshake failed; the connection never opened
)

// Conn is one end of a TCP connection. Any process may Send, Recv or close
// it; only its controlling process gets its messages in active mode and may
// hand it on. Accessors (Local, Buffered, Info, ...) only read and may be
// called anywhere.
type Conn struct {
	sockBase
	host, remote *Host
	local, raddr Addr
	state        connState
	connErr      error // why the handshake failed
	in, out      *pipe // in: from the peer (nil until established), out: to it
	peer         *Conn // the other end, once it exists
	buf          []byte
	high         int   // the most bytes buf ever held
	eof          bool  // the peer's end of stream arrived
	broken       bool  // a reset arrived or retransmission gave up: nothing more is sent
	soErr        error // the error to report once, by the next Recv or Send (SO_ERROR)
	wrClosed     bool  // CloseWrite was called
	hasFD        bool
	ownsPort     bool // a client's ephemeral port, freed when it closes
	closedSent   bool // TCPClosed delivered
	rstSent      bool
	stalled      bool // a slow-reader fault holds its data back
	readq, connq waitList
	synTimer     sim.Alarm
	synTries     int
	stallTimer   sim.Alarm
	handle       Handler  // what takes its messages when a library drives it (driven.go)
	pending      [][]byte // what Write was given before the handshake completed
}

// Send sends data, waiting while the peer's receive buffer is full. It
// returns once every byte is on its way, not when they arrive. It fails
// with ErrClosed after Close, ErrPipe after CloseWrite, and, once the
// connection broke, with its error (ErrReset, ErrTimeout) if no call
// reported it yet and ErrPipe after that. Bytes already on their way stay
// so.
func (c *Conn) Send(data []byte) error { return c.send(data, sim.Infinity) }

// SendTimeout is Send that gives up with ErrTimeout after d of virtual time
// spent waiting for room (negative: waits forever); the bytes that found
// room before are on their way.
func (c *Conn) SendTimeout(data []byte, d time.Duration) error { return c.send(data, d) }

func (c *Conn) send(data []byte, timeout time.Duration) error {
	n := c.n
	n.op("Send")
	deadline := n.deadline(timeout)
	// The bytes travel in virtual time: the caller may reuse its slice.
	data = append([]byte(nil), data...)
	for {
		switch {
		case c.closed:
			return n.opErr(&c.obj, "send", ErrClosed)
		case c.wrClosed:
			return n.opErr(&c.obj, "send", ErrPipe)
		case c.soErr != nil:
			return n.opErr(&c.obj, "send", c.takeErr())
		case c.broken:
			return n.opErr(&c.obj, "send", ErrPipe)
		case len(data) == 0:
			return nil
		}
		room := c.out.window - c.out.unacked
		if room <= 0 {
			if n.expired(deadline) {
				return n.opErr(&c.obj, "send", ErrTimeout)
			}
			c.out.sendq.park(n.k, "send", &c.obj, deadline)
			continue
		}
		k := min(room, len(data))
		seg := data[:k:k]
		data = data[k:]
		c.out.push(segData, seg)
		n.k.Event(sim.EventSend, &c.obj, int64(k), func() string { return fmt.Sprintf("%v %s", &c.obj, quoteBytes(seg)) })
	}
}

// Recv waits for data and returns what is buffered, at most max bytes (max
// <= 0: all of it). Once every byte received was read, it returns io.EOF if
// the peer's end of stream arrived; if the connection broke, its error
// (ErrReset, ErrTimeout) once, then io.EOF. It fails with ErrClosed after
// Close and ErrActive in active mode.
func (c *Conn) Recv(max int) ([]byte, error) { return c.recv(max, sim.Infinity) }

// RecvTimeout is Recv that gives up with ErrTimeout after d of virtual time
// (0: only takes what is buffered; negative: waits forever).
func (c *Conn) RecvTimeout(max int, d time.Duration) ([]byte, error) { return c.recv(max, d) }

func (c *Conn) recv(max int, timeout time.Duration) ([]byte, error) {
	n := c.n
	n.op("Recv")
	deadline := n.deadline(timeout)
	for {
		switch {
		case c.closed:
			return nil, n.opErr(&c.obj, "recv", ErrClosed)
		case c.active != ActiveFalse:
			return nil, n.opErr(&c.obj, "recv", ErrActive)
		case len(c.buf) > 0 && !c.stalled:
			k := len(c.buf)
			if max > 0 && max < k {
				k = max
			}
			out := c.buf[:k:k]
			c.buf = c.buf[k:]
			if len(c.buf) == 0 {
				c.buf = nil
			}
			c.consume(k)
			n.k.Event(sim.EventRecv, &c.obj, int64(k), func() string { return fmt.Sprintf("%v %s", &c.obj, quoteBytes(out)) })
			return out, nil
		case len(c.buf) > 0:
			// A slow-reader fault holds the data back: wait for it.
			if n.expired(deadline) {
				return nil, n.opErr(&c.obj, "recv", ErrTimeout)
			}
		case c.soErr != nil && !c.eof:
			return nil, n.opErr(&c.obj, "recv", c.takeErr())
		case c.eof || c.broken:
			n.k.Event(sim.EventRecv, &c.obj, -1, func() string { return fmt.Sprintf("%v: EOF", &c.obj) })
			return nil, io.EOF
		case n.expired(deadline):
			return nil, n.opErr(&c.obj, "recv", ErrTimeout)
		}
		c.readq.park(n.k, "recv", &c.obj, deadline)
	}
}

// consume gives k bytes of the receive buffer back to the peer's window.
func (c *Conn) consume(k int) {
	if c.in != nil && k > 0 {
		c.in.unacked -= k
		c.in.sendq.wakeAll(c.n.k)
	}
}

// takeErr returns the pending error and clears it: it is reported once.
func (c *Conn) takeErr() error {
	err := c.soErr
	c.soErr = nil
	return err
}

func (c *Conn) discardBuf() {
	c.consume(len(c.buf))
	c.buf = nil
}

// CloseWrite ends the stream toward the peer (shutdown(SHUT_WR)): the peer
// reads io.EOF after the data sent before, and this side can still read.
func (c *Conn) CloseWrite() error {
	n := c.n
	n.op("CloseWrite")
	switch {
	case c.closed:
		return n.opErr(&c.obj, "shutdown", ErrClosed)
	case c.broken:
		return n.opErr(&c.obj, "shutdown", ErrPipe)
	case c.wrClosed:
		return nil
	}
	c.wrClosed = true
	c.out.push(segFin, nil)
	n.k.Event(sim.EventClose, &c.obj, 1, func() string { return fmt.Sprintf("%v (write side)", &c.obj) })
	c.out.sendq.wakeAll(n.k)
	return nil
}

// Close closes the connection and frees its descriptor. The peer reads the
// data sent before and then io.EOF, unless unread data is left here: then,
// as Linux does, the connection is reset instead. Processes waiting on the
// connection get ErrClosed. On a driven connection (Dial, ListenFunc),
// Close and Abort are not scheduling points.
func (c *Conn) Close() error { return c.closeOp("Close", "close", c.shut) }

// Abort closes the connection with a reset (SO_LINGER 0): the peer reads
// what had already reached it, then gets ErrReset.
func (c *Conn) Abort() error { return c.closeOp("Abort", "abort", func() { c.close(true) }) }

func (c *Conn) close(abort bool) {
	n := c.n
	if c.state == connConnecting {
		n.k.StopAlarm(&c.synTimer)
		c.state, c.connErr = connFailed, ErrClosed
		c.pending = nil
	}
	reset := c.state == connOpen && !c.broken && (abort || len(c.buf) > 0)
	switch {
	case reset:
		c.rstSent = true
		c.out.push(segRst, nil)
	case c.state == connOpen && !c.broken && !c.wrClosed:
		c.out.push(segFin, nil)
	}
	c.release()
	n.k.Event(sim.EventClose, &c.obj, boolArg(reset), func() string {
		if reset {
			return fmt.Sprintf("%v with reset", &c.obj)
		}
		return c.obj.String()
	})
	c.readq.wakeAll(n.k)
	c.connq.wakeAll(n.k)
	c.out.sendq.wakeAll(n.k)
}

// release frees what the connection holds on its host.
func (c *Conn) release() {
	if c.closed {
		return
	}
	c.closed = true
	if c.hasFD {
		c.host.releaseFD()
		c.hasFD = false
	}
	if c.ownsPort {
		delete(c.host.ports, c.local.Port)
		c.ownsPort = false
	}
	if c.owner != nil {
		c.n.disown(c.owner, c)
	}
	c.host.removeConn(c)
	c.discardBuf()
	// A slow-reader stall on a closed connection must not hold the clock.
	c.n.k.StopAlarm(&c.stallTimer)
}

// shut closes the connection in the orderly way, as Close does.
func (c *Conn) shut() { c.close(false) }

// arriveData puts arriving bytes in the receive buffer, or, on a socket
// that is gone, answers them with a reset.
func (c *Conn) arriveData(data []byte) {
	n := c.n
	if c.closed || c.broken {
		c.in.unacked -= len(data)
		c.answerRst()
		return
	}
	c.buf = append(c.buf, data...)
	c.high = max(c.high, len(c.buf))
	n.k.Event(sim.EventNote, &c.obj, int64(len(data)), func() string { return fmt.Sprintf("arrive %v %s", &c.obj, quoteBytes(data)) })
	if !c.stalled && n.k.Fault(FaultSlowReader) {
		c.stall()
	}
	c.pump()
	c.readq.wakeAll(n.k)
}

func (c *Conn) arriveFin() {
	if c.closed || c.broken || c.eof {
		return
	}
	c.eof = true
	c.n.k.Event(sim.EventNote, &c.obj, -1, func() string { return fmt.Sprintf("arrive %v: end of stream", &c.obj) })
	c.pump()
	c.readq.wakeAll(c.n.k)
}

func (c *Conn) arriveRst() {
	switch {
	case c.state == connConnecting:
		c.connectFailed(ErrRefused)
	case c.state == connOpen && !c.broken:
		if c.eof {
			// Linux: a reset in CLOSE_WAIT is EPIPE, which reads do not
			// report (the stream had already ended).
			c.fail(ErrPipe)
		} else {
			c.fail(ErrReset)
		}
	}
}

// answerRst answers a packet that reached a socket that is gone.
func (c *Conn) answerRst() {
	if c.rstSent || c.peer == nil {
		return
	}
	c.rstSent = true
	c.sendRst(0)
}

// sendRst sends the reset that answers the peer's data. The data it
// answers is never acknowledged, so when the reset is lost the peer sends
// that data again at its next retransmission, and is answered again: the
// reset is resent after the peer's RTO, as long as the peer is still open,
// until one arrives or the peer gives up after its retransmissions
// (ErrTimeout), as TCP's would.
func (c *Conn) sendRst(tries int) {
	n, peer := c.n, c.peer
	n.maybePartition(c.host, c.remote)
	a := &sim.Alarm{Obj: &c.obj}
	a.Fire = func() {
		lost, why := n.lost(c.host, c.remote)
		if !lost {
			peer.arriveRst()
			return
		}
		n.k.Event(sim.EventNote, &c.obj, 2, func() string { return fmt.Sprintf("rst %s -> %s lost (%s)", c.host.addr, c.remote.addr, why) })
		if peer.closed || peer.broken || peer.state != connOpen {
			return
		}
		if tries >= dataRetries {
			n.k.Event(sim.EventNote, &peer.obj, 3, func() string {
				return fmt.Sprintf("%s data gave up after %d retransmissions", peer, dataRetries)
			})
			peer.fail(ErrTimeout)
			return
		}
		again := &sim.Alarm{Obj: &c.obj, Fire: func() { c.sendRst(tries + 1) }}
		n.k.SetAlarm(again, n.k.Deadline(rto(tries+1)))
	}
	n.k.SetAlarm(a, n.k.Deadline(n.delay(c.host, c.remote)))
}

// fail breaks the connection with err (ErrReset, ErrTimeout, or ErrPipe
// for a reset after the end of stream): nothing more is sent, what arrived
// stays readable, and waiters wake to the error.
func (c *Conn) fail(err error) {
	n := c.n
	c.broken, c.soErr = true, err
	c.out.kill()
	n.k.Event(sim.EventNote, &c.obj, 1, func() string { return fmt.Sprintf("%v broke: %v", &c.obj, err) })
	c.pump()
	c.readq.wakeAll(n.k)
}

// stall holds the connection's data back for a while: a slow-reader fault.
func (c *Conn) stall() {
	n := c.n
	d := faultStalls[n.k.Decide(scheduler.Random, len(faultStalls))]
	c.stalled = true
	c.stallTimer = sim.Alarm{Obj: &c.obj, Fire: func() {
		c.stalled = false
		c.pump()
		c.readq.wakeAll(n.k)
	}}
	n.k.SetAlarm(&c.stallTimer, n.k.Deadline(d))
	n.k.Event(sim.EventNote, &c.obj, int64(d), func() string { return fmt.Sprintf("%v reader stalls for %v", &c.obj, d) })
}

// pump delivers what arrived to the controlling process, as messages, while
// the connection is active.
func (c *Conn) pump() {
	if c.owner == nil && c.handle == nil || c.closed || c.stalled {
		return
	}
	for c.active != ActiveFalse {
		switch {
		case len(c.buf) > 0:
			data := c.buf
			c.buf = nil
			c.consume(len(data))
			c.deliver(TCPData{Conn: c, Data: data})
		case c.soErr != nil && !c.eof && !c.closedSent:
			c.closedSent = true
			c.deliver(TCPError{Conn: c, Err: c.takeErr()})
			c.deliver(TCPClosed{Conn: c})
		case (c.eof || c.broken) && !c.closedSent:
			c.closedSent = true
			c.deliver(TCPClosed{Conn: c})
		default:
			return
		}
		if c.active == ActiveOnce {
			c.active = ActiveFalse
		}
	}
}

// deliver gives one of the connection's messages to its Handler, or to its
// controlling process.
func (c *Conn) deliver(m any) {
	if c.handle != nil {
		c.handle(m)
		return
	}
	c.n.k.Deliver(c.owner, m)
}

// SetActive sets where arriving data goes (see ActiveMode). Switching to
// an active mode delivers what is already buffered at once; a Recv waiting
// on the connection then fails with ErrActive. Any process may call it.
func (c *Conn) SetActive(mode ActiveMode) error { return c.setActive(mode, c.pump, &c.readq) }

// ControllingProcess hands the connection to p, as
// gen_tcp:controlling_process: only the current controlling process may
// (ErrNotOwner otherwise), and p must be alive (sim.ErrBadArg). As on the BEAM,
// the connection's messages still in the caller's mailbox move to p's, in
// order; a message the caller already took out is gone for p. From then on
// arrivals go to p, and the connection closes when p exits.
func (c *Conn) ControllingProcess(p *sim.Proc) error {
	if err := c.handOff(c, p, c.isMessage); err != nil {
		return err
	}
	c.pump()
	return nil
}

// isMessage reports whether m is one of the connection's messages.
func (c *Conn) isMessage(m any) bool {
	switch m := m.(type) {
	case TCPData:
		return m.Conn == c
	case TCPClosed:
		return m.Conn == c
	case TCPError:
		return m.Conn == c
	}
	return false
}

// Local and Remote are the connection's two addresses.
func (c *Conn) Local() Addr  { return c.local }
func (c *Conn) Remote() Addr { return c.raddr }

// Host is the host this end of the connection is on.
func (c *Conn) Host() *Host { return c.host }

// Owner is the controlling process (nil while pending in a backlog).
func (c *Conn) Owner() *sim.Proc { return c.owner }

// Active is the connection's active mode.
func (c *Conn) Active() ActiveMode { return c.active }

// Buffered is the number of bytes received and not yet read or delivered,
// and BufferedHigh the most it ever held.
func (c *Conn) Buffered() int     { return len(c.buf) }
func (c *Conn) BufferedHigh() int { return c.high }

// InFlight is the number of bytes sent and not yet consumed by the peer.
func (c *Conn) InFlight() int { return c.out.unacked }

// Info describes the connection now.
func (c *Conn) Info() ConnInfo {
	return ConnInfo{Conn: c, Local: c.local, Remote: c.raddr, Owner: c.owner, Buffered: len(c.buf),
		BufferedHigh: c.high, InFlight: c.out.unacked, Site: c.obj.Site()}
}

func (c *Conn) String() string { return c.obj.String() }
