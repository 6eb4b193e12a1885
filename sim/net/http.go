package net

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// A small request/response layer over the simulated connections, enough for
// HTTP-style exchanges: a method, a path, ordered headers and a body each
// way. It is not HTTP/1.1 text: each request and response is one frame, a
// 4-byte big-endian length and an encoded payload. What it keeps of HTTP is
// the shape that systems depend on: Host.Do opens a connection per request,
// and Listener.Serve serves each connection in its own process, so requests are
// served concurrently and a slow or crashing handler holds up only its own.
// A connection may carry several requests in turn (keep-alive): the server
// answers them in order until the client closes it.

// Header is one header field.
type Header struct{ Name, Value string }

// Headers is a request's or response's header fields, in order: a slice,
// not a map, so that runs stay deterministic.
type Headers []Header

// Get returns the value of the first field named name, compared without
// regard to ASCII case, or "" when there is none.
func (h Headers) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Request is a request of the HTTP-style layer.
type Request struct {
	Method string
	Path   string
	Header Headers
	Body   []byte
	// Timeout bounds Do's whole exchange in virtual time, from the
	// connection to the last byte of the response (0: no bound). It does
	// not travel to the server.
	Timeout time.Duration
	// RemoteAddr is the client's address, set by the server.
	RemoteAddr Addr

	_ struct{} // disallow positional literals, for extensibility
}

// Response is a response of the HTTP-style layer.
type Response struct {
	// Status is the status code; 0 is sent as 200.
	Status int
	Header Headers
	Body   []byte

	_ struct{} // disallow positional literals, for extensibility
}

// ErrBadFrame is the error of a request or response that does not decode:
// the peer does not speak this layer's framing.
var ErrBadFrame = errors.New("net: malformed request or response frame")

// maxFrame bounds a frame's length, so that a peer speaking something else
// cannot make a reader wait for gigabytes.
const maxFrame = 64 << 20

// Do sends req from h to the server at addr:port over a new connection and
// returns its response. It fails with the connection's errors (ErrRefused,
// ErrReset, ...), with io.ErrUnexpectedEOF when the server closes the
// connection without answering (a crashed handler), and with ErrTimeout
// when req.Timeout passes. The connection is closed before Do returns.
func (h *Host) Do(addr string, port int, req Request) (Response, error) {
	n := h.n
	deadline := time.Duration(-1)
	if req.Timeout > 0 {
		deadline = n.k.Deadline(req.Timeout)
	}
	c, err := h.connect(addr, port, n.remaining(deadline))
	if err != nil {
		return Response{}, err
	}
	return c.roundTrip(&req, deadline)
}

// roundTrip sends req on the connected c, reads its response until deadline
// (negative: none), and closes c, as Do does once connected.
func (c *Conn) roundTrip(req *Request, deadline time.Duration) (Response, error) {
	n := c.n
	if err := c.send(encodeRequest(req), n.remaining(deadline)); err != nil {
		c.closeQuietly()
		return Response{}, err
	}
	r := frameReader{c: c}
	frame, err := r.next(deadline)
	if err != nil {
		c.closeQuietly()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF // closed without an answer
		}
		return Response{}, err
	}
	resp, err := decodeResponse(frame)
	c.closeQuietly()
	return resp, err
}

// Serve accepts connections on l and serves each in a new process (made
// with Spawn, so a handler that panics ends only its connection's process,
// and the client sees the connection close). handler runs in that process,
// once per request, in the order the connection's requests come. As
// net/http's Server does, Serve waits and retries when Accept fails with
// ErrEMFILE (5ms, doubling up to 1s). It returns Accept's error when the
// listener is closed (ErrClosed).
func (l *Listener) Serve(handler func(Request) Response) error {
	w := l.n.w
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if errors.Is(err, ErrEMFILE) {
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			w.Sleep(backoff)
			continue
		}
		if err != nil {
			return err
		}
		backoff = 0
		p := w.Spawn("http "+c.raddr.String(), func() { serveConn(c, handler) })
		if err := c.ControllingProcess(p); err != nil {
			// The connection's process has already finished with it, or
			// crashed before it became the owner.
			c.closeQuietly()
		}
	}
}

// serveConn answers the requests of one connection, in turn, until the
// client closes it.
func serveConn(c *Conn, handler func(Request) Response) {
	r := frameReader{c: c}
	for {
		frame, err := r.next(-1)
		if err != nil {
			c.closeQuietly()
			return
		}
		req, err := decodeRequest(frame)
		if err != nil {
			_ = c.Abort()
			return
		}
		req.RemoteAddr = c.raddr
		resp := handler(req)
		if err := c.Send(encodeResponse(&resp)); err != nil {
			c.closeQuietly()
			return
		}
	}
}

// closeQuietly closes c unless something already did.
func (c *Conn) closeQuietly() {
	c.n.op("Close")
	if !c.closed {
		c.close(false)
	}
}

// frameReader reads frames from a connection, keeping what arrived beyond
// the current frame for the next.
type frameReader struct {
	c   *Conn
	buf []byte
}

func (r *frameReader) next(deadline time.Duration) ([]byte, error) {
	for {
		if len(r.buf) >= 4 {
			n := binary.BigEndian.Uint32(r.buf)
			if n > maxFrame {
				return nil, fmt.Errorf("%w: a frame of %d bytes", ErrBadFrame, n)
			}
			if end := 4 + int(n); len(r.buf) >= end {
				frame := r.buf[4:end:end]
				r.buf = r.buf[end:]
				return frame, nil
			}
		}
		data, err := r.c.recv(0, r.c.n.remaining(deadline))
		if err != nil {
			if err == io.EOF && len(r.buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		r.buf = append(r.buf, data...)
	}
}

// The payloads: strings and byte strings are a uvarint length and the
// bytes; counts and the status are uvarints.

func encodeRequest(req *Request) []byte {
	b := make([]byte, 4, 64+len(req.Body))
	b = appendBytes(b, []byte(req.Method))
	b = appendBytes(b, []byte(req.Path))
	b = appendHeaders(b, req.Header)
	b = appendBytes(b, req.Body)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

func encodeResponse(resp *Response) []byte {
	status := resp.Status
	if status == 0 {
		status = 200
	}
	b := make([]byte, 4, 64+len(resp.Body))
	b = binary.AppendUvarint(b, uint64(status))
	b = appendHeaders(b, resp.Header)
	b = appendBytes(b, resp.Body)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendHeaders(b []byte, hs Headers) []byte {
	b = binary.AppendUvarint(b, uint64(len(hs)))
	for _, f := range hs {
		b = appendBytes(b, []byte(f.Name))
		b = appendBytes(b, []byte(f.Value))
	}
	return b
}

// decoder reads a payload; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = ErrBadFrame
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = ErrBadFrame
		return nil
	}
	if n == 0 {
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) headers() Headers {
	n := d.uvarint()
	if d.err != nil || n == 0 {
		return nil
	}
	if n > uint64(len(d.b)) { // every field takes at least two bytes
		d.err = ErrBadFrame
		return nil
	}
	hs := make(Headers, 0, n)
	for range n {
		name, value := string(d.bytes()), string(d.bytes())
		hs = append(hs, Header{Name: name, Value: value})
	}
	return hs
}

func (d *decoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = ErrBadFrame
	}
	return d.err
}

func decodeRequest(frame []byte) (Request, error) {
	d := decoder{b: frame}
	var req Request
	req.Method = string(d.bytes())
	req.Path = string(d.bytes())
	req.Header = d.headers()
	req.Body = d.bytes()
	if err := d.finish(); err != nil {
		return Request{}, err
	}
	return req, nil
}

func decodeResponse(frame []byte) (Response, error) {
	d := decoder{b: frame}
	var resp Response
	resp.Status = int(d.uvarint())
	resp.Header = d.headers()
	resp.Body = d.bytes()
	if err := d.finish(); err != nil {
		return Response{}, err
	}
	return resp, nil
}
