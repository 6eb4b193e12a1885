package net

// Driven connections: a library, not a process, dials, accepts, writes and
// takes what arrives; the connection is TCP all the same (handshake,
// order, retransmission, resets, descriptors), and no process is left
// blocked on it when the run ends.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/internal/simtest"
)

// record is a Handler that keeps what it is given, as text, with when.
func record(w *sim.World, got *[]string) Handler {
	return func(m any) {
		switch m := m.(type) {
		case TCPData:
			*got = append(*got, fmt.Sprintf("%v %s", w.Elapsed(), m.Data))
		case TCPError:
			*got = append(*got, fmt.Sprintf("%v error %v", w.Elapsed(), m.Err))
		case TCPClosed:
			*got = append(*got, fmt.Sprintf("%v closed", w.Elapsed()))
		}
	}
}

func TestDrivenConnection(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: time.Millisecond, Jitter: time.Millisecond})
		var atB, atA []string
		var far *Conn
		l, err := b.ListenFunc(0, func(c *Conn) Handler {
			far = c
			return record(w, &atB)
		})
		require.NoError(t, err)
		c, err := a.Dial("b", l.Port(), record(w, &atA))
		require.NoError(t, err)
		for i := range 5 {
			require.NoError(t, c.Write(fmt.Appendf(nil, "%d", i)), "written before the handshake completes: it waits")
		}
		require.Equal(t, [2]int{1, 1}, [2]int{a.FDs(), b.FDs()}, "the dialer's descriptor and the listener's")
		w.Sleep(time.Second)
		data := ""
		for _, s := range atB {
			data += s[strings.IndexByte(s, ' ')+1:]
		}
		require.Equal(t, "01234", data, "in order, behind the handshake")
		require.Equal(t, 2, b.FDs(), "the listener and the accepted connection")

		require.NoError(t, far.Write([]byte("back")))
		w.Sleep(time.Second)
		require.Len(t, atA, 1)
		require.NoError(t, far.Abort(), "not a scheduling point, and the peer sees the reset")
		w.Sleep(time.Second)
		require.Len(t, atA, 3)
		require.Contains(t, atA[1], "error "+ErrReset.Error())
		require.Contains(t, atA[2], "closed")
		require.ErrorIs(t, c.Write([]byte("x")), ErrPipe, "the handler was told of the reset")
		require.NoError(t, c.Close())
		require.NoError(t, l.Close())
		require.Zero(t, a.FDs()+b.FDs())
	})
}

func TestDrivenHandshakeFails(t *testing.T) {
	simtest.RunSeeds(t, 3, func(w *sim.World) {
		a, _ := NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: time.Millisecond})
		var got []string
		c, err := a.Dial("b", 4369, record(w, &got))
		require.NoError(t, err)
		require.NoError(t, c.Write([]byte("lost")))
		w.Sleep(time.Second)
		require.Equal(t, []string{"2ms error " + ErrRefused.Error(), "2ms closed"}, got, "nothing listens: refused, and what was written is gone")
		require.Zero(t, a.FDs())
		_, err = a.Dial("nowhere", 1, record(w, &got))
		require.ErrorIs(t, err, ErrNoHost)
	})
}

func TestDrivenListenerResetsWithoutADescriptor(t *testing.T) {
	simtest.RunSeeds(t, 3, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b", FDLimit(1))
		l, err := b.ListenFunc(99, func(c *Conn) Handler { panic("accepted with no descriptor free") })
		require.NoError(t, err)
		var got []string
		c, err := a.Dial("b", l.Port(), record(w, &got))
		require.NoError(t, err)
		require.NoError(t, c.Write([]byte("hi")))
		w.Sleep(time.Second)
		require.Equal(t, []string{"0s error " + ErrReset.Error(), "0s closed"}, got)
	})
}
