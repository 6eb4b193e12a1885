package net

// The request/response layer: requests are served concurrently, each
// connection by its own process; a crashing handler costs only its own
// request; keep-alive connections are served in order; timeouts and
// descriptor exhaustion behave as net/http's do. Times are exact: the links
// have a fixed latency and handlers sleep a fixed virtual time.

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/internal/simtest"
)

// httpEcho answers after a second with what it was asked.
func httpEcho(w *sim.World) func(Request) Response {
	return func(req Request) Response {
		w.Sleep(time.Second)
		if req.Path == "/boom" {
			panic("handler crashed")
		}
		return Response{
			Status: 201,
			Header: Headers{{"X-Path", req.Path}, {"X-Trace", req.Header.Get("x-trace")}},
			Body:   fmt.Appendf(nil, "%s %s %s from %v", req.Method, req.Path, req.Body, req.RemoteAddr),
		}
	}
}

// netServe starts Serve on a new listener of h and returns the listener;
// closing it ends the server process, which checks that it ended so.
func netServe(t *testing.T, w *sim.World, h *Host, handler func(Request) Response) *Listener {
	l, err := h.Listen(80)
	require.NoError(t, err)
	w.Go("server", func() {
		require.ErrorIs(t, l.Serve(handler), ErrClosed)
	})
	return l
}

func TestHTTPServesConcurrently(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		srv := NewHost(w, "srv")
		SetDefaultLink(w, Link{Latency: time.Millisecond})
		l := netServe(t, w, srv, httpEcho(w))
		const clients = 5
		wg := sim.NewWaitGroup(w)
		for i := range clients {
			h := NewHost(w, fmt.Sprintf("c%d", i))
			wg.Go(fmt.Sprintf("client%d", i), func() {
				resp, err := h.Do("srv", 80, Request{
					Method: "POST", Path: fmt.Sprintf("/item/%d", i),
					Header: Headers{{"X-Trace", fmt.Sprint(i)}}, Body: []byte("payload"),
				})
				require.NoError(t, err)
				require.Equal(t, Response{
					Status: 201,
					Header: Headers{{"X-Path", fmt.Sprintf("/item/%d", i)}, {"X-Trace", fmt.Sprint(i)}},
					Body:   fmt.Appendf(nil, "POST /item/%d payload from c%d:32768", i, i),
				}, resp)
				// Handshake 2ms, request 1ms, handler 1s, response 1ms: the
				// requests ran side by side, not one after another.
				require.Equal(t, time.Second+4*time.Millisecond, w.Elapsed())
			})
		}
		wg.Wait()
		require.NoError(t, l.Close())
		w.Sleep(10 * time.Millisecond) // the connections' processes see the clients close
		require.Equal(t, 0, srv.FDs())
		require.Equal(t, clients+1, srv.FDHigh(), "one descriptor per connection, plus the listener")
	})
}

func TestHTTPHandlerCrashCostsOnlyItsRequest(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		srv, cli := NewHost(w, "srv"), NewHost(w, "cli")
		l := netServe(t, w, srv, httpEcho(w))
		_, err := cli.Do("srv", 80, Request{Method: "GET", Path: "/boom"})
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the connection closed without an answer")
		resp, err := cli.Do("srv", 80, Request{Method: "GET", Path: "/ok"})
		require.NoError(t, err, "the server goes on")
		require.Equal(t, "GET /ok  from cli:32769", string(resp.Body))
		require.NoError(t, l.Close())
		w.Sleep(time.Millisecond)
		require.Equal(t, 0, srv.FDs())
		require.Equal(t, 0, cli.FDs())
	})
}

func TestHTTPKeepAlive(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		srv, cli := NewHost(w, "srv"), NewHost(w, "cli")
		l := netServe(t, w, srv, func(req Request) Response {
			if req.Path == "/slow" {
				w.Sleep(time.Second)
			}
			return Response{Body: []byte(req.Path)}
		})
		c, err := cli.Connect("srv", 80)
		require.NoError(t, err)
		// Two requests at once on one connection: answered in order.
		require.NoError(t, c.Send(encodeRequest(&Request{Method: "GET", Path: "/slow"})))
		require.NoError(t, c.Send(encodeRequest(&Request{Method: "GET", Path: "/fast"})))
		r := frameReader{c: c}
		var got []string
		for range 2 {
			frame, err := r.next(-1)
			require.NoError(t, err)
			resp, err := decodeResponse(frame)
			require.NoError(t, err)
			require.Equal(t, 200, resp.Status, "status 0 is sent as 200")
			got = append(got, string(resp.Body))
		}
		require.Equal(t, []string{"/slow", "/fast"}, got)
		require.NoError(t, c.Close())
		require.NoError(t, l.Close())
	})
}

func TestHTTPTimeout(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		srv, cli := NewHost(w, "srv"), NewHost(w, "cli")
		l := netServe(t, w, srv, func(req Request) Response {
			w.Sleep(10 * time.Second)
			return Response{}
		})
		_, err := cli.Do("srv", 80, Request{Method: "GET", Path: "/", Timeout: time.Second})
		require.ErrorIs(t, err, ErrTimeout)
		require.Equal(t, time.Second, w.Elapsed())
		require.Equal(t, 0, cli.FDs())
		_, err = cli.Do("srv", 81, Request{Method: "GET", Path: "/"})
		require.ErrorIs(t, err, ErrRefused)
		// Nobody accepts on this one, and the request is larger than the
		// server's buffer: the timeout bounds the sending too.
		idle, _ := srv.Listen(82)
		start := w.Elapsed()
		_, err = cli.Do("srv", 82, Request{Method: "PUT", Path: "/", Body: make([]byte, 100<<10), Timeout: time.Second})
		require.ErrorIs(t, err, ErrTimeout)
		require.Equal(t, time.Second, w.Elapsed()-start)
		require.NoError(t, idle.Close())
		w.Sleep(10 * time.Second) // the late answer meets a closed socket
		require.NoError(t, l.Close())
		w.Sleep(time.Millisecond)
		require.Equal(t, 0, srv.FDs())
	})
}

func TestHTTPRetriesAfterEMFILE(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		srv := NewHost(w, "srv", FDLimit(2)) // the listener and one connection
		l := netServe(t, w, srv, httpEcho(w))
		var done []time.Duration
		wg := sim.NewWaitGroup(w)
		for i := range 2 {
			h := NewHost(w, fmt.Sprintf("c%d", i))
			wg.Go(fmt.Sprintf("client%d", i), func() {
				_, err := h.Do("srv", 80, Request{Method: "GET", Path: "/"})
				require.NoError(t, err)
				done = append(done, w.Elapsed())
			})
		}
		wg.Wait()
		slices.Sort(done)
		// The second connection waits while Accept fails with emfile, and
		// the server retries after 5, 10, 20, ... 640ms: at 1.275s the first
		// connection's descriptor is free.
		require.Equal(t, []time.Duration{time.Second, 2275 * time.Millisecond}, done)
		require.NoError(t, l.Close())
	})
}

func TestHTTPFraming(t *testing.T) {
	req := Request{Method: "PUT", Path: "/a/b", Header: Headers{{"B", "2"}, {"A", "1"}, {"b", "3"}}, Body: []byte("body\x00bytes")}
	frame := encodeRequest(&req)
	got, err := decodeRequest(frame[4:])
	require.NoError(t, err)
	require.Equal(t, req, got, "headers keep their order")
	require.Equal(t, "2", got.Header.Get("b"), "the first field, without regard to case")
	require.Equal(t, "", got.Header.Get("c"))

	resp := Response{Status: 404, Body: []byte("missing")}
	frame = encodeResponse(&resp)
	gotResp, err := decodeResponse(frame[4:])
	require.NoError(t, err)
	require.Equal(t, resp, gotResp)

	// Every truncation of a frame, and trailing junk, is ErrBadFrame, never
	// a panic.
	payload := encodeRequest(&req)[4:]
	for n := range len(payload) {
		_, err := decodeRequest(payload[:n])
		require.True(t, errors.Is(err, ErrBadFrame), "truncated to %d bytes", n)
	}
	_, err = decodeRequest(append(slices.Clone(payload), 0))
	require.ErrorIs(t, err, ErrBadFrame)
	_, err = decodeResponse([]byte{0xff})
	require.ErrorIs(t, err, ErrBadFrame)
}

func TestHTTPBadFrameResetsTheConnection(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		srv, cli := NewHost(w, "srv"), NewHost(w, "cli")
		l := netServe(t, w, srv, httpEcho(w))
		c, _ := cli.Connect("srv", 80)
		require.NoError(t, c.Send([]byte{0, 0, 0, 1, 0xff}))
		_, err := c.Recv(0)
		require.ErrorIs(t, err, ErrReset)
		require.NoError(t, c.Close())
		require.NoError(t, l.Close())
	})
}
