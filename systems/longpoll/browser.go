package longpoll

import (
	"errors"
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// The browser: one process is JavaScript's event loop (browser), which runs
// one task at a time to its end; every XMLHttpRequest is a process of its
// own (xhr), which performs the request over the simulated network and
// hands its outcome back to the loop as a task. Code that runs in one task
// runs "in the same tick": nothing else of the page runs in between.

// browser is the page's JavaScript runtime.
type browser struct {
	r     *run
	w     *sim.World
	host  *net.Host
	entry string // the address requests go to: the server, or the balancer
	proc  *sim.Proc
	// ready are the tasks of setTimeout(fn, 0), in order: they run after
	// the current task, before the loop takes the next message.
	ready []func()
	// timers are the pending timers with a delay, in creation order.
	timers    []*jsTimer
	nextTimer int
	nextXHR   int
	stopped   bool
	sock      *socket
}

// jsTimer is a setTimeout.
type jsTimer struct {
	id        int
	due       time.Duration
	fn        func()
	cancelled bool
}

// setTimeout runs fn after d (0: as the next task).
func (b *browser) setTimeout(d time.Duration, fn func()) *jsTimer {
	b.nextTimer++
	t := &jsTimer{id: b.nextTimer, due: b.w.Elapsed() + d, fn: fn}
	if d <= 0 {
		b.ready = append(b.ready, func() {
			if !t.cancelled {
				t.cancelled = true
				fn()
			}
		})
		return t
	}
	b.timers = append(b.timers, t)
	return t
}

// clearTimeout cancels t (nil: nothing).
func (b *browser) clearTimeout(t *jsTimer) {
	if t != nil {
		t.cancelled = true
	}
}

// nextDue returns the index of the timer due first (ties: the older), or
// -1; it drops cancelled timers.
func (b *browser) nextDue() int {
	live := b.timers[:0]
	for _, t := range b.timers {
		if !t.cancelled {
			live = append(live, t)
		}
	}
	b.timers = live
	best := -1
	for i, t := range b.timers {
		if best < 0 || t.due < b.timers[best].due {
			best = i
		}
	}
	return best
}

// xhrDone is an XMLHttpRequest's outcome, handed to the event loop.
type xhrDone struct {
	x    *xhr
	resp net.Response
	err  error
}

func (d xhrDone) String() string { return fmt.Sprintf("xhr done %s: %v", d.x.name, d.err) }

// browserStop ends the event loop.
type browserStop struct{}

// loop is the event loop: run the ready tasks, then the due timers, then
// wait for the next message (an XHR's outcome) or timer.
func (b *browser) loop() {
	w := b.w
	for !b.stopped {
		if len(b.ready) > 0 {
			fn := b.ready[0]
			b.ready = b.ready[1:]
			fn()
			continue
		}
		i := b.nextDue()
		if i >= 0 && b.timers[i].due <= w.Elapsed() {
			t := b.timers[i]
			b.timers = append(b.timers[:i], b.timers[i+1:]...)
			t.cancelled = true
			t.fn()
			continue
		}
		timeout := sim.Infinity
		if i >= 0 {
			timeout = b.timers[i].due - w.Elapsed()
		}
		m, ok := w.Receive(nil, timeout)
		if !ok {
			continue
		}
		switch m := m.(type) {
		case xhrDone:
			b.complete(m)
		case browserStop:
			b.stopped = true
		}
	}
}

// xhr is one XMLHttpRequest.
type xhr struct {
	b       *browser
	name    string // "POST #3"
	method  string
	proc    *sim.Proc
	aborted bool
	// callback is Phoenix's onreadystatechange (complete) and onerror: the
	// parsed response, or nil for a network error, a timeout or a body
	// that does not parse. ontimeout is its ontimeout.
	callback  func(*lpResponse)
	ontimeout func()
	// What it carried and how it ended, for the stories.
	carried   []string
	outcome   string
	startedAt time.Duration
}

// ajax starts an XMLHttpRequest to the server's long-poll endpoint.
func (b *browser) ajax(method string, header net.Headers, body []byte, timeout time.Duration, ontimeout func(), callback func(*lpResponse)) *xhr {
	w := b.w
	b.nextXHR++
	x := &xhr{b: b, name: fmt.Sprintf("%s #%d", method, b.nextXHR), method: method, callback: callback, ontimeout: ontimeout, startedAt: w.Elapsed()}
	header = append(header, net.Header{Name: "X-Request-Id", Value: x.name})
	req := net.Request{Method: method, Path: "/socket/longpoll", Header: header, Body: body, Timeout: timeout}
	x.proc = w.Spawn("xhr "+x.name, func() {
		b.r.maybePartition(x)
		resp, err := b.host.Do(b.entry, httpPort, req)
		w.Send(b.proc, xhrDone{x: x, resp: resp, err: err})
	})
	b.r.xhrs = append(b.r.xhrs, x)
	return x
}

// abort is XMLHttpRequest.abort: the request's connection closes, and no
// callback runs. (An aborted XMLHttpRequest fires readystatechange, and
// Phoenix's ajax then calls back with null, re-entering LongPoll.close
// while it aborts; the socket ignores a transport's second close, so the
// model leaves those calls out.)
func (x *xhr) abort() {
	if x.aborted || x.outcome != "" {
		return
	}
	x.aborted = true
	x.outcome = "aborted"
	if x.proc.Alive() {
		x.b.w.Kill(x.proc)
	}
}

// complete runs an XHR's outcome as a task: on a timeout, readystatechange
// (the callback, with null) and then ontimeout, as the XMLHttpRequest
// standard orders them; on a network error, onerror (null); otherwise the
// parsed body.
func (b *browser) complete(d xhrDone) {
	x := d.x
	if x.aborted {
		return
	}
	switch {
	case d.err == nil:
		x.outcome = "answered"
		r := parseResponse(d.resp.Body)
		if r != nil {
			x.outcome = fmt.Sprintf("answered %d", r.status)
		} else if d.resp.Status != 200 {
			x.outcome = fmt.Sprintf("answered %d by the balancer", d.resp.Status)
		}
		x.callback(r)
	case isTimeout(d.err):
		x.outcome = "timed out"
		x.callback(nil)
		x.ontimeout()
	default:
		x.outcome = "failed: " + d.err.Error()
		x.callback(nil)
	}
}

// isTimeout reports whether a request failed by running out its Timeout.
func isTimeout(err error) bool { return errors.Is(err, net.ErrTimeout) }
