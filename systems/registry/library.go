package registry

import (
	"errors"
	"fmt"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/ets"
	"github.com/weftsim/weft/sim/otp"
)

// library is the HTTP client library as a variant builds it: how a caller
// starts a stream, and what the waiting side can watch.
type library interface {
	// startStream is client.start_stream, run by the caller: it starts st's
	// stream process and returns; the stream's callbacks reach st.waiter.
	startStream(st *stream) error
	// application is the application that runs the library (appowned,
	// supervised), or nil.
	application() *otp.Application
	// watched is the application the waiting side monitors, or nil: only
	// the supervised library's waiting side watches its application.
	watched() *otp.Application
	// stop ends what the library left running, once the run is judged.
	stop()
}

// lazyLib is the library of the incident and of PR 66's first commit:
// start_stream makes sure the tables exist (in the caller: ensure_ets_tables)
// and spawns the stream process unlinked; whoever created a table owns it.
// PR 66's merged commit (mergedLib) starts streams the same way, with no
// tables to make.
type lazyLib struct{ r *run }

func (l lazyLib) startStream(st *stream) error {
	r := l.r
	r.shim.ensureTables(st)
	st.at("spawn_unlinked", "")
	r.w.Spawn("stream "+st.name, func() { r.runStream(st) })
	return nil
}

func (l lazyLib) application() *otp.Application { return nil }

func (l lazyLib) watched() *otp.Application { return nil }

func (l lazyLib) stop() {}

// createTables is the part of dream_http_client_app:start/2 that PR 66's
// merged commit added, run by the application master: both tables, named
// and public, owned by the master for the application's lifetime.
func (r *run) createTables() error {
	w := r.w
	if _, err := ets.New[any, any](w, ets.Options{Name: RefTable, Access: ets.Public, Record: true}); err != nil {
		return err
	}
	r.created(RefTable)
	if _, err := ets.New[StringID, zctx](w, ets.Options{Name: ZlibTable, Access: ets.Public}); err != nil {
		return err
	}
	r.created(ZlibTable)
	return nil
}

// bootApp starts the application named dream_http_client with start, as a
// release's boot does before anything uses the library. Faults may kill the
// master while it starts; the boot retries, as a supervisor of the node
// would, and gives up after a few attempts (it then returns nil, and the
// run starts no streams).
func (r *run) bootApp(start func(*otp.Application) (*sim.Proc, error)) *otp.Application {
	for range 5 {
		if app, err := otp.StartApplication(r.w, "dream_http_client", start); err == nil {
			return app
		}
	}
	return nil
}

// mergedLib is the library of PR 66's merged commit, exactly as written
// (appowned): an OTP application whose start callback creates both tables,
// owned by the application master for the application's lifetime, and then
// starts dream_http_client_sup, a supervisor with no children. The lazy
// creation is gone; table accesses are plain calls, so a missing table is a
// crash. start_stream is otherwise unchanged: it spawns the stream process
// unlinked from the caller, and nothing watches it, nor does the waiting
// side watch the application. A stream process that crashes or is killed
// is therefore as silent as in the incident; only the table's lifetime
// changed.
type mergedLib struct {
	lazyLib
	app *otp.Application
}

// bootMerged boots PR 66's merged application; nil if it could not start.
func (r *run) bootMerged() library {
	l := &mergedLib{lazyLib: lazyLib{r}}
	l.app = r.bootApp(l.start)
	if l.app == nil {
		return nil
	}
	return l
}

// start is dream_http_client_app:start/2 as merged: both tables, then the
// (empty) top supervisor.
func (l *mergedLib) start(app *otp.Application) (*sim.Proc, error) {
	if err := l.r.createTables(); err != nil {
		return nil, err
	}
	sup, err := otp.StartSupervisor(l.r.w, "dream_http_client_sup", otp.SupervisorSpec{})
	if err != nil {
		return nil, err
	}
	return sup.Proc(), nil
}

func (l *mergedLib) application() *otp.Application { return l.app }

func (l *mergedLib) watched() *otp.Application { return nil }

func (l *mergedLib) stop() { l.app.Stop() }

// supervisedLib is our design (supervised): PR 66's merged application,
// with a crash made loud by someone who hears it. The merged library still
// spawns stream processes unlinked, so a stream that crashes, or is killed,
// is as silent as in the incident. Here the application also runs a stream
// manager (a permanent child of its supervisor, which allows no restart):
// start_stream asks it to start the stream process, linked; it traps exits
// and turns a stream process's abnormal exit into on_stream_error. If the
// manager dies, the supervisor gives up and the application terminates; the
// waiting side watches the application (a monitor on its master) and sees
// it die. start_stream finds the manager that the running application's
// start callback recorded, so the manager that runs a stream belongs to the
// application its waiting side watches (see manager). So no process's death,
// the master's included, can leave a waiting side waiting in silence.
type supervisedLib struct {
	r   *run
	app *otp.Application
	// manager is where start_stream finds the stream manager: the
	// application's start callback records its manager here (in the
	// library, persistent_term:put or application:set_env in start/2) once
	// its supervisor has started it, before the start returns. The running
	// application's start callback is the last one to return, so once the
	// application runs, manager is its manager; a manager of an instance
	// whose start failed (its master was killed while it started, and the
	// boot started another) is never found, though it lives on until its
	// supervisor handles the master's exit. Issue 13 found the design losing
	// a stream when each manager recorded itself when it first ran: a
	// failed instance's manager had, the running one's had not run yet, so
	// the caller reached the failed instance's manager, which shut its
	// stream down with itself, while the waiting side watched the running
	// instance (TestStaleManager).
	manager *sim.Proc
}

// The stream manager's protocol: a gen_server call.
type (
	startReq struct {
		st   *stream
		from *sim.Proc
		tag  sim.MonitorRef
	}
	startReply struct{ tag sim.MonitorRef }
	managed    struct {
		p  *sim.Proc
		st *stream
	}
)

func (m startReq) String() string   { return fmt.Sprintf("{start_stream, %s}", m.st) }
func (m startReply) String() string { return "{ok, started}" }

// errAppDown is start_stream's error when the application is not running.
var errAppDown = errors.New("registry: the dream_http_client application is not running")

// bootSupervised boots the supervised application; nil if it could not
// start.
func (r *run) bootSupervised() library {
	a := &supervisedLib{r: r}
	a.app = r.bootApp(a.start)
	if a.app == nil {
		return nil
	}
	return a
}

// start is dream_http_client_app:start/2 of our design: both tables, the
// supervisor with the stream manager, and then the record of the manager
// for start_stream.
func (a *supervisedLib) start(app *otp.Application) (*sim.Proc, error) {
	w, r := a.r.w, a.r
	if err := r.createTables(); err != nil {
		return nil, err
	}
	var manager *sim.Proc
	sup, err := otp.StartSupervisor(w, "dream_http_client_sup", otp.SupervisorSpec{
		MaxRestarts: -1, // the manager's death is the application's
		Children: []otp.ChildSpec{{
			ID: "dream_http_client_streams",
			Start: func() *sim.Proc {
				parent := w.Self()
				manager = r.track(w.SpawnLink("dream_http_client_streams", func() { a.manage(parent) }))
				return manager
			},
			Shutdown: sim.Infinity,
		}},
	})
	if err != nil {
		return nil, err
	}
	a.manager = manager
	return sup.Proc(), nil
}

// manage is the stream manager's loop.
func (a *supervisedLib) manage(parent *sim.Proc) {
	w, r := a.r.w, a.r
	w.TrapExits(true)
	var streams []managed
	for {
		m, _ := w.Receive(nil, sim.Infinity)
		switch m := m.(type) {
		case startReq:
			st := m.st
			p := w.SpawnLink("stream "+st.name, func() { r.runStream(st) })
			streams = append(streams, managed{p, st})
			w.Send(m.from, startReply{m.tag})
		case sim.ExitMsg:
			if m.From == parent {
				w.Exit(m.Reason)
			}
			for i, s := range streams {
				if s.p != m.From {
					continue
				}
				streams = append(streams[:i], streams[i+1:]...)
				if m.Reason != sim.Normal {
					s.st.onError(fmt.Sprintf("stream process exited: %s", describeReason(m.Reason)))
				}
				break
			}
		}
	}
}

// startStream is start_stream: a call to the stream manager.
func (a *supervisedLib) startStream(st *stream) error {
	w := a.r.w
	st.at("start_stream (call the stream manager)", "")
	if a.manager == nil {
		return errAppDown
	}
	ref := w.Monitor(a.manager)
	w.Send(a.manager, startReq{st: st, from: w.Self(), tag: ref})
	m, _ := w.Receive(func(m any) bool {
		switch m := m.(type) {
		case startReply:
			return m.tag == ref
		case sim.Down:
			return m.Ref == ref
		}
		return false
	}, sim.Infinity)
	w.Demonitor(ref)
	if _, ok := m.(sim.Down); ok {
		return errAppDown
	}
	return nil
}

func (a *supervisedLib) application() *otp.Application { return a.app }

func (a *supervisedLib) watched() *otp.Application { return a.app }

func (a *supervisedLib) stop() { a.app.Stop() }
