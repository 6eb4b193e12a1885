package acceptor

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
	"github.com/weftsim/weft/sim/node"
	"github.com/weftsim/weft/sim/otp"
)

// The world of a run: the server's host and node, the clients' host, and
// the harness (the main process and its helpers, off the node), which
// draws the workload, injects the emfile window, probes the accept loop,
// shuts the server down in order, and judges.

// The server's host and node.
const (
	// srvFDLimit is the server host's descriptor limit: room for the
	// listener and more connections than MaxConns, so that only a window
	// (or an emfile fault) runs it out.
	srvFDLimit = 24
	// AtomLimit is the node's atom table (+t 8192, the smallest the
	// emulator accepts), and bootAtoms what the runtime and the release's
	// code already hold, leaving 128 free entries.
	AtomLimit = 8192
	bootAtoms = AtomLimit - 128
	// nodeName is the server's node.
	nodeName = "acceptor@srv"
)

// Timing of the harness.
const (
	// probeDelay is how long after an accept error clears the probe
	// client connects.
	probeDelay = 100 * time.Millisecond
	// settle is how long the harness waits, once the clients are done,
	// before it judges what is left.
	settle = time.Second
	// closedPatience is how long after the listener closes the accept
	// loops have to end (P7).
	closedPatience = 3 * time.Second
)

// run is one run of the scenario.
type run struct {
	w        *sim.World
	v        Variant
	props    propSet
	pr       probes
	mainProc *sim.Proc
	srvHost  *net.Host
	cliHost  *net.Host
	node     *node.Node
	app      *otp.Application
	mode     net.ActiveMode

	// The server as the harness knows it: its current incarnation, its
	// listener and port (0 until it listens).
	srv      *srv
	listener *net.Listener
	port     int
	srvs     []*srv // every incarnation, in start order

	clients []*client
	byAddr  map[net.Addr]*cconn // a client connection by its local address; looked up only
	sconns  []*sconn            // server-side connections, in accept order
	bySrv   map[*net.Conn]*sconn

	// What the harness observed.
	acceptErrs []acceptErr
	exits      []acceptorExit
	probeSched *sim.Proc
	hogUntil   time.Duration // the emfile window's end (0: none yet)
	hogFDs     int
	closing    *closing // the listener the harness closed, once it did
	down       bool     // the node went down: nothing more is judged
	crashed    []crash  // gen_tcp_server crashes the harness saw
	atomStory  *atomMaker
}

// acceptErr is an accept error an accept loop got.
type acceptErr struct {
	at       time.Duration
	err      error
	acceptor *sim.Proc
	hogFDs   int // the descriptors the batch job held then
}

// acceptorExit is an accept loop that ended because of an accept error.
type acceptorExit struct {
	at       time.Duration
	err      error
	acceptor *sim.Proc
}

// crash is gen_tcp_server crashing.
type crash struct {
	at  time.Duration
	why string
}

// atomMaker is the request whose keys httpd was turning into atoms.
type atomMaker struct {
	sc   *sconn
	key  string
	made int // atoms httpd made from query keys in the run so far
}

// closing is the harness's closing of the listener (P7).
type closing struct {
	l        *net.Listener
	s        *srv
	at       time.Duration
	accepts  int // accept calls on l after it closed
	acceptor []*sim.Proc
}

// sconn is the harness's record of a server-side connection.
type sconn struct {
	r        *run
	c        *net.Conn
	cc       *cconn // found by client(), once the client has recorded it
	acceptor *sim.Proc
	handler  *sim.Proc
	s        *srv
	got      []byte
	// early counts the connection's messages in the acceptor's mailbox
	// when it called controlling_process (the handoff moves them).
	early int
	// procs are the processes the server started for the connection
	// besides its handler (WebSocket processes).
	procs []*sim.Proc
	// orphanWhy says why a process in procs was left behind, when the
	// server left one.
	orphanWhy string
	notes     []string
	closedWhy string
	// handedOver: the acceptor is done with it (handed over, or failed to).
	handedOver bool
	// closedAt is when the server closed it (-1: not yet, or not by the
	// model's own code: an owner's exit).
	closedAt time.Duration
}

// Scenario returns the scenario that runs variant v under a workload drawn
// from the world's decisions and fails the run when one of props is
// violated (every property when props is empty). The workload and every
// observation are the same whatever props says; only which violations fail
// the run differs. Its runs need the faults Configure sets.
func Scenario(v Variant, props ...Property) func(*sim.World) {
	return scenario(v, setOf(props), probes{})
}

// probes are the tests' hooks into a run: a listener mode to use instead
// of the drawn one (the draw is still made, so that the rest of the run's
// decisions stay in place), and a function given the run when it ends,
// however it ends.
type probes struct {
	mode  *net.ActiveMode
	ended func(*run)
}

func scenario(v Variant, set propSet, pr probes) func(*sim.World) {
	return func(w *sim.World) {
		r := &run{w: w, v: v, props: set, pr: pr, byAddr: make(map[net.Addr]*cconn), bySrv: make(map[*net.Conn]*sconn)}
		if pr.ended != nil {
			defer pr.ended(r)
		}
		r.main()
	}
}

// main is the scenario: boot the node and the application, draw and start
// the clients, an emfile window and the probe; wait for the clients; then
// judge what is left, close the listener, stop the application, judge
// again, and end.
func (r *run) main() {
	w := r.w
	r.mainProc = w.Self()
	r.srvHost = net.NewHost(w, "srv", net.FDLimit(srvFDLimit))
	r.cliHost = net.NewHost(w, "cli")
	r.node = node.New(w, nodeName, node.Options{AtomLimit: AtomLimit, BootAtoms: bootAtoms})
	r.node.Monitor()
	r.mode = modes[w.Intn(len(modes))]
	if r.pr.mode != nil {
		r.mode = *r.pr.mode
	}
	r.boot()
	if r.port == 0 {
		return // the application could not start: nothing to judge
	}

	// The workload.
	n := 2 + w.Intn(3)
	for i := 1; i <= n; i++ {
		r.clients = append(r.clients, r.drawClient(fmt.Sprintf("c%d", i)))
	}
	if w.Intn(4) == 3 {
		at := burstStarts[w.Intn(len(burstStarts))]
		for i := 1; i <= MaxConns+2; i++ {
			cl := &client{r: r, name: fmt.Sprintf("b%d", i), kind: plain, fast: true, requests: 1, delay: at}
			r.clients = append(r.clients, cl)
		}
	}
	hog := w.Intn(3) == 2
	var hogStart, hogSpan time.Duration
	if hog {
		hogStart, hogSpan = hogStarts[w.Intn(len(hogStarts))], hogSpans[w.Intn(len(hogSpans))]
	}

	finite, told := 0, false
	for _, cl := range r.clients {
		cl.proc = w.Spawn("client "+cl.name, cl.script)
		if !cl.long {
			finite++
		}
	}
	helpers := 1
	r.probeSched = w.Spawn("probe", r.probe)
	if hog {
		helpers++
		w.Spawn("batch job", func() { r.hogWindow(hogStart, hogSpan) })
	}

	// Wait for the finite clients and the helpers (the probe ends once it
	// is told nothing more will happen), or for the node's death.
	for finite > 0 || helpers > 0 {
		if finite == 0 && helpers == 1 && !told {
			w.Send(r.probeSched, probeEnd{})
			told = true
		}
		m, _ := w.Receive(func(m any) bool {
			switch m.(type) {
			case clientDone, helperDone, node.NodeDown:
				return true
			}
			return false
		}, sim.Infinity)
		switch m := m.(type) {
		case clientDone:
			if !m.cl.long {
				finite--
			}
		case helperDone:
			helpers--
		case node.NodeDown:
			r.nodeDown(m)
		}
	}
	if !r.down {
		w.Sleep(settle)
		r.judgeSettled()
		r.closeListener()
		r.stopApplication()
	}
	r.end()
}

// helperDone: a harness helper (the probe, the batch job) ended.
type helperDone struct{}

// probeEnd tells the probe nothing more will happen.
type probeEnd struct{}

// boot starts the application on the node (a supervisor whose one child is
// gen_tcp_server) and waits for it to listen.
func (r *run) boot() {
	w := r.w
	self := w.Self()
	r.node.Spawn("boot", func() {
		app, err := otp.StartApplication(w, "acceptor", func(app *otp.Application) (*sim.Proc, error) {
			sup, err := otp.StartSupervisor(w, "acceptor_sup", otp.SupervisorSpec{
				MaxRestarts: 10, Period: 10 * time.Second,
				Children: []otp.ChildSpec{{ID: "gen_tcp_server", Start: r.startServer, Shutdown: time.Second}},
			})
			if err != nil {
				return nil, err
			}
			return sup.Proc(), nil
		})
		if err == nil {
			r.app = app
		}
		w.Send(self, "booted")
	})
	w.Receive(func(m any) bool { return m == "booted" }, sim.Infinity)
	for r.port == 0 && r.app != nil && r.app.Alive() {
		w.Sleep(time.Millisecond)
	}
}

// startServer is the supervisor's start of gen_tcp_server.
func (r *run) startServer() *sim.Proc {
	w := r.w
	s := &srv{r: r, v: r.v, parent: w.Self(), byConn: make(map[*net.Conn]*hconn)}
	r.srvs = append(r.srvs, s)
	return w.SpawnLink("gen_tcp_server", func() {
		defer func() {
			if v := recover(); v != nil {
				if !w.Kernel().Unwinding(v) {
					r.serverCrashed(s, v)
				}
				panic(v)
			}
		}()
		s.genServer()
	})
}

// hogWindow is a batch job on the server's host that opens files until the
// host has no descriptor left, holds them for span, and closes them: an
// emfile window for the accept loop.
func (r *run) hogWindow(start, span time.Duration) {
	w := r.w
	defer w.Send(r.mainProc, helperDone{})
	w.Sleep(start)
	var files []*net.PacketConn
	for {
		f, err := r.srvHost.ListenPacket(0)
		if err != nil {
			break
		}
		files = append(files, f)
	}
	r.hogFDs = len(files)
	r.hogUntil = w.Elapsed() + span
	w.Sleep(span)
	for _, f := range files {
		_ = f.Close()
	}
	r.hogFDs = 0
}

// end releases the long-lived clients and takes the node down, so that the
// run ends with nothing left waiting.
func (r *run) end() {
	w := r.w
	for _, cl := range r.clients {
		if cl.long && cl.proc.Alive() {
			w.Send(cl.proc, leave)
		}
	}
	for _, cl := range r.clients {
		if cl.long && cl.proc.Alive() {
			w.Receive(func(m any) bool { d, ok := m.(clientDone); return ok && d.cl == cl }, sim.Infinity)
		}
	}
	if r.node.Alive() {
		r.node.Halt("end of the run")
		w.Receive(func(m any) bool { _, ok := m.(node.NodeDown); return ok }, sim.Infinity)
	}
}

// sconnOf is the harness's record of server-side connection c.
func (r *run) sconnOf(c *net.Conn) *sconn {
	if sc := r.bySrv[c]; sc != nil {
		return sc
	}
	sc := &sconn{r: r, c: c, closedAt: -1}
	r.bySrv[c] = sc
	r.sconns = append(r.sconns, sc)
	return sc
}

// openConns counts the server's accepted connections not yet closed.
func (r *run) openConns() int {
	n := 0
	for _, c := range r.srvHost.Conns() {
		if c.Owner() != nil {
			n++
		}
	}
	return n
}

func (r *run) listenerClosed(l *net.Listener) bool {
	return r.closing != nil && r.closing.l == l
}

// client names the client of a server-side connection.
func (sc *sconn) client() string {
	if cc := sc.clientConn(); cc != nil {
		return cc.cl.name
	}
	return "an unknown client"
}

// clientConn is the client's end of a server-side connection: the client
// records it when its Connect returns, which may be after the server
// accepted.
func (sc *sconn) clientConn() *cconn {
	if sc.cc == nil {
		sc.cc = sc.r.byAddr[sc.c.Remote()]
	}
	return sc.cc
}
