package names_test

// The registry's rules, one test each, then the service face, then a race
// on it that weft finds: whereis-then-register from two processes.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/internal/simtest"
	"github.com/weftsim/weft/sim/names"
	"github.com/weftsim/weft/sim/otp"
)

func idle(w *sim.World) func() { return func() { w.Receive(nil, sim.Infinity) } }

func TestRegisterRules(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := w.Spawn("a", idle(w)), w.Spawn("b", idle(w))
		require.Nil(t, names.Whereis(w, "db"))
		require.NoError(t, names.Register(w, "db", a))
		require.Same(t, a, names.Whereis(w, "db"))
		require.Equal(t, "db", names.NameOf(w, a))

		err := names.Register(w, "db", b)
		require.ErrorIs(t, err, sim.ErrBadArg, "the name is taken")
		require.Contains(t, err.Error(), `register("db", p2): the name is taken by p1`)
		require.ErrorIs(t, names.Register(w, "cache", a), sim.ErrBadArg, "a process has one name at most")
		require.ErrorIs(t, names.Register(w, "undefined", b), sim.ErrBadArg)
		require.ErrorIs(t, names.Register(w, "", b), sim.ErrBadArg)
		require.ErrorIs(t, names.Register(w, "nil", nil), sim.ErrBadArg)
		require.NoError(t, names.Register(w, "cache", b))
		require.Equal(t, []string{"db", "cache"}, names.Registered(w))

		require.NoError(t, names.Unregister(w, "db"))
		require.Nil(t, names.Whereis(w, "db"))
		require.True(t, a.Alive(), "unregister leaves the process be")
		require.ErrorIs(t, names.Unregister(w, "db"), sim.ErrBadArg, "not registered any more")
		require.NoError(t, names.Register(w, "db", a), "a process may take a name again")
		require.Equal(t, []string{"cache", "db"}, names.Registered(w))

		w.Kill(a)
		w.Kill(b)
		dead := w.Spawn("dead", func() {})
		w.Yield()
		for dead.Alive() {
			w.Yield()
		}
		err = names.Register(w, "late", dead)
		require.ErrorIs(t, err, sim.ErrBadArg)
		require.Contains(t, err.Error(), "the process has ended")
		require.Empty(t, names.Registered(w))
	})
}

// A name goes with its process however it ends, before its monitors fire:
// the watcher that gets the Down can register a new process at once.
func TestNameReleasedAtExit(t *testing.T) {
	for _, end := range []string{"returns", "panics", "killed"} {
		t.Run(end, func(t *testing.T) {
			simtest.RunSeeds(t, 5, func(w *sim.World) {
				p := w.Spawn("srv", func() {
					w.Receive(nil, sim.Infinity)
					if end == "panics" {
						panic("boom")
					}
				})
				require.NoError(t, names.Register(w, "srv", p))
				mon := w.Monitor(p)
				if end == "killed" {
					w.Kill(p)
				} else {
					w.Send(p, "go")
				}
				m, _ := w.Receive(nil, sim.Infinity)
				require.Equal(t, mon, m.(sim.Down).Ref)
				require.Nil(t, names.Whereis(w, "srv"))
				next := w.Spawn("srv2", idle(w))
				require.NoError(t, names.Register(w, "srv", next))
				w.Kill(next)
			})
		})
	}
}

func TestSendByName(t *testing.T) {
	simtest.RunSeeds(t, 5, func(w *sim.World) {
		self := w.Self()
		echo := w.Spawn("echo", func() {
			m, _ := w.Receive(nil, sim.Infinity)
			w.Send(self, m)
		})
		err := names.Send(w, "echo", "hi")
		require.ErrorIs(t, err, sim.ErrBadArg, "echo ! hi raises badarg before echo is registered")
		require.Contains(t, err.Error(), "echo ! hi: not a registered name")
		require.NoError(t, names.Register(w, "echo", echo))
		require.NoError(t, names.Send(w, "echo", "hi"))
		m, ok := w.Receive(nil, time.Second)
		require.True(t, ok)
		require.Equal(t, "hi", m)
		require.Zero(t, echo.MailboxLen(), "the badarg send delivered nothing")
	})
}

func TestServeAndCall(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		total := 0
		srv, err := names.Serve(w, "counter", func(n int) int { total += n; return total })
		require.NoError(t, err)
		got, err := names.Call[int, int](w, "counter", 2, time.Second)
		require.NoError(t, err)
		require.Equal(t, 2, got)
		got, err = names.Call[int, int](w, "counter", 3, sim.Infinity)
		require.NoError(t, err)
		require.Equal(t, 5, got)

		_, err = names.Serve(w, "counter", func(n int) int { return n })
		require.ErrorIs(t, err, sim.ErrBadArg, "the name is taken")

		_, err = names.Call[int, int](w, "nobody", 1, time.Second)
		require.ErrorIs(t, err, names.ErrNoProc)

		_, err = names.Call[string, int](w, "counter", "x", time.Second)
		require.ErrorIs(t, err, names.ErrNoProc, "a request no clause matches crashes the server")
		require.Contains(t, err.Error(), "got a request of type string")
		require.False(t, srv.Alive())
		require.Nil(t, names.Whereis(w, "counter"))
		require.Zero(t, w.Self().MailboxLen(), "a call leaves no message behind")

		_, err = names.Serve(w, "slow", func(d time.Duration) bool { w.Sleep(d); return true })
		require.NoError(t, err)
		_, err = names.Call[time.Duration, bool](w, "slow", time.Minute, time.Second)
		require.ErrorIs(t, err, names.ErrTimeout)
		require.Equal(t, time.Second, w.Elapsed())
		w.Kill(names.Whereis(w, "slow"))
	})
}

// A supervised server: while the supervisor restarts it, calls by name
// fail with noproc; then they reach the new process.
func TestCallReachesTheRestartedServer(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		sup, err := otp.StartSupervisor(w, "sup", otp.SupervisorSpec{Children: []otp.ChildSpec{{
			ID: "srv",
			Run: func() {
				require.NoError(t, names.Register(w, "srv", w.Self()))
				for {
					m, _ := w.Receive(nil, sim.Infinity)
					if m == "crash" {
						panic("crash")
					}
				}
			},
		}}})
		require.NoError(t, err)
		var first *sim.Proc
		for first == nil { // the child registers itself once it runs
			first = names.Whereis(w, "srv")
		}
		require.NoError(t, names.Send(w, "srv", "crash"))
		var second *sim.Proc
		for second == nil || second == first {
			_, err := names.Call[string, string](w, "srv", "ping", time.Millisecond)
			if second = names.Whereis(w, "srv"); second == nil {
				require.ErrorIs(t, err, names.ErrNoProc)
			}
		}
		require.NotSame(t, first, second)
		sup.Stop()
	})
}

// ensureServer is the whereis-then-register idiom: start the server only
// if it is not running. Two callers can both see it missing.
func ensureServer(w *sim.World) error {
	if names.Whereis(w, "cache") != nil {
		return nil
	}
	p := w.Spawn("cache", idle(w))
	if err := names.Register(w, "cache", p); err != nil {
		w.Kill(p)
		return err
	}
	return nil
}

func TestWhereisThenRegisterRace(t *testing.T) {
	rep := weft.Explore(weft.Options{Runs: 200, CheckDeterminism: true}, func(w *sim.World) {
		wg := sim.NewWaitGroup(w)
		for _, name := range []string{"a", "b"} {
			wg.Go(name, func() {
				if err := ensureServer(w); err != nil {
					w.Fatalf("ensure: %v", err)
				}
			})
		}
		wg.Wait()
		w.Kill(names.Whereis(w, "cache"))
	})
	require.NotNil(t, rep.Failure, "Explore missed the race")
	require.Contains(t, rep.Failure.Shrunk.Failure.Value, `badarg: register("cache", p`)
	require.Contains(t, rep.Failure.Shrunk.Failure.Value, "the name is taken")
}
