package acceptor

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// httpd: the callback state the gen_server keeps (pending_request_map,
// pending_buffer_map, ws_socket_map), request parsing, query keys, the
// handlers' replies and the WebSocket upgrade, with the review's items 2,
// 3, 5 and 7 where the review found them.

// Limits of the server with FixPending and FixLimit (the "configured"
// limits the properties judge against).
const (
	// MaxConns is the most connections the server keeps open (FixLimit),
	// and P6's bound.
	MaxConns = 4
	// MaxBuffer is the most bytes of an incomplete request kept per
	// connection (FixPending).
	MaxBuffer = 2 << 10
	// MaxPending is the most connections with an incomplete request
	// (FixPending).
	MaxPending = 2
	// RequestTimeout is how long a request may stay incomplete (FixPending).
	RequestTimeout = 2 * time.Second
)

// errBadKey is the exception of `Map#{Key := Value}` when Map has no Key.
var errBadKey = errors.New("badkey")

// accepted registers a connection an acceptor accepted.
func (s *srv) accepted(c *net.Conn, h *sim.Proc) {
	hc := s.conn(c)
	hc.loop = h
	if s.v.pat == AcceptPool {
		// The acceptor is the connection's handler now.
		s.pool = without(s.pool, h)
		s.acceptors = without(s.acceptors, h)
	} else if s.v.has(FixLimit) {
		s.reserved--
	}
	switch {
	case hc.closed:
		// httpd closed it already (its data came first): tell the loop.
		s.r.w.Send(h, closeConn{c: c})
	case s.v.has(FixLink) && !h.Alive():
		// Its EXIT may have come before this message: clean up now.
		s.ended(hc)
	default:
		hc.counted = true
		s.open++
	}
	if s.v.pat == AcceptPool {
		s.fillPool()
	}
}

// conn returns httpd's entry for c, making it the first time.
func (s *srv) conn(c *net.Conn) *hconn {
	if hc := s.byConn[c]; hc != nil {
		return hc
	}
	hc := &hconn{c: c, sc: s.r.sconnOf(c)}
	s.conns = append(s.conns, hc)
	s.byConn[c] = hc
	return hc
}

// data is handle_tcp: route a WebSocket's frames to its process, and
// otherwise add to the connection's pending buffer and serve every complete
// request in it. As it was, the buffer takes whatever comes, until the
// request completes or the socket closes (the review's item 2); fixed, a
// request head must end within MaxBuffer bytes, and at most MaxPending
// connections may have an incomplete one.
func (s *srv) data(c *net.Conn, data []byte) {
	hc := s.conn(c)
	if hc.closed {
		return
	}
	if hc.ws != nil {
		s.r.w.Send(hc.ws, wsData{data: data})
		return
	}
	fixed := s.v.has(FixPending)
	buf := data
	if hc.hasBuf {
		buf = append(hc.buf, data...)
	}
	for {
		i := bytes.Index(buf, crlf2)
		if fixed && (i < 0 && len(buf) > MaxBuffer || i+4 > MaxBuffer) {
			s.reply(hc, 431, "request header fields too large")
			s.closeConn(hc, fmt.Sprintf("431: %d bytes of headers without their end", len(buf)))
			return
		}
		if i < 0 {
			break
		}
		req := parseRequest(string(buf[:i]))
		buf = buf[i+4:]
		s.storeBuf(hc, nil)
		s.request(hc, req)
		if hc.closed {
			return
		}
		if hc.ws != nil {
			if len(buf) > 0 {
				s.r.w.Send(hc.ws, wsData{data: buf})
			}
			return
		}
	}
	if len(buf) == 0 {
		return
	}
	if !hc.hasBuf && fixed && s.pendingEntries >= MaxPending {
		s.reply(hc, 503, "too many incomplete requests")
		s.closeConn(hc, "503: MaxPending connections already have an incomplete request")
		return
	}
	s.storeBuf(hc, buf)
}

// storeBuf makes buf the connection's pending_buffer_map entry (nil: none).
func (s *srv) storeBuf(hc *hconn, buf []byte) {
	if len(buf) == 0 {
		s.dropBuf(hc)
		return
	}
	if !hc.hasBuf {
		hc.hasBuf = true
		s.pendingEntries++
		if s.v.has(FixPending) {
			hc.bufGen++
			sendAfter(s.r.w, RequestTimeout, s.self, reqTimeout{c: hc.c, gen: hc.bufGen})
		}
	}
	s.pendingBytes += len(buf) - len(hc.buf)
	hc.buf = buf
	s.r.pendingChanged(s, hc)
}

var crlf2 = []byte("\r\n\r\n")

// dropBuf removes the connection's pending_buffer_map entry.
func (s *srv) dropBuf(hc *hconn) {
	if !hc.hasBuf {
		return
	}
	s.pendingBytes -= len(hc.buf)
	s.pendingEntries--
	hc.hasBuf, hc.buf = false, nil
	hc.bufGen++
}

// request is httpd's dispatch of a complete request: its query keys, then
// the upgrade or the handler for its path.
func (s *srv) request(hc *hconn, req request) {
	if !s.v.has(FixAtoms) {
		// httpd.erl line 454: list_to_atom/1 on every key.
		for _, k := range req.keys {
			s.r.makingAtom(s, hc, k)
			s.r.node.ListToAtom(k)
		}
	}
	switch {
	case req.header("upgrade") == "websocket":
		s.upgrade(hc, req)
	case req.path == "/deferred":
		s.noreply(hc, req)
	default:
		s.reply(hc, 200, "ok "+req.path)
		s.putReq(hc, reqState{path: req.path})
	}
}

// noreply: the handler answers {noreply, State} and replies later. As it
// was (httpd.erl line 309), httpd records the request with `:=`, which
// raises badkey when the socket has no entry yet: when this is the
// connection's first request.
func (s *srv) noreply(hc *hconn, req request) {
	st := reqState{waiting: true, path: req.path}
	if s.v.has(FixUpdate) {
		s.putReq(hc, st) // =>
	} else {
		if !hc.hasReq {
			s.r.badKey(s, hc)
			panic(fmt.Errorf("%w: {badkey, %v} in PendingRequests#{Sock := Req}", errBadKey, hc.c))
		}
		hc.req = st // :=
	}
	hc.reqGen++
	sendAfter(s.r.w, deferredDelay, s.self, deferredReply{c: hc.c, gen: hc.reqGen})
}

// putReq is `PendingRequests#{Sock => State}`.
func (s *srv) putReq(hc *hconn, st reqState) {
	hc.hasReq, hc.req = true, st
}

// deferred sends the reply a handler deferred.
func (s *srv) deferred(c *net.Conn, gen int) {
	hc := s.byConn[c]
	if hc == nil || hc.closed || !hc.hasReq || !hc.req.waiting || hc.reqGen != gen {
		return
	}
	s.reply(hc, 200, "deferred "+hc.req.path)
	s.putReq(hc, reqState{path: hc.req.path})
}

// timedOut ends a request that stayed incomplete for RequestTimeout
// (FixPending's periodic cleanup, per connection).
func (s *srv) timedOut(c *net.Conn, gen int) {
	hc := s.byConn[c]
	if hc == nil || hc.closed || !hc.hasBuf || hc.bufGen != gen {
		return
	}
	s.reply(hc, 408, "request timeout")
	s.closeConn(hc, fmt.Sprintf("408: the request stayed incomplete for %v", RequestTimeout))
}

// upgrade starts a WebSocket. As it was (httpd.erl lines 172-193),
// WsHandler:start/3 runs first, then get_reply_token/1, which throws on a
// missing Sec-WebSocket-Key: httpd's dispatch catches the throw and answers
// 400, and the process it started is in no map and never stopped. Fixed,
// the headers are checked first.
func (s *srv) upgrade(hc *hconn, req request) {
	if s.v.has(FixWebSocket) {
		token, err := replyToken(req)
		if err != nil {
			s.reply(hc, 400, err.Error())
			return
		}
		hc.ws = s.startWS(hc)
		s.switching(hc, token)
		return
	}
	ws := s.startWS(hc)
	token, err := replyToken(req)
	if err != nil {
		s.r.wsOrphaned(hc, ws, err)
		s.reply(hc, 400, err.Error())
		return
	}
	hc.ws = ws
	s.switching(hc, token)
}

func (s *srv) switching(hc *hconn, token string) {
	_ = hc.c.Send([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: " + token + "\r\n\r\n"))
}

// replyToken is get_reply_token/1: it throws without a Sec-WebSocket-Key.
func replyToken(req request) (string, error) {
	key := req.header("sec-websocket-key")
	if key == "" {
		return "", errors.New("missing Sec-WebSocket-Key")
	}
	return "accept-" + key, nil
}

// startWS is WsHandler:start/3 (FixLink: start_link).
func (s *srv) startWS(hc *hconn) *sim.Proc {
	w := s.r.w
	c, sc := hc.c, hc.sc
	body := func() { s.wsHandler(c, sc) }
	var p *sim.Proc
	if s.v.has(FixLink) {
		p = w.SpawnLink("ws_handler", body)
	} else {
		p = w.Spawn("ws_handler", body)
	}
	s.r.started(sc, p)
	return p
}

// ended is a socket's end (its loop said so, or, with FixLink, the loop
// exited): httpd removes its entries and stops its WebSocket process.
func (s *srv) ended(hc *hconn) {
	if hc.closed {
		return
	}
	hc.closed = true
	s.dropBuf(hc)
	hc.hasReq = false
	if hc.ws != nil {
		s.r.w.Send(hc.ws, wsStop{})
		hc.ws = nil
	}
	if hc.counted {
		s.open--
	}
	s.forget(hc)
	s.grantSlots()
	if s.v.pat == AcceptPool {
		s.fillPool()
	}
}

// forget removes a closed connection's entry from the list; byConn keeps
// it, closed, for the messages still on their way about it (an acceptor's
// accepted may come after the loop's data).
func (s *srv) forget(hc *hconn) {
	for i, x := range s.conns {
		if x == hc {
			s.conns = append(s.conns[:i], s.conns[i+1:]...)
			break
		}
	}
}

// closeConn closes a connection from the server's side, and tells its
// loop.
func (s *srv) closeConn(hc *hconn, why string) {
	s.r.serverClosed(hc.sc, why)
	s.r.closingConn(hc.sc)
	_ = hc.c.Close()
	if hc.loop != nil {
		s.r.w.Send(hc.loop, closeConn{c: hc.c})
	}
	s.ended(hc)
}

// reply sends a response.
func (s *srv) reply(hc *hconn, status int, body string) {
	_ = hc.c.Send([]byte(fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Length: %d\r\n\r\n%s", status, statusText(status), len(body), body)))
}

func statusText(status int) string {
	switch status {
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 408:
		return "Request Timeout"
	case 431:
		return "Request Header Fields Too Large"
	case 503:
		return "Service Unavailable"
	}
	return strconv.Itoa(status)
}

// request is a parsed request head.
type request struct {
	method, path string
	keys         []string
	headers      []string // "name: value", names lowered
}

func (r request) header(name string) string {
	for _, h := range r.headers {
		if n, v, ok := strings.Cut(h, ": "); ok && n == name {
			return v
		}
	}
	return ""
}

// parseRequest parses a request head (without its blank line).
func parseRequest(raw string) request {
	lines := strings.Split(raw, "\r\n")
	var req request
	parts := strings.Fields(lines[0])
	if len(parts) >= 2 {
		req.method, req.path = parts[0], parts[1]
	}
	if p, q, ok := strings.Cut(req.path, "?"); ok {
		req.path = p
		for _, kv := range strings.Split(q, "&") {
			k, _, _ := strings.Cut(kv, "=")
			if k != "" {
				req.keys = append(req.keys, k)
			}
		}
	}
	for _, l := range lines[1:] {
		if n, v, ok := strings.Cut(l, ":"); ok {
			req.headers = append(req.headers, strings.ToLower(strings.TrimSpace(n))+": "+strings.TrimSpace(v))
		}
	}
	return req
}

// sendAfter is erlang:send_after/3: msg reaches p after d of virtual time.
func sendAfter(w *sim.World, d time.Duration, p *sim.Proc, msg any) {
	k := w.Kernel()
	a := &sim.Alarm{}
	a.Fire = func() { k.Deliver(p, msg) }
	k.SetAlarm(a, k.Deadline(d))
}
