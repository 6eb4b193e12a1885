package health

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
)

// Stream timing, in virtual time.
const (
	// sendCost is what one stream.Send costs before the message is on the
	// wire (marshalling, a write): a prompt client's update arrives this
	// long after its handler picked it up.
	sendCost = time.Millisecond
	// window is how many messages the transport buffers for a client that
	// has not read them yet (flow control, in messages). With 0, a Send
	// completes when the client takes the message, so it blocks while the
	// client is busy with the one before: what a slow connection does once
	// its buffers are full, without modelling the buffers.
	window = 0
)

// errStreamDone is what Send returns once the client has gone.
var errStreamDone = errors.New("health: stream done: the client disconnected")

// stream is one Healthz.Check stream, both ends: the server's Send, which
// takes time and blocks while the client is behind, and the client's reading
// end, which a reader process drains at the client's own pace. It is
// cancelled (its context) when the client disconnects, and ended from the
// server's side when Check returns.
type stream struct {
	r    *run
	c    *client
	id   int    // connection number, increasing in the order streams open (as HTTP/2 stream ids do)
	name string // "c2#5": client c2, connection 5

	ctx    sim.Context
	cancel context.CancelFunc
	wire   *sim.Chan[Update] // sent but not yet read, at most window

	// The harness's observations; reading them is not a scheduling point.
	openTick       int64
	open           bool    // opened, and neither cancelled by the client nor ended by the server
	cancelled      bool    // the client closed it
	endedTick      int64   // when its handler returned (0: still running)
	handlerRunning bool    // Check has not returned
	reregistered   bool    // opened while a handler of an earlier stream of the same address still ran
	overlapped     *stream // that earlier stream
	registeredTick int64   // when its handler registered it (0: not yet, or never)
	lastSeq        int     // the highest broadcast number the client has read on this stream
	reads          int
	inSend         bool   // the handler is inside Send
	sending        Update // what it is sending
	notifier       *notifier
	deletedOther   *stream // whose registration this stream's deferred Delete removed
	deletedBy      *stream // whose deferred Delete removed this stream's registration
	overwrittenBy  *stream // whose Add replaced this stream's open notifier in the map
	replacedBy     *stream // owned: the newer stream whose registration replaced this one's
	closeAttempt   closeAttempt
	deliveries     []delivery
}

// delivery records what became of one broadcast on its way to a stream's
// notifier (arke, PR 115) or subscription (owned), for the failure stories.
type delivery struct {
	seq     int
	outcome outcome
	busy    bool // the stream's handler was inside Send at the time
}

// closeAttempt is the last notifier close a stream's handler attempted.
type closeAttempt struct {
	n   *notifier
	who string
}

type outcome uint8

const (
	delivered outcome = iota + 1 // the notifier took it
	dropped                      // sendHealthCode's default case: the notifier was not ready
	recovered                    // sendHealthCode recovered from a send on the closed notifier
	posted                       // owned: set as the subscription's latest state
)

func (st *stream) String() string { return st.name }

// Send sends u to the client: it costs sendCost, then blocks while the
// client has window unread messages, and fails once the client has gone.
func (st *stream) Send(u Update) error {
	if st.ctx.Err() != nil {
		return errStreamDone
	}
	st.r.checkPhantom(st, u)
	st.inSend, st.sending = true, u
	defer func() { st.inSend = false }()
	w := st.r.w
	w.Sleep(sendCost)
	// ctx first: when the client has gone and the window has room, Go
	// picks either case; here the calm (default) choice is the one that
	// ends the send, so that shrinking never turns it into a busy loop.
	if w.Select(st.ctx.Done().RecvCase(nil, nil), st.wire.SendCase(u)) == 0 {
		return errStreamDone
	}
	return nil
}

// read is the client's end of the stream: it reads at the client's pace
// until the client disconnects or the server ends the stream.
func (st *stream) read() {
	w, c := st.r.w, st.c
	for {
		var u Update
		var ok bool
		if w.Select(st.ctx.Done().RecvCase(nil, nil), st.wire.RecvCase(&u, &ok)) == 0 || !ok {
			return
		}
		st.reads++
		st.lastSeq = max(st.lastSeq, u.Seq)
		if u.Code == GOAWAY {
			c.receivedGoaway()
		}
		if d := c.pauseAfter(st.reads); d > 0 {
			w.Sleep(d)
		}
	}
}

// endedByServer is what happens when Check returns: gRPC finishes the
// stream, and the client's reader sees its end.
func (st *stream) endedByServer() {
	st.r.tick++
	st.endedTick = st.r.tick
	if st.open {
		st.open = false
		st.c.open--
	}
	st.wire.Close() // the handler, its only sender, has returned
}

// disconnect is the client closing this stream (once).
func (st *stream) disconnect() {
	if st.cancelled {
		return
	}
	st.cancelled = true
	if st.open {
		st.open = false
		st.c.open--
	}
	st.cancel()
}

func (st *stream) note(seq int, o outcome) {
	st.deliveries = append(st.deliveries, delivery{seq: seq, outcome: o, busy: st.inSend})
}

// deliveryOf returns what became of broadcast seq on its way to st.
func (st *stream) deliveryOf(seq int) (delivery, bool) {
	for _, d := range st.deliveries {
		if d.seq == seq {
			return d, true
		}
	}
	return delivery{}, false
}

func (st *stream) describeSend() string {
	return fmt.Sprintf("blocked in stream.Send of %v because %s", st.sending, st.c.paceStory())
}
