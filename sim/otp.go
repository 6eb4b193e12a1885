package sim

import (
	"errors"
	"fmt"
	"time"
)

// Erlang/OTP semantics for processes: every process has a mailbox; links and
// monitors tie processes' lives together through exit signals; a process
// made with Spawn treats a panic as an exit reason rather than a failure of
// the run, because in OTP a crash can be correct behaviour that a supervisor
// handles. The rules follow the BEAM's:
//
//   - When a process exits with reason R, every linked process gets an exit
//     signal R, and every monitor on it delivers one Down message, exactly
//     once.
//   - An exit signal with reason Normal is ignored unless the receiver traps
//     exits; any other reason ends the receiver with the same reason, unless
//     it traps exits, in which case the signal becomes an ExitMsg in its
//     mailbox.
//   - Kill is untrappable: the receiver ends with reason Killed, and its own
//     links see Killed (which they may trap).
//   - Messages from one process to another arrive in the order they were
//     sent. Send never blocks; a message to a process that has ended is
//     dropped.

// ErrBadArg is Erlang's badarg: the error of an operation given an argument
// it cannot act on. The network's operations wrap it (a controlling process
// that has ended), and so do the owned tables of package sim/ets (a table
// that does not exist, an access its owner does not allow, a name that is
// taken): test with errors.Is. Erlang code crashes on badarg; a model of it
// panics with the error, and a Spawned process's crash reason then carries
// it.
var ErrBadArg = errors.New("sim: badarg")

// Atom is an exit reason that is a plain name, as in Erlang.
type Atom string

// The exit reasons with a meaning of their own.
const (
	Normal   Atom = "normal"   // returned, or exited normally: links ignore it
	Kill     Atom = "kill"     // the untrappable exit signal (see Kill)
	Killed   Atom = "killed"   // the reason of a process ended by Kill
	Shutdown Atom = "shutdown" // an orderly stop, as supervisors use it
	NoProc   Atom = "noproc"   // the process did not exist (or had ended)
)

// ShutdownWith is Erlang's exit reason {shutdown, Info}: an orderly stop
// that carries information. Like Shutdown it is not abnormal, so a
// Transient child that exits with it is not restarted.
type ShutdownWith struct{ Info any }

func (s ShutdownWith) String() string { return fmt.Sprintf("{shutdown, %v}", s.Info) }

// Crash is the exit reason of a Spawned process that panicked.
type Crash struct {
	Value any
	Stack string
}

func (c *Crash) String() string { return fmt.Sprintf("crash: %v", c.Value) }

// exitSignal is the panic value that unwinds a process ending with reason.
type exitSignal struct{ reason any }

// ExitMsg is the message a process that traps exits gets in place of an
// exit signal.
type ExitMsg struct {
	From   *Proc
	Reason any
}

// MonitorRef names a monitor.
type MonitorRef struct{ id int }

// Down is the message a monitor delivers when the monitored process ends
// (or at once, with reason NoProc, if it had already ended).
type Down struct {
	Ref    MonitorRef
	Proc   *Proc
	Reason any
}

type monitor struct {
	ref     MonitorRef
	watcher *Proc
	target  *Proc
	active  bool
}

// Spawn starts f as a new OTP process: like Go, except that a panic in f
// ends the process with a *Crash reason (its links and monitors fire) and
// does not fail the run. The crash is always in the trace.
func (w *World) Spawn(name string, f func()) *Proc {
	p := w.spawn(name, f)
	p.otp = true
	w.point()
	return p
}

// SpawnLink is Spawn with a link between the caller and the new process,
// made before the new process can run.
func (w *World) SpawnLink(name string, f func()) *Proc {
	p := w.spawn(name, f)
	p.otp = true
	w.link(w.cur, p)
	w.point()
	return p
}

// SpawnMonitor is Spawn with a monitor on the new process held by the
// caller, made before the new process can run.
func (w *World) SpawnMonitor(name string, f func()) (*Proc, MonitorRef) {
	p := w.spawn(name, f)
	p.otp = true
	ref := w.monitor(w.cur, p)
	w.point()
	return p, ref
}

// Link links the calling process and p: when either ends, the other gets an
// exit signal. Linking to an ended process sends the caller an exit signal
// with reason NoProc. Linking twice is the same as once.
func (w *World) Link(p *Proc) {
	w.point()
	self := w.cur
	if p.state == stateDone {
		w.signal(p, self, NoProc)
		return
	}
	w.link(self, p)
}

func (w *World) link(a, b *Proc) {
	if a == b || contains(a.links, b) {
		return
	}
	a.links = append(a.links, b)
	b.links = append(b.links, a)
	w.event(EventNote, nil, int64(b.id), func() string { return fmt.Sprintf("link p%d <-> p%d", a.id, b.id) })
}

// Unlink removes the link between the calling process and p, if any.
func (w *World) Unlink(p *Proc) {
	w.point()
	self := w.cur
	self.links = without(self.links, p)
	p.links = without(p.links, self)
}

// TrapExits sets whether the calling process turns exit signals into
// ExitMsg messages (true) or is ended by them (false, the default). Kill
// cannot be trapped.
func (w *World) TrapExits(on bool) {
	w.checkAlive()
	w.cur.trapExits = on
}

// Monitor starts monitoring p: when p ends, the caller gets one Down message
// with p's exit reason; if p has already ended, the Down (reason NoProc)
// arrives at once.
func (w *World) Monitor(p *Proc) MonitorRef {
	w.point()
	return w.monitor(w.cur, p)
}

func (w *World) monitor(watcher, p *Proc) MonitorRef {
	w.monitorSeq++
	m := &monitor{ref: MonitorRef{w.monitorSeq}, watcher: watcher, target: p, active: true}
	w.monitorsByRef = append(w.monitorsByRef, m)
	if p.state == stateDone {
		m.active = false
		w.deliver(m.watcher, Down{Ref: m.ref, Proc: p, Reason: NoProc})
		return m.ref
	}
	p.monitors = append(p.monitors, m)
	return m.ref
}

// Demonitor turns a monitor off: no Down comes after it returns. A Down
// already in the mailbox stays there.
func (w *World) Demonitor(ref MonitorRef) {
	w.point()
	if ref.id < 1 || ref.id > len(w.monitorsByRef) {
		return
	}
	m := w.monitorsByRef[ref.id-1]
	if m.watcher != w.cur || !m.active {
		return
	}
	m.active = false
	m.target.monitors = withoutMonitor(m.target.monitors, m)
}

// demonitorFlush turns off a monitor of the running process and drops its
// Down if one is already in the mailbox: erlang:demonitor(Ref, [flush]).
func (w *World) demonitorFlush(ref MonitorRef) {
	m := w.monitorsByRef[ref.id-1]
	if m.active {
		m.active = false
		m.target.monitors = withoutMonitor(m.target.monitors, m)
	}
	p := w.cur
	for i, msg := range p.mailbox {
		if d, ok := msg.(Down); ok && d.Ref == ref {
			copy(p.mailbox[i:], p.mailbox[i+1:])
			p.mailbox[len(p.mailbox)-1] = nil
			p.mailbox = p.mailbox[:len(p.mailbox)-1]
			return
		}
	}
}

// Exit ends the calling process with reason, as erlang:exit/1: its defers
// run, then its links and monitors fire.
func (w *World) Exit(reason any) {
	w.checkAlive()
	w.exitNow(w.cur, reason)
}

// SendExit sends p an exit signal with reason from the calling process, as
// erlang:exit/2. Reason Kill ends p even if it traps exits.
func (w *World) SendExit(p *Proc, reason any) {
	w.point()
	w.signal(w.cur, p, reason)
}

// Kill ends p at once with reason Killed, whatever it does: it is
// SendExit(p, Kill).
func (w *World) Kill(p *Proc) { w.SendExit(p, Kill) }

// signal delivers an exit signal from one process to another.
func (w *World) signal(from, to *Proc, reason any) {
	if to.state == stateDone || to.exit != nil {
		return
	}
	w.event(EventNote, nil, int64(to.id), func() string {
		return fmt.Sprintf("exit signal p%d -> p%d: %v", idOf(from), to.id, reason)
	})
	switch {
	case reason == Kill:
		w.end(to, Killed)
	case to.trapExits:
		w.deliver(to, ExitMsg{From: from, Reason: reason})
	case reason == Normal && from != to:
	default:
		w.end(to, reason)
	}
}

// end makes p exit with reason: at once when p is the running process,
// otherwise when it next runs (a blocked process is withdrawn from what it
// waits on and made runnable).
func (w *World) end(p *Proc, reason any) {
	if p == w.cur {
		w.exitNow(p, reason)
	}
	p.exit = &reason
	if p.state == stateBlocked {
		if p.withdraw != nil {
			p.withdraw.Withdraw()
			p.withdraw = nil
		}
		p.state = stateReady
		p.waitIn = ""
		p.waitOn = p.waitOn[:0]
		w.ready.pushBack(p)
	}
}

// terminate ends p with reason: its exit hooks run (owned resources go),
// then its links get exit signals and its monitors deliver Down messages.
// It runs on p's own coroutine, as p's last act.
func (w *World) terminate(p *Proc, reason any) {
	p.reason = reason
	w.event(EventExit, nil, exitArg(reason), func() string { return fmt.Sprint(reason) })
	if p.receiving != nil {
		p.receiving.Withdraw()
	}
	p.receiving = nil
	for _, f := range p.atExit {
		f(reason)
	}
	p.atExit = nil
	links := p.links
	p.links = nil
	for _, q := range links {
		q.links = without(q.links, p)
		w.signal(p, q, reason)
	}
	monitors := p.monitors
	p.monitors = nil
	for _, m := range monitors {
		if m.active {
			m.active = false
			w.deliver(m.watcher, Down{Ref: m.ref, Proc: p, Reason: reason})
		}
	}
	p.mailbox = nil
	w.finish(p)
	if p.id == 0 {
		w.mainStep = w.step
		if reason != Normal {
			w.fail(&Failure{Kind: MainExited, Proc: 0, ProcName: p.name, Value: reason})
		}
	}
}

// exitArg folds a reason into an event's outcome for the trace hash.
func exitArg(reason any) int64 {
	switch reason {
	case Normal:
		return 0
	case Killed:
		return 1
	}
	if _, ok := reason.(*Crash); ok {
		return 2
	}
	return 3
}

// Send puts msg in p's mailbox. It never blocks, and it is a scheduling
// point. A message to a process that has ended is dropped.
func (w *World) Send(p *Proc, msg any) {
	w.point()
	w.deliver(p, msg)
}

// deliver appends msg to p's mailbox and wakes p if it waits for it.
func (w *World) deliver(p *Proc, msg any) {
	w.event(EventSend, nil, int64(p.id), func() string { return fmt.Sprintf("p%d ! %v", p.id, msg) })
	if p.state == stateDone {
		return
	}
	p.mailbox = append(p.mailbox, msg)
	if len(p.mailbox) > p.mailHigh {
		p.mailHigh = len(p.mailbox)
	}
	if r := p.receiving; r != nil && p.state == stateBlocked && (r.match == nil || r.match(msg)) {
		if r.timer != nil {
			w.stopTimer(r.timer)
		}
		w.wake(p)
	}
}

// Infinity is the Receive timeout that never expires.
const Infinity time.Duration = -1

// receiving is a process waiting in Receive.
type receiving struct {
	w        *World
	match    func(any) bool
	timer    *Alarm
	timedOut bool
}

// Withdraw stops the timeout: the receiving process is ending.
func (r *receiving) Withdraw() {
	if r.timer != nil {
		r.w.stopTimer(r.timer)
		r.timer = nil
	}
}

// Receive removes and returns the oldest message in the calling process's
// mailbox that match accepts (nil accepts any), as Erlang's selective
// receive: messages it skips stay, in order. It waits up to timeout of
// virtual time (Infinity or any negative duration: forever; 0: only looks);
// ok is false when it timed out. Receive is a scheduling point.
func (w *World) Receive(match func(any) bool, timeout time.Duration) (msg any, ok bool) {
	w.point()
	p := w.cur
	scanned := 0
	for {
		for i := scanned; i < len(p.mailbox); i++ {
			if m := p.mailbox[i]; match == nil || match(m) {
				copy(p.mailbox[i:], p.mailbox[i+1:])
				p.mailbox[len(p.mailbox)-1] = nil
				p.mailbox = p.mailbox[:len(p.mailbox)-1]
				if r := p.receiving; r != nil {
					if r.timer != nil {
						w.stopTimer(r.timer)
					}
					p.receiving = nil
				}
				w.event(EventRecv, nil, int64(i), func() string { return fmt.Sprintf("receive %v", m) })
				return m, true
			}
		}
		scanned = len(p.mailbox)
		if timeout == 0 || p.receiving != nil && p.receiving.timedOut {
			p.receiving = nil
			w.event(EventRecv, nil, -1, func() string { return "receive timed out" })
			return nil, false
		}
		if p.receiving == nil {
			r := &receiving{w: w, match: match}
			if timeout > 0 {
				r.timer = &Alarm{Fire: func() {
					r.timedOut = true
					r.timer = nil
					w.wake(p)
				}, reach: reachProc, proc: p}
				w.addTimer(r.timer, w.when(timeout))
			}
			p.receiving = r
		}
		w.event(EventBlock, nil, int64(len(p.mailbox)), func() string { return "receive" })
		w.block("receive", p.receiving)
	}
}

// Alive reports whether p has not ended.
func (p *Proc) Alive() bool { return p.state != stateDone }

// Reason is why p ended (nil while it is alive).
func (p *Proc) Reason() any { return p.reason }

// MailboxLen is the number of messages waiting in p's mailbox, and
// MailboxHigh the most it ever held.
func (p *Proc) MailboxLen() int  { return len(p.mailbox) }
func (p *Proc) MailboxHigh() int { return p.mailHigh }

func contains(ps []*Proc, p *Proc) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

func without(ps []*Proc, p *Proc) []*Proc {
	for i, q := range ps {
		if q == p {
			return append(ps[:i], ps[i+1:]...)
		}
	}
	return ps
}

func withoutMonitor(ms []*monitor, m *monitor) []*monitor {
	for i, x := range ms {
		if x == m {
			return append(ms[:i], ms[i+1:]...)
		}
	}
	return ms
}

func idOf(p *Proc) int {
	if p == nil {
		return -1
	}
	return p.id
}
