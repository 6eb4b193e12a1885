package longpoll

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
	"github.com/weftsim/weft/sim/node"
)

// Scenario returns the scenario that runs variant v under a workload drawn
// from the world's decisions and fails the run when one of props is
// violated (every property when props is empty). P1, P2 and P5 are judged
// inside the run, the moment a violation shows; P3 at its end; P4 is an
// end-of-run check of the history, and P3 needs faults, so the run's
// configuration must come from Configure with the same properties. The
// workload and every observation are the same whatever props says; only
// which violations fail the run differs. It panics on an unknown variant
// or property.
func Scenario(v Variant, props ...Property) func(*sim.World) {
	v.mustValid()
	return scenarioOf(v, setOf(props), nil)
}

// scenarioOf is Scenario, handing each run to seen (when not nil) before it
// starts, for the tests to look at.
func scenarioOf(v Variant, props propSet, seen func(*run)) func(*sim.World) {
	return func(w *sim.World) {
		r := newRun(w, v, props)
		if seen != nil {
			seen(r)
		}
		r.main()
	}
}

// Configure returns what the runs judging props need (every property when
// props is empty): the faults of P3, when it is among them, and P4's
// end-of-run check, when it is. The issue judges P3 with faults on and the
// others without: judge those groups apart.
func Configure(props ...Property) func(*sim.Config) {
	set := setOf(props)
	return func(cfg *sim.Config) {
		if set.Has(ExactlyOnce) {
			plan := cfg.Faults
			for _, k := range []sim.FaultKind{FaultStall, FaultDropResponse, FaultPartition, FaultRestart, node.FaultNetsplit} {
				plan = plan.With(k, FaultRate)
			}
			cfg.Faults = plan
		}
		if set.Has(LinearizableMembership) {
			cfg.Properties = append(cfg.Properties, Linearizable())
		}
	}
}

// run is one run of the scenario: the page, the servers, the network, and
// what the properties observe.
type run struct {
	w        *sim.World
	v        Variant
	props    propSet
	mainProc *sim.Proc

	// The world: the browser, the servers, and the balancer when there
	// are two.
	servers     int
	latency     time.Duration // the browser's link, one way (and as much jitter, halved)
	browserHost *net.Host
	lbHost      *net.Host
	nodes       []*server
	b           *browser
	sessions    map[string]*session // by token; looked up, never ranged over
	nextSession int
	nextRef     int
	faultsOn    bool
	faults      []string
	harness     []*sim.Proc // the fault injectors' processes (heal, restart)
	stopping    bool        // the run is over: no more faults, no restart

	// The workload and what the properties observe.
	plan         []action
	pushes       []*push // the page's application pushes, by id (id i is pushes[i-1])
	appliedCount []int   // by push id
	pushByRef    map[int]*push
	navs         []*navigation
	xhrs         []*xhr
	srvChannels  []*srvChannel
	handledCount int
	idle         bool
	lastAction   bool
	notes        []string
	current      *channel    // the page's channel now
	step         int         // the plan's next action
	navigating   *navigation // the navigation under way in this tick

	// closeLost, set by a test, loses the phx_close a session sends when a
	// channel stops on a leave: a mutant that shows P4 can fail.
	closeLost bool
}

func newRun(w *sim.World, v Variant, props propSet) *run {
	return &run{w: w, v: v, props: props, sessions: make(map[string]*session), pushByRef: make(map[int]*push), appliedCount: []int{0}}
}

func (r *run) makeRef() int { r.nextRef++; return r.nextRef }

// pushTimeout is a push's timeout: phoenix.js's, or none in the sequenced
// design, whose pushes wait for their answer however long it takes.
func (r *run) pushTimeout() time.Duration {
	if r.v.sequenced() {
		return 0
	}
	return phxPushTimeout
}

// note keeps a line for the stories (bookkeeping only).
func (r *run) note(who, format string, args ...any) {
	if len(r.notes) < 200 {
		r.notes = append(r.notes, who+": "+fmt.Sprintf(format, args...))
	}
}

// The world's menus (option 0 the calmest), drawn with World.Intn.
var (
	// latencies are the browser's one-way delays to its entry point:
	// realistic request latencies, each with up to half as much jitter.
	latencies = []time.Duration{20 * time.Millisecond, 10 * time.Millisecond, 50 * time.Millisecond}
	// pauses are the page's pauses before an action; 0 is "in the same
	// tick as the previous one".
	pauses      = []time.Duration{500 * time.Millisecond, 0, time.Millisecond, 50 * time.Millisecond}
	eventCounts = []int{1, 2, 3}
)

// The links between the servers, and from the balancer to them.
const (
	backLatency = time.Millisecond
	backJitter  = time.Millisecond
)

// The topic of the page's LiveView, which every navigation reuses.
const topic = "lv:1"

// action is one thing the page does.
type action struct {
	navigate bool
	events   int
	pause    time.Duration
}

// navigation is one live navigation and what the servers did with it.
type navigation struct {
	n        int
	clickAt  time.Duration
	from, to *channel
	leave    *push
	join     *push
	// What the session did with them.
	leaveSeen, joinSeen *handling
	dupClosed           bool
	leaveHit            string // the channel the leave stopped, when not its own
}

func (nav *navigation) leaveReq() string {
	if nav.leave.post == nil {
		return "no POST"
	}
	return nav.leave.post.name
}

func (nav *navigation) joinReq() string {
	if nav.join.post == nil {
		return "no POST"
	}
	return nav.join.post.name
}

// handling is the session handling one message.
type handling struct {
	order int
	req   string
	proc  string
	at    time.Duration
}

// The entry point and its host.
func (r *run) entry() string {
	if r.lbHost != nil {
		return r.lbHost.Addr()
	}
	return r.nodes[0].name
}

func (r *run) entryHost() *net.Host {
	if r.lbHost != nil {
		return r.lbHost
	}
	return r.nodes[0].host
}

// main is the scenario: draw the world and the workload, start the servers
// and the page, wait until the page has done everything and is idle (or a
// deadline), judge, and stop everything.
func (r *run) main() {
	w := r.w
	r.mainProc = w.Self()
	r.servers = 1 + w.Intn(2)
	r.latency = latencies[w.Intn(len(latencies))]
	r.browserHost = net.NewHost(w, "browser")
	for i := 1; i <= r.servers; i++ {
		name := fmt.Sprintf("phx%d", i)
		host := net.NewHost(w, name)
		r.nodes = append(r.nodes, &server{r: r, name: name, host: host, nd: node.New(w, "phoenix@"+name, node.Options{Host: host})})
	}
	browserLink := net.Link{Latency: r.latency, Jitter: r.latency / 2}
	back := net.Link{Latency: backLatency, Jitter: backJitter}
	net.SetDefaultLink(w, back)
	if r.servers > 1 {
		r.lbHost = net.NewHost(w, "lb")
		var backends []net.Addr
		for _, n := range r.nodes {
			backends = append(backends, net.Addr{Host: n.name, Port: httpPort})
		}
		l, err := r.lbHost.Listen(httpPort)
		if err != nil {
			panic(err)
		}
		w.Spawn("lb", func() {
			_ = l.Balance(net.Balancer{Backends: backends, Policy: net.RandomBackend, Timeout: 2 * window})
		})
		defer l.Close()
	}
	net.SetLink(w, r.browserHost, r.entryHost(), browserLink)
	net.SetLink(w, r.entryHost(), r.browserHost, browserLink)
	for _, n := range r.nodes {
		n.start()
		r.harness = append(r.harness, w.Spawn("heart "+n.name, n.heart))
	}
	r.plan = r.drawPlan()
	r.faultsOn = true

	r.b = &browser{r: r, w: w, host: r.browserHost, entry: r.entry()}
	r.b.sock = &socket{b: r.b}
	r.b.ready = append(r.b.ready, r.startPage)
	r.b.proc = w.Spawn("browser", r.b.loop)

	// Wait until the page is idle after its last action, or a deadline:
	// settle after its last action, and maxRun in all.
	settle, maxRun := 30*time.Second, 5*time.Minute
	if r.props.Has(ExactlyOnce) {
		settle, maxRun = 3*time.Minute, 15*time.Minute
	}
	end := maxRun
	for !r.idle && w.Elapsed() < end {
		m, ok := w.Receive(nil, end-w.Elapsed())
		if !ok {
			break
		}
		if _, ok := m.(workloadDone); ok {
			r.faultsOn = false
			end = min(end, w.Elapsed()+settle)
		}
	}
	if r.idle && r.props.Has(ExactlyOnce) {
		// The page is idle, but a server may still hold one of its pushes
		// and apply it yet: a session stalled by a fault, a server
		// restarting. A push it timed out is not lost until they are
		// done.
		w.Sleep(drainFor)
	}
	r.judgeNavigations()
	r.judgeExactlyOnce()
	r.stop()
}

// drainFor is how long P3 waits after the page is idle for what the
// servers still hold: the longest stall, a restart, then a second for a
// relay's connection to be set up again.
const drainFor = stallFor + restartDelay + time.Second

// workloadDone tells main that the page has done its last action;
// pageIdle that it is idle since.
type (
	workloadDone struct{}
	pageIdle     struct{}
)

// stop ends every process of the run: the browser and its requests, the
// servers.
func (r *run) stop() {
	w := r.w
	r.stopping = true
	for _, p := range r.harness {
		if p.Alive() {
			w.Kill(p)
		}
	}
	r.b.stopped = true
	if r.b.proc.Alive() {
		w.Kill(r.b.proc)
	}
	for _, x := range r.xhrs {
		if x.proc.Alive() {
			w.Kill(x.proc)
		}
	}
	for _, n := range r.nodes {
		if n.nd.Alive() {
			n.nd.Monitor() // the harness watches it go, so the run goes on
			n.nd.Halt("the run is over")
		}
	}
}

// drawPlan draws the page's actions: one to three, each a navigation or a
// burst of events, each after a pause.
func (r *run) drawPlan() []action {
	w := r.w
	var plan []action
	for range 1 + w.Intn(3) {
		a := action{pause: pauses[w.Intn(len(pauses))]}
		if w.Intn(2) == 0 {
			a.navigate = true
		} else {
			a.events = eventCounts[w.Intn(len(eventCounts))]
		}
		plan = append(plan, a)
	}
	return plan
}

// The page: a LiveView on topic, whose JavaScript hook answers each mount
// with a pushEventTo (the incident's report), and whose user then does the
// plan's actions: clicks that push events, and live navigations (leave the
// page's channel, join a new one on the same topic, in one tick). The page
// waits for a navigation's mount before its next action.

// startPage is the page's first task: connect, join the first page.
func (r *run) startPage() {
	s := r.b.sock
	s.connect()
	ch := s.channel(topic, "page 1")
	r.current = ch
	ch.onJoined = func() { r.mounted(ch) }
	ch.join()
}

// mounted: ch's join was answered; its hook pushes, then the page goes on.
func (r *run) mounted(ch *channel) {
	ch.push(r.nextPushID())
	r.nextAction(ch)
}

func (r *run) nextPushID() int { return len(r.pushes) + 1 }

// nextAction does the plan's next action after its pause.
func (r *run) nextAction(mountedOn *channel) {
	if r.step == len(r.plan) {
		r.finish()
		return
	}
	a := r.plan[r.step]
	r.step++
	do := func() {
		if a.navigate {
			r.navigate()
			return
		}
		for range a.events {
			r.current.push(r.nextPushID())
		}
		r.nextAction(nil)
	}
	if a.pause == 0 {
		do()
		return
	}
	r.b.setTimeout(a.pause, do)
}

// navigate is LiveView's live navigation: leave the page's channel and
// join a new one on the same topic, in one tick.
func (r *run) navigate() {
	s := r.b.sock
	old := r.current
	nav := &navigation{n: len(r.navs) + 1, clickAt: r.w.Elapsed(), from: old}
	r.navs = append(r.navs, nav)
	r.navigating = nav
	old.leave()
	ch := s.channel(topic, fmt.Sprintf("page %d", nav.n+1))
	ch.nav = nav
	nav.to = ch
	r.current = ch
	ch.onJoined = func() { r.mounted(ch) }
	ch.join()
	nav.join = ch.joinPush
	r.navigating = nil
	r.mark("navigation %d: the page leaves %s (join_ref #%d) and joins %s (#%d) on %s", nav.n, old.name, old.joinRef(), ch.name, ch.joinRef(), topic)
}

// finish: the plan is done; main stops injecting faults, and the page
// reports when it is idle.
func (r *run) finish() {
	r.lastAction = true
	r.w.Send(r.mainProc, workloadDone{})
	r.checkIdle()
}

// checkIdle tells main once the page is idle: every push answered (or, in
// phoenix.js, timed out) and, in the sequenced design, no channel left
// draining.
func (r *run) checkIdle() {
	if !r.lastAction || r.idle {
		return
	}
	for _, p := range r.pushes {
		if p.status == "" && p.received != "timeout" {
			return
		}
	}
	if len(r.b.sock.draining) > 0 {
		return
	}
	r.idle = true
	r.w.Send(r.mainProc, pageIdle{})
}

// mark writes a line of the incident's story into the run's timeline (an
// event of the running process), so that the timeline reads as the story
// does. It is an event, not a decision: it goes into the trace hash but
// never changes what runs.
func (r *run) mark(format string, args ...any) {
	r.w.Kernel().Event(sim.EventNote, nil, 0, func() string { return fmt.Sprintf(format, args...) })
}

// The harness's observations, made where they happen. They are
// bookkeeping only: no scheduling point, no decision, so they never change
// a run.

// madePush: the page made the application push p.
func (r *run) madePush(p *push) {
	p.madeAt = r.w.Elapsed()
	r.pushes = append(r.pushes, p)
	r.appliedCount = append(r.appliedCount, 0)
}

// sending: p goes to the socket now (the transport, or its send buffer).
// Joins and pushes open their property-4 operation here.
func (r *run) sending(p *push) {
	r.pushByRef[p.ref] = p
	if p.event == evLeave && r.navigating != nil && p.ch == r.navigating.from {
		r.navigating.leave = p
		p.nav = r.navigating
	}
	if p.event == evJoin && p.ch.nav != nil {
		p.nav = p.ch.nav
	}
	var in model.MembershipInput
	switch p.event {
	case evJoin:
		in = model.MembershipInput{Op: model.Join, Key: p.ch.topic, Ref: p.ref}
	case evLeave:
		in = model.MembershipInput{Op: model.Leave, Key: p.ch.topic, Ref: p.joinRef}
	default:
		in = model.MembershipInput{Op: model.Check, Key: p.ch.topic, Ref: p.joinRef}
	}
	p.op, p.opOpen = r.w.Call(0, in), true
	if !r.b.sock.isConnected() {
		p.note("held in the socket's sendBuffer: the transport was not open")
	}
}

// posted: x carries m.
func (r *run) posted(x *xhr, m Message) {
	if p := r.pushByRef[m.Ref]; p != nil {
		p.post = x
		p.note("sent in %s", x.name)
	}
}

// buffered: m waits in PR 5283's batchBuffer behind the batch in flight.
func (r *run) buffered(m Message) {
	if p := r.pushByRef[m.Ref]; p != nil {
		inFlight := "the batch in flight"
		for i := len(r.xhrs) - 1; i >= 0; i-- {
			if x := r.xhrs[i]; x.method == "POST" && x.outcome == "" {
				inFlight = x.name + " (" + joinCarried(x) + ")"
				break
			}
		}
		p.note("queued in batchBuffer until %s was answered", inFlight)
		r.mark("%s waits in batchBuffer for the answer to %s", p.label(), inFlight)
	}
}

func joinCarried(x *xhr) string {
	s := ""
	for i, c := range x.carried {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
}

// dropped: the transport threw msgs away.
func (r *run) dropped(msgs []Message, why string) {
	for _, m := range msgs {
		if p := r.pushByRef[m.Ref]; p != nil {
			p.note("dropped: %s", why)
		}
	}
}

// timedOutDispatch: the request reqID gave up waiting for the session to
// take m (window) and answered 408; the rest of its batch was not
// dispatched.
func (r *run) timedOutDispatch(m Message, reqID string) {
	if p := r.pushByRef[m.Ref]; p != nil {
		p.note("%s gave up waiting %v for the session to take it and answered 408, dispatching nothing after it", reqID, window)
	}
}

// haltedBefore: the request reqID's reduce_while halted at timedOut, so m,
// later in its batch, was never dispatched.
func (r *run) haltedBefore(m, timedOut Message, reqID string) {
	if p := r.pushByRef[m.Ref]; p != nil {
		p.note("%s's reduce_while halted at %s, which timed out, before dispatching it", reqID, r.labelOf(timedOut))
	}
}

// labelOf names the message m of the page.
func (r *run) labelOf(m Message) string {
	if p := r.pushByRef[m.Ref]; p != nil {
		return p.label()
	}
	return m.String()
}

// answered: the server's answer to p came.
func (r *run) answered(p *push, m Message) {
	if p.opOpen && p.event != evLeave {
		r.w.Return(p.op, model.MembershipOutput{OK: m.Status == "ok"})
		p.opOpen = false
	}
	if p.event == evApp && p.status == "" {
		p.status = m.Status
		p.note("answered %s", m.Status)
		r.pushResolved(p)
	}
}

// pushResolved: p has its answer, or timed out.
func (r *run) pushResolved(p *push) {
	s := r.b.sock
	for i, ch := range s.draining {
		if ch.unanswered() == 0 {
			s.draining = append(s.draining[:i], s.draining[i+1:]...)
			break
		}
	}
	r.checkIdle()
}

// handled: session s handles m, relayed by process from for request reqID.
func (r *run) handled(s *session, m Message, reqID string, from *sim.Proc, e *chanEntry) {
	r.handledCount++
	h := &handling{order: r.handledCount, req: reqID, proc: from.Name(), at: r.w.Elapsed()}
	p := r.pushByRef[m.Ref]
	if p == nil {
		return
	}
	if p.seen == nil {
		p.seen = h
	}
	r.mark("session %d handles %s of %s, relayed by %s for %s", s.id, p.label(), p.ch.name, from.Name(), reqID)
	nav := p.nav
	if nav == nil {
		return
	}
	switch {
	case p == nav.leave && nav.leaveSeen == nil:
		nav.leaveSeen = h
	case p == nav.join && nav.joinSeen == nil:
		nav.joinSeen = h
		if e != nil && e.joinRef == nav.leave.joinRef {
			nav.dupClosed = true
		}
		r.checkRoundTrip(nav)
	}
}

// killedWith: the session shuts down e's channel as a duplicate; the
// messages in its mailbox die with it.
func (r *run) killedWith(s *session, e *chanEntry) {
	r.mark("session %d shuts channel %s #%d down as a duplicate", s.id, e.topic, e.joinRef)
	for _, x := range r.w.Kernel().Mailbox(e.pid) {
		m, ok := x.(Message)
		if !ok {
			continue
		}
		if p := r.pushByRef[m.Ref]; p != nil {
			p.note("it was in the mailbox of channel %s #%d when a join for the topic shut that channel down as a duplicate (its leave, sent to it just before, still unread)", e.topic, e.joinRef)
		}
	}
}

// leaveReached: channel process c takes the leave m.
func (r *run) leaveReached(c *srvChannel, m Message) {
	if m.JoinRef == c.joinRef {
		return
	}
	r.mark("the leave of #%d stops %s", m.JoinRef, c.name())
	if p := r.pushByRef[m.Ref]; p != nil && p.nav != nil {
		p.nav.leaveHit = c.name()
	}
}

// apply: channel process c applies the page's event m (the LiveView's
// handle_event, with a lasting effect, such as a row written). The
// sequenced design applies each push id once (its idempotency key).
func (r *run) apply(c *srvChannel, m Message) {
	if m.PushID < 1 || m.PushID >= len(r.appliedCount) {
		return
	}
	p := r.pushes[m.PushID-1]
	if r.v.sequenced() && r.appliedCount[m.PushID] > 0 {
		p.note("%s already applied; %s answered again without applying it", p.label(), c.name())
		return
	}
	r.mark("%s applies %s of %s", c.name(), p.label(), p.ch.name)
	r.checkOrder(c, p)
	r.appliedCount[m.PushID]++
	if c.joinRef != p.joinRef {
		p.note("applied by %s, a later instance of the topic than the one it was pushed on", c.name())
	} else {
		p.note("applied by %s", c.name())
	}
}
