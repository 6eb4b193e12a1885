package names

import (
	"errors"
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
)

var (
	// ErrNoProc is the error of a Call that no process answered: none was
	// registered under the name, or the one that was ended before it
	// answered (gen_server:call's noproc, and its exit with the server's
	// reason).
	ErrNoProc = errors.New("names: noproc")
	// ErrTimeout is the error of a Call whose server did not answer in time
	// (gen_server:call's timeout). An answer that comes after it stays in
	// the caller's mailbox, as it did with gen_server:call before process
	// aliases.
	ErrTimeout = errors.New("names: timeout")
)

// request is what Call sends a server; reply what the server sends back.
type request struct {
	ref  int64
	from *sim.Proc
	body any
}

type reply struct {
	ref  int64
	body any
}

func (m request) String() string { return fmt.Sprintf("call #%d %v", m.ref, m.body) }
func (m reply) String() string   { return fmt.Sprintf("reply #%d %v", m.ref, m.body) }

// Serve starts a server process registered under name that answers each
// Call with handle(request), one call at a time, in the order they arrive,
// as a gen_server's handle_call. The server is an OTP process (World.Spawn):
// a panic in handle ends it with a *sim.Crash and releases the name, and so
// does a request of another type than Req, as a gen_server crashes on a
// call that no clause matches; its caller gets ErrNoProc. Serve
// fails as Register does when the name is taken; then no process is left.
// It is a scheduling point.
func Serve[Req, Resp any](w *sim.World, name string, handle func(Req) Resp) (*sim.Proc, error) {
	p := w.Spawn(name, func() {
		for {
			m, _ := w.Receive(func(m any) bool { _, ok := m.(request); return ok }, sim.Infinity)
			req := m.(request)
			body, ok := req.body.(Req)
			if !ok {
				panic(fmt.Sprintf("names: server %q got a request of type %T, not %T", name, req.body, body))
			}
			w.Send(req.from, reply{ref: req.ref, body: handle(body)})
		}
	})
	if err := Register(w, name, p); err != nil {
		w.Kernel().Kill(p, sim.Shutdown)
		return nil, err
	}
	return p, nil
}

// Call sends req to the server registered under name and waits up to
// timeout of virtual time for its answer (sim.Infinity: forever), as
// gen_server:call(Name, Req, Timeout). It fails with ErrNoProc when nothing
// is registered under name or the server ends before it answers (the error
// says its exit reason), and with ErrTimeout when the time runs out. A
// caller monitors the server for the call's length and leaves no message
// behind. Call is a scheduling point.
func Call[Req, Resp any](w *sim.World, name string, req Req, timeout time.Duration) (Resp, error) {
	var zero Resp
	p := Whereis(w, name)
	if p == nil {
		return zero, fmt.Errorf("%w: call(%q, %v): no process is registered under the name", ErrNoProc, name, req)
	}
	r := of(w)
	r.refs++
	ref := r.refs
	mon := w.Monitor(p)
	w.Send(p, request{ref: ref, from: w.Self(), body: req})
	m, ok := w.Receive(func(m any) bool {
		switch m := m.(type) {
		case reply:
			return m.ref == ref
		case sim.Down:
			return m.Ref == mon
		}
		return false
	}, timeout)
	if !ok {
		w.Kernel().DemonitorFlush(mon)
		// A late answer must not stay in the caller's mailbox for good.
		w.Kernel().TakeMessages(w.Self(), func(m any) bool { rep, ok := m.(reply); return ok && rep.ref == ref })
		return zero, fmt.Errorf("%w: call(%q, %v): no answer within %v", ErrTimeout, name, req, timeout)
	}
	if down, isDown := m.(sim.Down); isDown {
		return zero, fmt.Errorf("%w: call(%q, %v): %v ended: %v", ErrNoProc, name, req, down.Proc, down.Reason)
	}
	w.Kernel().DemonitorFlush(mon)
	resp, _ := m.(reply).body.(Resp)
	return resp, nil
}
