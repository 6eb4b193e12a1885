package sim

import "fmt"

// An application after OTP's: an application master process that runs the
// application's start callback, so that what the callback creates (tables,
// above all) is owned by the master and lives exactly as long as the
// application; and a top process, usually a supervisor, that the callback
// starts linked to the master. The master traps exits:
//
//   - When the top process ends, with any reason, the application has
//     terminated: the master exits with the same reason (a permanent
//     application on the BEAM would take the node down with it).
//   - When the master ends for any other reason (it is killed, say), its
//     owned resources go at once, and its link ends the top process: a
//     supervisor sees its parent's exit and terminates its tree in order.
//   - Application.Stop terminates the top process first (exit signal
//     Shutdown, waiting for it to end however long its tree takes), then
//     the master, which exits with reason Shutdown, so the resources go last.

// Application is a running application: its master process and the top
// process its start callback returned.
type Application struct {
	w      *World
	obj    Object
	name   string
	master *Proc
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
// top process (usually a supervisor's Proc, from World.StartSupervisor,
// whose parent is then the master), or nil for an application that is
// only resources. If start returns an error, the master exits with reason
// ShutdownWith{Info: err} (a supervisor it started shuts down with it) and
// StartApplication returns the error; if start panics, the master crashes
// and StartApplication returns an error naming the crash. The caller is not
// linked to the master. StartApplication is a scheduling point.
func (w *World) StartApplication(name string, start func(app *Application) (top *Proc, err error)) (*Application, error) {
	w.checkAlive()
	a := &Application{w: w, name: name}
	w.newObject(&a.obj, "application", 1)
	a.obj.name = name
	caller := w.cur
	a.master = w.spawn(name+"/master", func() { a.run(caller, start) })
	a.master.otp = true
	ref := w.monitor(caller, a.master)
	w.point()
	m, _ := w.Receive(func(m any) bool {
		switch m := m.(type) {
		case appAck:
			return m.a == a
		case Down:
			return m.Ref == ref
		}
		return false
	}, Infinity)
	switch m := m.(type) {
	case appAck:
		w.demonitorFlush(ref)
		if m.err != nil {
			return nil, m.err
		}
		return a, nil
	default:
		return nil, fmt.Errorf("sim: application %q: master exited while starting: %v", name, m.(Down).Reason)
	}
}

// run is the application master's process.
func (a *Application) run(caller *Proc, start func(app *Application) (*Proc, error)) {
	w := a.w
	w.TrapExits(true)
	top, err := start(a)
	if err != nil {
		a.note(-1, "start failed: %v", err)
		w.Send(caller, appAck{a: a, err: err})
		w.Exit(ShutdownWith{Info: err})
	}
	if top != nil {
		w.adopt(top)
		a.note(int64(top.id), "started, top p%d", top.id)
	} else {
		a.note(-1, "started")
	}
	w.Send(caller, appAck{a: a})
	for {
		m, _ := w.Receive(nil, Infinity)
		switch m := m.(type) {
		case ExitMsg:
			if top != nil && m.From == top {
				a.note(int64(top.id), "terminated: top p%d exited: %v", top.id, m.Reason)
				w.Exit(m.Reason)
			}
		case appStop:
			if m.a != a {
				continue
			}
			if top != nil {
				w.SendExit(top, Shutdown)
				w.Receive(func(m any) bool {
					e, ok := m.(ExitMsg)
					return ok && e.From == top
				}, Infinity)
			}
			a.note(0, "stopped")
			w.Exit(Shutdown)
		}
		// Other messages, and exits of other linked processes, are
		// dropped: only the top process's end ends the application.
	}
}

func (a *Application) note(arg int64, format string, args ...any) {
	a.w.event(EventNote, &a.obj, arg, func() string { return fmt.Sprintf(format, args...) })
}

// Master is the application master process: the owner of the resources its
// start callback created.
func (a *Application) Master() *Proc { return a.master }

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
	w.checkAlive()
	if w.cur == a.master {
		panic("sim: Application.Stop called on the application master (from its start callback?): it would wait for itself")
	}
	ref := w.Monitor(a.master)
	w.Send(a.master, appStop{a: a})
	w.Receive(func(m any) bool {
		d, ok := m.(Down)
		return ok && d.Ref == ref
	}, Infinity)
}
