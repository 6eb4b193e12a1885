package net

// The load balancer and the requests that hang: each test checks one thing
// HAProxy or nginx in front of HTTP servers does (the rules above the
// Balancer type), with exact virtual times on links of fixed latency; and a
// long-poll exchange, where the server holds a request until it has
// something to say, checked directly and through the balancer.

import (
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/internal/simtest"
)

// balanced starts a balancer on lb:80 in front of the backends and returns
// its listener; closing it ends the balancer's process.
func balanced(t *testing.T, w *sim.World, lb *Host, cfg Balancer) *Listener {
	l, err := lb.Listen(80)
	require.NoError(t, err)
	w.Go("balancer", func() {
		require.ErrorIs(t, l.Balance(cfg), ErrClosed)
	})
	return l
}

// named answers with its own name, the forwarded-for header and the
// address the request came from.
func named(name string) func(Request) Response {
	return func(req Request) Response {
		return Response{Body: fmt.Appendf(nil, "%s %s for %s via %s", name, req.Path, req.Header.Get("X-Forwarded-For"), req.RemoteAddr.Host)}
	}
}

func TestBalancerRoundRobin(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		cli, lb, a, b := NewHost(w, "cli"), NewHost(w, "lb"), NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: time.Millisecond})
		la, lbk := netServe(t, w, a, named("a")), netServe(t, w, b, named("b"))
		l := balanced(t, w, lb, Balancer{Backends: []Addr{{"a", 80}, {"b", 80}}})
		var got []string
		for i := range 4 {
			resp, err := cli.Do("lb", 80, Request{Method: "GET", Path: fmt.Sprintf("/%d", i)})
			require.NoError(t, err)
			got = append(got, string(resp.Body))
		}
		require.Equal(t, []string{"a /0 for cli via lb", "b /1 for cli via lb", "a /2 for cli via lb", "b /3 for cli via lb"}, got)
		// Each request: the client's handshake and request (3ms), the
		// balancer's own to the backend (3ms), the two answers (2ms).
		require.Equal(t, 4*8*time.Millisecond, w.Elapsed())
		for _, l := range []*Listener{l, la, lbk} {
			require.NoError(t, l.Close())
		}
	})
}

// Under RandomBackend each request's backend is a decision: the calmest
// run sends everything to the first backend, and exploring reaches every
// assignment.
func TestBalancerRandomBackend(t *testing.T) {
	scenario := func(got *[]string) func(w *sim.World) {
		return func(w *sim.World) {
			cli, lb, a, b := NewHost(w, "cli"), NewHost(w, "lb"), NewHost(w, "a"), NewHost(w, "b")
			la, lbk := netServe(t, w, a, named("a")), netServe(t, w, b, named("b"))
			l := balanced(t, w, lb, Balancer{Backends: []Addr{{"a", 80}, {"b", 80}}, Policy: RandomBackend})
			*got = nil
			for range 2 {
				resp, err := cli.Do("lb", 80, Request{Method: "GET", Path: "/"})
				require.NoError(t, err)
				*got = append(*got, string(resp.Body[:1]))
			}
			for _, l := range []*Listener{l, la, lbk} {
				require.NoError(t, l.Close())
			}
		}
	}
	var got []string
	r := sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, scenario(&got))
	require.Nil(t, r.Failure)
	require.Equal(t, []string{"a", "a"}, got, "decision 0 is the first backend")
	seen := map[string]bool{}
	for seed := uint64(0); seed < 100 && len(seen) < 4; seed++ {
		r := sim.Run(sim.Config{Seed: seed}, scenario(&got))
		require.Nil(t, r.Failure)
		seen[fmt.Sprint(got)] = true
	}
	require.Len(t, seen, 4, "every assignment of two requests to two backends")
}

// A backend that refuses the connection (its server is down) costs the
// client nothing but time: the balancer takes the next one. When all
// refuse, the client gets 502.
func TestBalancerRedispatchesRefusedConnections(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		cli, lb, _, b := NewHost(w, "cli"), NewHost(w, "lb"), NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: time.Millisecond})
		lbk := netServe(t, w, b, named("b"))
		l := balanced(t, w, lb, Balancer{Backends: []Addr{{"a", 80}, {"b", 80}}})
		resp, err := cli.Do("lb", 80, Request{Method: "POST", Path: "/x"})
		require.NoError(t, err)
		require.Equal(t, "b /x for cli via lb", string(resp.Body))
		// a's refusal took a round trip (a reset answers the handshake).
		require.Equal(t, 10*time.Millisecond, w.Elapsed())

		require.NoError(t, lbk.Close())
		start := w.Elapsed()
		resp, err = cli.Do("lb", 80, Request{Method: "POST", Path: "/x"})
		require.NoError(t, err, "the balancer answers")
		require.Equal(t, StatusBadGateway, resp.Status)
		require.Contains(t, string(resp.Body), "no backend took the connection (b:80: net: connection refused (econnrefused); a:80: net: connection refused (econnrefused))")
		require.Equal(t, 8*time.Millisecond, w.Elapsed()-start)
		require.NoError(t, l.Close())
	})
}

// Once the request has reached a backend it is never sent again: a
// backend that crashes handling it gives 502, and the other backend never
// sees it.
func TestBalancerDoesNotResendAfterSending(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		cli, lb, a, b := NewHost(w, "cli"), NewHost(w, "lb"), NewHost(w, "a"), NewHost(w, "b")
		handled := 0
		la := netServe(t, w, a, func(Request) Response { handled++; panic("backend crashed") })
		lbk := netServe(t, w, b, func(Request) Response { handled++; return Response{} })
		l := balanced(t, w, lb, Balancer{Backends: []Addr{{"a", 80}, {"b", 80}}})
		resp, err := cli.Do("lb", 80, Request{Method: "POST", Path: "/charge"})
		require.NoError(t, err)
		require.Equal(t, StatusBadGateway, resp.Status)
		require.Equal(t, "a:80: "+io.ErrUnexpectedEOF.Error(), string(resp.Body))
		require.Equal(t, 1, handled, "the request went to a only")
		for _, l := range []*Listener{l, la, lbk} {
			require.NoError(t, l.Close())
		}
	})
}

// A backend slower than the proxy timeout: the client gets 504 at the
// timeout, and the backend's late answer is dropped.
func TestBalancerTimeout(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		cli, lb, a := NewHost(w, "cli"), NewHost(w, "lb"), NewHost(w, "a")
		SetDefaultLink(w, Link{Latency: time.Millisecond})
		la := netServe(t, w, a, func(Request) Response { w.Sleep(time.Minute); return Response{} })
		l := balanced(t, w, lb, Balancer{Backends: []Addr{{"a", 80}}, Timeout: 10 * time.Second})
		resp, err := cli.Do("lb", 80, Request{Method: "GET", Path: "/"})
		require.NoError(t, err)
		require.Equal(t, StatusGatewayTimeout, resp.Status)
		require.Equal(t, "a:80 did not answer within 10s", resp.Header.Get("X-Balancer-Error"))
		// 3ms to the balancer, 2ms for its handshake with a, the 10s, 1ms back.
		require.Equal(t, 10*time.Second+6*time.Millisecond, w.Elapsed())
		w.Sleep(time.Minute) // the late answer meets a closed socket
		require.NoError(t, l.Close())
		require.NoError(t, la.Close())
		w.Sleep(time.Second)
		require.Equal(t, 0, a.FDs())
		require.Equal(t, 0, lb.FDs())
	})
}

// A long poll: the server holds the request until it has something for
// the client (here an event another process sends it), or answers "no
// content" after a window; the client keeps polling. Through the balancer
// it is the same, and a client that gives up first (its request's
// Timeout) does not cancel the held request: the handler answers when the
// event comes, into a connection the client has closed.
func TestHTTPLongPoll(t *testing.T) {
	const window = 10 * time.Second
	for _, viaBalancer := range []bool{false, true} {
		t.Run(fmt.Sprintf("balancer=%v", viaBalancer), func(t *testing.T) {
			simtest.RunSeeds(t, 20, func(w *sim.World) {
				cli, srv := NewHost(w, "cli"), NewHost(w, "srv")
				SetDefaultLink(w, Link{Latency: time.Millisecond})
				var waiting []*sim.Proc // handlers holding a poll, oldest first
				var answered []string
				l := netServe(t, w, srv, func(req Request) Response {
					waiting = append(waiting, w.Self())
					defer func() { waiting = slices.DeleteFunc(waiting, func(p *sim.Proc) bool { return p == w.Self() }) }()
					m, ok := w.Receive(nil, window)
					if !ok {
						answered = append(answered, "204")
						return Response{Status: 204}
					}
					answered = append(answered, m.(string))
					return Response{Body: []byte(m.(string))}
				})
				addr := "srv"
				if viaBalancer {
					lb := NewHost(w, "lb")
					bl := balanced(t, w, lb, Balancer{Backends: []Addr{{"srv", 80}}})
					defer bl.Close()
					addr = "lb"
				}
				hop := 3 * time.Millisecond // the handshake and the request, one way
				if viaBalancer {
					hop *= 2
				}
				// The event comes while the poll is held: the answer
				// follows at once.
				w.Go("events", func() {
					w.Sleep(2 * time.Second)
					require.Len(t, waiting, 1)
					w.Send(waiting[0], "event 1")
				})
				resp, err := cli.Do(addr, 80, Request{Method: "GET", Path: "/poll", Timeout: 20 * time.Second})
				require.NoError(t, err)
				require.Equal(t, "event 1", string(resp.Body))
				require.Equal(t, 2*time.Second+hop/3, w.Elapsed(), "answered as the event came")
				// Nothing comes: "no content" at the end of the window.
				start := w.Elapsed()
				resp, err = cli.Do(addr, 80, Request{Method: "GET", Path: "/poll", Timeout: 20 * time.Second})
				require.NoError(t, err)
				require.Equal(t, 204, resp.Status)
				require.Equal(t, window+hop+hop/3, w.Elapsed()-start)
				// The client gives up before the window ends; the event
				// comes later and is answered into the closed connection.
				w.Go("late event", func() {
					w.Sleep(5 * time.Second)
					require.Len(t, waiting, 1, "the client's timeout did not cancel the held request")
					w.Send(waiting[0], "event 2")
				})
				_, err = cli.Do(addr, 80, Request{Method: "GET", Path: "/poll", Timeout: 2 * time.Second})
				require.ErrorIs(t, err, ErrTimeout)
				w.Sleep(5 * time.Second)
				require.Equal(t, []string{"event 1", "204", "event 2"}, answered)
				require.NoError(t, l.Close())
				w.Sleep(time.Second)
				require.Equal(t, 0, cli.FDs())
				require.Equal(t, 0, srv.FDs())
			})
		})
	}
}
