package otp_test

// Application semantics: the master owns what the start callback creates,
// the top supervisor's end ends the application, a killed master takes the
// tree down, and Stop goes top first, master last. Method as in
// supervisor_test.go: exact logs and reasons under several seeds, the same
// seed giving the same hash. The owned resource is a stand-in for a table:
// it goes through the master's exit hooks, as an owned table does.

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/ets"
	"github.com/weftsim/weft/sim/otp"
)

// resource is a stand-in for an owned table: created by a process, it lives
// until that process ends.
type resource struct {
	owner *sim.Proc
	alive bool
}

// own creates a resource owned by the running process and logs its end.
func own(w *sim.World, log *recorder) *resource {
	r := &resource{owner: w.Self(), alive: true}
	w.Kernel().OnExit(r.owner, func(reason any) {
		r.alive = false
		log.add("resource gone")
	})
	return r
}

// startApp starts an application whose start callback creates a resource
// and a top supervisor with trapping workers a and b.
func startApp(t *testing.T, w *sim.World, log *recorder, topSpec otp.SupervisorSpec) (*otp.Application, *otp.Supervisor, *resource) {
	var top *otp.Supervisor
	var res *resource
	topSpec.Children = []otp.ChildSpec{spec(w, log, "a", otp.Permanent), spec(w, log, "b", otp.Permanent)}
	app, err := otp.StartApplication(w, "app", func(app *otp.Application) (*sim.Proc, error) {
		require.Equal(t, app.Master(), w.Self(), "the start callback runs on the master")
		res = own(w, log)
		var err error
		top, err = otp.StartSupervisor(w, "top", topSpec)
		if err != nil {
			return nil, err
		}
		return top.Proc(), nil
	})
	require.NoError(t, err)
	require.True(t, app.Alive())
	require.True(t, res.alive)
	require.Equal(t, app.Master(), res.owner)
	return app, top, res
}

func TestApplicationStopIsOrderly(t *testing.T) {
	runSup(t, 50, func(w *sim.World) {
		log := &recorder{}
		app, top, res := startApp(t, w, log, otp.SupervisorSpec{})
		cs := top.Which()
		app.Stop()
		require.Equal(t, []string{"start a", "start b", "stop b", "stop a", "resource gone"}, log.lines,
			"the tree goes first, in reverse start order, then the master and what it owns")
		require.False(t, app.Alive())
		require.False(t, res.alive)
		require.Equal(t, sim.Shutdown, app.Master().Reason())
		require.Equal(t, sim.Shutdown, top.Proc().Reason())
		for _, c := range cs {
			require.Equal(t, sim.Shutdown, c.Proc.Reason())
		}
		app.Stop() // an ended application: returns at once
		require.Zero(t, w.Self().MailboxLen())
	})
}

// Killing the master takes the application down: what it owns goes at
// once, and its top supervisor, seeing its parent's exit, terminates its
// children and exits with the same reason.
func TestKilledMasterTakesTheApplicationDown(t *testing.T) {
	runSup(t, 50, func(w *sim.World) {
		log := &recorder{}
		app, top, res := startApp(t, w, log, otp.SupervisorSpec{})
		cs := top.Which()
		w.Kill(app.Master())
		require.Equal(t, sim.Killed, waitEnd(w, app.Master()))
		require.False(t, app.Alive())
		require.False(t, res.alive, "an owned resource goes with its owner")
		require.Equal(t, sim.Killed, waitEnd(w, top.Proc()))
		require.Equal(t, []string{"start a", "start b", "resource gone", "stop b", "stop a"}, log.lines)
		for _, c := range cs {
			require.False(t, c.Proc.Alive())
		}
	})
}

// When the top supervisor ends, the application has terminated: the master
// exits with the same reason.
func TestTopSupervisorEndTerminatesTheApplication(t *testing.T) {
	runSup(t, 50, func(w *sim.World) {
		log := &recorder{}
		app, top, res := startApp(t, w, log, otp.SupervisorSpec{MaxRestarts: -1})
		tell(w, procOf(top.Which(), "a"), "crash")
		require.Equal(t, sim.Shutdown, waitEnd(w, app.Master()))
		require.Equal(t, sim.Shutdown, top.Proc().Reason())
		require.False(t, res.alive)
		require.Equal(t, []string{"start a", "start b", "crash a", "stop b", "resource gone"}, log.lines)
	})
}

func TestStartApplicationErrors(t *testing.T) {
	t.Run("start returns an error", func(t *testing.T) {
		runSup(t, 30, func(w *sim.World) {
			log := &recorder{}
			var top *otp.Supervisor
			var res *resource
			boom := errors.New("no config")
			app, err := otp.StartApplication(w, "app", func(app *otp.Application) (*sim.Proc, error) {
				res = own(w, log)
				var err error
				top, err = otp.StartSupervisor(w, "top", otp.SupervisorSpec{Children: []otp.ChildSpec{spec(w, log, "a", otp.Permanent)}})
				require.NoError(t, err)
				return nil, boom
			})
			require.Nil(t, app)
			require.Equal(t, boom, err)
			// The master's exit reaches the supervisor it started, which
			// shuts down.
			require.Equal(t, sim.ShutdownWith{Info: boom}, waitEnd(w, top.Proc()))
			require.False(t, res.alive)
			require.Equal(t, []string{"start a", "resource gone", "stop a"}, log.lines)
			require.Zero(t, w.Self().MailboxLen())
		})
	})
	t.Run("start panics", func(t *testing.T) {
		runSup(t, 10, func(w *sim.World) {
			app, err := otp.StartApplication(w, "app", func(app *otp.Application) (*sim.Proc, error) { panic("bad config") })
			require.Nil(t, app)
			require.EqualError(t, err, `otp: application "app": master exited while starting: crash: bad config`)
			require.Zero(t, w.Self().MailboxLen())
		})
	})
	t.Run("no top process", func(t *testing.T) {
		runSup(t, 10, func(w *sim.World) {
			log := &recorder{}
			var res *resource
			app, err := otp.StartApplication(w, "app", func(app *otp.Application) (*sim.Proc, error) {
				res = own(w, log)
				return nil, nil
			})
			require.NoError(t, err)
			w.Sleep(time.Hour)
			require.True(t, app.Alive(), "an application of resources only runs until stopped")
			require.True(t, res.alive)
			app.Stop()
			require.False(t, res.alive)
		})
	})
}

// End to end: a resource owned by the master lives exactly as long as the
// application, however the application ends. Workers use it at drawn
// moments and must never find it gone while the application runs; an
// observer checks, at every moment it runs, that the two agree.
func TestOwnedResourceLivesAsLongAsTheApplication(t *testing.T) {
	for _, ending := range []string{"stop", "kill master", "top killed", "top stopped"} {
		t.Run(ending, func(t *testing.T) {
			runSup(t, 50, func(w *sim.World) {
				log := &recorder{}
				var res *resource
				user := func(id string) func() {
					return func() {
						for {
							w.Sleep(time.Duration(1+w.Intn(10)) * 10 * time.Millisecond)
							if !res.alive && res.owner.Alive() {
								w.Fatalf("%s: the resource went before its owner", id)
							}
							if w.Intn(10) == 0 {
								panic(id + " crashed")
							}
						}
					}
				}
				var made procs
				var top *otp.Supervisor
				app, err := otp.StartApplication(w, "app", func(app *otp.Application) (*sim.Proc, error) {
					made.add(app.Master())
					res = own(w, log)
					var err error
					top, err = otp.StartSupervisor(w, "top", otp.SupervisorSpec{MaxRestarts: 100, Period: time.Second, Children: []otp.ChildSpec{
						{ID: "u1", Start: made.linked(w, "u1", user("u1")), Shutdown: 10 * time.Millisecond},
						{ID: "u2", Start: made.linked(w, "u2", user("u2")), Restart: otp.Transient},
					}})
					if err != nil {
						return nil, err
					}
					return made.add(top.Proc()), nil
				})
				require.NoError(t, err)
				made.add(w.Go("observer", func() {
					for app.Alive() {
						if res.alive != app.Alive() {
							w.Fatalf("resource alive %v, application alive %v", res.alive, app.Alive())
						}
						w.Sleep(5 * time.Millisecond)
					}
					if res.alive {
						w.Fatalf("the resource outlived the application")
					}
				}))
				w.Sleep(time.Duration(w.Intn(50)) * 20 * time.Millisecond)
				switch ending {
				case "stop":
					app.Stop()
				case "kill master":
					w.Kill(app.Master())
				case "top killed":
					w.Kill(top.Proc())
				case "top stopped":
					top.Stop()
				}
				waitEnd(w, app.Master())
				require.False(t, res.alive)
				w.Sleep(time.Second)
				made.requireEnded(t, "the application")
			})
		})
	}
}

// The registry fix, end to end with a real table: the application master
// creates the named table in its start callback, so the table outlives the
// short-lived processes that use it and the crashes of the supervised
// workers that read it, and goes exactly when the application stops.
func TestApplicationOwnsATable(t *testing.T) {
	runSup(t, 30, func(w *sim.World) {
		var top *otp.Supervisor
		app, err := otp.StartApplication(w, "registry", func(app *otp.Application) (*sim.Proc, error) {
			refs, err := ets.New[string, int](w, ets.Options{Name: "refs", Access: ets.Public})
			if err != nil {
				return nil, err
			}
			if err := refs.Insert("stream-1", 42); err != nil {
				return nil, err
			}
			top, err = otp.StartSupervisor(w, "registry_sup", otp.SupervisorSpec{Children: []otp.ChildSpec{{
				ID: "stream",
				Run: func() {
					refs := ets.ByName[string, int](w, "refs")
					for {
						m, _ := w.Receive(nil, sim.Infinity)
						if m == "crash" {
							panic("boom")
						}
						_, found, err := refs.Lookup(m.(string))
						if err != nil {
							panic(err) // ets raises badarg
						}
						require.True(t, found)
					}
				},
			}}})
			if err != nil {
				return nil, err
			}
			return top.Proc(), nil
		})
		require.NoError(t, err)
		refs := ets.ByName[string, int](w, "refs")

		// A short-lived process writes and ends: the table stays.
		caller := w.Spawn("caller", func() { require.NoError(t, refs.Insert("stream-2", 7)) })
		waitEnd(w, caller)
		v, found, err := refs.Lookup("stream-2")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, 7, v)

		// A supervised reader crashes and is restarted: the table stays.
		stream := top.Which()[0].Proc
		w.Send(stream, "stream-1")
		require.IsType(t, &sim.Crash{}, tell(w, stream, "crash"))
		require.Equal(t, 1, top.Which()[0].Restarts)
		_, found, err = refs.Lookup("stream-1")
		require.NoError(t, err)
		require.True(t, found)

		app.Stop()
		_, _, err = refs.Lookup("stream-1")
		require.ErrorIs(t, err, sim.ErrBadArg, "the table went with the application")
	})
}
