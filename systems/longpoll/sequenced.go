package longpoll

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// The sequenced design: the long-poll transport made a reliable, ordered
// stream in each direction, as TCP makes one of IP, and the channel layer
// made to replay what a lost session took with it.
//
// Upstream, the client numbers every message of a session (1, 2, ...) and
// sends the messages of one tick as one POST at once, without waiting for
// earlier POSTs (so a navigation never waits behind a push in flight). The
// session handles messages strictly in number order: a POST that arrives
// ahead of a gap waits until the gap is filled, and one that repeats
// numbers already handled is answered without handling them again. Each
// answer acknowledges the highest number handled; the client keeps every
// message until it is acknowledged, and after a failed POST (a timeout, a
// network error, a 408 or a balancer's 502 or 504) sends all of them again.
//
// Downstream, the session numbers what it publishes and keeps it until a
// poll acknowledges it (each GET says the last number the client has), so
// an answer lost with a poll's response comes again with the next poll.
//
// A session can still be lost (its server restarts, or no poll reaches it
// for inactivity). The client then opens a new session and replays: each
// channel joins again and sends again every push that has no answer yet,
// with its push id, which the application uses as an idempotency key; a
// channel the page left while pushes of it had no answer joins again, sends
// them, and leaves. So every push is applied once, whatever was lost.

// seqTransport is the sequenced design's client transport.
type seqTransport struct {
	s          *socket
	n          int
	open       bool
	hadSession bool
	token      string
	epoch      int // the session's generation: answers of an earlier one are ignored
	reqs       []*xhr
	// Upstream: the messages not yet acknowledged, numbers acked+1...
	nextSeq    int
	acked      int
	outbox     []Message // outbox[i] has number acked+1+i
	sentUpTo   int
	flushTimer *jsTimer
	retryTimer *jsTimer
	retries    int
	// Downstream: the last number received.
	lastRecv  int
	pollFails int
}

func newSeqTransport(s *socket) *seqTransport {
	t := &seqTransport{s: s, n: s.connections}
	t.poll()
	return t
}

func (t *seqTransport) name() string { return fmt.Sprintf("sequenced %d", t.n) }
func (t *seqTransport) isOpen() bool { return t.open }

// send numbers m and sends it with the rest of this tick's messages.
func (t *seqTransport) send(m Message) {
	t.nextSeq++
	t.outbox = append(t.outbox, m)
	if t.flushTimer == nil {
		t.flushTimer = t.s.b.setTimeout(0, func() {
			t.flushTimer = nil
			t.flush()
		})
	}
}

// flush sends the messages never sent yet, as one POST.
func (t *seqTransport) flush() {
	if t.sentUpTo >= t.nextSeq {
		return
	}
	from := max(t.sentUpTo, t.acked) + 1
	t.post(from, t.outbox[from-t.acked-1:])
	t.sentUpTo = t.nextSeq
}

// post sends msgs, numbered from first.
func (t *seqTransport) post(first int, msgs []Message) {
	epoch := t.epoch
	hdr := net.Headers{{Name: "Content-Type", Value: "application/ndjson"}, {Name: "X-Seq", Value: strconv.Itoa(first)}}
	t.ajax("POST", hdr, msgs, func(resp *lpResponse) {
		if epoch != t.epoch {
			return
		}
		switch {
		case resp != nil && resp.status == statusOK:
			t.ack(resp.acked)
		case resp != nil && resp.status == statusGone:
			t.sessionLost()
		default:
			t.scheduleRetry()
		}
	})
}

// ack forgets the messages up to n.
func (t *seqTransport) ack(n int) {
	if n <= t.acked {
		return
	}
	n = min(n, t.nextSeq)
	t.outbox = t.outbox[n-t.acked:]
	t.acked = n
	t.retries = 0
}

// scheduleRetry sends every unacknowledged message again after a backoff
// (100ms, doubling up to 2s), once.
func (t *seqTransport) scheduleRetry() {
	if t.retryTimer != nil {
		return
	}
	t.retries++
	d := min(100*time.Millisecond<<(t.retries-1), 2*time.Second)
	t.retryTimer = t.s.b.setTimeout(d, func() {
		t.retryTimer = nil
		if len(t.outbox) > 0 && t.open {
			t.post(t.acked+1, t.outbox)
		}
	})
}

// poll is the GET, acknowledging what the client has.
func (t *seqTransport) poll() {
	epoch := t.epoch
	hdr := net.Headers{{Name: "X-Ack", Value: strconv.Itoa(t.lastRecv)}}
	t.ajax("GET", hdr, nil, func(resp *lpResponse) {
		if epoch != t.epoch {
			return
		}
		if resp == nil || (resp.status != statusOK && resp.status != statusNoContent && resp.status != statusGone) {
			t.pollFails++
			d := min(100*time.Millisecond<<(t.pollFails-1), 2*time.Second)
			t.s.b.setTimeout(d, func() {
				if epoch == t.epoch {
					t.poll()
				}
			})
			return
		}
		t.pollFails = 0
		switch resp.status {
		case statusOK:
			for i, line := range resp.messages {
				if n := resp.seq + i; n > t.lastRecv {
					t.lastRecv = n
					t.s.b.setTimeout(0, func() {
						if t.s.conn == t {
							t.s.onConnMessage(line)
						}
					})
				}
			}
		case statusGone:
			if t.hadSession {
				// The poll found the session gone, and made a new one.
				t.reset()
				t.token = resp.token
				t.open = true
				t.s.b.r.note("socket", "a new session replaces the lost one: replaying")
				t.s.replay()
			} else {
				t.token = resp.token
				t.open = true
				t.hadSession = true
				t.s.onConnOpen(t)
			}
		}
		t.poll()
	})
}

// sessionLost: a POST found the session gone. Start over: a new session,
// whose opening replays the channels.
func (t *seqTransport) sessionLost() {
	t.reset()
	t.poll()
}

// reset forgets the lost session: its requests, its numbering, its token.
// What the new session needs the socket's replay sends again.
func (t *seqTransport) reset() {
	for _, x := range t.reqs {
		x.abort()
	}
	t.reqs = nil
	t.epoch++
	t.open = false
	t.token = ""
	t.nextSeq, t.acked, t.sentUpTo, t.lastRecv, t.retries = 0, 0, 0, 0, 0
	t.outbox = nil
	t.s.b.clearTimeout(t.flushTimer)
	t.s.b.clearTimeout(t.retryTimer)
	t.flushTimer, t.retryTimer = nil, nil
}

func (t *seqTransport) close(code int, reason string, clean bool) {
	for _, x := range t.reqs {
		x.abort()
	}
	t.reqs = nil
	t.epoch++
	t.open = false
}

func (t *seqTransport) ajax(method string, header net.Headers, msgs []Message, callback func(*lpResponse)) {
	if t.token != "" {
		header = append(header, net.Header{Name: tokenHeader, Value: t.token})
	}
	body := requestBody(msgs)
	var x *xhr
	forget := func() {
		for i, y := range t.reqs {
			if y == x {
				t.reqs = append(t.reqs[:i], t.reqs[i+1:]...)
				return
			}
		}
	}
	x = t.s.b.ajax(method, header, body, longpollTimeout, forget, func(resp *lpResponse) {
		forget()
		callback(resp)
	})
	for _, m := range msgs {
		x.carried = append(x.carried, m.String())
		t.s.b.r.posted(x, m)
	}
	t.reqs = append(t.reqs, x)
}

// replay is the sequenced socket's answer to a lost session: the channels
// left with unanswered pushes join, send them again, and leave; then every
// channel the page still has joins and sends its unanswered pushes again.
// The transport keeps them in this order.
func (s *socket) replay() {
	s.sendBuffer = nil // what it held (joins and leaves) the replay sends again as needed
	for _, ch := range s.draining {
		ch.state = chJoining
		ch.joinPush.resend()
		ch.resendUnanswered()
		ch.state = chLeaving
		lp := &push{ch: ch, event: evLeave, timeout: s.b.r.pushTimeout()}
		lp.send()
	}
	for _, ch := range append([]*channel(nil), s.channels...) {
		if ch.state == chClosed || ch.state == chLeaving {
			continue
		}
		ch.state = chJoining
		ch.joinPush.resend()
		ch.resendUnanswered()
	}
}

// resendUnanswered sends again, with new refs, the channel's pushes that
// went out and have no answer.
func (ch *channel) resendUnanswered() {
	for _, p := range ch.pushes {
		if p.status == "" && p.sent {
			p.note("sent again after the session was lost")
			p.startTimeout()
			p.joinRef = ch.joinRef()
			p.sentAt = ch.s.b.w.Elapsed()
			ch.s.b.r.sending(p)
			ch.s.push(Message{JoinRef: p.joinRef, Ref: p.ref, Topic: ch.topic, Event: evApp, PushID: p.id})
		}
	}
}

// The sequenced design's session side.

// dispatchBatchMsg is a POST's numbered messages, relayed to the session.
type dispatchBatchMsg struct {
	from  *sim.Proc
	first int
	msgs  []Message
	ref   int
	req   string
}

// ackMsg answers a dispatchBatchMsg: everything up to acked is handled.
type ackMsg struct {
	ref   int
	acked int
}

func (m dispatchBatchMsg) String() string {
	return fmt.Sprintf("dispatch %d messages from #%d (%s)", len(m.msgs), m.first, m.req)
}
func (m ackMsg) String() string { return fmt.Sprintf("ack %d, ref %d", m.acked, m.ref) }

// seqSession is the session's numbering.
type seqSession struct {
	applied int                // upstream: the last number handled, in order
	held    []dispatchBatchMsg // batches that came ahead of a gap
	outSeq  int                // downstream: the number of the last message published
	buf     []string           // downstream messages not yet acknowledged
}

// publishSeq is the sequenced POST: hand the numbered batch to the session
// and wait for its acknowledgement.
func (n *server) publishSeq(s *session, req net.Request) lpResponse {
	w := n.r.w
	first, err := strconv.Atoi(req.Header.Get("X-Seq"))
	if err != nil || len(req.Body) == 0 {
		return lpResponse{status: statusServerError}
	}
	var msgs []Message
	for _, line := range strings.Split(string(req.Body), "\n") {
		msgs = append(msgs, mustDecode(line))
	}
	ref := n.r.makeRef()
	n.r.send(s.proc, dispatchBatchMsg{from: w.Self(), first: first, msgs: msgs, ref: ref, req: req.Header.Get("X-Request-Id")})
	m, ok := w.Receive(func(x any) bool { a, ok := x.(ackMsg); return ok && a.ref == ref }, window)
	if !ok {
		for _, msg := range msgs {
			n.r.timedOutDispatch(msg, req.Header.Get("X-Request-Id"))
		}
		return lpResponse{status: statusRequestTimeout}
	}
	return lpResponse{status: statusOK, acked: m.(ackMsg).acked}
}

// dispatchBatch handles a batch in number order, or holds it until the
// batches before it have come.
func (s *session) dispatchBatch(m dispatchBatchMsg) {
	q := s.seq
	if m.first > q.applied+1 {
		q.held = append(q.held, m)
		s.r.note("session", "session %d holds %s: it waits for #%d", s.id, m.req, q.applied+1)
		return
	}
	s.applyBatch(m)
	for {
		i := 0
		for i < len(q.held) && q.held[i].first > q.applied+1 {
			i++
		}
		if i == len(q.held) {
			return
		}
		h := q.held[i]
		q.held = append(q.held[:i], q.held[i+1:]...)
		s.applyBatch(h)
	}
}

func (s *session) applyBatch(m dispatchBatchMsg) {
	q := s.seq
	for i, msg := range m.msgs {
		if n := m.first + i; n > q.applied {
			s.handleIn(msg, m.req, m.from)
			q.applied = n
		}
	}
	s.r.send(m.from, ackMsg{ref: m.ref, acked: q.applied})
}

func (q *seqSession) publish(s *session, m Message) {
	q.outSeq++
	q.buf = append(q.buf, m.encode())
}

// flushAck forgets the messages up to ack, which the client has.
func (q *seqSession) flushAck(s *session, ack int) {
	base := q.outSeq - len(q.buf) + 1
	if drop := ack - base + 1; drop > 0 {
		q.buf = q.buf[min(drop, len(q.buf)):]
	}
}

// unacked returns the messages not yet acknowledged and the first's number.
func (q *seqSession) unacked(s *session) ([]string, int) {
	return append([]string(nil), q.buf...), q.outSeq - len(q.buf) + 1
}
