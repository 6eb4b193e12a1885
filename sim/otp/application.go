package otp

import (
	"fmt"

	"github.com/weftsim/weft/sim"
)

// Application is a running application: its master process and the top
// process its start callback returned.
type Application struct {
	w      *sim.World
	obj    sim.Object
	name   string
	master *sim.Proc
}

type (
	appAck struct {
		a   *Application
		err error
	}
	appStop struct{ a *Application }
)

func (m appAck) String() string {
	if m.err != nil {
		return "application start failed"
	}
	return "application started"
}

func (m appStop) String() string { return "stop application" }

// StartApplication spawns the application master, a process named
// name+"/master", and returns once start has run on it. start creates the
// application's resources, which the master then owns, and returns the
// top process (usually a supervisor's Proc, from StartSupervisor, whose
// parent is then the master), or nil for an application that is only
// resources. If start returns an error, the master exits with reason
// sim.ShutdownWith{Info: err} (a supervisor it started shuts down with it)
// and StartApplication returns the error; if start panics, the master
// crashes and StartApplication returns an error naming the crash. The
// caller is not linked to the master, it monitors it while it starts.
// StartApplication is a scheduling point: the one of World.SpawnMonitor,
// which starts the master.
func StartApplication(w *sim.World, name string, start func(app *Application) (top *sim.Proc, err error)) (*Application, error) {
	k := w.Kernel()
	k.CheckRun()
	a := &Application{w: w, name: name}
	k.Register(&a.obj, "application", 1)
	a.obj.SetName(name)
	caller := w.Self()
	// The master may run before SpawnMonitor returns: run sets a.master too.
	master, ref := w.SpawnMonitor(name+"/master", func() { a.run(caller, start) })
	a.master = master
	m, _ := w.Receive(func(m any) bool {
		switch m := m.(type) {
		case appAck:
			return m.a == a
		case sim.Down:
			return m.Ref == ref
		}
		return false
	}, sim.Infinity)
	switch m := m.(type) {
	case appAck:
		k.DemonitorFlush(ref)
		if m.err != nil {
			return nil, m.err
		}
		return a, nil
	default:
		return nil, fmt.Errorf("otp: application %q: master exited while starting: %v", name, m.(sim.Down).Reason)
	}
}

// run is the application master's process.
func (a *Application) run(caller *sim.Proc, start func(app *Application) (*sim.Proc, error)) {
	w := a.w
	a.master = w.Self()
	w.TrapExits(true)
	top, err := start(a)
	if err != nil {
		a.note(-1, "start failed: %v", err)
		w.Send(caller, appAck{a: a, err: err})
		w.Exit(sim.ShutdownWith{Info: err})
	}
	if top != nil {
		adopt(w, top)
		a.note(int64(top.ID()), "started, top p%d", top.ID())
	} else {
		a.note(-1, "started")
	}
	w.Send(caller, appAck{a: a})
	for {
		m, _ := w.Receive(nil, sim.Infinity)
		switch m := m.(type) {
		case sim.ExitMsg:
			if top != nil && m.From == top {
				a.note(int64(top.ID()), "terminated: top p%d exited: %v", top.ID(), m.Reason)
				w.Exit(m.Reason)
			}
		case appStop:
			if m.a != a {
				continue
			}
			if top != nil {
				w.SendExit(top, sim.Shutdown)
				w.Receive(func(m any) bool {
					e, ok := m.(sim.ExitMsg)
					return ok && e.From == top
				}, sim.Infinity)
			}
			a.note(0, "stopped")
			w.Exit(sim.Shutdown)
		}
		// Other messages, and exits of other linked processes, are
		// dropped: only the top process's end ends the application.
	}
}

func (a *Application) note(arg int64, format string, args ...any) {
	a.w.Kernel().Event(sim.EventNote, &a.obj, arg, func() string { return fmt.Sprintf(format, args...) })
}

// Master is the application master process: the owner of the resources its
// start callback created.
func (a *Application) Master() *sim.Proc { return a.master }

// Alive reports whether the application is running: whether its master has
// not ended.
func (a *Application) Alive() bool { return a.master.Alive() }

func (a *Application) String() string { return a.obj.String() }

// Stop stops the application: it terminates the top process (which, for a
// supervisor, terminates its children in reverse start order), then the
// master, and returns once the master has ended, at once if it already had.
// It must not be called from the master (the start callback) or from a
// process of the application's tree, which it would wait to terminate.
// Stop is a scheduling point.
func (a *Application) Stop() {
	w := a.w
	w.Kernel().CheckRun()
	if w.Self() == a.master {
		panic("otp: Application.Stop called on the application master (from its start callback?): it would wait for itself")
	}
	ref := w.Monitor(a.master)
	w.Send(a.master, appStop{a: a})
	w.Receive(func(m any) bool {
		d, ok := m.(sim.Down)
		return ok && d.Ref == ref
	}, sim.Infinity)
}
