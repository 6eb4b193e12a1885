package net

// The simulated network, rule by rule: each test builds the smallest world
// that exercises one rule of the package's doc and checks exact bytes,
// errors, messages and virtual times under several seeds, and that the same
// seed gives the same hash. Where the rule is TCP's, TestNetMatchesLinuxTCP
// runs the same script over real loopback TCP and compares what each side
// observes.

import (
	"errors"
	"fmt"
	"io"
	stdnet "net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/internal/simtest"
)

// netReadAll reads c until the end of the stream.
func netReadAll(t *testing.T, c *Conn) string {
	var b []byte
	for {
		d, err := c.Recv(0)
		if err == io.EOF {
			return string(b)
		}
		require.NoError(t, err)
		b = append(b, d...)
	}
}

func TestNetEcho(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "10.0.0.1"), NewHost(w, "10.0.0.2")
		SetDefaultLink(w, Link{Latency: time.Millisecond})
		l, err := b.Listen(80)
		require.NoError(t, err)
		require.Equal(t, 1, b.FDs())
		w.Go("server", func() {
			c, err := l.Accept()
			require.NoError(t, err)
			require.Equal(t, Addr{"10.0.0.2", 80}, c.Local())
			require.Equal(t, Addr{"10.0.0.1", 32768}, c.Remote())
			require.Equal(t, "hello world", netReadAll(t, c))
			require.Equal(t, 3*time.Millisecond, w.Elapsed(), "handshake 2ms, then the data 1ms")
			require.NoError(t, c.Send([]byte("HELLO WORLD")))
			require.NoError(t, c.Close())
			require.ErrorIs(t, c.Close(), ErrClosed)
		})
		c, err := a.Connect("10.0.0.2", 80)
		require.NoError(t, err)
		require.Equal(t, 2*time.Millisecond, w.Elapsed(), "a round trip")
		require.Equal(t, Addr{"10.0.0.1", 32768}, c.Local())
		require.Equal(t, 1, a.FDs())
		require.NoError(t, c.Send([]byte("hello ")))
		require.NoError(t, c.Send([]byte("world")))
		require.NoError(t, c.CloseWrite())
		require.Equal(t, "HELLO WORLD", netReadAll(t, c))
		require.Equal(t, 4*time.Millisecond, w.Elapsed())
		require.NoError(t, c.Close())
		require.NoError(t, l.Close())
		require.Equal(t, 0, a.FDs())
		require.Equal(t, 0, b.FDs())
		require.Equal(t, 2, b.FDHigh())
		_, err = c.Recv(0)
		require.ErrorIs(t, err, ErrClosed)
		require.ErrorIs(t, c.Send([]byte("x")), ErrClosed)
	})
}

func TestNetPortsAndErrors(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		l1, err := b.Listen(0)
		require.NoError(t, err)
		l2, err := b.Listen(0)
		require.NoError(t, err)
		require.Equal(t, []int{32768, 32769}, []int{l1.Port(), l2.Port()}, "ephemeral ports in order")
		_, err = b.Listen(32768)
		require.ErrorIs(t, err, ErrAddrInUse)
		_, err = a.Connect("nowhere", 80)
		require.ErrorIs(t, err, ErrNoHost)
		_, err = a.Connect("b", 81)
		require.ErrorIs(t, err, ErrRefused)
		require.Equal(t, 0, a.FDs(), "a refused connect gives its descriptor back")
		require.NoError(t, l1.Close())
		l3, err := b.Listen(32768)
		require.NoError(t, err, "a closed listener frees its port")
		require.NoError(t, l2.Close())
		require.NoError(t, l3.Close())
		// A host reaches itself over a link of its own.
		self, err := a.Listen(7)
		require.NoError(t, err)
		c, s := netAccept(t, w, a, self)
		require.NoError(t, c.Send([]byte("loop")))
		d, err := s.Recv(0)
		require.NoError(t, err)
		require.Equal(t, "loop", string(d))
		require.Equal(t, 3, a.FDs())
		for _, x := range []*Conn{c, s} {
			require.NoError(t, x.Close())
		}
		require.NoError(t, self.Close())
		require.Panics(t, func() { NewHost(w, "a") }, "addresses are unique")
	})
}

func TestNetHalfClose(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		l, _ := b.Listen(80)
		done := w.Self()
		w.Go("server", func() {
			c, _ := l.Accept()
			require.Equal(t, "request", netReadAll(t, c), "EOF comes after the data")
			_, err := c.Recv(0)
			require.Equal(t, io.EOF, err, "and stays")
			// The other direction is still open.
			require.NoError(t, c.Send([]byte("response")))
			require.NoError(t, c.Close())
			w.Send(done, "served")
		})
		c, _ := a.Connect("b", 80)
		require.NoError(t, c.Send([]byte("request")))
		require.NoError(t, c.CloseWrite())
		require.ErrorIs(t, c.Send([]byte("more")), ErrPipe)
		require.Equal(t, "response", netReadAll(t, c))
		w.Receive(nil, sim.Infinity)
		require.NoError(t, c.Close())
		require.NoError(t, l.Close())
	})
}

func TestNetResetSeenByPeer(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		l, _ := b.Listen(80)
		// Abort: the peer reads what reached it, then the reset, once.
		w.Go("aborter", func() {
			c, _ := l.Accept()
			require.NoError(t, c.Send([]byte("partial")))
			require.NoError(t, c.Abort())
		})
		c, _ := a.Connect("b", 80)
		w.Sleep(time.Millisecond)
		d, err := c.Recv(0)
		require.NoError(t, err)
		require.Equal(t, "partial", string(d))
		_, err = c.Recv(0)
		require.ErrorIs(t, err, ErrReset)
		_, err = c.Recv(0)
		require.Equal(t, io.EOF, err, "a socket's error is reported once")
		require.ErrorIs(t, c.Send([]byte("x")), ErrPipe)
		require.NoError(t, c.Close())

		// Close with unread data resets, as Linux does.
		w.Go("closer", func() {
			c, _ := l.Accept()
			w.Sleep(time.Millisecond) // the request arrives, unread
			require.Equal(t, 3, c.Buffered())
			require.NoError(t, c.Close())
		})
		c, _ = a.Connect("b", 80)
		require.NoError(t, c.Send([]byte("req")))
		_, err = c.Recv(0)
		require.ErrorIs(t, err, ErrReset)
		require.NoError(t, c.Close())
		require.NoError(t, l.Close())
	})
}

// TestNetMatchesLinuxTCP runs scripts over real loopback TCP and over the
// simulation and compares what each read and write returns: the rules for
// end of stream, resets and broken pipes are Linux's.
func TestNetMatchesLinuxTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("uses real loopback TCP and real time")
	}
	type side interface {
		write(s string) string
		read() string
		closeWrite()
		close()
		abort()
	}
	scripts := []struct {
		name string
		run  func(c, s side, settle func()) []string
	}{
		{"close with unread data resets", func(c, s side, settle func()) []string {
			c.write("x")
			settle()
			s.close()
			settle()
			return []string{c.read(), c.read(), c.write("y")}
		}},
		{"data survives an abort", func(c, s side, settle func()) []string {
			s.write("abc")
			settle()
			s.abort()
			settle()
			return []string{c.read(), c.read(), c.read()}
		}},
		{"reset after end of stream", func(c, s side, settle func()) []string {
			s.write("abc")
			s.close()
			settle()
			w1 := c.write("z")
			settle()
			return []string{w1, c.read(), c.read(), c.write("z")}
		}},
		{"write to a closed peer", func(c, s side, settle func()) []string {
			s.close()
			settle()
			w1 := c.write("a")
			settle()
			return []string{w1, c.write("b"), c.read()}
		}},
		{"abort seen by an idle peer", func(c, s side, settle func()) []string {
			c.abort()
			settle()
			return []string{s.read(), s.write("q"), s.read()}
		}},
		{"half close", func(c, s side, settle func()) []string {
			c.write("hi")
			c.closeWrite()
			settle()
			r1, r2 := s.read(), s.read()
			s.write("yo")
			s.close()
			settle()
			return []string{r1, r2, c.read(), c.read(), c.write("more")}
		}},
		{"both sides hold unread data", func(c, s side, settle func()) []string {
			s.write("srv")
			c.write("cli")
			settle()
			s.close()
			settle()
			return []string{c.read(), c.read()}
		}},
	}
	for _, sc := range scripts {
		t.Run(sc.name, func(t *testing.T) {
			real := netRunRealTCP(t, func(c, s *stdnet.TCPConn) []string {
				return sc.run(netRealSide{t, c}, netRealSide{t, s}, func() { time.Sleep(20 * time.Millisecond) })
			})
			var simulated []string
			r := sim.Run(sim.Config{}, func(w *sim.World) {
				a, b := NewHost(w, "a"), NewHost(w, "b")
				l, _ := b.Listen(80)
				c, err := a.Connect("b", 80)
				require.NoError(t, err)
				s, err := l.Accept()
				require.NoError(t, err)
				simulated = sc.run(netSimSide{c}, netSimSide{s}, func() { w.Sleep(time.Millisecond) })
				_ = c.Close()
				_ = s.Close()
				_ = l.Close()
			})
			require.Nil(t, r.Failure)
			require.Equal(t, real, simulated)
		})
	}
}

func netRunRealTCP(t *testing.T, script func(c, s *stdnet.TCPConn) []string) []string {
	l, err := stdnet.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback TCP: %v", err)
	}
	defer l.Close()
	accepted := make(chan stdnet.Conn, 1)
	go func() {
		s, err := l.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- s
	}()
	c, err := stdnet.Dial("tcp", l.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	s, ok := <-accepted
	require.True(t, ok)
	defer s.Close()
	return script(c.(*stdnet.TCPConn), s.(*stdnet.TCPConn))
}

// netClassify names an outcome the same way for both worlds.
func netClassify(data []byte, err error) string {
	switch {
	case err == nil && data == nil:
		return "ok"
	case err == nil:
		return fmt.Sprintf("%q", data)
	case err == io.EOF:
		return "EOF"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, ErrReset):
		return "reset"
	case errors.Is(err, syscall.EPIPE) || errors.Is(err, ErrPipe):
		return "broken pipe"
	case errors.Is(err, ErrTimeout) || errors.Is(err, syscall.ETIMEDOUT):
		return "timeout"
	}
	var ne stdnet.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "nothing to read"
	}
	return "error: " + err.Error()
}

type netRealSide struct {
	t *testing.T
	c *stdnet.TCPConn
}

func (s netRealSide) write(d string) string {
	_, err := s.c.Write([]byte(d))
	return netClassify(nil, err)
}

func (s netRealSide) read() string {
	buf := make([]byte, 100)
	require.NoError(s.t, s.c.SetReadDeadline(time.Now().Add(100*time.Millisecond)))
	n, err := s.c.Read(buf)
	if n > 0 {
		return netClassify(buf[:n], nil)
	}
	return netClassify(nil, err)
}

func (s netRealSide) closeWrite() { _ = s.c.CloseWrite() }
func (s netRealSide) close()      { _ = s.c.Close() }
func (s netRealSide) abort()      { _ = s.c.SetLinger(0); _ = s.c.Close() }

type netSimSide struct{ c *Conn }

func (s netSimSide) write(d string) string { return netClassify(nil, s.c.Send([]byte(d))) }

func (s netSimSide) read() string {
	d, err := s.c.RecvTimeout(100, 100*time.Millisecond)
	if errors.Is(err, ErrTimeout) {
		return "nothing to read"
	}
	return netClassify(d, err)
}

func (s netSimSide) closeWrite() { _ = s.c.CloseWrite() }
func (s netSimSide) close()      { _ = s.c.Close() }
func (s netSimSide) abort()      { _ = s.c.Abort() }

func TestNetEMFILEThenRecovery(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b", FDLimit(2))
		l, err := b.Listen(80) // descriptor 1 of 2
		require.NoError(t, err)
		for i := range 2 {
			w.Go(fmt.Sprintf("client%d", i), func() {
				c, err := a.Connect("b", 80)
				require.NoError(t, err)
				require.NoError(t, c.Send([]byte{'0' + byte(i)}))
				netReadAll(t, c)
				require.NoError(t, c.Close())
			})
		}
		c1, err := l.Accept() // descriptor 2 of 2
		require.NoError(t, err)
		w.Sleep(time.Millisecond)
		require.Equal(t, 1, l.Pending())
		_, err = l.Accept()
		require.ErrorIs(t, err, ErrEMFILE)
		_, err = l.Accept()
		require.ErrorIs(t, err, ErrEMFILE, "the connection stays pending")
		require.Equal(t, 1, l.Pending())
		_, err = b.Listen(81)
		require.ErrorIs(t, err, ErrEMFILE)
		_, err = b.Connect("a", 1)
		require.ErrorIs(t, err, ErrEMFILE)
		d, err := c1.Recv(0)
		require.NoError(t, err)
		require.Len(t, d, 1)
		require.NoError(t, c1.Close())
		c2, err := l.Accept()
		require.NoError(t, err, "a freed descriptor lets Accept work again")
		require.Equal(t, 0, l.Pending())
		first, second := c1.Remote().Port, c2.Remote().Port
		require.NotEqual(t, first, second)
		d, err = c2.Recv(0)
		require.NoError(t, err)
		require.Len(t, d, 1, "what the client sent while pending was kept")
		require.NoError(t, c2.Close())

		// At its limit with nothing pending, Accept waits, and fails only
		// when a connection comes.
		c3, err := b.Listen(81) // fills the limit again
		require.NoError(t, err)
		start := w.Elapsed()
		w.Go("late client", func() {
			w.Sleep(time.Second)
			c, err := a.Connect("b", 80)
			require.NoError(t, err)
			require.NoError(t, c.Close())
		})
		_, err = l.Accept()
		require.ErrorIs(t, err, ErrEMFILE)
		require.Equal(t, time.Second, w.Elapsed()-start)
		require.NoError(t, c3.Close())
		require.NoError(t, l.Close())
		w.Sleep(time.Millisecond)
		require.Equal(t, 0, b.FDs())
	})
}

func TestNetClosedListener(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		idle, _ := b.Listen(80)
		self := w.Self()
		w.Go("acceptor", func() {
			_, err := idle.Accept()
			require.ErrorIs(t, err, ErrClosed, "a waiting Accept fails when the listener closes")
			_, err = idle.Accept()
			require.ErrorIs(t, err, ErrClosed)
			w.Send(self, "done")
		})
		w.Sleep(time.Millisecond)
		require.NoError(t, idle.Close())
		w.Receive(nil, sim.Infinity)
		require.ErrorIs(t, idle.Close(), ErrClosed)
		_, err := a.Connect("b", 80)
		require.ErrorIs(t, err, ErrRefused)

		// A connection pending when its listener closes is reset.
		l, _ := b.Listen(81)
		pending, err := a.Connect("b", 81)
		require.NoError(t, err)
		w.Sleep(time.Millisecond)
		require.Equal(t, 1, l.Pending())
		require.NoError(t, l.Close())
		_, err = pending.Recv(0)
		require.ErrorIs(t, err, ErrReset)
		require.NoError(t, pending.Close())
		require.Equal(t, 0, a.FDs())
		require.Equal(t, 0, b.FDs())
	})
}

// netAccept returns the two ends of a fresh connection from a to b's l.
func netAccept(t *testing.T, w *sim.World, a *Host, l *Listener) (client, server *Conn) {
	client, err := a.Connect(l.host.addr, l.port)
	require.NoError(t, err)
	server, err = l.Accept()
	require.NoError(t, err)
	return client, server
}

func TestNetActiveOnce(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		l, _ := b.Listen(80)
		require.NoError(t, l.SetActive(ActiveOnce))
		c, s := netAccept(t, w, a, l)
		require.Equal(t, ActiveOnce, s.Active(), "an accepted connection takes its listener's mode")
		require.NoError(t, c.Send([]byte("one")))
		m, ok := w.Receive(nil, time.Second)
		require.True(t, ok)
		require.Equal(t, TCPData{Conn: s, Data: []byte("one")}, m)
		require.Equal(t, ActiveFalse, s.Active(), "once: passive after one message")
		require.NoError(t, c.Send([]byte("two")))
		w.Sleep(time.Millisecond)
		_, ok = w.Receive(nil, 0)
		require.False(t, ok, "a passive connection sends no message")
		require.Equal(t, 3, s.Buffered())
		d, err := s.Recv(0)
		require.NoError(t, err)
		require.Equal(t, "two", string(d))
		// Buffered data goes out at once when the connection turns active.
		require.NoError(t, c.Send([]byte("three")))
		w.Sleep(time.Millisecond)
		require.NoError(t, s.SetActive(ActiveOnce))
		require.Equal(t, 1, w.Self().MailboxLen())
		m, _ = w.Receive(nil, 0)
		require.Equal(t, TCPData{Conn: s, Data: []byte("three")}, m)
		// The end of the stream is one message too.
		require.NoError(t, c.Close())
		w.Sleep(time.Millisecond)
		require.NoError(t, s.SetActive(ActiveOnce))
		m, _ = w.Receive(nil, 0)
		require.Equal(t, TCPClosed{Conn: s}, m)
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
}

func TestNetActiveTrue(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: time.Millisecond, Jitter: 4 * time.Millisecond})
		l, _ := b.Listen(80)
		require.NoError(t, l.SetActive(ActiveTrue))
		c, s := netAccept(t, w, a, l)
		_, err := s.Recv(0)
		require.ErrorIs(t, err, ErrActive)
		for i := range 5 {
			require.NoError(t, c.Send([]byte{'a' + byte(i)}))
		}
		require.NoError(t, c.Close())
		var got []any
		for {
			m, ok := w.Receive(nil, time.Minute)
			require.True(t, ok)
			got = append(got, m)
			if _, end := m.(TCPClosed); end {
				break
			}
		}
		want := []any{}
		for i := range 5 {
			want = append(want, TCPData{Conn: s, Data: []byte{'a' + byte(i)}})
		}
		want = append(want, TCPClosed{Conn: s})
		require.Equal(t, want, got, "one message per arrival, in order, then the end")
		require.Equal(t, ActiveTrue, s.Active())
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
}

func TestNetActiveReset(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		l, _ := b.Listen(80)
		require.NoError(t, l.SetActive(ActiveTrue))
		c, s := netAccept(t, w, a, l)
		require.NoError(t, c.Send([]byte("last words")))
		require.NoError(t, c.Abort())
		var got []any
		for range 3 {
			m, ok := w.Receive(nil, time.Second)
			require.True(t, ok)
			got = append(got, m)
		}
		require.Equal(t, []any{TCPData{Conn: s, Data: []byte("last words")}, TCPError{Conn: s, Err: ErrReset}, TCPClosed{Conn: s}}, got)
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
}

func TestNetHandoff(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		l, _ := b.Listen(80)
		c, s := netAccept(t, w, a, l)
		self := w.Self()
		handler := w.Spawn("handler", func() {
			require.ErrorIs(t, s.ControllingProcess(w.Self()), ErrNotOwner, "only the owner hands a socket on")
			w.Send(self, "tried")
			w.Receive(nil, sim.Infinity)
			require.NoError(t, s.SetActive(ActiveTrue))
			m, _ := w.Receive(nil, sim.Infinity)
			require.Equal(t, TCPData{Conn: s, Data: []byte("for the handler")}, m)
			require.NoError(t, s.Close())
		})
		w.Receive(nil, sim.Infinity)
		require.Equal(t, self, s.Owner())
		require.NoError(t, s.ControllingProcess(handler))
		require.Equal(t, handler, s.Owner())
		require.ErrorIs(t, s.ControllingProcess(self), ErrNotOwner, "the old owner no longer may")
		require.NoError(t, c.Send([]byte("for the handler")))
		w.Send(handler, "go")
		require.Equal(t, "", netReadAll(t, c))
		dead := w.Spawn("dead", func() {})
		w.Sleep(time.Millisecond)
		_, s2 := netAccept(t, w, a, l)
		require.ErrorIs(t, s2.ControllingProcess(dead), sim.ErrBadArg)
		require.NoError(t, c.Close())
		require.NoError(t, s2.Close())
		require.NoError(t, l.Close())
	})
}

// TestNetHandoffRace is the fast-packet-loss problem: an active acceptor
// owns a connection from Accept until it hands it on, and data arriving in
// between lands in its own mailbox. Whether any does is up to the
// schedule.
func TestNetHandoffRace(t *testing.T) {
	// early[i] counts the seeds where data reached the acceptor before the
	// handoff; lost[i] those where the handler never saw it.
	var early, lost [2]int
	const seeds = 60
	for i, flush := range []bool{false, true} {
		for seed := uint64(0); seed < seeds; seed++ {
			r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
				a, b := NewHost(w, "client"), NewHost(w, "server")
				l, _ := b.Listen(80)
				require.NoError(t, l.SetActive(ActiveTrue))
				w.Go("client", func() {
					c, err := a.Connect("server", 80)
					require.NoError(t, err)
					require.NoError(t, c.Send([]byte("GET /")))
					netReadAll(t, c)
					require.NoError(t, c.Close())
				})
				s, err := l.Accept()
				require.NoError(t, err)
				handler := w.Spawn("handler", func() {
					m, ok := w.Receive(nil, time.Second)
					if !ok {
						lost[i]++
					} else {
						require.Equal(t, TCPData{Conn: s, Data: []byte("GET /")}, m)
					}
					require.NoError(t, s.Close())
				})
				if !flush && w.Self().MailboxLen() > 0 {
					early[i]++
				}
				if flush {
					// An acceptor that drops messages it does not expect
					// (a gen_server's handle_info, say) before handing on.
					for {
						if _, ok := w.Receive(nil, 0); !ok {
							break
						}
						early[i]++
					}
				}
				if err := s.ControllingProcess(handler); err != nil {
					require.ErrorIs(t, err, ErrClosed, "the handler may close it first")
				}
				require.NoError(t, l.Close())
			})
			require.Nil(t, r.Failure, "seed %d", seed)
		}
	}
	require.Greater(t, early[0], 0, "some schedule delivers before the handoff")
	require.Less(t, early[0], seeds, "and some after")
	require.Equal(t, 0, lost[0], "the handoff forwards what reached the old owner's mailbox, as on the BEAM")
	require.Greater(t, lost[1], 0, "what the old owner took out is lost for the handler")
	require.Less(t, lost[1], seeds, "but only when the data came early")
	require.Equal(t, early[1], lost[1], "exactly when the data came early")
}

// TestNetIdiomaticListenerLosesData is the pattern from the incident: the
// acceptor spawns the handler and passes it the socket without handing it
// on; the handler's own attempt fails with ErrNotOwner, and every byte goes
// to the acceptor.
func TestNetIdiomaticListenerLosesData(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		a, b := NewHost(w, "client"), NewHost(w, "server")
		l, _ := b.Listen(80)
		require.NoError(t, l.SetActive(ActiveTrue))
		w.Go("client", func() {
			c, _ := a.Connect("server", 80)
			require.NoError(t, c.Send([]byte("GET /")))
			netReadAll(t, c)
			require.NoError(t, c.Close())
		})
		s, _ := l.Accept()
		acceptor := w.Self()
		w.Spawn("handler", func() {
			require.ErrorIs(t, s.ControllingProcess(w.Self()), ErrNotOwner)
			_, ok := w.Receive(nil, time.Second)
			require.False(t, ok, "the handler never sees the request")
			w.Send(acceptor, "gave up")
		})
		m, _ := w.Receive(func(m any) bool { _, ok := m.(string); return ok }, sim.Infinity)
		require.Equal(t, "gave up", m)
		m, ok := w.Receive(nil, 0)
		require.True(t, ok)
		require.Equal(t, TCPData{Conn: s, Data: []byte("GET /")}, m, "it is in the acceptor's mailbox")
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
}

func TestNetPartitionThenHeal(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: 10 * time.Millisecond})
		l, _ := b.Listen(80)
		self := w.Self()
		w.Go("server", func() {
			s, err := l.Accept()
			require.NoError(t, err)
			// The handshake's last leg and the data were in flight when
			// the partition began: lost at 30ms, resent at 220ms and 620ms
			// (lost again), and at 1420ms, after the heal: they arrive at
			// 1430ms.
			require.Equal(t, 1430*time.Millisecond, w.Elapsed())
			d, err := s.Recv(0)
			require.NoError(t, err)
			require.Equal(t, "x", string(d))
			require.NoError(t, s.Send([]byte("y")))
			require.NoError(t, s.Close())
			w.Send(self, "done")
		})
		c, err := a.Connect("b", 80)
		require.NoError(t, err)
		require.Equal(t, 20*time.Millisecond, w.Elapsed())
		require.NoError(t, c.Send([]byte("x")))
		w.Sleep(5 * time.Millisecond)
		Partition(w, a, b, false)
		require.True(t, Partitioned(w, a, b))
		require.True(t, Partitioned(w, b, a))
		w.Sleep(975 * time.Millisecond)
		Heal(w, a, b)
		require.False(t, Partitioned(w, a, b))
		require.Equal(t, "y", netReadAll(t, c))
		require.Equal(t, 1440*time.Millisecond, w.Elapsed(), "after the heal, the link's latency")
		w.Receive(nil, sim.Infinity)
		require.NoError(t, c.Close())
		require.NoError(t, l.Close())
	})
}

func TestNetPartitionOutlastsRetransmission(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: 10 * time.Millisecond})
		l, _ := b.Listen(80)
		c, s := netAccept(t, w, a, l)
		w.Sleep(time.Second)
		Partition(w, a, b, false)
		start := w.Elapsed()
		require.NoError(t, c.Send([]byte("x")))
		_, err := c.Recv(0)
		require.ErrorIs(t, err, ErrTimeout)
		// 15 retransmissions: 0.2+0.4+...+102.4s, then 120s five times.
		require.Equal(t, 804600*time.Millisecond+10*time.Millisecond, w.Elapsed()-start)
		// The peer learned nothing: a half-open connection.
		_, err = s.RecvTimeout(0, time.Second)
		require.ErrorIs(t, err, ErrTimeout)
		require.Equal(t, 0, s.Buffered())
		// Once healed, what it sends is answered with a reset.
		Heal(w, a, b)
		require.NoError(t, s.Send([]byte("anyone?")))
		_, err = s.Recv(0)
		require.ErrorIs(t, err, ErrReset)
		require.NoError(t, c.Close())
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
}

func TestNetConnectTimesOut(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		l, _ := b.Listen(80)
		Partition(w, a, b, false)
		_, err := a.Connect("b", 80)
		require.ErrorIs(t, err, ErrTimeout)
		require.Equal(t, 127*time.Second, w.Elapsed(), "SYN resent after 1, 2, 4, ... 64s")
		require.Equal(t, 0, a.FDs())
		_, err = a.ConnectTimeout("b", 80, 3*time.Second)
		require.ErrorIs(t, err, ErrTimeout)
		require.Equal(t, 130*time.Second, w.Elapsed())
		require.Equal(t, 0, l.Pending())
		require.NoError(t, l.Close())
	})
}

func TestNetOneWayPartition(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: 10 * time.Millisecond})
		l, _ := b.Listen(80)
		c, s := netAccept(t, w, a, l)
		w.Sleep(time.Second)
		Partition(w, a, b, true)
		require.True(t, Partitioned(w, a, b))
		require.False(t, Partitioned(w, b, a))
		start := w.Elapsed()
		require.NoError(t, s.Send([]byte("b to a")))
		d, err := c.Recv(0)
		require.NoError(t, err)
		require.Equal(t, "b to a", string(d))
		require.Equal(t, 10*time.Millisecond, w.Elapsed()-start, "the other direction is untouched")
		require.NoError(t, c.Send([]byte("a to b")))
		_, err = s.RecvTimeout(0, time.Second)
		require.ErrorIs(t, err, ErrTimeout)
		Heal(w, a, b)
		d, err = s.Recv(0)
		require.NoError(t, err)
		require.Equal(t, "a to b", string(d))
		// Lost at 20ms, 220ms and 620ms after it was sent; resent at 1.4s.
		require.Equal(t, 1410*time.Millisecond, w.Elapsed()-start-10*time.Millisecond)
		require.NoError(t, c.Close())
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
}

func TestNetSlowReaderBlocksSender(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b", RecvBuffer(10))
		l, _ := b.Listen(80)
		c, s := netAccept(t, w, a, l)
		data := []byte("abcdefghijklmnopqrstuvwxy") // 25 bytes
		var sentAt time.Duration
		w.Go("sender", func() {
			require.NoError(t, c.Send(data))
			sentAt = w.Elapsed()
		})
		w.Sleep(time.Second)
		require.Equal(t, 10, s.Buffered(), "the buffer is full")
		require.Equal(t, 10, c.InFlight())
		var got []byte
		for len(got) < len(data) {
			d, err := s.Recv(0)
			require.NoError(t, err)
			got = append(got, d...)
			w.Sleep(time.Second)
		}
		require.Equal(t, data, got)
		require.Equal(t, 2*time.Second, sentAt, "Send returned once the reader made room for the last 5 bytes")
		require.Equal(t, 10, s.BufferedHigh())
		// SendTimeout gives up waiting for room, keeping what it sent.
		start := w.Elapsed()
		require.ErrorIs(t, c.SendTimeout([]byte("0123456789abc"), time.Second), ErrTimeout)
		require.Equal(t, time.Second, w.Elapsed()-start)
		d, err := s.Recv(0)
		require.NoError(t, err)
		require.Equal(t, "0123456789", string(d))
		require.NoError(t, c.Close())
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
}

func TestNetBlockedSenderIsReported(t *testing.T) {
	r := sim.Run(sim.Config{KeepTrace: true}, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b", RecvBuffer(4))
		l, _ := b.Listen(80)
		c, _ := netAccept(t, w, a, l)
		_ = c.Send([]byte("more than four bytes"))
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Deadlock, r.Failure.Kind)
	require.Len(t, r.Failure.Blocked, 1)
	bl := r.Failure.Blocked[0]
	require.Equal(t, "send", bl.In)
	require.Len(t, bl.On, 1)
	require.Regexp(t, `^conn#\d+ "a:32768->b:80" created at net/net_test.go:\d+$`, bl.On[0])
}

func TestNetBlockedAcceptAndRecvAreReported(t *testing.T) {
	r := sim.Run(sim.Config{KeepTrace: true}, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		l, _ := b.Listen(80)
		l2, _ := b.Listen(81)
		w.Go("acceptor", func() { _, _ = l2.Accept() })
		_, s := netAccept(t, w, a, l)
		_, _ = s.Recv(0)
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Deadlock, r.Failure.Kind)
	require.Len(t, r.Failure.Blocked, 2)
	require.Equal(t, "recv", r.Failure.Blocked[0].In)
	require.Regexp(t, `^conn#\d+ "b:80->a:32768" created at net/net_test.go:\d+$`, r.Failure.Blocked[0].On[0], "an accepted connection is created where it was accepted")
	require.Equal(t, "accept", r.Failure.Blocked[1].In)
	require.Regexp(t, `^listener#\d+ "b:81" created at net/net_test.go:\d+$`, r.Failure.Blocked[1].On[0])
}

func TestNetFIFOUnderJitter(t *testing.T) {
	spans := map[string]bool{} // how the bytes arrived over time
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		SetDefaultLink(w, Link{Latency: time.Millisecond, Jitter: 20 * time.Millisecond})
		l, _ := b.Listen(80)
		c, s := netAccept(t, w, a, l)
		var want []byte
		for i := range 40 {
			want = append(want, byte(i))
			require.NoError(t, c.Send([]byte{byte(i)}))
			if i%8 == 7 {
				w.Sleep(time.Millisecond)
			}
		}
		require.NoError(t, c.Close())
		var got []byte
		pattern := ""
		for {
			d, err := s.Recv(0)
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			got = append(got, d...)
			pattern += fmt.Sprintf("%d@%v ", len(d), w.Elapsed())
		}
		require.Equal(t, want, got, "bytes never reorder within a connection")
		spans[pattern] = true
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
	require.Greater(t, len(spans), 20, "jitter varied the arrivals")
}

func TestNetConnectionsReorder(t *testing.T) {
	orders := map[string]int{}
	for seed := uint64(0); seed < 40; seed++ {
		r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
			a1, a2, b := NewHost(w, "a1"), NewHost(w, "a2"), NewHost(w, "b")
			SetDefaultLink(w, Link{Latency: time.Millisecond, Jitter: time.Millisecond})
			l, _ := b.Listen(80)
			require.NoError(t, l.SetActive(ActiveTrue))
			c1, s1 := netAccept(t, w, a1, l)
			c2, s2 := netAccept(t, w, a2, l)
			w.Sleep(time.Second)
			// Sent in this order, at the same instant, on two connections.
			require.NoError(t, c1.Send([]byte("1")))
			require.NoError(t, c2.Send([]byte("2")))
			var order string
			for range 2 {
				m, _ := w.Receive(nil, sim.Infinity)
				order += string(m.(TCPData).Data)
			}
			orders[order]++
			for _, c := range []*Conn{c1, c2, s1, s2} {
				require.NoError(t, c.Close())
			}
			require.NoError(t, l.Close())
		})
		require.Nil(t, r.Failure, "seed %d", seed)
	}
	require.Greater(t, orders["12"], 0)
	require.Greater(t, orders["21"], 0, "separate connections may overtake each other")
}

func TestNetOwnerExitClosesSockets(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		var l *Listener
		server, ref := w.SpawnMonitor("server", func() {
			var err error
			l, err = b.Listen(80)
			require.NoError(t, err)
			s, err := l.Accept()
			require.NoError(t, err)
			_, _ = s.Recv(0) // killed while it waits
			t.Error("a killed process does not return from Recv")
		})
		var c *Conn
		for {
			var err error
			if c, err = a.Connect("b", 80); err == nil {
				break
			}
			require.ErrorIs(t, err, ErrRefused) // the server may not listen yet
			w.Sleep(time.Millisecond)
		}
		w.Sleep(time.Millisecond)
		require.Equal(t, 2, b.FDs())
		w.Kill(server)
		m, _ := w.Receive(nil, sim.Infinity)
		require.Equal(t, sim.Down{Ref: ref, Proc: server, Reason: sim.Killed}, m)
		require.Equal(t, 0, b.FDs(), "the listener and the connection closed with their owner")
		require.Empty(t, b.Conns())
		require.Equal(t, "", netReadAll(t, c), "the peer sees the end of the stream")
		require.NoError(t, c.Close())
		require.ErrorIs(t, l.Close(), ErrClosed)
		_, err := a.Connect("b", 80)
		require.ErrorIs(t, err, ErrRefused)

		// A connection handed on closes with its new owner, not the old.
		l2, _ := b.Listen(81)
		c2, s2 := netAccept(t, w, a, l2)
		h := w.Spawn("handler", func() { w.Receive(nil, sim.Infinity) })
		require.NoError(t, s2.ControllingProcess(h))
		w.Kill(h)
		require.Equal(t, "", netReadAll(t, c2))
		require.NoError(t, c2.Close())
		require.NoError(t, l2.Close())
		require.Equal(t, 0, a.FDs())
		require.Equal(t, 0, b.FDs())
	})
}

func TestNetKilledConnectGivesBackItsDescriptor(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		Partition(w, a, b, false)
		p := w.Spawn("connector", func() {
			_, _ = a.Connect("b", 80)
			t.Error("a killed process does not return from Connect")
		})
		w.Sleep(10 * time.Second)
		require.Equal(t, 1, a.FDs())
		w.Kill(p)
		w.Sleep(time.Millisecond)
		require.Equal(t, 0, a.FDs())
	})
}

// TestNetFaultsKeepStreamsIntact turns every network fault of the fault
// plan on: packets are lost, delayed and held back, links are cut, accepts
// fail; the bytes still arrive whole and in order, and each seed replays.
func TestNetFaultsKeepStreamsIntact(t *testing.T) {
	plan := sim.FaultPlan{}.With(FaultDrop, 0.2).With(FaultDelay, 0.2).With(FaultPartition, 0.02).
		With(FaultEMFILE, 0.3).With(FaultSlowReader, 0.1)
	faults := 0
	for seed := uint64(0); seed < 30; seed++ {
		scenario := func(w *sim.World) {
			a, b := NewHost(w, "a"), NewHost(w, "b", RecvBuffer(64))
			SetDefaultLink(w, Link{Latency: time.Millisecond})
			l, _ := b.Listen(80)
			msg := strings.Repeat("0123456789", 50)
			w.Go("client", func() {
				var c *Conn
				for {
					var err error
					if c, err = a.Connect("b", 80); err == nil {
						break
					}
					require.ErrorIs(t, err, ErrTimeout, "a long partition")
				}
				require.NoError(t, c.Send([]byte(msg)))
				require.NoError(t, c.CloseWrite())
				require.Equal(t, "ok", netReadAll(t, c))
				require.NoError(t, c.Close())
			})
			var s *Conn
			for {
				var err error
				if s, err = l.Accept(); err == nil {
					break
				}
				require.ErrorIs(t, err, ErrEMFILE)
			}
			require.Equal(t, msg, netReadAll(t, s))
			require.NoError(t, s.Send([]byte("ok")))
			require.NoError(t, s.Close())
			require.NoError(t, l.Close())
		}
		r := sim.Run(sim.Config{Seed: seed, Faults: plan, KeepTrace: true}, scenario)
		require.Nil(t, r.Failure, "seed %d", seed)
		for _, e := range r.Trace {
			if e.Kind == sim.EventFault {
				faults++
			}
		}
		again := sim.Run(sim.Config{Seed: seed, Faults: plan}, scenario)
		require.Equal(t, r.Hash, again.Hash, "seed %d", seed)
	}
	require.Greater(t, faults, 30, "the faults fired")
}

func TestNetLinkDrop(t *testing.T) {
	var slow int
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b")
		SetLink(w, a, b, Link{Latency: time.Millisecond, Drop: 0.5})
		SetLink(w, b, a, Link{Latency: time.Millisecond})
		l, _ := b.Listen(80)
		c, s := netAccept(t, w, a, l)
		start := w.Elapsed()
		for i := range 10 {
			require.NoError(t, c.Send([]byte{byte(i)}))
		}
		require.NoError(t, c.Close())
		require.Equal(t, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, []byte(netReadAll(t, s)))
		if w.Elapsed()-start > time.Millisecond {
			slow++ // something was lost and resent
		}
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
	require.Greater(t, slow, 10)
}

func TestNetAccounting(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		a, b := NewHost(w, "a", FDLimit(8)), NewHost(w, "b")
		l, _ := b.Listen(80)
		c, s := netAccept(t, w, a, l)
		require.NoError(t, c.Send([]byte("12345")))
		w.Sleep(time.Millisecond)
		var infos []HostInfo
		for _, h := range Hosts(w) {
			infos = append(infos, h.Info())
		}
		require.Len(t, infos, 2)
		require.Equal(t, "a", infos[0].Addr)
		require.Equal(t, 1, infos[0].FDs)
		require.Equal(t, 8, infos[0].FDLimit)
		require.Len(t, infos[1].Conns, 1)
		ci := infos[1].Conns[0]
		require.Equal(t, s, ci.Conn)
		require.Equal(t, w.Self(), ci.Owner)
		require.Equal(t, 5, ci.Buffered)
		require.Equal(t, 5, c.Info().InFlight)
		_, _ = s.Recv(2)
		require.Equal(t, 3, s.Buffered())
		require.Equal(t, 5, s.BufferedHigh())
		require.Equal(t, 3, c.InFlight())
		require.Equal(t, []*Host{a, b}, Hosts(w))
		require.NoError(t, c.Close())
		require.NoError(t, s.Close())
		require.NoError(t, l.Close())
	})
}

// TestNetHostsOf: a finished run's hosts are read from its Result as the run
// left them: what closed is gone, and what a leaked process still owned is
// there, with its buffers.
func TestNetHostsOf(t *testing.T) {
	r := sim.Run(sim.Config{AllowLeaks: true}, func(w *sim.World) {
		a, b := NewHost(w, "a"), NewHost(w, "b", FDLimit(4))
		main := w.Self()
		w.Go("server", func() {
			_, err := b.Listen(80)
			require.NoError(t, err)
			w.Send(main, "listening")
			w.Receive(nil, sim.Infinity) // never accepts: leaked, owning the listener
		})
		w.Receive(nil, sim.Infinity)
		c, err := a.Connect("b", 80)
		require.NoError(t, err)
		require.NoError(t, c.Send([]byte("hello")))
		w.Sleep(time.Millisecond)
		// c closes as its owner, the main process, returns.
	})
	require.Nil(t, r.Failure)
	require.Len(t, r.Leaked, 1)
	hosts := HostsOf(r)
	require.Len(t, hosts, 2)
	require.Equal(t, "a", hosts[0].Addr)
	require.Equal(t, 0, hosts[0].FDs, "the client's connection closed with its owner")
	require.Equal(t, 1, hosts[0].FDHigh)
	require.Empty(t, hosts[0].Conns)
	require.Equal(t, "b", hosts[1].Addr)
	require.Equal(t, 1, hosts[1].FDs, "the leaked server still holds its listener")
	require.Equal(t, 4, hosts[1].FDLimit)
	require.Len(t, hosts[1].Conns, 1, "the connection it never accepted")
	ci := hosts[1].Conns[0]
	require.Nil(t, ci.Owner, "pending in the backlog")
	require.Equal(t, Addr{"b", 80}, ci.Local)
	require.Equal(t, Addr{"a", 32768}, ci.Remote)
	require.Equal(t, 5, ci.Buffered)
	require.Equal(t, 5, ci.BufferedHigh)
	require.Same(t, ci.Conn, hosts[1].Host.Conns()[0])

	require.Nil(t, HostsOf(sim.Run(sim.Config{}, func(*sim.World) {})), "a run without a network")
}

// benchPairsPerRun is the number of pairs one run of a benchmark does.
const benchPairsPerRun = 4096 // as sim's own pair benchmarks

// benchPairs runs scenario over as many runs as b.N pairs need.
func benchPairs(b *testing.B, scenario func(w *sim.World, pairs int)) {
	b.ReportAllocs()
	for done := 0; done < b.N; done += benchPairsPerRun {
		r := sim.Run(sim.Config{Seed: uint64(done)}, func(w *sim.World) { scenario(w, benchPairsPerRun) })
		if r.Failure != nil {
			b.Fatal(r.Failure)
		}
	}
}

// BenchmarkPairConn is sim's BenchmarkPairChan's ping-pong over a connection
// on a zero link: each pair is a Send, the packet's alarm, and a Recv.
func BenchmarkPairConn(b *testing.B) {
	benchPairs(b, func(w *sim.World, pairs int) {
		a, h := NewHost(w, "a"), NewHost(w, "b")
		l, _ := h.Listen(80)
		w.Go("echo", func() {
			s, _ := l.Accept()
			for {
				d, err := s.Recv(0)
				if err != nil {
					_ = s.Close()
					return
				}
				_ = s.Send(d)
			}
		})
		c, _ := a.Connect("b", 80)
		for range pairs / 2 {
			_ = c.Send([]byte{1})
			_, _ = c.Recv(0)
		}
		_ = c.Close()
		_ = l.Close()
	})
}

// TestNetMisusePanics: the mistakes the package's functions can be handed
// panic with a message that names them.
func TestNetMisusePanics(t *testing.T) {
	var other *Host
	sim.Run(sim.Config{}, func(w *sim.World) { other = NewHost(w, "elsewhere") })
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		h := NewHost(w, "here")
		require.PanicsWithValue(t, `net: Partitioned: host "elsewhere" belongs to another world`,
			func() { Partitioned(w, h, other) })
		require.PanicsWithValue(t, `net: SetLink: host "elsewhere" belongs to another world`,
			func() { SetLink(w, other, h, Link{}) })
		require.PanicsWithValue(t, `net: Partition: a host (here) cannot be cut from itself`,
			func() { Partition(w, h, h, false) })
		require.Panics(t, func() { NewHost(w, "") })
		require.Panics(t, func() { _, _ = h.Listen(65536) })
		var inAlarm any
		w.Kernel().SetAlarm(&sim.Alarm{Fire: func() {
			defer func() { inAlarm = recover() }()
			_, _ = h.Listen(80)
		}}, 0)
		w.Sleep(time.Millisecond)
		require.Equal(t, "net: Listen called outside a process (from an alarm, or after the run): network operations need a calling process", inAlarm)
	})
	require.Nil(t, r.Failure)
}

// TestNetLostResetIsAnsweredAgain: data that reaches a closed socket is
// answered with a reset; when that reset is lost, the data, which nothing
// acknowledged, is resent and answered again, so the sender learns that its
// peer is gone once the link lets a reset through, and gives up with
// ErrTimeout if none ever does, as TCP does; it never waits forever.
func TestNetLostResetIsAnsweredAgain(t *testing.T) {
	for _, heals := range []bool{true, false} {
		simtest.RunSeeds(t, 10, func(w *sim.World) {
			a, b := NewHost(w, "a"), NewHost(w, "b")
			l, _ := b.Listen(80)
			c, s := netAccept(t, w, a, l)
			require.NoError(t, s.Close())
			_, err := c.Recv(0)
			require.ErrorIs(t, err, io.EOF, "the peer closed in the orderly way")
			Partition(w, b, a, true) // b's answers are lost
			require.NoError(t, c.Send([]byte("x")), "the data goes out; its answer is lost")
			w.Sleep(100 * time.Millisecond)
			if heals {
				Heal(w, a, b)
				w.Sleep(time.Second)
				require.ErrorIs(t, c.Send([]byte("y")), ErrPipe, "the reset answered again arrived: a reset after the end of stream is EPIPE")
			} else {
				w.Sleep(30 * time.Minute)
				require.ErrorIs(t, c.Send([]byte("y")), ErrTimeout, "no reset ever came through: the sender gave up")
			}
			require.NoError(t, c.Close())
			require.NoError(t, l.Close())
		})
	}
}
