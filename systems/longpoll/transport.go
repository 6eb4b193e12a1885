package longpoll

import (
	"fmt"

	"github.com/weftsim/weft/sim/net"
)

// phoenix.js's LongPoll transport of February 2023, before and after PR
// 5283 (batching): a GET that the server holds until it has messages, and a
// POST per message (before) or per batch (after).

// The transport's readyState.
type lpState uint8

const (
	lpConnecting lpState = iota
	lpOpen
	lpClosing
	lpClosed
)

// longPoll is phoenix.js's LongPoll.
type longPoll struct {
	s          *socket
	n          int // the socket's n-th transport
	readyState lpState
	token      string
	reqs       []*xhr
	batching   bool
	// PR 5283's batch state.
	awaitingBatchAck bool
	currentBatch     []Message
	currentBatchSet  bool
	currentBatchTmr  *jsTimer
	batchBuffer      []Message
}

func newLongPoll(s *socket) *longPoll {
	lp := &longPoll{s: s, n: s.connections, batching: s.b.r.v.batching()}
	lp.poll()
	return lp
}

func (lp *longPoll) name() string { return fmt.Sprintf("longpoll %d", lp.n) }

func (lp *longPoll) isOpen() bool { return lp.readyState == lpOpen }

func (lp *longPoll) isActive() bool { return lp.readyState == lpOpen || lp.readyState == lpConnecting }

// closeAndRetry closes the transport and leaves it "connecting", so that
// the socket reconnects.
func (lp *longPoll) closeAndRetry(code int, reason string) {
	lp.close(code, reason, false)
	lp.readyState = lpConnecting
}

func (lp *longPoll) ontimeout() {
	lp.s.onConnError(lp)
	lp.closeAndRetry(1005, "timeout")
}

// poll is LongPoll.poll.
func (lp *longPoll) poll() {
	lp.ajax("GET", nil, nil, func() { lp.ontimeout() }, func(resp *lpResponse) {
		status := 0
		var messages []string
		if resp != nil {
			status, messages = resp.status, resp.messages
			lp.token = resp.token
		}
		switch status {
		case statusOK:
			for _, m := range messages {
				lp.s.b.setTimeout(0, func() { lp.onmessage(m) })
			}
			lp.poll()
		case statusNoContent:
			lp.poll()
		case statusGone:
			lp.readyState = lpOpen
			lp.s.onConnOpen(lp)
			lp.poll()
		case statusForbidden:
			lp.s.onConnError(lp)
			lp.close(1008, "forbidden", false)
		default: // 0 (no answer) and 500
			lp.s.onConnError(lp)
			lp.closeAndRetry(1011, "internal server error")
		}
	})
}

func (lp *longPoll) onmessage(line string) {
	if lp.s.conn != lp {
		return // the socket set this transport's onmessage to a no-op
	}
	lp.s.onConnMessage(line)
}

// send is LongPoll.send: a POST per message before PR 5283; after it, the
// pushes of one tick in one batch, one batch in flight, the rest buffered
// until its answer.
func (lp *longPoll) send(m Message) {
	if !lp.batching {
		lp.ajax("POST", net.Headers{{Name: "Content-Type", Value: "application/json"}}, []Message{m},
			func() { lp.s.onConnError(lp) },
			func(resp *lpResponse) {
				if resp == nil || resp.status != statusOK {
					lp.s.onConnError(lp)
					lp.closeAndRetry(1011, "internal server error")
				}
			})
		return
	}
	switch {
	case lp.currentBatchSet:
		lp.currentBatch = append(lp.currentBatch, m)
	case lp.awaitingBatchAck:
		lp.batchBuffer = append(lp.batchBuffer, m)
		lp.s.b.r.buffered(m)
	default:
		lp.currentBatch, lp.currentBatchSet = []Message{m}, true
		lp.currentBatchTmr = lp.s.b.setTimeout(0, func() {
			batch := lp.currentBatch
			lp.currentBatch, lp.currentBatchSet = nil, false
			lp.batchSend(batch)
		})
	}
}

// batchSend is PR 5283's LongPoll.batchSend. A timeout only reports an
// error here (the XMLHttpRequest's readystatechange, which comes first,
// is what closes the transport: see browser.complete).
func (lp *longPoll) batchSend(messages []Message) {
	lp.awaitingBatchAck = true
	lp.ajax("POST", net.Headers{{Name: "Content-Type", Value: "application/ndjson"}}, messages,
		func() { lp.s.onConnError(lp) },
		func(resp *lpResponse) {
			lp.awaitingBatchAck = false
			switch {
			case resp == nil || resp.status != statusOK:
				lp.s.onConnError(lp)
				lp.closeAndRetry(1011, "internal server error")
			case len(lp.batchBuffer) > 0:
				buf := lp.batchBuffer
				lp.batchBuffer = nil
				lp.batchSend(buf)
			}
		})
}

// close is LongPoll.close: abort every request, drop the batch buffer, and
// tell the socket.
func (lp *longPoll) close(code int, reason string, clean bool) {
	for _, x := range lp.reqs {
		x.abort()
	}
	lp.reqs = nil
	lp.readyState = lpClosed
	if len(lp.batchBuffer) > 0 {
		lp.s.b.r.dropped(lp.batchBuffer, fmt.Sprintf("%s closed (%s) with it in batchBuffer, which close() empties", lp.name(), reason))
	}
	lp.batchBuffer = nil
	lp.s.b.clearTimeout(lp.currentBatchTmr)
	lp.currentBatchTmr = nil
	if lp.currentBatchSet && len(lp.currentBatch) > 0 {
		lp.s.b.r.dropped(lp.currentBatch, fmt.Sprintf("%s closed (%s) before its batch timer fired, which close() cancels", lp.name(), reason))
	}
	lp.s.onConnClose(lp, code)
}

// ajax is LongPoll.ajax: the request, with the session's token, tracked
// until it ends; its callback runs only while the transport is active.
func (lp *longPoll) ajax(method string, header net.Headers, messages []Message, ontimeout func(), callback func(*lpResponse)) {
	if lp.token != "" {
		header = append(header, net.Header{Name: tokenHeader, Value: lp.token})
	}
	body := requestBody(messages)
	var x *xhr
	x = lp.s.b.ajax(method, header, body, longpollTimeout,
		func() {
			lp.forget(x)
			ontimeout()
		},
		func(resp *lpResponse) {
			lp.forget(x)
			if lp.isActive() {
				callback(resp)
			}
		})
	for _, m := range messages {
		x.carried = append(x.carried, m.String())
		lp.s.b.r.posted(x, m)
	}
	lp.reqs = append(lp.reqs, x)
}

func (lp *longPoll) forget(x *xhr) {
	for i, y := range lp.reqs {
		if y == x {
			lp.reqs = append(lp.reqs[:i], lp.reqs[i+1:]...)
			return
		}
	}
}

// tokenHeader carries the session's token (PR 5283's client sent it as a
// query parameter; where it travels changes nothing here).
const tokenHeader = "X-Phoenix-Longpoll-Token"
