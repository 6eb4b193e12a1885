package net

// Datagrams: boundaries kept, the link's losses, duplicates and reordering
// seen unmasked, a full queue dropping, active modes and ownership as for
// connections.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/internal/simtest"
)

func TestNetDatagrams(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: time.Millisecond})
		pa, err := a.ListenPacket(0)
		require.NoError(t, err)
		pb, err := b.ListenPacket(53)
		require.NoError(t, err)
		_, err = b.ListenPacket(53)
		require.ErrorIs(t, err, ErrAddrInUse)
		l, err := b.Listen(53)
		require.NoError(t, err, "TCP ports are a space of their own")
		require.NoError(t, l.Close())
		require.NoError(t, pa.SendTo("b", 53, []byte("one")))
		require.NoError(t, pa.SendTo("b", 53, []byte("two")))
		require.NoError(t, pa.SendTo("b", 54, []byte("nobody listens")))
		require.ErrorIs(t, pa.SendTo("c", 53, nil), ErrNoHost)
		var got []Datagram
		for range 2 {
			d, err := pb.RecvFrom()
			require.NoError(t, err)
			got = append(got, d)
		}
		require.ElementsMatch(t, []Datagram{{From: Addr{"a", 32768}, Data: []byte("one")}, {From: Addr{"a", 32768}, Data: []byte("two")}}, got, "boundaries are kept")
		require.Equal(t, time.Millisecond, w.Elapsed())
		_, err = pb.RecvFromTimeout(time.Second)
		require.ErrorIs(t, err, ErrTimeout)
		require.Equal(t, 1, b.FDs())
		require.NoError(t, pb.Close())
		_, err = pb.RecvFrom()
		require.ErrorIs(t, err, ErrClosed)
		require.ErrorIs(t, pb.SendTo("a", 1, nil), ErrClosed)
		require.NoError(t, pa.Close())
		require.Equal(t, 0, a.FDs()+b.FDs())
	})
}

// datagramsArriving sends n datagrams over a link and counts what arrives
// within a second.
func datagramsArriving(t *testing.T, w *sim.World, link Link, n int) []byte {
	a, b := NewHost(w, "a"), NewHost(w, "b")
	SetLink(w, a, b, link)
	pa, _ := a.ListenPacket(0)
	pb, _ := b.ListenPacket(53)
	for i := range n {
		require.NoError(t, pa.SendTo("b", 53, []byte{byte(i)}))
	}
	var got []byte
	for {
		d, err := pb.RecvFromTimeout(time.Second)
		if err != nil {
			require.ErrorIs(t, err, ErrTimeout)
			break
		}
		got = append(got, d.Data...)
	}
	require.NoError(t, pa.Close())
	require.NoError(t, pb.Close())
	return got
}

func TestNetDatagramLossAndDuplication(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		require.Empty(t, datagramsArriving(t, w, Link{Drop: 1}, 5), "a lost datagram is gone")
	})
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		require.ElementsMatch(t, []byte{0, 0, 1, 1, 2, 2}, datagramsArriving(t, w, Link{Duplicate: 1}, 3), "each arrives twice")
	})
	var lost, dups int
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		got := datagramsArriving(t, w, Link{Drop: 0.3, Duplicate: 0.3}, 10)
		seen := map[byte]int{}
		for _, b := range got {
			seen[b]++
		}
		for i := range byte(10) {
			switch seen[i] {
			case 0:
				lost++
			case 2:
				dups++
			}
		}
	})
	require.Greater(t, lost, 0)
	require.Greater(t, dups, 0)
	// The FaultPlan's duplication reaches datagrams too.
	dups = 0
	for seed := uint64(0); seed < 20; seed++ {
		r := sim.Run(sim.Config{Seed: seed, Faults: sim.FaultPlan{}.With(FaultDuplicate, 0.5)}, func(w *sim.World) {
			dups += len(datagramsArriving(t, w, Link{}, 4)) - 4
		})
		require.Nil(t, r.Failure)
	}
	require.Greater(t, dups, 0)
}

func TestNetDatagramsReorder(t *testing.T) {
	orders := map[string]int{}
	simtest.RunSeeds(t, 40, func(w *sim.World) {
		got := datagramsArriving(t, w, Link{Latency: time.Millisecond, Jitter: 4 * time.Millisecond}, 2)
		orders[string(got)]++
	})
	require.Greater(t, orders["\x00\x01"], 0)
	require.Greater(t, orders["\x01\x00"], 0, "datagrams may overtake each other")
	require.Equal(t, 80, orders["\x00\x01"]+orders["\x01\x00"], "and none is lost on a clean link (both runs of each seed)")
}

func TestNetDatagramQueueFull(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b", RecvBuffer(10))
		pa, _ := a.ListenPacket(0)
		pb, _ := b.ListenPacket(53)
		for range 4 {
			require.NoError(t, pa.SendTo("b", 53, []byte("1234")))
		}
		w.Sleep(time.Millisecond)
		require.Equal(t, 8, pb.Buffered())
		require.Equal(t, 2, pb.Dropped(), "what does not fit is dropped")
		require.NoError(t, pa.Close())
		require.NoError(t, pb.Close())
	})
}

func TestNetDatagramActiveAndOwner(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		pa, _ := a.ListenPacket(0)
		pb, _ := b.ListenPacket(53)
		require.NoError(t, pb.SetActive(ActiveOnce))
		require.NoError(t, pa.SendTo("b", 53, []byte("x")))
		require.NoError(t, pa.SendTo("b", 53, []byte("y")))
		w.Sleep(time.Millisecond)
		require.Equal(t, 1, w.Self().MailboxLen(), "once: one message")
		_, err := pb.RecvFromTimeout(0)
		require.NoError(t, err, "then passive")
		// The handoff moves the socket's messages with it.
		self := w.Self()
		h := w.Spawn("handler", func() {
			m, _ := w.Receive(nil, sim.Infinity)
			w.Send(self, m)
		})
		require.NoError(t, pb.ControllingProcess(h))
		m, _ := w.Receive(nil, sim.Infinity)
		require.IsType(t, UDPData{}, m)
		require.Equal(t, pb, m.(UDPData).Conn)
		require.Equal(t, Addr{"a", 32768}, m.(UDPData).From)
		require.ErrorIs(t, pb.SetActive(ActiveTrue), ErrClosed, "it closed when the handler exited")
		require.Equal(t, 1, a.FDs())
		require.Equal(t, 0, b.FDs())
		require.NoError(t, pa.Close())
	})
}
