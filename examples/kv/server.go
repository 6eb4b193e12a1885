package kv

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/ets"
	"github.com/weftsim/weft/sim/net"
	"github.com/weftsim/weft/sim/otp"
)

// Variant says how the server acknowledges a PUT.
type Variant uint8

const (
	// WriteBehind answers a PUT as soon as the write is queued in the store
	// process's mailbox (a cast): the defect.
	WriteBehind Variant = iota + 1
	// WriteThrough answers a PUT once the store has applied it (a call), and
	// answers nothing when the store dies first: the fix.
	WriteThrough
)

var variantNames = [...]string{WriteBehind: "write-behind", WriteThrough: "write-through"}

func (v Variant) String() string {
	if int(v) < len(variantNames) && variantNames[v] != "" {
		return variantNames[v]
	}
	return fmt.Sprintf("Variant(%d)", uint8(v))
}

// Variants lists the variants, the defect first.
func Variants() []Variant { return []Variant{WriteBehind, WriteThrough} }

// Server is a running key-value server: an application "kv" on one host. Its
// application master owns the table "kv", so the data lives as long as the
// application; a supervisor (one-for-one) runs the store process, which
// alone reads and writes the table, and the acceptor, which owns the
// listener and spawns a handler process per connection. Handlers are not
// supervised: each lives as long as its connection.
type Server struct {
	w       *sim.World
	variant Variant
	host    *net.Host
	port    int
	app     *otp.Application
	table   *ets.Table[string, int]
	// store is the store process the supervisor started last; handlers
	// reach the store through it, as Erlang code reaches a registered name.
	// It may have ended and not yet been restarted: a message sent to it
	// then is dropped, as one sent to a dead pid is.
	store *sim.Proc
}

// Process names. Killable and the timelines rely on them.
const (
	appName      = "kv"
	storeName    = "kv/store"
	acceptorName = "kv/acceptor"
	handlerName  = "kv/conn " // + the client's address
)

// storeRestarts and storePeriod are the supervisor's restart intensity:
// generous, so that a run's kill faults never make it give up.
const (
	storeRestarts = 1000
	storePeriod   = time.Second
)

// StartServer starts the server application on h, listening on port. It
// must be called from a process of w, and returns once the application has
// started (the listener may open a moment later, when the acceptor first
// runs). It fails only if the table or the supervisor cannot be made.
func StartServer(w *sim.World, h *net.Host, port int, v Variant) (*Server, error) {
	if v != WriteBehind && v != WriteThrough {
		panic(fmt.Sprintf("kv: StartServer: %v is not a variant", v))
	}
	s := &Server{w: w, variant: v, host: h, port: port}
	app, err := otp.StartApplication(w, appName, func(*otp.Application) (*sim.Proc, error) {
		// Made on the master, which owns it: the table outlives every
		// restart of the store. Public, because its owner is not the
		// process that writes it.
		t, err := ets.New[string, int](w, ets.Options{Name: "kv", Access: ets.Public})
		if err != nil {
			return nil, err
		}
		s.table = t
		sup, err := otp.StartSupervisor(w, "kv/sup", otp.SupervisorSpec{
			MaxRestarts: storeRestarts,
			Period:      storePeriod,
			Children: []otp.ChildSpec{
				{ID: "store", Start: func() *sim.Proc {
					p := w.SpawnLink(storeName, s.runStore)
					s.store = p
					return p
				}},
				{ID: "acceptor", Start: func() *sim.Proc { return w.SpawnLink(acceptorName, s.runAcceptor) }},
			},
		})
		if err != nil {
			return nil, err
		}
		return sup.Proc(), nil
	})
	if err != nil {
		return nil, fmt.Errorf("kv: the server application did not start: %w", err)
	}
	s.app = app
	return s, nil
}

// Stop stops the application: the supervisor terminates the acceptor (which
// closes the listener) and the store, then the master exits and the table
// goes. Handlers end when their clients close their connections.
func (s *Server) Stop() { s.app.Stop() }

// The store's messages. A put without a caller (From nil) is a cast; the
// others are calls, tagged with the caller's monitor on the store, as
// gen_server:call tags its request.
type (
	putMsg struct {
		key   string
		value int
		from  *sim.Proc
		ref   sim.MonitorRef
	}
	getMsg struct {
		key  string
		from *sim.Proc
		ref  sim.MonitorRef
	}
	replyMsg struct {
		ref   sim.MonitorRef
		value int
		found bool
	}
)

func (m putMsg) String() string {
	if m.from == nil {
		return fmt.Sprintf("cast put %s=%d", m.key, m.value)
	}
	return fmt.Sprintf("call put %s=%d from %v", m.key, m.value, m.from)
}
func (m getMsg) String() string { return fmt.Sprintf("call get %s from %v", m.key, m.from) }
func (m replyMsg) String() string {
	if !m.found {
		return "reply: not found"
	}
	return fmt.Sprintf("reply: %d", m.value)
}

// runStore is the store process: it applies requests one at a time, in the
// order they reach its mailbox. The table's errors (badarg) cannot happen
// while the application runs; if one did, the store would crash and be
// restarted, as Erlang code would.
func (s *Server) runStore() {
	w := s.w
	for {
		m, _ := w.Receive(nil, sim.Infinity)
		switch m := m.(type) {
		case putMsg:
			if err := s.table.Insert(m.key, m.value); err != nil {
				panic(err)
			}
			if m.from != nil {
				w.Send(m.from, replyMsg{ref: m.ref})
			}
		case getMsg:
			v, found, err := s.table.Lookup(m.key)
			if err != nil {
				panic(err)
			}
			w.Send(m.from, replyMsg{ref: m.ref, value: v, found: found})
		}
	}
}

// runAcceptor is the acceptor process: it owns the listener (which closes
// when it dies, resetting connections not yet accepted) and hands each
// accepted connection to a new handler process. The listener is passive, so
// a request that arrives before the handoff waits in the connection's buffer
// rather than in the acceptor's mailbox.
func (s *Server) runAcceptor() {
	l, err := s.host.Listen(s.port)
	if err != nil {
		panic(fmt.Sprintf("kv: listen on %d: %v", s.port, err))
	}
	for {
		c, err := l.Accept()
		if err != nil {
			panic(fmt.Sprintf("kv: accept: %v", err))
		}
		h := s.w.Spawn(handlerName+c.Remote().String(), func() { s.serve(c) })
		if err := c.ControllingProcess(h); err != nil {
			// The handler has already ended (killed before the handoff).
			_ = c.Close()
		}
	}
}

// storeDown is the exit reason of a handler whose call to the store found it
// dead, as gen_server:call exits its caller.
type storeDown struct{ reason any }

func (e storeDown) String() string { return fmt.Sprintf("the store died during a call: %v", e.reason) }

// serve is a connection's handler: it answers the connection's requests in
// turn until the client closes it. The protocol is one line each way:
//
//	PUT <key> <int>  ->  OK
//	GET <key>        ->  VALUE <int> | NONE
func (s *Server) serve(c *net.Conn) {
	w := s.w
	lc := &lineConn{w: w, c: c}
	for {
		line, err := lc.readLine(-1)
		if err != nil {
			_ = c.Close()
			return
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "PUT":
			v, err := strconv.Atoi(f[2])
			if err != nil {
				panic(fmt.Sprintf("kv: bad request %q", line))
			}
			switch s.variant {
			case WriteBehind:
				// BUG: a cast. The write is only queued in the store's
				// mailbox, and the client hears OK; if the store dies
				// before it takes the message, the write is gone.
				w.Send(s.store, putMsg{key: f[1], value: v})
			case WriteThrough:
				s.call(func(ref sim.MonitorRef) any {
					return putMsg{key: f[1], value: v, from: w.Self(), ref: ref}
				})
			}
			err = lc.writeLine("OK")
		case len(f) == 2 && f[0] == "GET":
			r := s.call(func(ref sim.MonitorRef) any { return getMsg{key: f[1], from: w.Self(), ref: ref} })
			if r.found {
				err = lc.writeLine("VALUE " + strconv.Itoa(r.value))
			} else {
				err = lc.writeLine("NONE")
			}
		default:
			panic(fmt.Sprintf("kv: bad request %q", line))
		}
		if err != nil {
			_ = c.Close()
			return
		}
	}
}

// call sends the store the request msg(ref) and waits for its reply,
// monitoring it, as gen_server:call does. If the store ends first (or had
// ended), the handler exits without answering its client: the request may
// or may not have been applied, and closing the connection is the honest
// way to say so.
func (s *Server) call(msg func(ref sim.MonitorRef) any) replyMsg {
	w := s.w
	store := s.store
	ref := w.Monitor(store)
	w.Send(store, msg(ref))
	m, _ := w.Receive(func(m any) bool {
		switch m := m.(type) {
		case replyMsg:
			return m.ref == ref
		case sim.Down:
			return m.Ref == ref
		}
		return false
	}, sim.Infinity)
	if d, ok := m.(sim.Down); ok {
		w.Exit(storeDown{d.Reason})
	}
	w.Demonitor(ref)
	// Flush a Down that arrived between the reply and the Demonitor.
	w.Receive(func(m any) bool { d, ok := m.(sim.Down); return ok && d.Ref == ref }, 0)
	return m.(replyMsg)
}
