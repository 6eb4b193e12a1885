package acceptor

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
	"github.com/weftsim/weft/sim/node"
	"github.com/weftsim/weft/systems"
)

// Property is one of the eight properties every variant is judged by.
type Property int

// The properties, numbered as in the issue.
const (
	// NoLostBytes (P1): every byte a client sends that the server's socket
	// delivers goes to the connection's handler, in order.
	NoLostBytes Property = 1 + iota
	// AcceptResumes (P2): after an accept error clears, a new client is
	// accepted within AcceptBound, whenever the server has room for it.
	AcceptResumes
	// BoundedMemory (P3): httpd's pending buffers stay under
	// PendingBytesCap, and every server mailbox under MailboxCap, whatever
	// the clients do.
	BoundedMemory
	// NoOrphans (P4): no process or socket the server started stays behind
	// that nothing links, monitors or owns: none outlives its connection,
	// and none outlives the application's stop.
	NoOrphans
	// NoReplyFirst (P5): no crash on a legal handler reply: noreply on a
	// connection's first request.
	NoReplyFirst
	// BoundedAtomsConns (P6): at most MaxConns connections are open at once,
	// and the node survives any number of distinct query keys.
	BoundedAtomsConns
	// NoSpin (P7): after the listener closes, every accept loop ends within
	// closedPatience, having called accept at most SpinBound times more.
	NoSpin
	// NoStall (P8): no frame holds a scheduler for more than StallBound of
	// virtual time.
	NoStall
)

var propertyNames = [...]string{
	NoLostBytes: "no-lost-bytes", AcceptResumes: "accept-resumes", BoundedMemory: "bounded-memory",
	NoOrphans: "no-orphans", NoReplyFirst: "noreply-first", BoundedAtomsConns: "bounded-atoms-conns",
	NoSpin: "no-spin", NoStall: "no-stall",
}

// Properties lists the eight properties in order.
func Properties() []Property {
	return []Property{NoLostBytes, AcceptResumes, BoundedMemory, NoOrphans, NoReplyFirst, BoundedAtomsConns, NoSpin, NoStall}
}

// String is the property's short name, "P1-no-lost-bytes".
func (p Property) String() string {
	if p < NoLostBytes || p > NoStall {
		return fmt.Sprintf("Property(%d)", int(p))
	}
	return fmt.Sprintf("P%d-%s", int(p), propertyNames[p])
}

// Bounds and caps of the properties.
const (
	// AcceptBound is P2's bound: how long an accept may wait, once the
	// server has room for it (the reviewed loop backs off at most a second).
	AcceptBound = 2 * time.Second
	// PendingBytesCap is P3's cap on pending_buffer_map: what MaxPending
	// connections at MaxBuffer each hold.
	PendingBytesCap = MaxPending * MaxBuffer
	// MailboxCap is P3's cap on any server process's mailbox, in messages:
	// room for each of MaxConns connections to have its accept, its data,
	// its end and its exit notice waiting at once.
	MailboxCap = 4 * MaxConns
	// SpinBound is how many accept calls an accept loop may make after its
	// listener closed (P7).
	SpinBound = 16
	// StallBound is the longest a frame may hold a scheduler (P8).
	StallBound = time.Millisecond
)

// About says in a line what the property demands.
func (p Property) About() string {
	switch p {
	case NoLostBytes:
		return "every byte a client sends reaches its connection's handler, in order"
	case AcceptResumes:
		return fmt.Sprintf("after an accept error clears, a new client is accepted within %v once the server has room", AcceptBound)
	case BoundedMemory:
		return fmt.Sprintf("pending buffers stay under %d bytes and mailboxes under %d messages, whatever clients do", PendingBytesCap, MailboxCap)
	case NoOrphans:
		return "no process the server started outlives its connection (one that nothing will stop), and nothing of the server outlives the application's stop (nothing links, monitors or owns it)"
	case NoReplyFirst:
		return "no crash when a handler legally answers noreply to a connection's first request"
	case BoundedAtomsConns:
		return fmt.Sprintf("at most %d connections at once, and the node survives any number of distinct query keys", MaxConns)
	case NoSpin:
		return fmt.Sprintf("after the listener closes, the accept loops end within %v and %d accepts", closedPatience, SpinBound)
	case NoStall:
		return fmt.Sprintf("no WebSocket frame holds a scheduler for more than %v of virtual time", StallBound)
	}
	return p.String()
}

// propSet is the set of properties a run judges.
type propSet = systems.PropSet[Property]

// setOf is the set of props, or every property when props is empty.
func setOf(props []Property) propSet { return systems.SetOf("acceptor", Properties(), props) }

// fail fails the run for p, if this run judges p and the node is up. The
// message is the property's name and the story, told in names and causes
// rather than steps, so that it keeps its signature while the shrinker
// simplifies the schedule; the timeline has the steps.
func (r *run) fail(p Property, format string, args ...any) {
	if r.down || !r.props.Has(p) {
		return
	}
	r.w.Fatalf("%v: %s", p, fmt.Sprintf(format, args...))
}

// The observations the model reports. They are bookkeeping only: no
// scheduling point, no decision, so they never change a run.

// listening: incarnation s listens on l.
func (r *run) listening(s *srv, l *net.Listener) {
	r.srv, r.listener, r.port = s, l, l.Port()
}

// serverCrashed: incarnation s of gen_tcp_server raised v.
func (r *run) serverCrashed(s *srv, v any) {
	r.crashed = append(r.crashed, crash{at: r.w.Elapsed(), why: fmt.Sprint(v)})
}

// acceptedConn: an acceptor of s accepted c (P6).
func (r *run) acceptedConn(s *srv, c *net.Conn) {
	sc := r.sconnOf(c)
	sc.acceptor, sc.s = r.w.Self(), s
	if n := r.openConns(); n > MaxConns {
		if r.v.has(FixLimit) {
			r.fail(BoundedAtomsConns, "%d connections were open at once (the limit is %d)%s: gen_tcp_server counts a connection until its handler ends, and %s, and the acceptor accepted %s's connection in the room the server thought free",
				n, MaxConns, r.openStory(), r.leakStory(), sc.client())
			return
		}
		r.fail(BoundedAtomsConns, "%d connections were open at once (the limit is %d): the accept loop accepted %s's connection as it accepts every one, with nothing to limit them, each holding a descriptor and a process of its own (the review's item 8)%s",
			n, MaxConns, sc.client(), r.openStory())
	}
}

// openStory lists the clients of the open connections.
func (r *run) openStory() string {
	var names []string
	for _, c := range r.srvHost.Conns() {
		if c.Owner() != nil {
			names = append(names, r.sconnOf(c).client())
		}
	}
	return ": " + strings.Join(names, ", ")
}

// leakStory tells which open connections the server no longer counts: their
// handler ended, but it never owned their socket, so the socket stayed open.
func (r *run) leakStory() string {
	var parts []string
	for _, c := range r.srvHost.Conns() {
		sc := r.sconnOf(c)
		if h := sc.handler; c.Owner() != nil && h != nil && !h.Alive() && c.Owner() != h {
			parts = append(parts, fmt.Sprintf("%s's handler (%v) ended (%v) while the socket it never owned stayed open, owned by %v", sc.client(), procName(h), h.Reason(), procName(c.Owner())))
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, "; ") + ": " + r.v.pat.String() + " never hands the socket over, and a socket closes with its owner, not with the process that reads it"
	}
	var gone *sim.Proc
	for _, c := range r.srvHost.Conns() {
		sc := r.sconnOf(c)
		if old := sc.s; c.Owner() != nil && old != nil && old != r.srv && old.self != nil && !old.self.Alive() {
			parts = append(parts, sc.client())
			gone = old.self
		}
	}
	if len(parts) > 0 {
		return fmt.Sprintf("the connections of %s were accepted by an earlier gen_tcp_server (%v), which ended (%v); their loops, spawned unlinked (the review's item 4), live on with their sockets, and the restarted server counts from zero", strings.Join(parts, ", "), procName(gone), gone.Reason())
	}
	return "yet the connections outnumbered the handlers it counted"
}

// acceptError: an acceptor of s got err from accept.
func (r *run) acceptError(s *srv, err error) {
	w := r.w
	if cl := r.closing; cl != nil && cl.l == s.l && errors.Is(err, net.ErrClosed) {
		cl.accepts++
		if cl.accepts > SpinBound {
			r.fail(NoSpin, "after the listener closed, %v kept calling accept: %d calls in %v, each {error, closed}, and it does not end: it treats closed as any other accept error%s",
				procName(w.Self()), cl.accepts, w.Elapsed()-cl.at, r.spinHow())
		}
		return
	}
	r.acceptErrs = append(r.acceptErrs, acceptErr{at: w.Elapsed(), err: err, acceptor: w.Self(), hogFDs: r.hogFDs})
	if errors.Is(err, net.ErrEMFILE) && r.probeSched != nil && r.probeSched.Alive() {
		w.Kernel().Deliver(r.probeSched, probeNow{})
	}
}

// spinHow says how the spinning loop spins.
func (r *run) spinHow() string {
	if r.v.has(FixAccept) {
		return ", backing off between the calls as it does for emfile"
	}
	return ""
}

// probeNow: an accept error happened.
type probeNow struct{}

// acceptorExits: an accept loop of s returns after err.
func (r *run) acceptorExits(s *srv, err error) {
	r.exits = append(r.exits, acceptorExit{at: r.w.Elapsed(), err: err, acceptor: r.w.Self()})
}

// handingOver: the acceptor is about to hand sc to its handler; its mailbox
// holds what arrived before.
func (r *run) handingOver(sc *sconn) {
	for _, m := range r.w.Kernel().Mailbox(r.w.Self()) {
		if d, ok := m.(net.TCPData); ok && d.Conn == sc.c {
			sc.early++
		}
	}
}

// handedOver: the acceptor is done with sc.
func (r *run) handedOver(sc *sconn) { sc.handedOver = true }

// closingConn: the server is closing sc's socket.
func (r *run) closingConn(sc *sconn) {
	if sc.closedAt < 0 {
		sc.closedAt = r.w.Elapsed()
	}
}

// note keeps a note for sc's story.
func (r *run) note(sc *sconn, format string, args ...any) {
	sc.notes = append(sc.notes, fmt.Sprintf(format, args...))
}

// delivered: sc's handler got data from its socket (P1: in order).
func (r *run) delivered(sc *sconn, data []byte) {
	sc.got = append(sc.got, data...)
	if cc := sc.clientConn(); cc != nil && !bytes.HasPrefix(cc.sent, sc.got) {
		r.fail(NoLostBytes, "%s's handler (%v) got %q after %d bytes, which is not what %s sent there (%q)",
			sc.client(), procName(r.w.Self()), clip(data), len(sc.got)-len(data), sc.client(), clip(sc.cc.sent[len(sc.got)-len(data):]))
	}
}

// stopListeningAt: s closes its listener on the harness's request.
func (r *run) stopListeningAt(s *srv) {
	cl := &closing{l: s.l, s: s, at: r.w.Elapsed()}
	for _, a := range s.acceptors {
		if a.Alive() {
			cl.acceptor = append(cl.acceptor, a)
		}
	}
	r.closing = cl
}

// pendingChanged: s's pending_buffer_map changed (P3).
func (r *run) pendingChanged(s *srv, hc *hconn) {
	if s.pendingBytes <= PendingBytesCap {
		return
	}
	var who []string
	for _, x := range s.conns {
		if x.hasBuf {
			who = append(who, fmt.Sprintf("%s %d bytes", x.sc.client(), len(x.buf)))
		}
	}
	r.fail(BoundedMemory, "httpd's pending_buffer_map holds %d bytes (the cap is %d) for %d connections whose request never completed (%s): %s has sent %d bytes of headers over %v without the blank line that ends them, and an entry only goes when its request completes or its socket closes (the review's item 2)",
		s.pendingBytes, PendingBytesCap, s.pendingEntries, strings.Join(who, ", "), hc.sc.client(), len(hc.buf), r.w.Elapsed().Round(time.Millisecond))
}

// makingAtom: httpd is about to make an atom of query key k of sc's
// request.
func (r *run) makingAtom(s *srv, hc *hconn, k string) {
	made := 1
	if r.atomStory != nil {
		made = r.atomStory.made + 1
	}
	r.atomStory = &atomMaker{sc: hc.sc, key: k, made: made}
}

// badKey: httpd's `:=` is about to raise badkey for sc (P5).
func (r *run) badKey(s *srv, hc *hconn) {
	r.fail(NoReplyFirst, "gen_tcp_server crashed with {badkey, Socket}: %s's first request on its connection, GET /deferred, went to a handler that answered {noreply, State}, as a handler may; httpd.erl line 309 then records the request with PendingRequests#{Sock := Req}, and := needs a key that only a reply (=>) puts there (the review's item 5); every connection of the server goes with it",
		hc.sc.client())
}

// wsOrphaned: get_reply_token threw after WsHandler:start/3 started ws.
func (r *run) wsOrphaned(hc *hconn, ws *sim.Proc, err error) {
	hc.sc.orphanWhy = fmt.Sprintf("WsHandler:start/3 started it before get_reply_token/1 threw (%v); httpd caught the throw and answered 400, and the process never made it into ws_socket_map, so nothing will ever stop it (the review's item 3)", err)
}

// started: the server started p for sc.
func (r *run) started(sc *sconn, p *sim.Proc) { sc.procs = append(sc.procs, p) }

// serverClosed: httpd closed sc's socket.
func (r *run) serverClosed(sc *sconn, why string) { sc.closedWhy = why }

// hold: sc's WebSocket process holds a scheduler for d, unmasking a frame
// of frameLen bytes with mem bytes of working memory (P8).
func (r *run) hold(sc *sconn, frameLen int, d time.Duration, mem int) {
	w := r.w
	if d > StallBound {
		r.fail(NoStall, "%s's WebSocket process unmasked a %d-byte frame in one go, holding its scheduler for %v of virtual time (the bound is %v) and %d KiB of memory: unmask/4 conses a list cell for every byte, reverses the list, then makes the binary, all without yielding (the review's item 6)",
			sc.client(), frameLen, d, StallBound, mem>>10)
	}
	w.Sleep(d)
}

// nodeDown: the node went down (P6, and the end of every other
// judgement).
func (r *run) nodeDown(m node.NodeDown) {
	if a := r.atomStory; a != nil && strings.HasPrefix(m.Reason.Slogan, "no more index entries in atom_tab") {
		r.fail(BoundedAtomsConns, "the node crashed: %s. httpd makes an atom of every query key (list_to_atom/1, httpd.erl line 454, the review's item 7), and atoms are never freed: %d distinct keys from the clients filled the table's last %d entries, the last %q of %s's request; every process of the node went down with it",
			m.Reason.Slogan, a.made, AtomLimit-bootAtoms, a.key, a.sc.client())
	}
	r.fail(BoundedAtomsConns, "the node went down: %s", m.Reason.Slogan)
	r.down = true
}

// judgeSettled judges, once the clients are done and the server settled:
// P1 (no connection's bytes wait in another process's mailbox), P3 (no
// mailbox grew past its cap), and P4 (no process outlived its connection).
func (r *run) judgeSettled() {
	k := r.w.Kernel()
	for _, p := range r.node.Procs() {
		if !p.Alive() {
			continue
		}
		for _, m := range k.Mailbox(p) {
			d, ok := m.(net.TCPData)
			if !ok {
				continue
			}
			sc := r.bySrv[d.Conn]
			if sc == nil || !sc.handedOver || sc.handler == p || sc.handler == nil || died(sc.handler) {
				// No handler, or one that a crash or a kill ended: the
				// connection's fate is that of its handler.
				continue
			}
			r.fail(NoLostBytes, "%s sent %d bytes on its connection%s; its handler (%v) got %d of them, and %q waits in the mailbox of %v as {tcp, Socket, Data}: %s",
				sc.client(), sentLen(sc), sc.saw(), procName(sc.handler), len(sc.got), clip(d.Data), procName(p), r.lostWhy(sc, p))
		}
	}
	for _, p := range r.node.Procs() {
		if p.MailboxHigh() > MailboxCap {
			r.fail(BoundedMemory, "the mailbox of %v held %d messages (the cap is %d)%s", procName(p), p.MailboxHigh(), MailboxCap, r.mailboxWhy(p))
		}
	}
	open := map[*net.Conn]bool{} // looked up only
	for _, c := range r.srvHost.Conns() {
		open[c] = true
	}
	now := r.w.Elapsed()
	for _, sc := range r.sconns {
		if open[sc.c] || sc.closedAt < 0 || now-sc.closedAt < settle {
			continue
		}
		for _, p := range sc.procs {
			if p.Alive() {
				why := sc.orphanWhy
				if why == "" {
					why = "nothing stopped it when the connection ended"
				}
				r.fail(NoOrphans, "%v, started for %s's connection, is still alive %v after that connection closed%s: %s",
					procName(p), sc.client(), settle, sc.closedStory(), why)
			}
		}
		if h := sc.handler; h != nil && h.Alive() && h != sc.acceptor {
			r.fail(NoOrphans, "%v, the handler of %s's connection, is still alive %v after that connection closed", procName(h), sc.client(), settle)
		}
	}
}

// lostWhy says why data for sc reached p rather than its handler.
func (r *run) lostWhy(sc *sconn, p *sim.Proc) string {
	mode := fmt.Sprintf("{active, %v}", r.mode)
	switch r.v.pat {
	case Idiomatic:
		return fmt.Sprintf("it owned the socket when they arrived: the idiomatic listener spawns the handler and passes it the socket, but never makes it the controlling process, so with %s every byte goes to the acceptor, which never reads its mailbox", mode)
	case Shunt98:
		return fmt.Sprintf("%s, then set %s, which delivers to the socket's owner, the acceptor; the shunt never got control (ScUtil 98), and the acceptor never reads its mailbox", strings.Join(sc.notes, "; "), mode)
	}
	return fmt.Sprintf("it was the socket's owner when they arrived (%s)", mode)
}

// mailboxWhy explains a mailbox that grew past its cap.
func (r *run) mailboxWhy(p *sim.Proc) string {
	stray := 0
	for _, m := range r.w.Kernel().Mailbox(p) {
		if d, ok := m.(net.TCPData); ok {
			if sc := r.bySrv[d.Conn]; sc != nil && sc.handler != p {
				stray++
			}
		}
	}
	if stray > 0 {
		return fmt.Sprintf(": %d of them are {tcp, Socket, Data} of connections it accepted and never handed over, which nothing will ever read: with {active, %v} each arrival is one more, a non-discarding mailbox as the fast-packet-loss write-up warned", stray, r.mode)
	}
	return ""
}

// closeListener closes the listener, as an operator stopping the server
// does first, and judges P7: the accept loops must end.
func (r *run) closeListener() {
	w := r.w
	s := r.srv
	if s == nil || s.self == nil || !s.self.Alive() {
		return
	}
	w.Send(s.self, stopListening{})
	w.Sleep(closedPatience)
	cl := r.closing
	if cl == nil || r.down {
		return
	}
	for _, a := range cl.acceptor {
		if a.Alive() && !r.handles(a) {
			r.fail(NoSpin, "%v closed its listener and %v is still running %v later: it called accept %d more times, each {error, closed}, and does not end, for it treats closed as any other accept error%s",
				procName(cl.s.self), procName(a), closedPatience, cl.accepts, r.spinHow())
		}
	}
}

// handles reports whether p is a connection's handler (an acceptor of the
// pool that accepted one is).
func (r *run) handles(p *sim.Proc) bool {
	for _, sc := range r.sconns {
		if sc.handler == p {
			return true
		}
	}
	return false
}

// stopApplication stops the application, and judges P4: nothing of the
// server may outlive it.
func (r *run) stopApplication() {
	if r.app == nil || r.down {
		return
	}
	r.app.Stop()
	r.w.Sleep(settle) // what the stop's exit signals end, ends
	var left []string
	for _, p := range r.node.Procs() {
		if p.Alive() {
			left = append(left, r.role(p))
		}
	}
	sockets := 0
	for _, c := range r.srvHost.Conns() {
		if c.Owner() != nil {
			sockets++
		}
	}
	if len(left) > 0 || sockets > 0 {
		r.fail(NoOrphans, "after the application stopped, %d processes and %d sockets of the server were left, which nothing links, monitors or owns: %s",
			len(left), sockets, strings.Join(left, "; "))
	}
}

// role tells what p is, for a story.
func (r *run) role(p *sim.Proc) string {
	for _, sc := range r.sconns {
		if sc.handler == p {
			s := fmt.Sprintf("%v, the loop of %s's connection (socket %s)", procName(p), sc.client(), openOrClosed(r, sc.c))
			if !r.v.has(FixLink) {
				s += ", spawned unlinked (gen_tcp_server.erl lines 285-296, the review's item 4)"
				if sc.s != nil && !sc.s.self.Alive() && len(r.crashed) > 0 {
					s += fmt.Sprintf(", and its gen_tcp_server died before the stop (%s) without taking it along", r.crashed[0].why)
				}
			}
			return s
		}
		for _, x := range sc.procs {
			if x == p {
				why := sc.orphanWhy
				if why == "" && !r.v.has(FixLink) {
					why = "WsHandler:start/3 starts it unlinked (the review's item 4)"
				}
				return fmt.Sprintf("%v, the WebSocket process of %s's connection: %s", procName(p), sc.client(), why)
			}
		}
	}
	return procName(p)
}

func openOrClosed(r *run, c *net.Conn) string {
	for _, x := range r.srvHost.Conns() {
		if x == c {
			return "still open"
		}
	}
	return "closed"
}

// probe is the harness's probe of the accept loop (P2): after the first
// emfile, once the window clears, it connects and checks that it is
// accepted within AcceptBound whenever the server has room for it.
func (r *run) probe() {
	w := r.w
	defer w.Send(r.mainProc, helperDone{})
	m, _ := w.Receive(func(m any) bool {
		switch m.(type) {
		case probeNow, probeEnd:
			return true
		}
		return false
	}, sim.Infinity)
	if _, end := m.(probeEnd); end {
		return
	}
	for w.Elapsed() < r.hogUntil {
		w.Sleep(r.hogUntil - w.Elapsed())
	}
	w.Sleep(probeDelay)
	cl := &client{r: r, name: "probe", kind: plain, fast: true}
	cc := cl.connect()
	if cc == nil {
		return
	}
	defer func() { _ = cc.c.Close() }()
	cl.send(cc, requestText("/probe", ""))
	since := w.Elapsed()
	strikes := 0
	for range 6 {
		w.Sleep(AcceptBound)
		if r.down {
			return
		}
		switch r.probeState(cc) {
		case probeAccepted:
			return
		case probeAbsent:
			strikes = 0
			continue
		}
		if r.acceptExcuse() != "" {
			strikes = 0
			continue
		}
		strikes++
		if strikes == 2 {
			r.fail(AcceptResumes, "the probe connected %v after an accept error cleared and was still waiting in the listener's backlog %v later, with descriptors free, the listener open and room for it: %s",
				probeDelay, (w.Elapsed() - since).Round(time.Millisecond), r.acceptStory())
			return
		}
	}
}

type probeStatus uint8

const (
	probeAbsent probeStatus = iota
	probePending
	probeAccepted
)

// probeState says where the probe's connection is on the server.
func (r *run) probeState(cc *cconn) probeStatus {
	for _, c := range r.srvHost.Conns() {
		if c.Remote() == cc.c.Local() {
			if c.Owner() == nil {
				return probePending
			}
			return probeAccepted
		}
	}
	for _, sc := range r.sconns {
		if sc.clientConn() == cc {
			return probeAccepted
		}
	}
	return probeAbsent
}

// acceptExcuse says why an accept loop that works could not accept now, or
// "".
func (r *run) acceptExcuse() string {
	switch {
	case r.closing != nil:
		return "the listener is closed"
	case r.srv == nil || r.srv.self == nil || !r.srv.self.Alive():
		return "gen_tcp_server is restarting"
	case r.srvHost.FDs() >= srvFDLimit:
		return "no descriptor is free"
	case r.v.has(FixLimit) && r.openConns() >= MaxConns:
		return "the server is at its connection limit"
	}
	return ""
}

// acceptStory tells what became of the accept loop.
func (r *run) acceptStory() string {
	if len(r.exits) > 0 {
		e := r.exits[0]
		why := "an injected fault"
		for _, ae := range r.acceptErrs {
			if ae.acceptor == e.acceptor && ae.at == e.at && ae.hogFDs > 0 {
				why = fmt.Sprintf("a batch job held %d of the host's %d descriptors", ae.hogFDs, srvFDLimit)
			}
		}
		return fmt.Sprintf("the accept loop (%v) returned when accept failed with %v at %v (%s), without a replacement, and gen_tcp_server runs on, not accepting (the review's item 1)",
			procName(e.acceptor), errName(e.err), e.at.Round(time.Millisecond), why)
	}
	return "no accept loop takes it"
}

func errName(err error) string {
	switch {
	case errors.Is(err, net.ErrEMFILE):
		return "emfile"
	case errors.Is(err, net.ErrClosed):
		return "closed"
	}
	return err.Error()
}

// died reports whether p ended abnormally (killed, crashed, or by a
// linked process's exit).
func died(p *sim.Proc) bool {
	return !p.Alive() && p.Reason() != sim.Normal
}

func procName(p *sim.Proc) string {
	if p == nil {
		return "no process"
	}
	return fmt.Sprintf("%v %s", p, p.Name())
}

// saw tells what the connection's client saw, for a story.
func (sc *sconn) saw() string {
	if cc := sc.clientConn(); cc != nil && cc.cl.outcome != "" {
		return " (the client's account: " + cc.cl.outcome + ")"
	}
	return ""
}

// closedStory tells why the server closed the connection, if it did.
func (sc *sconn) closedStory() string {
	if sc.closedWhy != "" {
		return " (httpd closed it: " + sc.closedWhy + ")"
	}
	return ""
}

func sentLen(sc *sconn) int {
	if cc := sc.clientConn(); cc != nil {
		return len(cc.sent)
	}
	return 0
}

// clip quotes at most 40 bytes of data.
func clip(data []byte) string {
	if len(data) > 40 {
		return string(data[:40]) + "…"
	}
	return string(data)
}
