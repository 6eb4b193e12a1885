package sim_test

// ExitSignal and NewMonitorRef, as a library that carries links and
// monitors between nodes uses them: a signal delivered from an alarm (the
// far end's exit arriving), trapped or not, and a Down under a reference
// that World.Demonitor leaves alone.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
)

func TestKernelExitSignal(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		k := w.Kernel()
		far := w.Spawn("far", func() {})
		trapper := w.Spawn("trapper", func() {
			w.TrapExits(true)
			m, _ := w.Receive(nil, sim.Infinity)
			require.Equal(t, sim.ExitMsg{From: far, Reason: sim.Atom("noconnection")}, m)
		})
		victim := w.Spawn("victim", func() { w.Receive(nil, sim.Infinity) })
		bystander := w.Spawn("bystander", func() { w.Receive(nil, sim.Infinity) })
		w.Yield()
		a := &sim.Alarm{Fire: func() {
			k.ExitSignal(trapper, far, sim.Atom("noconnection"))
			k.ExitSignal(victim, far, sim.Atom("noconnection"))
			k.ExitSignal(bystander, far, sim.Normal) // normal from another process: ignored
		}}
		k.SetAlarm(a, k.Deadline(time.Millisecond))
		w.Sleep(2 * time.Millisecond)
		require.False(t, trapper.Alive())
		require.Equal(t, sim.Normal, trapper.Reason(), "it trapped the signal and returned")
		require.False(t, victim.Alive())
		require.Equal(t, sim.Atom("noconnection"), victim.Reason())
		require.True(t, bystander.Alive())
		k.ExitSignal(victim, far, sim.Kill) // to an ended process: nothing
		w.Kill(bystander)
	})
	require.Nil(t, r.Failure)
}

func TestKernelNewMonitorRef(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		k := w.Kernel()
		p := w.Spawn("p", func() { w.Receive(nil, sim.Infinity) })
		real := w.Monitor(p)
		own := k.NewMonitorRef()
		require.NotEqual(t, real, own)
		require.NotEqual(t, own, k.NewMonitorRef(), "each is new")
		w.Demonitor(own) // not the world's: nothing happens
		k.Deliver(w.Self(), sim.Down{Ref: own, Proc: p, Reason: sim.Atom("noconnection")})
		w.Kill(p)
		m1, _ := w.Receive(nil, time.Second)
		m2, _ := w.Receive(nil, time.Second)
		require.Equal(t, own, m1.(sim.Down).Ref)
		require.Equal(t, real, m2.(sim.Down).Ref, "the world's own monitor still fires")
		k.Deliver(w.Self(), sim.Down{Ref: own, Proc: p})
		k.DemonitorFlush(own)
		require.Zero(t, w.Self().MailboxLen(), "DemonitorFlush drops a Down of the reference")
	})
	require.Nil(t, r.Failure)
}
