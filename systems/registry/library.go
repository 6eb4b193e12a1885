package registry

import (
	"errors"
	"fmt"

	"github.com/weftsim/weft/sim"
)

// library is the HTTP client library as a variant builds it: how a caller
// starts a stream, and what the waiting side can watch.
type library interface {
	// startStream is client.start_stream, run by the caller: it starts st's
	// stream process and returns; the stream's callbacks reach st.waiter.
	startStream(st *stream) error
	// application is the application that runs the library (appowned), or
	// nil.
	application() *sim.Application
	// stop ends what the library left running, once the run is judged.
	stop()
}

// lazyLib is the library of the incident and of PR 66's first commit:
// start_stream makes sure the tables exist (in the caller: ensure_ets_tables)
// and spawns the stream process unlinked; whoever created a table owns it.
type lazyLib struct{ r *run }

func (l lazyLib) startStream(st *stream) error {
	r := l.r
	r.shim.ensureTables(st)
	st.at("spawn_unlinked", "")
	r.w.Spawn("stream "+st.name, func() { r.runStream(st) })
	return nil
}

func (l lazyLib) application() *sim.Application { return nil }

func (l lazyLib) stop() {}

// appLib is the library as an OTP application (PR 66's merged commit): the
// start callback creates both tables, owned by the application master for
// the application's lifetime; table accesses are plain calls, and a missing
// table is a crash.
//
// A crash is loud only if someone hears it. The library as merged still
// spawns stream processes unlinked, so a stream that crashes, or is killed,
// is as silent as in the incident. Here the application also runs a stream
// manager (a permanent child of its supervisor, which allows no restart):
// start_stream asks it to start the stream process, linked; it traps exits
// and turns a stream process's abnormal exit into on_stream_error. If the
// manager dies, the supervisor gives up and the application terminates; the
// waiting side watches the application (a monitor on its master) and sees
// it die. So no process's death, the master's included, can leave a waiting
// side waiting in silence.
type appLib struct {
	r       *run
	app     *sim.Application
	manager *sim.Proc // the stream manager, once started (its registered name)
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

// bootApp starts the application, as a release's boot does before anything
// uses the library. Faults may kill the master while it starts; the boot
// retries, as a supervisor of the node would, and gives up after a few
// attempts (the run then starts no streams).
func (r *run) bootApp() library {
	a := &appLib{r: r}
	for range 5 {
		app, err := r.w.StartApplication("dream_http_client", a.start)
		if err == nil {
			a.app = app
			return a
		}
	}
	return nil
}

// start is dream_http_client_app:start/2, run by the application master:
// both tables, then the supervisor.
func (a *appLib) start(app *sim.Application) (*sim.Proc, error) {
	w := a.r.w
	if _, err := sim.NewTable[any, any](w, sim.TableOptions{Name: RefTable, Access: sim.Public, Record: true}); err != nil {
		return nil, err
	}
	a.r.created(RefTable)
	if _, err := sim.NewTable[StringID, zctx](w, sim.TableOptions{Name: ZlibTable, Access: sim.Public}); err != nil {
		return nil, err
	}
	a.r.created(ZlibTable)
	sup, err := w.StartSupervisor("dream_http_client_sup", sim.SupervisorSpec{
		MaxRestarts: -1, // the manager's death is the application's
		Children: []sim.ChildSpec{{
			ID: "dream_http_client_streams",
			Start: func() *sim.Proc {
				parent := w.Self()
				return w.SpawnLink("dream_http_client_streams", func() { a.manage(parent) })
			},
			Shutdown: sim.Infinity,
		}},
	})
	if err != nil {
		return nil, err
	}
	return sup.Proc(), nil
}

// manage is the stream manager's loop.
func (a *appLib) manage(parent *sim.Proc) {
	w, r := a.r.w, a.r
	w.TrapExits(true)
	a.manager = r.track(w.Self())
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
func (a *appLib) startStream(st *stream) error {
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

func (a *appLib) application() *sim.Application { return a.app }

func (a *appLib) stop() { a.app.Stop() }
