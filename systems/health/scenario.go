package health

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/weftsim/weft/sim"
)

// Variant names a version of the health service.
type Variant string

// The variants: arke as it was, arke with PR 115, and the owned design.
const (
	Original Variant = "original"
	PR115    Variant = "pr115"
	Owned    Variant = "owned"
)

// String is the variant's name.
func (v Variant) String() string { return string(v) }

// Variants lists every variant, in the order of the verdict table.
func Variants() []Variant { return []Variant{Original, PR115, Owned} }

// server is what a variant implements: arke's two entry points.
type server interface {
	// Check handles one client's stream until it ends.
	Check(st *stream) error
	// MonitorHealthChan broadcasts every code received from receiver, until
	// receiver is closed.
	MonitorHealthChan(receiver *sim.Chan[Update])
}

func (v Variant) valid() bool { return v == Original || v == PR115 || v == Owned }

func newServer(v Variant, r *run) server {
	switch v {
	case Original:
		return newOriginal(r)
	case PR115:
		return newPR115(r)
	case Owned:
		return newOwned(r)
	}
	panic(fmt.Sprintf("health: unknown variant %q (have %v)", v, Variants()))
}

// The source's menus (option 0 the calmest), as the clients' in clients.go.
var (
	firstCasts = []time.Duration{100 * time.Millisecond, 50 * time.Millisecond, 200 * time.Millisecond}
	intervals  = []time.Duration{300 * time.Millisecond, 50 * time.Millisecond, time.Second}
)

// Scenario returns the scenario that runs variant v under a workload drawn
// from the world's decisions and fails the run when one of props is
// violated (every property when props is empty). The workload and every
// observation are the same whatever props says, so runs of one seed are
// equal across property sets until a violation ends one; only which
// violations fail the run differs. It panics on an unknown variant.
func Scenario(v Variant, props ...Property) func(*sim.World) {
	if !v.valid() {
		panic(fmt.Sprintf("health: unknown variant %q (have %v)", v, Variants()))
	}
	return scenarioOf(func(r *run) server { return newServer(v, r) }, setOf(props))
}

// scenarioOf is Scenario for any server, so that tests can judge mutants.
func scenarioOf(newServer func(*run) server, props propSet) func(*sim.World) {
	return func(w *sim.World) {
		r := newRun(w, props)
		r.srv = newServer(r)
		r.main()
	}
}

// run is one run of the scenario: the server, the clients, the source, and
// what the properties observe.
type run struct {
	w     *sim.World
	props propSet
	srv   server
	wg    *sim.WaitGroup // every process but main

	stop    sim.Context // cancelled at the end: every stream derives from it
	stopAll func()
	// down is closed when a server process crashed in a run that does not
	// judge that crash: the source stops waiting for the dead monitor, and
	// the properties stop judging (see crash).
	down    *sim.Chan[struct{}]
	crashed bool

	clients  []*client
	bounds   []time.Duration // the clients' distinct bounds (client.bound), ascending
	nextConn int
	casts    []*broadcast // casts[i] has number i+1
	goaway   *broadcast   // nil until GOAWAY is broadcast
	// goawaySent is closed when GOAWAY is broadcast.
	goawaySent *sim.Chan[struct{}]

	handlers map[*sim.Proc]*stream // each handler process's stream; looked up, never ranged over

	mon  monitorState
	tick int64 // orders observations made at the same virtual instant
	// judged counts, per property, the judgements made while the server was
	// alive (a stream checked against a deadline, a client against GOAWAY).
	judged [Reregistration + 1]int
}

// broadcast is one code the source handed to MonitorHealthChan.
type broadcast struct {
	u          Update
	tick       int64
	listedTick int64 // when the monitor listed the clients for it (0: not yet)
}

// monitorState is what the monitor is doing: the send it is in, if any.
type monitorState struct {
	busy       bool
	n          *notifier
	u          Update
	tick       int64
	targetBusy bool // the notifier's handler was inside stream.Send when the send began
}

func newRun(w *sim.World, props propSet) *run {
	r := &run{w: w, props: props, handlers: make(map[*sim.Proc]*stream)}
	r.wg = sim.NewWaitGroup(w).Named("processes")
	r.stop, r.stopAll = sim.WithCancel(w.Background())
	r.down = sim.NewChan[struct{}](w, 0).Named("server down")
	r.goawaySent = sim.NewChan[struct{}](w, 0).Named("GOAWAY sent")
	return r
}

// Timing bounds of the properties, in virtual time.
const (
	// PromptBound is P2's D: how long a code may take to reach a client
	// that reads promptly.
	PromptBound = 100 * time.Millisecond
	// GoawayPatience is how long after GOAWAY the run goes on, so that
	// every client still connected has had time to read it (P3).
	GoawayPatience = 30 * time.Second
)

// main is the scenario: start the monitor, three or four clients and the
// source; once GOAWAY is out, wait GoawayPatience, judge P3, and stop
// everything.
func (r *run) main() {
	w := r.w
	healthChan := sim.NewChan[Update](w, 0).Named("healthChan")
	r.serve("MonitorHealthChan", nil, func() { r.srv.MonitorHealthChan(healthChan) }, func() {})
	n := 3 + w.Intn(2)
	for i := 1; i <= n; i++ {
		rl := prompt // c1 always reads promptly: P2 has someone to judge
		if i > 1 {
			rl = role(w.Intn(3))
		}
		c := newClient(r, i, rl)
		r.clients = append(r.clients, c)
		if !slices.Contains(r.bounds, c.bound()) {
			r.bounds = append(r.bounds, c.bound())
		}
	}
	slices.Sort(r.bounds)
	for _, c := range r.clients {
		r.spawn("client "+c.name, c.script)
	}
	r.spawn("health source", func() { r.source(healthChan) })

	r.goawaySent.Recv()
	w.Sleep(GoawayPatience)
	r.checkGoaway()
	r.stopAll()
	r.wg.Wait()
}

// source broadcasts two to four codes, alternating UNHEALTHY and OK, then
// GOAWAY, and closes the channel.
func (r *run) source(healthChan *sim.Chan[Update]) {
	w := r.w
	k := 2 + w.Intn(3)
	w.Sleep(firstCasts[w.Intn(len(firstCasts))])
	code := UNHEALTHY
	for i := 1; i <= k; i++ {
		r.cast(healthChan, Update{Code: code, Seq: i})
		code = UNHEALTHY - code
		w.Sleep(intervals[w.Intn(len(intervals))])
	}
	r.cast(healthChan, Update{Code: GOAWAY, Seq: k + 1})
	healthChan.Close()
}

// cast hands u to MonitorHealthChan (unless the monitor died) and starts the
// process that judges its deadlines.
func (r *run) cast(healthChan *sim.Chan[Update], u Update) {
	w := r.w
	r.tick++
	b := &broadcast{u: u, tick: r.tick}
	r.casts = append(r.casts, b)
	if u.Code == GOAWAY {
		r.goaway = b
		for _, c := range r.clients {
			c.connectedAtGoaway = c.open > 0
			for _, st := range c.streams {
				if st.open {
					c.atGoaway = append(c.atGoaway, st)
				}
			}
		}
		r.goawaySent.Close()
	}
	r.spawn("deadlines "+u.String(), func() {
		var slept time.Duration
		for _, d := range r.bounds {
			w.Sleep(d - slept)
			slept = d
			if d == PromptBound {
				r.checkPrompt(b)
			}
			r.checkReregistered(b, d)
		}
	})
	w.Select(healthChan.SendCase(u), r.down.RecvCase(nil, nil))
}

// spawn starts a harness process.
func (r *run) spawn(name string, f func()) { r.wg.Go(name, f) }

// serve starts a server process (a handler, or the monitor; st is the
// handler's stream, nil for the monitor). A runtime error it raises is a
// crash of the server, reported to the properties (crash); done runs however
// the process ends.
func (r *run) serve(name string, st *stream, body func(), done func()) {
	r.wg.Go(name, func() {
		if st != nil {
			r.handlers[r.w.Self()] = st
		}
		defer done()
		defer func() {
			if v := recover(); v != nil {
				if _, ok := v.(runtime.Error); !ok {
					panic(v) // not the server's: the world unwinding, or a misuse of sim
				}
				r.crash(name, st, v)
			}
		}()
		body()
	})
}

// crash is a server process panicking. In arke that kills the process, and
// with it every stream: P1's finding. A run that judges P1 fails here with
// the story of the panic; one that judges P4 fails too when the panicking
// handler belongs to an address that registered again (the old handler did
// not end cleanly). Otherwise the run goes on, but no property judges it
// any more: what a dead server would have done is not a question the model
// answers.
func (r *run) crash(proc string, st *stream, v any) {
	if r.crashed {
		return
	}
	story := r.crashStory(proc, st, v)
	if r.props.Has(NoPanic) {
		r.w.Fatalf("%v: %s", NoPanic, story)
	}
	if st != nil && st.c.reregistered && r.props.Has(Reregistration) {
		r.w.Fatalf("%v: %s registered again, and a handler of that address did not end cleanly: %s", Reregistration, st.c.name, story)
	}
	r.crashed = true
	r.down.Close()
}

// The observations the servers report. They are bookkeeping only: no
// scheduling point, no decision, so they never change a run.

// close is arke's close(n), done by the handler of stream by, with a note
// of who closed it. Close's scheduling point comes before the close itself,
// and nothing runs between the close and the note.
func (r *run) close(by *stream, n *notifier, who string) {
	by.closeAttempt = closeAttempt{n: n, who: who}
	n.ch.Close()
	r.tick++
	n.closedBy, n.closedTick = who, r.tick
}

// replaced: Add stored a notifier over old, a different one, without
// closing it.
func (r *run) replaced(old, n *notifier) {
	if old.closedBy == "" {
		old.st.overwrittenBy = n.st
	}
}

// registered: st's handler registered its notifier (nil for owned).
func (r *run) registered(st *stream, n *notifier) {
	r.tick++
	st.notifier, st.registeredTick = n, r.tick
}

// deleted: Delete, under the registry's lock, removed n. When the
// deleting process is the handler of another stream, it removed someone
// else's registration.
func (r *run) deleted(n *notifier) {
	if by := r.handlers[r.w.Self()]; by != nil && by != n.st {
		by.deletedOther, n.st.deletedBy = n.st, by
	}
}

// listed: the monitor listed the clients for u.
func (r *run) listed(u Update) {
	r.tick++
	if b := r.cast1(u.Seq); b != nil {
		b.listedTick = r.tick
	}
}

func (r *run) monitorSending(n *notifier, u Update) {
	r.tick++
	r.mon = monitorState{busy: true, n: n, u: u, tick: r.tick, targetBusy: n.st.inSend}
}

func (r *run) monitorSent(n *notifier, u Update, o outcome) {
	r.mon.busy = false
	n.st.note(u.Seq, o)
}

// posted: owned posted u to st's subscription.
func (r *run) posted(st *stream, u Update) { st.note(u.Seq, posted) }

func (r *run) cast1(seq int) *broadcast {
	if seq < 1 || seq > len(r.casts) {
		return nil
	}
	return r.casts[seq-1]
}
