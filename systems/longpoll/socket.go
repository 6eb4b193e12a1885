package longpoll

import (
	"fmt"
	"strings"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/sim"
)

// phoenix.js, as the page runs it: the Socket (one transport, many
// channels multiplexed by topic), Channel and Push, after
// assets/js/phoenix/{socket,channel,push}.js of February 2023. Each
// function keeps the original's name and order of effects; what is left
// out (heartbeats, which the long-poll transport skips; loggers; binary
// payloads) plays no part here. The sequenced design changes the socket
// in two places, both marked.

// The client's timeouts and backoffs (phoenix.js defaults).
const (
	phxPushTimeout  = 10 * time.Second // DEFAULT_TIMEOUT
	longpollTimeout = 20 * time.Second // longpollerTimeout: every XHR's timeout
)

var (
	rejoinAfter    = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second} // then 10s
	reconnectAfter = []time.Duration{10, 50, 100, 150, 200, 250, 500, 1000, 2000}   // ms, then 5s
)

func rejoinDelay(tries int) time.Duration {
	if tries-1 < len(rejoinAfter) {
		return rejoinAfter[tries-1]
	}
	return 10 * time.Second
}

func reconnectDelay(tries int) time.Duration {
	if tries-1 < len(reconnectAfter) {
		return reconnectAfter[tries-1] * time.Millisecond
	}
	return 5 * time.Second
}

// The channel states.
type chanState uint8

const (
	chClosed chanState = iota
	chErrored
	chJoined
	chJoining
	chLeaving
)

var chanStateNames = [...]string{chClosed: "closed", chErrored: "errored", chJoined: "joined", chJoining: "joining", chLeaving: "leaving"}

func (s chanState) String() string { return chanStateNames[s] }

// socket is phoenix.js's Socket.
type socket struct {
	b        *browser
	conn     transport // nil once torn down
	channels []*channel
	// draining are channels the sequenced design left while some of their
	// pushes had no answer yet: they still take their answers, and replay
	// their pushes on a new session.
	draining       []*channel
	ref            int
	sendBuffer     []Message
	reconnectTries int
	reconnectTimer *jsTimer
	closeWasClean  bool
	connections    int // transports made, for the stories
}

// transport is what the socket needs of phoenix.js's LongPoll.
type transport interface {
	isOpen() bool
	send(m Message)
	close(code int, reason string, clean bool)
	name() string
}

func (s *socket) makeRef() int { s.ref++; return s.ref }

func (s *socket) isConnected() bool { return s.conn != nil && s.conn.isOpen() }

// connect makes a transport (Socket.connect).
func (s *socket) connect() {
	s.closeWasClean = false
	s.connections++
	if s.b.r.v.sequenced() {
		s.conn = newSeqTransport(s)
	} else {
		s.conn = newLongPoll(s)
	}
}

// push is Socket.push: through the transport, or into the send buffer
// while it is not open.
func (s *socket) push(m Message) {
	if s.isConnected() {
		s.conn.send(m)
		return
	}
	s.sendBuffer = append(s.sendBuffer, m)
}

// onConnOpen is the transport's onopen.
func (s *socket) onConnOpen(t transport) {
	if t != s.conn {
		return
	}
	s.closeWasClean = false
	if s.isConnected() && len(s.sendBuffer) > 0 {
		buf := s.sendBuffer
		s.sendBuffer = nil
		for _, m := range buf {
			s.conn.send(m)
		}
	}
	s.b.clearTimeout(s.reconnectTimer)
	s.reconnectTries = 0
	for _, ch := range append([]*channel(nil), s.channels...) {
		ch.onSocketOpen()
	}
}

// onConnClose is the transport's onclose: the channels error, and the
// socket reconnects after a backoff unless the close was clean.
func (s *socket) onConnClose(t transport, code int) {
	if t != s.conn {
		return // the socket set this transport's onclose to a no-op
	}
	s.b.r.note("socket", "transport %s closed (%d)", t.name(), code)
	s.triggerChanError("connection_closed")
	if !s.closeWasClean && code != 1000 {
		s.reconnectTries++
		tries := s.reconnectTries
		s.b.clearTimeout(s.reconnectTimer)
		s.reconnectTimer = s.b.setTimeout(reconnectDelay(tries), func() { s.teardownThenConnect() })
	}
}

// onConnError is the transport's onerror: each channel's socket.onError
// callback resets its rejoin timer, then the channels that are joined or
// joining error (and schedule a rejoin).
func (s *socket) onConnError(t transport) {
	if t != s.conn {
		return
	}
	for _, ch := range s.channels {
		s.b.clearTimeout(ch.rejoinTimer)
		ch.rejoinTries = 0
	}
	s.triggerChanError("connection_error")
}

// teardownThenConnect is Socket.teardown(() => this.connect()): close the
// old transport (a plain close, so it says "closed" and the wait for it
// ends at once), drop it, and connect.
func (s *socket) teardownThenConnect() {
	if old := s.conn; old != nil {
		old.close(1000, "", true)
		s.conn = nil
	}
	s.connect()
}

func (s *socket) triggerChanError(reason string) {
	for _, ch := range append([]*channel(nil), s.channels...) {
		if ch.state != chErrored && ch.state != chLeaving && ch.state != chClosed {
			ch.onError(reason)
		}
	}
}

// onConnMessage routes a message to every channel that is a member of its
// topic (and, in the sequenced design, to the channels it is draining).
func (s *socket) onConnMessage(line string) {
	m := mustDecode(line)
	chs := append(append([]*channel(nil), s.channels...), s.draining...)
	for _, ch := range chs {
		if !ch.isMember(m) {
			continue
		}
		ch.trigger(m)
	}
}

func (s *socket) remove(ch *channel) {
	for i, c := range s.channels {
		if c == ch {
			s.channels = append(s.channels[:i], s.channels[i+1:]...)
			return
		}
	}
}

// leaveOpenTopic leaves a joined or joining channel of topic, if any
// (another instance about to join it).
func (s *socket) leaveOpenTopic(topic string) {
	for _, ch := range s.channels {
		if ch.topic == topic && (ch.state == chJoined || ch.state == chJoining) {
			ch.leave()
			return
		}
	}
}

// channel is phoenix.js's Channel, plus the harness's notes.
type channel struct {
	s           *socket
	topic       string
	state       chanState
	joinedOnce  bool
	joinPush    *push
	pushBuffer  []*push
	rejoinTimer *jsTimer
	rejoinTries int
	replies     map[int]*push // the pushes waiting for an answer, by ref; looked up, never ranged over

	// The harness's notes.
	name        string      // "lv:1 page 2"
	nav         *navigation // the navigation that joined it, if any
	leftByPage  bool        // the page itself left it
	closedBy    string      // what closed it, when the page did not
	pushes      []*push     // its application pushes, in the order the page made them
	joinOps     []joinOp    // its joins, for property 4
	onJoined    func()      // the page's callback for its (first) successful join
	joinedCount int
}

// joinOp is one join of a channel instance, recorded for property 4.
type joinOp struct {
	ref int
	op  sim.OpID
}

func (s *socket) channel(topic, name string) *channel {
	ch := &channel{s: s, topic: topic, name: name, replies: make(map[int]*push)}
	ch.joinPush = &push{ch: ch, event: evJoin, timeout: s.b.r.pushTimeout()}
	s.channels = append(s.channels, ch)
	return ch
}

func (ch *channel) joinRef() int { return ch.joinPush.ref }

// join is Channel.join.
func (ch *channel) join() {
	if ch.joinedOnce {
		panic("longpoll: tried to join multiple times")
	}
	ch.joinedOnce = true
	ch.rejoin()
}

// rejoin is Channel.rejoin: leave any other open instance of the topic,
// then (re)send the join push with a new ref.
func (ch *channel) rejoin() {
	if ch.state == chLeaving {
		return
	}
	ch.s.leaveOpenTopic(ch.topic)
	ch.state = chJoining
	ch.joinPush.resend()
}

// onSocketOpen is the channel's socket.onOpen callback.
func (ch *channel) onSocketOpen() {
	ch.s.b.clearTimeout(ch.rejoinTimer)
	ch.rejoinTries = 0
	if ch.state == chErrored {
		ch.rejoin()
	}
}

func (ch *channel) scheduleRejoin() {
	ch.rejoinTries++
	ch.s.b.clearTimeout(ch.rejoinTimer)
	ch.rejoinTimer = ch.s.b.setTimeout(rejoinDelay(ch.rejoinTries), func() {
		if ch.s.isConnected() {
			ch.rejoin()
		}
	})
}

func (ch *channel) canPush() bool { return ch.s.isConnected() && ch.state == chJoined }

// push is Channel.push of an application event.
func (ch *channel) push(id int) *push {
	p := &push{ch: ch, event: evApp, id: id, timeout: ch.s.b.r.pushTimeout(), seqOnChannel: len(ch.pushes) + 1}
	ch.pushes = append(ch.pushes, p)
	ch.s.b.r.madePush(p)
	if ch.canPush() {
		p.send()
	} else {
		p.startTimeout()
		ch.pushBuffer = append(ch.pushBuffer, p)
		p.note("buffered in the channel's pushBuffer (the channel is %s)", ch.state)
	}
	return p
}

// leave is Channel.leave: the leave push goes out and, the channel being no
// longer joined, its "ok" is triggered at once, so the channel closes and
// leaves the socket before the server has even seen the leave.
func (ch *channel) leave() {
	ch.s.b.clearTimeout(ch.rejoinTimer)
	ch.joinPush.cancelTimeout()
	ch.state = chLeaving
	ch.leftByPage = true
	lp := &push{ch: ch, event: evLeave, timeout: ch.s.b.r.pushTimeout()}
	onClose := func() { ch.onClose("leave") }
	lp.onOK = onClose
	lp.onTimeout = onClose
	lp.send()
	if !ch.canPush() {
		lp.trigger("ok")
	}
}

// onJoinOK is the join push's "ok".
func (ch *channel) onJoinOK() {
	ch.state = chJoined
	ch.s.b.clearTimeout(ch.rejoinTimer)
	ch.rejoinTries = 0
	buf := ch.pushBuffer
	ch.pushBuffer = nil
	for _, p := range buf {
		p.send()
	}
	ch.joinedCount++
	if ch.joinedCount == 1 && ch.onJoined != nil {
		ch.onJoined()
	}
}

func (ch *channel) onJoinError() {
	ch.state = chErrored
	if ch.s.isConnected() {
		ch.scheduleRejoin()
	}
}

// onJoinTimeout: a leave for the timed-out instance, then a rejoin later.
func (ch *channel) onJoinTimeout() {
	lp := &push{ch: ch, event: evLeave, timeout: ch.s.b.r.pushTimeout()}
	lp.send()
	ch.state = chErrored
	ch.joinPush.reset()
	if ch.s.isConnected() {
		ch.scheduleRejoin()
	}
}

// onClose is the channel's phx_close binding.
func (ch *channel) onClose(why string) {
	if ch.state == chClosed {
		return
	}
	ch.s.b.clearTimeout(ch.rejoinTimer)
	ch.state = chClosed
	ch.s.remove(ch)
	if !ch.leftByPage {
		ch.closedBy = why
		ch.s.b.r.channelLost(ch, why)
	}
	if ch.s.b.r.v.sequenced() && ch.leftByPage && ch.unanswered() > 0 {
		ch.s.draining = append(ch.s.draining, ch)
	}
}

// onError is the channel's phx_error binding.
func (ch *channel) onError(reason string) {
	if ch.state == chJoining {
		ch.joinPush.reset()
	}
	ch.state = chErrored
	if reason == "channel_crash" && !ch.leftByPage {
		ch.s.b.r.channelLost(ch, "phx_error")
	}
	if ch.s.isConnected() {
		ch.scheduleRejoin()
	}
}

// isMember is Channel.isMember: a message for the topic, unless it names
// another instance of it (an "outdated message", dropped).
func (ch *channel) isMember(m Message) bool {
	if ch.topic != m.Topic {
		return false
	}
	return m.JoinRef == 0 || m.JoinRef == ch.joinRef()
}

// trigger runs the channel's bindings for m.
func (ch *channel) trigger(m Message) {
	switch m.Event {
	case evReply:
		if p := ch.replies[m.Ref]; p != nil {
			p.answered(m)
		}
	case evClose:
		ch.s.b.r.note(ch.name, "phx_close for #%d", m.JoinRef)
		ch.onClose("phx_close")
	case evError:
		ch.onError(m.Reason)
	}
}

// unanswered counts the channel's application pushes with no answer yet.
func (ch *channel) unanswered() int {
	n := 0
	for _, p := range ch.pushes {
		if p.status == "" {
			n++
		}
	}
	return n
}

// push is phoenix.js's Push: one message with a ref, its answer, and its
// timeout.
type push struct {
	ch      *channel
	event   string
	id      int // an application event's id (0: join or leave)
	ref     int
	joinRef int // the channel instance it was sent for
	timeout time.Duration
	timer   *jsTimer
	sent    bool
	// received is the status of its answer ("ok", "error", "timeout"), as
	// Push.receivedResp; status is the harness's: the answer from the
	// server, if one came ("" while none has).
	received string
	status   string
	onOK     func()
	// onTimeout runs on the push's timeout (the join's and the leave's).
	onTimeout func()

	// The harness's notes.
	nav          *navigation // the navigation it is the leave or join of
	post         *xhr        // the last POST that carried it
	seen         *handling   // the session's first handling of it
	seqOnChannel int         // its place among its channel's pushes (1, 2, ...)
	op           sim.OpID    // property 4's check, while it is open
	opOpen       bool
	madeAt       time.Duration
	sentAt       time.Duration // when it last went to the transport
	story        []string      // what happened to it, in order
	sends        int           // the POSTs that carried it since its story last said something else
}

// note adds to p's story; a run of "sent in" notes reads as one.
func (p *push) note(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if k := len(p.story) - 1; k >= 0 && strings.HasPrefix(line, "sent in ") && strings.HasPrefix(p.story[k], "sent in ") {
		first, _, _ := strings.Cut(strings.TrimPrefix(p.story[k], "sent in "), " (")
		p.sends++
		p.story[k] = fmt.Sprintf("sent in %s (%d times in all, the last in %s)", first, p.sends, strings.TrimPrefix(line, "sent in "))
		return
	}
	if strings.HasPrefix(line, "sent in ") {
		p.sends = 1
	}
	p.story = append(p.story, line)
}

func (p *push) label() string {
	switch p.event {
	case evApp:
		return fmt.Sprintf("e%d", p.id)
	case evJoin:
		return fmt.Sprintf("join #%d", p.ref)
	}
	return fmt.Sprintf("%s #%d", p.event, p.joinRef)
}

// resend is Push.resend: reset, then send with a new ref.
func (p *push) resend() { p.reset(); p.send() }

// send is Push.send.
func (p *push) send() {
	if p.received == "timeout" {
		p.note("not sent: it had already timed out")
		return
	}
	p.startTimeout()
	p.sent = true
	s := p.ch.s
	if p.event == evJoin {
		p.joinRef = p.ref
	} else {
		p.joinRef = p.ch.joinRef()
	}
	p.sentAt = s.b.w.Elapsed()
	s.b.r.sending(p)
	s.push(Message{JoinRef: p.joinRef, Ref: p.ref, Topic: p.ch.topic, Event: p.event, PushID: p.id})
}

// reset is Push.reset: forget the ref and any answer.
func (p *push) reset() {
	p.cancelRefEvent()
	p.ref = 0
	p.received = ""
	p.sent = false
}

// startTimeout is Push.startTimeout: a new ref, bound to the channel's
// replies, and the timeout.
func (p *push) startTimeout() {
	if p.timer != nil {
		p.cancelTimeout()
	}
	p.cancelRefEvent()
	s := p.ch.s
	p.ref = s.makeRef()
	p.ch.replies[p.ref] = p
	if p.timeout > 0 {
		p.timer = s.b.setTimeout(p.timeout, func() { p.trigger("timeout") })
	}
}

func (p *push) cancelRefEvent() {
	if p.ref != 0 {
		delete(p.ch.replies, p.ref)
	}
}

func (p *push) cancelTimeout() {
	p.ch.s.b.clearTimeout(p.timer)
	p.timer = nil
}

// answered is the server's phx_reply for this push.
func (p *push) answered(m Message) {
	p.ch.s.b.r.answered(p, m)
	p.trigger(m.Status)
}

// trigger is Push.trigger: the channel's reply binding for the push's ref,
// which takes the answer once and runs the push's hooks.
func (p *push) trigger(status string) {
	if p.ch.replies[p.ref] != p {
		return // already answered or reset
	}
	p.cancelRefEvent()
	p.cancelTimeout()
	p.received = status
	switch {
	case p.event == evJoin && status == "ok":
		p.ch.onJoinOK()
	case p.event == evJoin && status == "error":
		p.ch.onJoinError()
	case p.event == evJoin && status == "timeout":
		p.ch.onJoinTimeout()
	case status == "ok" && p.onOK != nil:
		p.onOK()
	case status == "timeout" && p.onTimeout != nil:
		p.onTimeout()
	}
	if p.event == evApp && status == "timeout" {
		p.note("timed out after %v with no answer", p.timeout)
		p.ch.s.b.r.pushResolved(p)
	}
}

// Property 4's history: what the page saw of its channels' membership.

// recordJoin opens the join of the instance ref.
func (r *run) recordJoin(ch *channel, ref int) {
	op := r.w.Call(0, model.MembershipInput{Op: model.Join, Key: ch.topic, Ref: ref})
	ch.joinOps = append(ch.joinOps, joinOp{ref: ref, op: op})
}
