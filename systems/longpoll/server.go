package longpoll

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
	"github.com/weftsim/weft/sim/node"
)

// The server: Phoenix's long-poll transport (lib/phoenix/transports/
// long_poll.ex, the Plug every request runs, and long_poll_server.ex, the
// session process), the socket it drives (Phoenix.Socket's handle_in, in
// the session process) and the channel processes, as of February 2023
// before and after PRs 5281 and 5283. Each request runs in the process that
// serves its connection (sim/net's Serve, as Cowboy runs each request in a
// process of its own), which relays the request's messages to the session
// and waits for the session's answer: so two POSTs in flight are two
// processes, and whichever the scheduler runs first reaches the session
// first. On two servers a request may land on the one that does not own
// the session; it is then relayed to the owner over the servers'
// distribution (sim/node's Send, over the servers' TCP connection).

// The server's ports and timeouts (Phoenix's defaults).
const (
	httpPort      = 80
	window        = 10 * time.Second       // window_ms: a poll's wait, and a dispatch's
	pubsubTimeout = 2 * time.Second        // pubsub_timeout_ms: finding the session
	inactivity    = window + window/2      // a session no poll has reached for this long stops
	stallFor      = window + 2*time.Second // a stalled session (a fault) is slower than window
	restartDelay  = time.Second            // a crashed server is back after this
	partitionFor  = longpollTimeout + 5*time.Second
)

// server is one Phoenix server: a BEAM node (sim/node) on its host.
type server struct {
	r    *run
	name string
	host *net.Host
	nd   *node.Node
	l    *net.Listener
}

// spawn starts a process on the server's node.
func (n *server) spawn(name string, f func()) *sim.Proc { return n.nd.Spawn(name, f) }

// start boots the server on its node: the HTTP listener and its acceptor.
func (n *server) start() {
	l, err := n.host.Listen(httpPort)
	if err != nil {
		panic(fmt.Sprintf("longpoll: %s: listen: %v", n.name, err))
	}
	n.l = l
	// The acceptor owns the listener: the process that booted the node
	// may end.
	acc := n.spawn(n.name, func() { _ = l.Serve(n.handle) })
	_ = l.ControllingProcess(acc)
	if n == n.r.nodes[0] {
		for _, peer := range n.r.nodes[1:] {
			n.watch(peer)
		}
	}
}

// watch starts a process on n's node that watches peer's node
// (monitor_node) and notes each netsplit between them among the run's
// faults, as a Phoenix application logs nodedown: the relay hop's faults
// are sim/node's (FaultNetsplit), which the run learns of only so. The
// first server watches the others; a watch ends when either node goes
// down, and the heart of the one that comes back starts it again.
func (n *server) watch(peer *server) {
	if !n.nd.Alive() || !peer.nd.Alive() {
		return
	}
	w := n.r.w
	n.spawn("nodedown "+peer.name, func() {
		for {
			peer.nd.Monitor()
			m, _ := w.Receive(func(m any) bool { d, ok := m.(node.NodeDown); return ok && d.Node == peer.nd }, sim.Infinity)
			if m.(node.NodeDown).Reason != nil {
				return
			}
			n.r.faults = append(n.r.faults, fmt.Sprintf("%s lost its connection to %s (nodedown)", n.name, peer.name))
		}
	})
}

// heart watches the server's node from off the node, as heart watches a
// BEAM: when the node goes down, it brings it back after restartDelay
// (unless the run is over) and boots the server again.
func (n *server) heart() {
	w := n.r.w
	n.nd.Monitor()
	for {
		w.Receive(func(m any) bool { d, ok := m.(node.NodeDown); return ok && d.Node == n.nd }, sim.Infinity)
		w.Sleep(restartDelay)
		if n.r.stopping {
			return
		}
		n.nd.Restart()
		n.nd.Monitor()
		n.start()
		if first := n.r.nodes[0]; n != first {
			first.watch(n)
		}
	}
}

// The messages between request processes and the session, after
// long_poll.ex's: each carries the requester (a process, on a node) and a
// ref the answer echoes.
type (
	dispatchMsg struct {
		from *sim.Proc
		msg  Message
		ref  int
		req  string // the request's X-Request-Id, for the stories
	}
	// replyMsg is {:ok, ref} or {:error, ref}.
	replyMsg struct {
		ref int
		ok  bool
	}
	subscribeMsg struct {
		from *sim.Proc
		ref  int
	}
	subscribedMsg struct{ ref int }
	flushMsg      struct {
		from *sim.Proc
		ref  int
		ack  int // the sequenced design: the last message the client has
	}
	messagesMsg struct {
		ref  int
		msgs []string
		seq  int // the sequenced design: the first message's number
	}
	nowAvailableMsg struct{ ref int }
	expiredMsg      struct {
		from *sim.Proc
		ref  int
	}
)

func (m dispatchMsg) String() string     { return fmt.Sprintf("dispatch %v (%s)", m.msg, m.req) }
func (m replyMsg) String() string        { return fmt.Sprintf("{ok: %v, ref %d}", m.ok, m.ref) }
func (m subscribeMsg) String() string    { return fmt.Sprintf("subscribe ref %d", m.ref) }
func (m subscribedMsg) String() string   { return fmt.Sprintf("subscribed ref %d", m.ref) }
func (m flushMsg) String() string        { return fmt.Sprintf("flush ref %d", m.ref) }
func (m messagesMsg) String() string     { return fmt.Sprintf("%d messages, ref %d", len(m.msgs), m.ref) }
func (m nowAvailableMsg) String() string { return fmt.Sprintf("now_available ref %d", m.ref) }
func (m expiredMsg) String() string      { return fmt.Sprintf("expired ref %d", m.ref) }

// send sends msg to p as Pid ! Msg: at once on the same node, over the
// distribution to the other server's node.
func (r *run) send(p *sim.Proc, msg any) { node.Send(r.w, p, msg) }

// handle is the long-poll Plug, run once per request in the process that
// serves its connection.
func (n *server) handle(req net.Request) net.Response {
	r := n.r
	r.maybeRestart(n)
	var resp lpResponse
	switch req.Method {
	case "GET":
		resp = n.get(req)
	case "POST":
		resp = n.post(req)
	default:
		return net.Response{Status: 400}
	}
	r.maybeDropResponse(n, req)
	return net.Response{Header: net.Headers{{Name: "Content-Type", Value: "application/json"}}, Body: resp.body()}
}

// get starts a session, or listens to the existing one.
func (n *server) get(req net.Request) lpResponse {
	if s, ok := n.resume(req); ok {
		return n.listen(s, req)
	}
	return n.newSession()
}

// post publishes the request's messages to the session.
func (n *server) post(req net.Request) lpResponse {
	s, ok := n.resume(req)
	if !ok {
		return lpResponse{status: statusGone}
	}
	if n.r.v.sequenced() {
		return n.publishSeq(s, req)
	}
	lines := []string{string(req.Body)}
	if req.Header.Get("Content-Type") == "application/ndjson" {
		lines = strings.Split(string(req.Body), "\n")
	}
	// PR 5283's Enum.reduce_while: dispatch each message in turn, and halt
	// at the first that times out.
	status := statusOK
	id := req.Header.Get("X-Request-Id")
	for i, line := range lines {
		m := mustDecode(line)
		if !n.dispatch(s, m, id) {
			status = statusRequestTimeout
			for _, rest := range lines[i+1:] {
				n.r.haltedBefore(mustDecode(rest), m, id)
			}
			break
		}
	}
	return lpResponse{status: status}
}

// dispatch is transport_dispatch: send one message to the session, and
// wait up to window for its answer.
func (n *server) dispatch(s *session, m Message, reqID string) bool {
	w := n.r.w
	ref := n.r.makeRef()
	n.r.send(s.proc, dispatchMsg{from: w.Self(), msg: m, ref: ref, req: reqID})
	_, ok := w.Receive(func(x any) bool { rm, ok := x.(replyMsg); return ok && rm.ref == ref }, window)
	if !ok {
		n.r.timedOutDispatch(m, reqID)
	}
	return ok
}

// newSession starts a session process and answers 410 with its token.
func (n *server) newSession() lpResponse {
	r := n.r
	s := &session{r: r, n: n, channels: make(map[string]*chanEntry), inverse: make(map[*sim.Proc]*chanEntry)}
	r.nextSession++
	s.id = r.nextSession
	s.token = n.name + "/" + strconv.Itoa(s.id)
	s.lastPoll = r.w.Elapsed()
	if r.v.sequenced() {
		s.seq = &seqSession{}
	}
	r.sessions[s.token] = s
	s.proc = n.spawn(fmt.Sprintf("session %d", s.id), s.loop)
	return lpResponse{status: statusGone, token: s.token}
}

// resume is resume_session: find the token's session and make sure it
// answers (a subscribe round trip) within pubsubTimeout. A session that is
// gone (its server restarted, or it stopped) never answers.
func (n *server) resume(req net.Request) (*session, bool) {
	w := n.r.w
	s := n.r.sessions[req.Header.Get(tokenHeader)]
	if s == nil {
		return nil, false
	}
	ref := n.r.makeRef()
	n.r.send(s.proc, subscribeMsg{from: w.Self(), ref: ref})
	_, ok := w.Receive(func(x any) bool { m, ok := x.(subscribedMsg); return ok && m.ref == ref }, pubsubTimeout)
	return s, ok
}

// listen is the poll: ask the session for its buffered messages; if it
// has none, wait up to window for it to say it has some, then ask again.
func (n *server) listen(s *session, req net.Request) lpResponse {
	w := n.r.w
	ref := n.r.makeRef()
	ack, _ := strconv.Atoi(req.Header.Get("X-Ack"))
	n.r.send(s.proc, flushMsg{from: w.Self(), ref: ref, ack: ack})
	isMine := func(x any) bool {
		switch m := x.(type) {
		case messagesMsg:
			return m.ref == ref
		case nowAvailableMsg:
			return m.ref == ref
		}
		return false
	}
	m, ok := w.Receive(isMine, window)
	if ok {
		if _, avail := m.(nowAvailableMsg); avail {
			n.r.send(s.proc, flushMsg{from: w.Self(), ref: ref, ack: ack})
			m, ok = w.Receive(func(x any) bool { mm, ok := x.(messagesMsg); return ok && mm.ref == ref }, window)
		}
	}
	if !ok {
		n.r.send(s.proc, expiredMsg{from: w.Self(), ref: ref})
		return lpResponse{status: statusNoContent, token: s.token}
	}
	mm := m.(messagesMsg)
	return lpResponse{status: statusOK, token: s.token, messages: mm.msgs, seq: mm.seq}
}

// session is the long-poll session process (LongPoll.Server) with the
// socket it runs (Phoenix.Socket's state: the channels by topic).
type session struct {
	r        *run
	n        *server
	id       int
	token    string
	proc     *sim.Proc
	buffer   []string
	client   *poller
	lastPoll time.Duration
	channels map[string]*chanEntry    // by topic; looked up, never ranged over
	inverse  map[*sim.Proc]*chanEntry // by channel process; looked up, never ranged over
	seq      *seqSession              // the sequenced design's state
}

// poller is the poll waiting for messages (client_ref).
type poller struct {
	proc *sim.Proc
	ref  int
}

// chanEntry is a joined channel: its process, join_ref and monitor.
type chanEntry struct {
	topic   string
	pid     *sim.Proc
	joinRef int
	mon     sim.MonitorRef
	leaving bool
}

// The messages between the session and its channels.
type (
	joinMsg struct {
		session *sim.Proc
		ref     int
		msg     Message
	}
	joinReplyMsg struct {
		ref int
		ok  bool
	}
	socketPushMsg  struct{ msg Message }
	socketCloseMsg struct{ pid *sim.Proc }
)

func (m joinMsg) String() string        { return fmt.Sprintf("join %v", m.msg) }
func (m joinReplyMsg) String() string   { return fmt.Sprintf("join reply ok=%v", m.ok) }
func (m socketPushMsg) String() string  { return fmt.Sprintf("socket_push %v", m.msg) }
func (m socketCloseMsg) String() string { return "socket_close" }

// loop is the session process: handle each message, and stop when no poll
// has come for inactivity (shutdown_if_inactive).
func (s *session) loop() {
	w := s.r.w
	check := w.Elapsed() + inactivity
	for {
		m, ok := w.Receive(nil, check-w.Elapsed())
		if !ok {
			if w.Elapsed()-s.lastPoll > inactivity {
				s.r.note("session", "session %d stopped: no poll for %v", s.id, inactivity)
				return // its channels monitor it, and stop
			}
			check = w.Elapsed() + inactivity
			continue
		}
		s.handleInfo(m)
	}
}

func (s *session) handleInfo(m any) {
	w := s.r.w
	switch m := m.(type) {
	case dispatchMsg:
		s.r.maybeStall(s)
		ok := s.handleIn(m.msg, m.req, m.from)
		s.r.send(m.from, replyMsg{ref: m.ref, ok: ok})
	case dispatchBatchMsg:
		s.r.maybeStall(s)
		s.dispatchBatch(m)
	case subscribeMsg:
		s.r.send(m.from, subscribedMsg{ref: m.ref})
	case flushMsg:
		s.lastPoll = w.Elapsed()
		if s.seq != nil {
			s.seq.flushAck(s, m.ack)
		}
		if !s.hasPending() {
			s.client = &poller{proc: m.from, ref: m.ref}
			return
		}
		out := messagesMsg{ref: m.ref, msgs: s.buffer}
		if s.seq != nil {
			out.msgs, out.seq = s.seq.unacked(s)
		} else {
			s.buffer = nil
		}
		s.client = nil
		s.r.send(m.from, out)
	case expiredMsg:
		if s.client != nil && s.client.proc == m.from && s.client.ref == m.ref {
			s.client = nil
		}
	case socketPushMsg:
		s.publish(m.msg)
	case socketCloseMsg:
		s.socketClose(m.pid)
	case sim.Down:
		if e := s.inverse[m.Proc]; e != nil && e.mon == m.Ref {
			s.deleteChannel(e)
			s.publish(Message{JoinRef: e.joinRef, Ref: e.joinRef, Topic: e.topic, Event: evError, Reason: "channel_crash"})
		}
	}
}

// hasPending reports whether the session has messages for the client.
func (s *session) hasPending() bool {
	if s.seq != nil {
		return len(s.seq.buf) > 0
	}
	return len(s.buffer) > 0
}

// publish buffers a message for the client and tells a waiting poll.
func (s *session) publish(m Message) {
	if s.seq != nil {
		s.seq.publish(s, m)
	} else {
		s.buffer = append(s.buffer, m.encode())
	}
	if c := s.client; c != nil {
		s.r.send(c.proc, nowAvailableMsg{ref: c.ref})
	}
}

// handleIn is Phoenix.Socket's handle_in for one message of the client,
// which arrived in request reqID from process from. It reports whether the
// session answers the request {:ok} (it answers {:error} only when the
// socket stops, which never happens here).
func (s *session) handleIn(m Message, reqID string, from *sim.Proc) bool {
	r := s.r
	e := s.channels[m.Topic]
	r.handled(s, m, reqID, from, e)
	switch {
	case m.Event == evJoin && e == nil:
		s.join(m)
	case m.Event == evJoin && e.leaving && r.v.sequenced():
		// The sequenced design lets a channel that is leaving finish: it
		// handles what is in its mailbox, up to the leave, and closes.
		s.awaitLeave(e)
		s.join(m)
	case m.Event == evJoin:
		// A second join on the topic closes the first: shut it down, push
		// its phx_close (through the session's own mailbox, as
		// Phoenix's send(self(), {:socket_push, ...})), then join. The
		// exit signal ends the channel at once, whatever its mailbox
		// still holds (a push, the leave that came before this join).
		r.killedWith(s, e)
		s.shutdownDuplicate(e)
		s.deleteChannel(e)
		r.w.Send(s.proc, socketPushMsg{msg: Message{JoinRef: e.joinRef, Ref: e.joinRef, Topic: e.topic, Event: evClose}})
		s.join(m)
	case m.Event == evLeave && e != nil:
		if r.v.leaveJoinRef() && m.JoinRef != 0 && m.JoinRef != e.joinRef {
			r.note("socket", "ignored the leave of #%d: the topic's channel is #%d", m.JoinRef, e.joinRef)
			return true // PR 5281: the client raced a close; no reply
		}
		r.w.Send(e.pid, m)
		e.leaving = true
	case e != nil:
		if r.v.sequenced() && m.JoinRef != e.joinRef {
			return true // a message for an earlier instance of the topic: dropped
		}
		r.w.Send(e.pid, m)
	case m.Event == evLeave:
		s.publish(Message{JoinRef: m.JoinRef, Ref: m.Ref, Topic: m.Topic, Event: evReply, Status: "ok"})
	default:
		s.publish(Message{Ref: m.Ref, Topic: m.Topic, Event: evReply, Status: "error", Reason: "unmatched topic"})
	}
	return true
}

// join is Phoenix.Channel.Server.join: start the channel process, hand it
// the join, and wait for its answer (or its death); then answer the client.
func (s *session) join(m Message) {
	r := s.r
	w := r.w
	inst := &srvChannel{r: r, topic: m.Topic, joinRef: m.JoinRef, session: s}
	pid := s.n.spawn(fmt.Sprintf("channel %s #%d", m.Topic, m.JoinRef), inst.loop)
	inst.proc = pid
	r.srvChannels = append(r.srvChannels, inst)
	ref := r.makeRef()
	w.Send(pid, joinMsg{session: s.proc, ref: ref, msg: m})
	mon := w.Monitor(pid)
	reply, _ := w.Receive(func(x any) bool {
		switch x := x.(type) {
		case joinReplyMsg:
			return x.ref == ref
		case sim.Down:
			return x.Ref == mon
		}
		return false
	}, sim.Infinity)
	if jr, ok := reply.(joinReplyMsg); ok && jr.ok {
		e := &chanEntry{topic: m.Topic, pid: pid, joinRef: m.JoinRef, mon: mon}
		s.channels[m.Topic] = e
		s.inverse[pid] = e
		s.publish(Message{JoinRef: m.JoinRef, Ref: m.Ref, Topic: m.Topic, Event: evReply, Status: "ok"})
		return
	}
	s.publish(Message{JoinRef: m.JoinRef, Ref: m.Ref, Topic: m.Topic, Event: evReply, Status: "error", Reason: "join crashed"})
}

// shutdownDuplicate is shutdown_duplicate_channel: exit the channel with
// {shutdown, duplicate_join} and wait for it to go.
func (s *session) shutdownDuplicate(e *chanEntry) {
	w := s.r.w
	s.r.note("socket", "duplicate join for %s: closing channel #%d", e.topic, e.joinRef)
	w.SendExit(e.pid, sim.ShutdownWith{Info: "duplicate_join"})
	w.Receive(func(x any) bool { d, ok := x.(sim.Down); return ok && d.Ref == e.mon }, sim.Infinity)
}

// awaitLeave waits for the leaving channel e to close (its socket_close,
// or its death), and forgets it.
func (s *session) awaitLeave(e *chanEntry) {
	w := s.r.w
	m, _ := w.Receive(func(x any) bool {
		switch x := x.(type) {
		case socketCloseMsg:
			return x.pid == e.pid
		case sim.Down:
			return x.Ref == e.mon
		}
		return false
	}, sim.Infinity)
	if _, ok := m.(socketCloseMsg); ok {
		s.socketClose(e.pid)
		return
	}
	s.deleteChannel(e)
}

// socketClose: a channel stopped normally; forget it and tell the client.
func (s *session) socketClose(pid *sim.Proc) {
	e := s.inverse[pid]
	if e == nil {
		return
	}
	s.deleteChannel(e)
	if s.r.closeLost {
		return
	}
	s.publish(Message{JoinRef: e.joinRef, Ref: e.joinRef, Topic: e.topic, Event: evClose})
}

func (s *session) deleteChannel(e *chanEntry) {
	s.r.w.Kernel().DemonitorFlush(e.mon)
	if s.channels[e.topic] == e {
		delete(s.channels, e.topic)
	}
	delete(s.inverse, e.pid)
}

// srvChannel is a channel process (Phoenix.Channel.Server running the
// page's LiveView): it joins, applies the page's events, and leaves.
type srvChannel struct {
	r       *run
	topic   string
	joinRef int
	session *session
	proc    *sim.Proc
	// The harness's notes.
	ended string // how it ended, once it has
}

func (c *srvChannel) name() string { return fmt.Sprintf("channel %s #%d", c.topic, c.joinRef) }

func (c *srvChannel) loop() {
	r := c.r
	w := r.w
	jm, _ := w.Receive(func(x any) bool { _, ok := x.(joinMsg); return ok }, sim.Infinity)
	j := jm.(joinMsg)
	w.Send(j.session, joinReplyMsg{ref: j.ref, ok: true})
	smon := w.Monitor(j.session)
	reply := func(m Message, status string) {
		w.Send(j.session, socketPushMsg{msg: Message{JoinRef: c.joinRef, Ref: m.Ref, Topic: c.topic, Event: evReply, Status: status}})
	}
	for {
		x, _ := w.Receive(nil, sim.Infinity)
		switch m := x.(type) {
		case Message:
			if m.Topic != c.topic {
				continue
			}
			if m.Event == evLeave {
				r.leaveReached(c, m)
				reply(m, "ok")
				w.Send(j.session, socketCloseMsg{pid: w.Self()})
				c.ended = fmt.Sprintf("stopped by the leave of #%d", m.JoinRef)
				return
			}
			r.apply(c, m)
			reply(m, "ok")
		case sim.Down:
			if x.(sim.Down).Ref == smon {
				c.ended = "stopped with its session"
				return
			}
		}
	}
}
