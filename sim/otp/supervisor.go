package otp

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
)

// RestartType says when a supervisor restarts a child that ended.
type RestartType uint8

const (
	// Permanent children are always restarted (the zero value, as OTP's
	// default).
	Permanent RestartType = iota
	// Transient children are restarted only after an abnormal exit: any
	// reason but sim.Normal, sim.Shutdown or sim.ShutdownWith. After a
	// normal one they stay listed, not running.
	Transient
	// Temporary children are never restarted; they leave the supervisor's
	// list when they end, and whenever it terminates them.
	Temporary
)

func (r RestartType) String() string {
	switch r {
	case Permanent:
		return "permanent"
	case Transient:
		return "transient"
	case Temporary:
		return "temporary"
	}
	return fmt.Sprintf("RestartType(%d)", uint8(r))
}

// RestartStrategy says which children a supervisor restarts when one that
// must be restarted ends.
type RestartStrategy uint8

const (
	// OneForOne restarts only the child that ended (the zero value).
	OneForOne RestartStrategy = iota
	// OneForAll terminates every other child, in reverse start order, then
	// starts them all again in start order.
	OneForAll
	// RestForOne terminates the children started after the one that ended,
	// in reverse start order, then starts it and them again in start order.
	RestForOne
)

func (s RestartStrategy) String() string {
	switch s {
	case OneForOne:
		return "one_for_one"
	case OneForAll:
		return "one_for_all"
	case RestForOne:
		return "rest_for_one"
	}
	return fmt.Sprintf("RestartStrategy(%d)", uint8(s))
}

// isOrderly reports whether reason is a normal exit for a supervisor: a
// Transient child that ends with it is not restarted.
func isOrderly(reason any) bool {
	switch reason.(type) {
	case sim.ShutdownWith:
		return true
	}
	return reason == sim.Normal || reason == sim.Shutdown
}

// ChildSpec describes one child of a supervisor.
type ChildSpec struct {
	// ID names the child; it must be non-empty and unique among its
	// supervisor's children.
	ID string
	// Start starts the child and returns it. The supervisor calls it on its
	// own process, so a child made with sim.World.SpawnLink is linked to the
	// supervisor; a child Start did not link, the supervisor links.
	// Returning nil means "ignore" (OTP's ignore): the child is listed but
	// not running, and a Temporary one is dropped. A panic in Start is a
	// failed start: it fails StartSupervisor, and at a restart it counts as
	// a restart and is retried. Start may itself start a supervisor
	// (StartSupervisor) and return its Proc, which nests supervisors.
	Start func() *sim.Proc
	// Run is the child's body when Start is nil: the supervisor spawns it
	// linked, as a process named ID.
	Run func()
	// Restart says when the child is restarted (zero: Permanent).
	Restart RestartType
	// Shutdown is how long the supervisor waits, after sending the child the
	// exit signal sim.Shutdown, for it to end before it kills it. 0 kills it
	// at once (OTP's brutal_kill); sim.Infinity (any negative duration) waits
	// forever, as supervisors of supervisors should.
	Shutdown time.Duration

	_ struct{}
}

// SupervisorSpec describes a supervisor: its strategy, its restart
// intensity and its children, in start order.
type SupervisorSpec struct {
	// Strategy says which children are restarted with one that ended
	// (zero: OneForOne).
	Strategy RestartStrategy
	// MaxRestarts and Period are the restart intensity: more than
	// MaxRestarts restarts within Period of virtual time and the supervisor
	// gives up. Zero values take OTP's defaults, 1 restart in 5 seconds; a
	// negative MaxRestarts allows no restart at all.
	MaxRestarts int
	Period      time.Duration
	// Children are started in this order and terminated in the reverse one.
	Children []ChildSpec

	_ struct{}
}

// ChildInfo describes one child of a supervisor, as Supervisor.Which sees
// it.
type ChildInfo struct {
	ID string
	// Proc is the child's current process, nil while it is not running (a
	// Transient child that ended normally, an ignored child, or one whose
	// restart failed and is being retried).
	Proc    *sim.Proc
	Restart RestartType
	// Restarts counts the times the supervisor started the child again after
	// its first start.
	Restarts int
}

// Supervisor is a running supervisor process. Its state belongs to its
// process; other processes reach it only through messages (Which, Stop).
type Supervisor struct {
	w      *sim.World
	obj    sim.Object
	name   string
	proc   *sim.Proc
	parent *sim.Proc

	strategy    RestartStrategy
	maxRestarts int
	period      time.Duration
	children    []*child        // in start order; Temporary children leave it when they end
	restarts    []time.Duration // virtual times of the restarts within the period, oldest first
}

// child is a supervisor's record of one child.
type child struct {
	spec       ChildSpec
	proc       *sim.Proc // nil: not running
	starts     int       // successful starts
	restarting bool      // a failed restart will be retried
}

// The messages a supervisor exchanges with its callers. They are unexported,
// so that no user Receive can take them by mistake.
type (
	supAck struct {
		s   *Supervisor
		err error
	}
	supCall struct {
		stop bool // false: which
		from *sim.Proc
		ref  sim.MonitorRef
	}
	supReply struct {
		ref      sim.MonitorRef
		children []ChildInfo
	}
	supRetry struct{ c *child }
)

// Their String methods keep timelines readable (and free of pointers).
func (m supAck) String() string {
	if m.err != nil {
		return "supervisor start failed"
	}
	return "supervisor started"
}

func (m supCall) String() string {
	if m.stop {
		return "stop supervisor"
	}
	return "which children?"
}

func (m supReply) String() string { return fmt.Sprintf("%d children", len(m.children)) }
func (m supRetry) String() string { return "retry " + m.c.spec.ID }

// StartSupervisor starts a supervisor process named name, linked to the
// caller, which is its parent (as supervisor:start_link), and returns once
// the supervisor has started every child in order. An invalid spec is an
// error and starts nothing. If a child's Start panics, the supervisor
// terminates the children it started, unlinks from the caller (so that the
// error value, not an exit signal, tells the caller) and exits with reason
// sim.ShutdownWith{Info: err}; StartSupervisor returns err.
//
// When the parent ends, with any reason, the supervisor terminates its
// children and exits with the parent's reason. When the supervisor gives up
// it exits with reason sim.Shutdown, which ends a parent that does not trap
// exits, as in OTP. StartSupervisor is a scheduling point: the one of
// World.SpawnLink, which starts the supervisor.
func StartSupervisor(w *sim.World, name string, spec SupervisorSpec) (*Supervisor, error) {
	k := w.Kernel()
	k.CheckRun() // an invalid spec is no answer for a run that is over
	if err := spec.validate(name); err != nil {
		return nil, err
	}
	s := &Supervisor{w: w, name: name, parent: w.Self(), strategy: spec.Strategy, maxRestarts: spec.MaxRestarts, period: spec.Period}
	switch {
	case s.maxRestarts == 0:
		s.maxRestarts = 1
	case s.maxRestarts < 0:
		s.maxRestarts = 0
	}
	if s.period == 0 {
		s.period = 5 * time.Second
	}
	for _, cs := range spec.Children {
		s.children = append(s.children, &child{spec: cs})
	}
	k.Register(&s.obj, "supervisor", 1)
	s.obj.SetName(name)
	// The supervisor may run before SpawnLink returns: run sets s.proc too.
	s.proc = w.SpawnLink(name, s.run)
	m, _ := w.Receive(func(m any) bool {
		switch m := m.(type) {
		case supAck:
			return m.s == s
		case sim.ExitMsg:
			return m.From == s.proc
		}
		return false
	}, sim.Infinity)
	switch m := m.(type) {
	case supAck:
		if m.err != nil {
			return nil, m.err
		}
		return s, nil
	default:
		// Killed before it could answer, and the caller traps exits (one
		// that does not died of the same signal).
		return nil, fmt.Errorf("otp: supervisor %q exited while starting: %v", name, m.(sim.ExitMsg).Reason)
	}
}

func (spec *SupervisorSpec) validate(name string) error {
	if spec.Strategy > RestForOne {
		return fmt.Errorf("otp: supervisor %q: invalid strategy %v", name, spec.Strategy)
	}
	if spec.Period < 0 {
		return fmt.Errorf("otp: supervisor %q: negative period %v", name, spec.Period)
	}
	for i, c := range spec.Children {
		switch {
		case c.ID == "":
			return fmt.Errorf("otp: supervisor %q: child %d has no ID", name, i)
		case c.Start == nil && c.Run == nil:
			return fmt.Errorf("otp: supervisor %q: child %q has neither Start nor Run", name, c.ID)
		case c.Restart > Temporary:
			return fmt.Errorf("otp: supervisor %q: child %q has invalid restart type %v", name, c.ID, c.Restart)
		}
		for _, d := range spec.Children[:i] {
			if d.ID == c.ID {
				return fmt.Errorf("otp: supervisor %q: duplicate child ID %q", name, c.ID)
			}
		}
	}
	return nil
}

// Proc is the supervisor's process.
func (s *Supervisor) Proc() *sim.Proc { return s.proc }

func (s *Supervisor) String() string { return s.obj.String() }

// Which lists the supervisor's children in start order, as
// supervisor:which_children: a call served by the supervisor between the
// messages it handles, so a child exit that reached it first is already
// dealt with. It returns nil if the supervisor has ended. It must not be
// called from the supervisor's own process (a child's Start).
func (s *Supervisor) Which() []ChildInfo {
	m, ok := s.call(false, "Which")
	if !ok {
		return nil
	}
	return m.children
}

// Stop terminates the supervisor's children in reverse start order and makes
// it exit with reason sim.Normal; it returns once the supervisor has ended,
// at once if it already had. It must not be called from the supervisor's
// own process, nor from one of its children, which it would wait to
// terminate.
func (s *Supervisor) Stop() { s.call(true, "Stop") }

// call sends the supervisor a request and waits for its reply (Which) or
// its end (Stop, or a supervisor that ends first), as gen_server:call does,
// with a monitor as the tag.
func (s *Supervisor) call(stop bool, what string) (supReply, bool) {
	w := s.w
	w.Kernel().CheckRun()
	if w.Self() == s.proc {
		panic("otp: Supervisor." + what + " called on the supervisor's own process (from a child's Start?): it would wait for itself")
	}
	ref := w.Monitor(s.proc)
	w.Send(s.proc, supCall{stop: stop, from: w.Self(), ref: ref})
	m, _ := w.Receive(func(m any) bool {
		switch m := m.(type) {
		case supReply:
			return m.ref == ref
		case sim.Down:
			return m.Ref == ref
		}
		return false
	}, sim.Infinity)
	if r, ok := m.(supReply); ok {
		w.Kernel().DemonitorFlush(ref)
		return r, true
	}
	return supReply{}, false
}

// adopt makes sure the running process hears of p's end: it links p if the
// code that started p did not, and reports a p that has already ended
// without a link as if it had been linked. It is not a scheduling point.
func adopt(w *sim.World, p *sim.Proc) {
	k := w.Kernel()
	self := w.Self()
	if p.Alive() {
		k.Link(self, p)
		return
	}
	for _, m := range k.Mailbox(self) {
		if e, ok := m.(sim.ExitMsg); ok && e.From == p {
			return
		}
	}
	k.Deliver(self, sim.ExitMsg{From: p, Reason: p.Reason()})
}

// note records one of the supervisor's acts in the trace.
func (s *Supervisor) note(arg int64, format string, args ...any) {
	s.w.Kernel().Event(sim.EventNote, &s.obj, arg, func() string { return fmt.Sprintf(format, args...) })
}

// run is the supervisor's process.
func (s *Supervisor) run() {
	w := s.w
	s.proc = w.Self()
	w.TrapExits(true)
	if _, err := s.startFrom(0); err != nil {
		s.terminateFrom(0)
		// Answer, then unlink (so that the error value, not an exit
		// signal, tells the caller), in that order: killed in between,
		// the supervisor is still linked, and its exit reaches the caller
		// in place of the answer, which it would otherwise wait for for
		// ever.
		w.Send(s.parent, supAck{s: s, err: err})
		w.Unlink(s.parent)
		w.Exit(sim.ShutdownWith{Info: err})
	}
	w.Send(s.parent, supAck{s: s})
	for {
		m, _ := w.Receive(nil, sim.Infinity)
		switch m := m.(type) {
		case sim.ExitMsg:
			if m.From == s.parent {
				s.note(int64(idOf(m.From)), "parent p%d exited: %v", idOf(m.From), m.Reason)
				s.terminateFrom(0)
				w.Exit(m.Reason)
			}
			if c := s.find(m.From); c != nil && !s.childExited(c, m.Reason) {
				s.giveUp()
			}
		case supRetry:
			if hasChild(s.children, m.c) && m.c.restarting && !s.restart(m.c) {
				s.giveUp()
			}
		case supCall:
			if m.stop {
				s.note(0, "stop requested by p%d", idOf(m.from))
				s.terminateFrom(0)
				w.Exit(sim.Normal)
			}
			w.Send(m.from, supReply{ref: m.ref, children: s.which()})
		}
		// Anything else is dropped, as OTP's supervisor drops (and logs)
		// unexpected messages.
	}
}

func (s *Supervisor) find(p *sim.Proc) *child {
	for _, c := range s.children {
		if c.proc == p {
			return c
		}
	}
	return nil
}

func hasChild(cs []*child, c *child) bool {
	for _, d := range cs {
		if d == c {
			return true
		}
	}
	return false
}

func (s *Supervisor) which() []ChildInfo {
	out := make([]ChildInfo, len(s.children))
	for i, c := range s.children {
		out[i] = ChildInfo{ID: c.spec.ID, Proc: c.proc, Restart: c.spec.Restart, Restarts: max(c.starts-1, 0)}
	}
	return out
}

// childExited applies c's restart type to its exit (do_restart in
// supervisor.erl). It returns false when the restart intensity is exceeded.
func (s *Supervisor) childExited(c *child, reason any) bool {
	p := c.proc
	c.proc = nil
	s.note(int64(p.ID()), "%s p%d exited: %v", c.spec.ID, p.ID(), reason)
	if c.spec.Restart == Permanent || c.spec.Restart == Transient && !isOrderly(reason) {
		return s.restart(c)
	}
	if c.spec.Restart == Temporary {
		s.remove(c)
	}
	return true
}

// restart restarts c, and the children its strategy says go with it. A
// child whose start fails is retried through a message to self, so that the
// supervisor handles what reached it first (OTP's try_again_restart). It
// returns false when this restart exceeds the restart intensity.
func (s *Supervisor) restart(c *child) bool {
	c.restarting = false
	if !s.addRestart() {
		s.note(int64(len(s.restarts)), "give up: %d restarts in %v", len(s.restarts), s.period)
		return false
	}
	var failed *child
	switch s.strategy {
	case OneForOne:
		if err := s.startChild(c); err != nil {
			failed = c
		} else if c.proc == nil && c.spec.Restart == Temporary {
			s.remove(c)
		}
	case OneForAll:
		s.terminateFrom(0)
		failed, _ = s.startFrom(0)
	case RestForOne:
		i := s.index(c)
		s.terminateFrom(i + 1)
		failed, _ = s.startFrom(i)
	}
	if failed != nil {
		failed.restarting = true
		s.w.Send(s.proc, supRetry{c: failed})
	}
	return true
}

// addRestart records a restart now and reports whether the restart
// intensity still allows it (add_restart in supervisor.erl).
func (s *Supervisor) addRestart() bool {
	now := s.w.Elapsed()
	keep := 0
	for _, t := range s.restarts {
		if t >= now-s.period {
			s.restarts[keep] = t
			keep++
		}
	}
	s.restarts = append(s.restarts[:keep], now)
	return len(s.restarts) <= s.maxRestarts
}

// giveUp ends the supervisor after its restart intensity was exceeded.
func (s *Supervisor) giveUp() {
	s.terminateFrom(0)
	s.w.Exit(sim.Shutdown)
}

func (s *Supervisor) index(c *child) int {
	for i, d := range s.children {
		if d == c {
			return i
		}
	}
	panic("otp: internal error: supervisor child not found")
}

func (s *Supervisor) remove(c *child) {
	i := s.index(c)
	s.children = append(s.children[:i], s.children[i+1:]...)
}

// startFrom starts, in order, every child from index i on that is not
// running. It stops at the first start that fails and returns that child
// and the error.
func (s *Supervisor) startFrom(i int) (*child, error) {
	for i < len(s.children) {
		c := s.children[i]
		if c.proc == nil {
			if err := s.startChild(c); err != nil {
				return c, err
			}
			if c.proc == nil && c.spec.Restart == Temporary {
				s.remove(c) // ignored: a Temporary child is dropped
				continue
			}
		}
		i++
	}
	return nil, nil
}

// startChild starts c. Its Start returning nil leaves it not running, and
// is not an error; a panic in it is.
func (s *Supervisor) startChild(c *child) error {
	p, err := s.callStart(c)
	switch {
	case err != nil:
		s.note(-1, "start %s failed: %v", c.spec.ID, err)
		return err
	case p == nil:
		s.note(-1, "start %s: ignored", c.spec.ID)
		return nil
	}
	c.proc = p
	c.starts++
	adopt(s.w, p)
	verb := "start"
	if c.starts > 1 {
		verb = "restart"
	}
	s.note(int64(p.ID()), "%s %s = p%d", verb, c.spec.ID, p.ID())
	return nil
}

func (s *Supervisor) callStart(c *child) (p *sim.Proc, err error) {
	defer func() {
		if r := recover(); r != nil {
			if s.w.Kernel().Unwinding(r) {
				panic(r) // the supervisor itself is ending
			}
			err = fmt.Errorf("otp: supervisor %q: child %q failed to start: Start panicked: %v", s.name, c.spec.ID, r)
		}
	}()
	if c.spec.Start != nil {
		return c.spec.Start(), nil
	}
	return s.w.SpawnLink(c.spec.ID, c.spec.Run), nil
}

// terminateFrom terminates, in reverse start order, every running child
// from index i on, and drops the Temporary ones (terminate_children).
func (s *Supervisor) terminateFrom(i int) {
	for j := len(s.children) - 1; j >= i; j-- {
		if c := s.children[j]; c.proc != nil {
			s.terminateChild(c)
		}
	}
	kept := s.children[:i]
	for _, c := range s.children[i:] {
		if c.spec.Restart != Temporary {
			kept = append(kept, c)
		}
	}
	clear(s.children[len(kept):])
	s.children = kept
}

// terminateChild ends c's process as OTP's shutdown/2 does: through a
// monitor rather than the link, so that a child that unlinked itself cannot
// hang the supervisor; then it unlinks and takes the child's ExitMsg, whose
// reason is the true one if the child had already ended.
func (s *Supervisor) terminateChild(c *child) {
	w := s.w
	p := c.proc
	ref := w.Monitor(p)
	isDown := func(m any) bool {
		d, ok := m.(sim.Down)
		return ok && d.Ref == ref
	}
	var m any
	if c.spec.Shutdown == 0 {
		w.Kill(p)
		m, _ = w.Receive(isDown, sim.Infinity)
	} else {
		w.SendExit(p, sim.Shutdown)
		var ok bool
		if m, ok = w.Receive(isDown, c.spec.Shutdown); !ok {
			s.note(int64(p.ID()), "kill %s p%d: no exit in %v", c.spec.ID, p.ID(), c.spec.Shutdown)
			w.Kill(p)
			m, _ = w.Receive(isDown, sim.Infinity)
		}
	}
	reason := m.(sim.Down).Reason
	w.Unlink(p)
	if e, ok := w.Receive(func(m any) bool {
		e, ok := m.(sim.ExitMsg)
		return ok && e.From == p
	}, 0); ok {
		reason = e.(sim.ExitMsg).Reason
	}
	c.proc = nil
	s.note(int64(p.ID()), "stopped %s p%d: %v", c.spec.ID, p.ID(), reason)
}

// idOf is p's id, -1 for none.
func idOf(p *sim.Proc) int {
	if p == nil {
		return -1
	}
	return p.ID()
}
