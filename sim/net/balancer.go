package net

import (
	"errors"
	"fmt"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// A load balancer for the request/response layer: a reverse proxy that
// passes each request to one of several backends, as nginx or HAProxy in
// front of an application's servers do. What systems depend on, and what it
// keeps of those proxies:
//
//   - Each client connection is served by a process of its own (it is
//     Listener.Serve underneath), so two requests of one client, on two
//     connections, are proxied side by side and may reach different
//     backends, in either order. Nothing is sticky: a backend is chosen per
//     request.
//   - The proxy opens a new connection to the backend for every request (as
//     nginx does without upstream keepalive). A connection that fails
//     (refused, no route, timed out) is retried on the next backend, each
//     backend at most once, as HAProxy with "option redispatch" and nginx's
//     proxy_next_upstream do; once the request has been sent it is never
//     sent again, since the backend may have acted on it.
//   - When every backend refuses, the client gets 502 (Bad Gateway); when
//     the backend breaks the connection before answering, 502 too; when it
//     has not answered within the proxy timeout, 504 (Gateway Timeout).
//     The status's body names the backend and the error.
//   - A client that goes away while its request is upstream does not cancel
//     it (HAProxy's default, and nginx's with proxy_ignore_client_abort): the
//     backend still handles the request, and its answer is dropped when it
//     comes.
//   - The backend sees the balancer as the request's RemoteAddr, and the
//     client's address in an X-Forwarded-For header appended to the
//     request's.

// BalancePolicy says how a Balancer chooses the backend of a request.
type BalancePolicy uint8

const (
	// RoundRobin sends each request to the next backend in turn, from the
	// first (nginx's and HAProxy's default).
	RoundRobin BalancePolicy = iota
	// RandomBackend draws each request's backend through a Random decision
	// (option 0, the default, is the first backend), so exploration covers
	// every assignment of requests to backends and shrinking moves them all
	// to the first.
	RandomBackend
)

func (p BalancePolicy) String() string {
	switch p {
	case RoundRobin:
		return "round-robin"
	case RandomBackend:
		return "random"
	}
	return fmt.Sprintf("BalancePolicy(%d)", uint8(p))
}

// Balancer configures Listener.Balance.
type Balancer struct {
	// Backends are the servers requests are passed to, in order; at least
	// one.
	Backends []Addr
	// Policy chooses each request's backend.
	Policy BalancePolicy
	// ConnectTimeout bounds the connection to a backend (0: 5s, HAProxy's
	// usual "timeout connect"); a backend that does not answer in time
	// counts as refusing.
	ConnectTimeout time.Duration
	// Timeout bounds the wait for a backend's response, from the moment
	// the connection to it is open (0: 60s, nginx's proxy_read_timeout).
	Timeout time.Duration

	_ struct{} // disallow positional literals, for extensibility
}

// Default timeouts of a Balancer.
const (
	defaultProxyConnectTimeout = 5 * time.Second
	defaultProxyTimeout        = time.Minute
)

// Statuses a Balancer answers with when it cannot give the backend's.
const (
	StatusBadGateway     = 502
	StatusGatewayTimeout = 504
)

// Balance serves l as a load balancer in front of cfg.Backends: every
// request is passed to a backend chosen by cfg.Policy and the backend's
// response is passed back (see the package doc and the rules above the
// Balancer type for what happens when a backend fails). Like Serve, it
// serves each connection in a process of its own and returns Accept's
// error when l is closed (ErrClosed). It panics when cfg has no backend.
func (l *Listener) Balance(cfg Balancer) error {
	if len(cfg.Backends) == 0 {
		panic(fmt.Sprintf("net: %v: Balance with no backend", l))
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = defaultProxyConnectTimeout
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultProxyTimeout
	}
	b := &balancer{l: l, cfg: cfg}
	return l.Serve(b.forward)
}

// balancer is the state of one Balance loop.
type balancer struct {
	l    *Listener
	cfg  Balancer
	next int // RoundRobin: the backend of the next request
}

// choose picks the first backend to try for a request.
func (b *balancer) choose() int {
	switch b.cfg.Policy {
	case RandomBackend:
		return b.l.n.k.Decide(scheduler.Random, len(b.cfg.Backends))
	default:
		i := b.next
		b.next = (b.next + 1) % len(b.cfg.Backends)
		return i
	}
}

// forward passes req to a backend and returns what the client gets. It
// runs in the process serving the client's connection.
func (b *balancer) forward(req Request) Response {
	n := b.l.n
	first := b.choose()
	up := req
	up.Header = append(append(Headers(nil), req.Header...), Header{"X-Forwarded-For", req.RemoteAddr.Host})
	up.RemoteAddr = Addr{}
	up.Timeout = 0
	var tried []string
	for k := range b.cfg.Backends {
		be := b.cfg.Backends[(first+k)%len(b.cfg.Backends)]
		n.k.Event(sim.EventNote, &b.l.obj, int64(be.Port), func() string {
			return fmt.Sprintf("balance %s %s from %v -> %v", req.Method, req.Path, req.RemoteAddr, be)
		})
		c, err := b.l.host.connect(be.Host, be.Port, b.cfg.ConnectTimeout)
		if err != nil {
			tried = append(tried, fmt.Sprintf("%v: %v", be, err))
			continue // nothing was sent: the next backend may take it
		}
		resp, err := c.roundTrip(&up, n.k.Deadline(b.cfg.Timeout))
		switch {
		case err == nil:
			return resp
		case errors.Is(err, ErrTimeout):
			return proxyError(StatusGatewayTimeout, fmt.Sprintf("%v did not answer within %v", be, b.cfg.Timeout))
		default:
			return proxyError(StatusBadGateway, fmt.Sprintf("%v: %v", be, err))
		}
	}
	return proxyError(StatusBadGateway, fmt.Sprintf("no backend took the connection (%s)", joinTried(tried)))
}

func proxyError(status int, why string) Response {
	return Response{Status: status, Header: Headers{{"X-Balancer-Error", why}}, Body: []byte(why)}
}

func joinTried(tried []string) string {
	s := ""
	for i, t := range tried {
		if i > 0 {
			s += "; "
		}
		s += t
	}
	return s
}
