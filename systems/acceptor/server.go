package acceptor

import (
	"errors"
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// gen_tcp_server: a gen_server that owns the listening socket and starts
// the accept loop; each accepted connection gets a loop process, which
// forwards what the socket delivers to the gen_server, where the httpd
// callback (httpd.go) keeps its maps. This file is the socket side: the
// gen_server's own loop, the accept loops of every listener pattern, and
// the connection loops.

// Timing of the server, in virtual time.
const (
	// backoffFirst and backoffMost bound the reviewed accept loop's backoff
	// after an accept error: it doubles from the first to the most.
	backoffFirst = 10 * time.Millisecond
	backoffMost  = time.Second
	// deferredDelay is how long the handler that answers noreply takes to
	// send its deferred reply.
	deferredDelay = 50 * time.Millisecond
	// poolSize is how many acceptors of the accept pool wait in accept.
	poolSize = 2
)

// The gen_server's messages.
type (
	// accepted: an acceptor accepted c and made h its handler.
	accepted struct {
		c *net.Conn
		h *sim.Proc
	}
	// slotReq: an acceptor asks for room for one more connection (FixLimit);
	// slotOK is the answer, and slotBack gives the room back unused (the
	// accept failed).
	slotReq  struct{ from *sim.Proc }
	slotOK   struct{}
	slotBack struct{}
	// tcpIn: a loop forwards data its socket delivered.
	tcpIn struct {
		c    *net.Conn
		data []byte
	}
	// tcpEnd: a loop's socket ended (closed or broke).
	tcpEnd struct{ c *net.Conn }
	// deferredReply: the timer of a handler that answered noreply.
	deferredReply struct {
		c   *net.Conn
		gen int
	}
	// reqTimeout: the timer of an incomplete request (FixPending).
	reqTimeout struct {
		c   *net.Conn
		gen int
	}
	// spawnReq: an acceptor asks the server to start the handler of c
	// (FixLink); spawned is the answer.
	spawnReq struct {
		from *sim.Proc
		c    *net.Conn
	}
	spawned struct {
		c *net.Conn
		h *sim.Proc
	}
	// stopListening: the operator closes the listening socket.
	stopListening struct{}
	// closeConn: the gen_server closed the loop's socket.
	closeConn struct{ c *net.Conn }
	// wsData and wsStop are the WebSocket process's messages.
	wsData struct{ data []byte }
	wsStop struct{}
)

func (m accepted) String() string      { return fmt.Sprintf("accepted %v by %v", m.c, m.h) }
func (m tcpIn) String() string         { return fmt.Sprintf("tcp_in %v (%d bytes)", m.c, len(m.data)) }
func (m tcpEnd) String() string        { return fmt.Sprintf("tcp_end %v", m.c) }
func (m deferredReply) String() string { return fmt.Sprintf("deferred_reply %v", m.c) }
func (m reqTimeout) String() string    { return fmt.Sprintf("request_timeout %v", m.c) }
func (m wsData) String() string        { return fmt.Sprintf("ws_data (%d bytes)", len(m.data)) }

// srv is one incarnation of the gen_tcp_server process and the httpd state
// it holds; a restart by the supervisor makes a new one.
type srv struct {
	r      *run
	v      Variant
	self   *sim.Proc
	parent *sim.Proc
	l      *net.Listener
	// conns are httpd's entries, one per socket it heard of, in the order
	// it did; byConn finds them (looked up, never iterated).
	conns  []*hconn
	byConn map[*net.Conn]*hconn
	// open counts the connections the server knows to be open; reserved
	// the room granted to an acceptor that has not accepted yet; waiters are
	// the acceptors waiting for room (FixLimit: open+reserved <= MaxConns).
	open, reserved int
	waiters        []*sim.Proc
	// pool is the accept pool's acceptors still waiting in accept.
	pool []*sim.Proc
	// acceptors are the accept loops this incarnation started.
	acceptors []*sim.Proc
	// pendingBytes and pendingEntries are pending_buffer_map's size.
	pendingBytes, pendingEntries int
}

// hconn is httpd's state for one socket: its entries in pending_buffer_map
// (buf), pending_request_map (req) and ws_socket_map (ws), and its loop.
type hconn struct {
	c      *net.Conn
	loop   *sim.Proc
	hasBuf bool
	buf    []byte
	bufGen int
	hasReq bool
	req    reqState
	reqGen int
	ws     *sim.Proc
	sc     *sconn // the harness's record
	closed bool
	// counted: the connection counts in open (its acceptor reported it,
	// and it had not closed by then).
	counted bool
}

// reqState is a pending_request_map value.
type reqState struct {
	waiting bool   // a handler answered noreply: its reply is due
	path    string // the request it answers
}

// genServer is gen_tcp_server's process: it opens the listener (on the
// port of the previous incarnation, or an ephemeral one the first time,
// which it reports, as the patched ScUtil returns it to the caller), starts
// the accept loop, and serves its mailbox.
func (s *srv) genServer() {
	w := s.r.w
	s.self = w.Self()
	if s.v.has(FixLink) {
		w.TrapExits(true)
	}
	l, err := s.r.srvHost.Listen(s.r.port)
	if err != nil {
		panic(fmt.Sprintf("gen_tcp_server: listen: %v", err)) // init fails: the supervisor retries
	}
	mode := s.r.mode
	if s.v.pat == Shunt98 || s.v.pat == Shunt {
		mode = net.ActiveFalse
	}
	_ = l.SetActive(mode)
	s.l = l
	s.r.listening(s, l)
	if s.v.pat == AcceptPool {
		s.fillPool()
	} else {
		s.acceptors = append(s.acceptors, w.SpawnLink("accept_loop", s.acceptLoop))
	}
	for {
		m, _ := w.Receive(nil, sim.Infinity)
		switch m := m.(type) {
		case accepted:
			s.accepted(m.c, m.h)
		case slotReq:
			if s.r.listenerClosed(s.l) {
				// The acceptor will find the listener closed.
				s.reserved++
				w.Send(m.from, slotOK{})
				continue
			}
			s.waiters = append(s.waiters, m.from)
			s.grantSlots()
		case slotBack:
			s.reserved--
			s.grantSlots()
		case spawnReq:
			// spawn_link from the server, which traps exits: the link is
			// made before the handler can run, so no crash of the server
			// can leave it behind, and its end reaches the server.
			c, sc := m.c, s.r.sconnOf(m.c)
			h := w.SpawnLink("loop", func() { s.handler(c, sc) })
			w.Send(m.from, spawned{c: c, h: h})
		case tcpIn:
			s.data(m.c, m.data)
		case tcpEnd:
			s.ended(s.conn(m.c))
		case deferredReply:
			s.deferred(m.c, m.gen)
		case reqTimeout:
			s.timedOut(m.c, m.gen)
		case stopListening:
			s.r.stopListeningAt(s)
			_ = s.l.Close()
			// Acceptors waiting for room will find the listener closed.
			for _, p := range s.waiters {
				s.reserved++
				w.Send(p, slotOK{})
			}
			s.waiters = nil
		case sim.ExitMsg:
			s.exited(m.From, m.Reason)
		}
	}
}

// exited handles an exit signal (FixLink: the server traps exits): its
// parent's ends it, as a gen_server's does; an acceptor's crash ends it
// too, so that the supervisor starts it afresh; a loop's or a WebSocket
// process's end is cleaned up after.
func (s *srv) exited(from *sim.Proc, reason any) {
	w := s.r.w
	if from == s.parent {
		w.Exit(reason)
	}
	for i, a := range s.acceptors {
		if a == from {
			s.acceptors = append(s.acceptors[:i], s.acceptors[i+1:]...)
			s.pool = without(s.pool, from)
			if reason != sim.Normal {
				w.Exit(reason)
			}
			return
		}
	}
	for _, hc := range s.conns {
		switch from {
		case hc.loop:
			s.ended(hc)
			return
		case hc.ws:
			// The connection speaks WebSocket and nothing serves it now.
			hc.ws = nil
			s.closeConn(hc, "its WebSocket process ended")
			return
		}
	}
}

// fillPool starts acceptors until poolSize wait in accept, or (FixLimit)
// until the connections and the waiting acceptors reach MaxConns.
func (s *srv) fillPool() {
	w := s.r.w
	for len(s.pool) < poolSize && (!s.v.has(FixLimit) || s.open+len(s.pool) < MaxConns) && !s.r.listenerClosed(s.l) {
		a := w.SpawnLink("acceptor", s.poolAcceptor)
		s.pool = append(s.pool, a)
		s.acceptors = append(s.acceptors, a)
	}
}

// grantSlots answers the acceptors waiting for room while there is some.
func (s *srv) grantSlots() {
	for len(s.waiters) > 0 && s.open+s.reserved < MaxConns {
		p := s.waiters[0]
		s.waiters = s.waiters[1:]
		s.reserved++ // the acceptor's, until it accepts or gives it back
		s.r.w.Send(p, slotOK{})
	}
}

// acceptLoop is the accept loop of every pattern but the pool: accept, hand
// the socket to a new handler, again. Its error handling is the review's
// item 1: as it was, an error ends it (returns, silently: it exits
// normally, so the gen_server, linked, does not notice); fixed, it backs
// off and retries, and a closed listener ends it unless the variant spins.
func (s *srv) acceptLoop() {
	w := s.r.w
	backoff := backoffFirst
	for {
		if s.v.has(FixLimit) {
			w.Send(s.self, slotReq{from: w.Self()})
			w.Receive(func(m any) bool { _, ok := m.(slotOK); return ok }, sim.Infinity)
		}
		c, err := s.l.Accept()
		if err != nil {
			if s.v.has(FixLimit) {
				w.Send(s.self, slotBack{})
			}
			if !s.acceptFailed(err, &backoff) {
				return
			}
			continue
		}
		backoff = backoffFirst
		s.r.acceptedConn(s, c)
		s.handOver(c)
	}
}

// acceptFailed is an accept loop's handling of err: it reports whether the
// loop goes on, after its backoff.
func (s *srv) acceptFailed(err error, backoff *time.Duration) bool {
	s.r.acceptError(s, err)
	if !s.v.has(FixAccept) {
		s.r.acceptorExits(s, err)
		return false // {error, _} -> ok: the loop returns
	}
	if errors.Is(err, net.ErrClosed) && !s.v.spin {
		s.r.acceptorExits(s, err)
		return false // {error, closed} -> closed
	}
	s.r.w.Sleep(*backoff)
	*backoff = min(2**backoff, backoffMost)
	return true
}

// handOver gives an accepted socket to a new handler, as the variant's
// listener pattern does.
func (s *srv) handOver(c *net.Conn) {
	w := s.r.w
	sc := s.r.sconnOf(c)
	var h *sim.Proc
	if s.v.has(FixLink) {
		w.Send(s.self, spawnReq{from: w.Self(), c: c})
		m, _ := w.Receive(func(m any) bool { r, ok := m.(spawned); return ok && r.c == c }, sim.Infinity)
		h = m.(spawned).h
	} else {
		// gen_tcp_server.erl lines 285-296: spawn, linked to nothing.
		h = w.Spawn("loop", func() { s.handler(c, sc) })
	}
	sc.handler = h
	switch s.v.pat {
	case Handoff, Shunt:
		s.r.handingOver(sc)
		if err := c.ControllingProcess(h); err != nil {
			// The handler is gone (a kill): the socket must not stay here.
			s.r.note(sc, "controlling_process failed: %v", err)
			s.r.closingConn(sc)
			_ = c.Close()
		}
	}
	w.Send(s.self, accepted{c: c, h: h})
	s.r.handedOver(sc)
}

// poolAcceptor is an acceptor of the pool: it accepts one connection,
// reports it (the gen_server starts a replacement), and handles it itself.
func (s *srv) poolAcceptor() {
	w := s.r.w
	backoff := backoffFirst
	for {
		c, err := s.l.Accept()
		if err != nil {
			if !s.acceptFailed(err, &backoff) {
				return
			}
			continue
		}
		s.r.acceptedConn(s, c)
		sc := s.r.sconnOf(c)
		sc.handler = w.Self()
		w.Send(s.self, accepted{c: c, h: w.Self()})
		s.r.handedOver(sc)
		s.connLoop(c, sc)
		return
	}
}

// handler is the process an acceptor spawns for a connection: the shunt of
// the shunt patterns, then the connection loop.
func (s *srv) handler(c *net.Conn, sc *sconn) {
	w := s.r.w
	sc.handler = w.Self()
	switch s.v.pat {
	case Shunt98:
		// controlling_process(ConnectedSocket, self()): only the owner may.
		if err := c.ControllingProcess(w.Self()); err != nil {
			s.r.note(sc, "the shunt's controlling_process(Socket, self()) failed: %v", err)
		}
		_ = c.SetActive(s.r.mode)
	case Shunt:
		_ = c.SetActive(s.r.mode)
	}
	s.connLoop(c, sc)
}

// connLoop is loop/2: take what the socket delivers, forward it to the
// gen_server; when the socket ends, say so and close it.
func (s *srv) connLoop(c *net.Conn, sc *sconn) {
	w := s.r.w
	server := s.self
	mode := s.r.mode
	for {
		if mode == net.ActiveFalse {
			data, err := c.Recv(0)
			if err != nil {
				// Close first: the server counts the connection until told.
				s.r.closingConn(sc)
				_ = c.Close()
				w.Send(server, tcpEnd{c: c})
				return
			}
			s.r.delivered(sc, data)
			w.Send(server, tcpIn{c: c, data: data})
			continue
		}
		m, _ := w.Receive(func(m any) bool {
			switch m := m.(type) {
			case net.TCPData:
				return m.Conn == c
			case net.TCPClosed:
				return m.Conn == c
			case net.TCPError:
				return m.Conn == c
			case closeConn:
				return m.c == c
			}
			return false
		}, sim.Infinity)
		switch m := m.(type) {
		case net.TCPData:
			s.r.delivered(sc, m.Data)
			w.Send(server, tcpIn{c: c, data: m.Data})
			if mode == net.ActiveOnce {
				_ = c.SetActive(net.ActiveOnce)
			}
		case net.TCPClosed:
			s.r.closingConn(sc)
			_ = c.Close()
			w.Send(server, tcpEnd{c: c})
			return
		case closeConn:
			return
		}
	}
}

func without(ps []*sim.Proc, p *sim.Proc) []*sim.Proc {
	for i, x := range ps {
		if x == p {
			return append(ps[:i:i], ps[i+1:]...)
		}
	}
	return ps
}
