package longpoll

import (
	"fmt"
	"strconv"
	"strings"
)

// Message is a message of Phoenix's channel protocol (V2 serializer: join
// ref, ref, topic, event, payload), both ways.
type Message struct {
	JoinRef int // the channel instance it belongs to (0: none)
	Ref     int // the push it is or answers (0: none)
	Topic   string
	Event   string
	// Status is a phx_reply's "ok" or "error".
	Status string
	// Reason is a phx_reply error's or a phx_error's reason.
	Reason string
	// PushID is an application event's id: the harness's name for the push
	// ("e3"), which the sequenced design also uses as its idempotency key.
	PushID int
}

// The channel protocol's events.
const (
	evJoin  = "phx_join"
	evLeave = "phx_leave"
	evReply = "phx_reply"
	evClose = "phx_close"
	evError = "phx_error"
	// evApp is the application's event: a LiveView's handle_event.
	evApp = "event"
)

// String renders the message as the V2 serializer's array, with the
// payload that matters.
func (m Message) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s,%s,%q,%q", refString(m.JoinRef), refString(m.Ref), m.Topic, m.Event)
	switch {
	case m.Event == evReply:
		fmt.Fprintf(&b, ",{status:%s", m.Status)
		if m.Reason != "" {
			fmt.Fprintf(&b, ",reason:%s", m.Reason)
		}
		b.WriteString("}]")
	case m.PushID != 0:
		fmt.Fprintf(&b, ",{id:e%d}]", m.PushID)
	case m.Reason != "":
		fmt.Fprintf(&b, ",{reason:%s}]", m.Reason)
	default:
		b.WriteString(",{}]")
	}
	return b.String()
}

func refString(r int) string {
	if r == 0 {
		return "null"
	}
	return strconv.Quote(strconv.Itoa(r))
}

// encode is the message on the wire: one line, fields separated by '|'.
// (Phoenix sends JSON; what the model needs of it is a line per message,
// as its ndjson batches have.)
func (m Message) encode() string {
	return strconv.Itoa(m.JoinRef) + "|" + strconv.Itoa(m.Ref) + "|" + m.Topic + "|" + m.Event + "|" +
		m.Status + "|" + m.Reason + "|" + strconv.Itoa(m.PushID)
}

// decodeMessage parses a line made by encode.
func decodeMessage(s string) (Message, error) {
	f := strings.Split(s, "|")
	if len(f) != 7 {
		return Message{}, fmt.Errorf("longpoll: malformed message %q", s)
	}
	jr, err1 := strconv.Atoi(f[0])
	ref, err2 := strconv.Atoi(f[1])
	id, err3 := strconv.Atoi(f[6])
	if err1 != nil || err2 != nil || err3 != nil {
		return Message{}, fmt.Errorf("longpoll: malformed message %q", s)
	}
	return Message{JoinRef: jr, Ref: ref, Topic: f[2], Event: f[3], Status: f[4], Reason: f[5], PushID: id}, nil
}

// mustDecode decodes a line that the model itself encoded.
func mustDecode(s string) Message {
	m, err := decodeMessage(s)
	if err != nil {
		panic(err)
	}
	return m
}

// The transport's statuses, as the long-poll transport's JSON carries them
// (its HTTP status is always 200).
const (
	statusOK             = 200
	statusNoContent      = 204
	statusForbidden      = 403
	statusRequestTimeout = 408
	statusGone           = 410
	statusServerError    = 500
)

// lpResponse is what the client makes of a response's body: Phoenix's
// {"status": ..., "token": ..., "messages": [...]}, and the sequenced
// design's sequence numbers.
type lpResponse struct {
	status   int
	token    string
	messages []string
	// The sequenced design: seq is the number of the first message
	// (downstream), acked the highest upstream number applied.
	seq, acked int
}

// body encodes a response: a first line "status token seq acked", then one
// message per line.
func (r lpResponse) body() []byte {
	var b strings.Builder
	tok := r.token
	if tok == "" {
		tok = "-"
	}
	fmt.Fprintf(&b, "%d %s %d %d", r.status, tok, r.seq, r.acked)
	for _, m := range r.messages {
		b.WriteByte('\n')
		b.WriteString(m)
	}
	return []byte(b.String())
}

// requestBody is a POST's body: one encoded message a line, as phoenix.js
// batches them (ndjson); none for a poll.
func requestBody(msgs []Message) []byte {
	if len(msgs) == 0 {
		return nil
	}
	lines := make([]string, len(msgs))
	for i, m := range msgs {
		lines[i] = m.encode()
	}
	return []byte(strings.Join(lines, "\n"))
}

// parseResponse parses a body made by lpResponse.body; a body that does not
// parse is nil, as Phoenix's Ajax.parseJSON answers for one that is not
// JSON.
func parseResponse(body []byte) *lpResponse {
	lines := strings.Split(string(body), "\n")
	f := strings.Fields(lines[0])
	if len(f) != 4 {
		return nil
	}
	st, err1 := strconv.Atoi(f[0])
	seq, err2 := strconv.Atoi(f[2])
	acked, err3 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil
	}
	r := &lpResponse{status: st, seq: seq, acked: acked, messages: lines[1:]}
	if f[1] != "-" {
		r.token = f[1]
	}
	return r
}
