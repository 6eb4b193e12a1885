package sim_test

// Channels against the real language. Method: every program below is written
// once against chanEnv, a small interface over "make a channel, start a
// process, yield", and run twice: on real goroutines and channels, and in a
// world on sim.Chan under the calm schedule and under 40 random seeds. Each
// program logs only what every interleaving agrees on (a single consumer of
// a single producer, sequential code on buffered channels, sums and sorted
// multisets), so the real run is a reference even though its schedule is the
// Go runtime's. The logs must be equal line for line; a program that panics
// in its main process must panic with the same message, and both panic
// values must be runtime.Error.

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// chanOps is what the programs do with a channel of int. *sim.Chan[int]
// implements it as it is; realChan wraps a chan int.
type chanOps interface {
	Send(v int)
	RecvOK() (int, bool)
	Close()
	Len() int
	Cap() int
}

var _ chanOps = (*sim.Chan[int])(nil)

// chanEnv is the world a program runs in.
type chanEnv interface {
	Make(size int) chanOps
	Nil() chanOps
	Go(name string, f func())
	Yield()
	Logf(format string, args ...any)
}

type realChan struct{ c chan int }

func (r realChan) Send(v int)          { r.c <- v }
func (r realChan) RecvOK() (int, bool) { v, ok := <-r.c; return v, ok }
func (r realChan) Close()              { close(r.c) }
func (r realChan) Len() int            { return len(r.c) }
func (r realChan) Cap() int            { return cap(r.c) }

type realEnv struct {
	wg  sync.WaitGroup
	log []string
}

func (e *realEnv) Make(size int) chanOps { return realChan{make(chan int, size)} }
func (e *realEnv) Nil() chanOps          { return realChan{} }
func (e *realEnv) Go(_ string, f func()) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		f()
	}()
}
func (e *realEnv) Yield() { runtime.Gosched() }
func (e *realEnv) Logf(format string, args ...any) {
	e.log = append(e.log, fmt.Sprintf(format, args...))
}

type simEnv struct {
	w   *sim.World
	log []string
}

func (e *simEnv) Make(size int) chanOps    { return sim.NewChan[int](e.w, size) }
func (e *simEnv) Nil() chanOps             { return (*sim.Chan[int])(nil) }
func (e *simEnv) Go(name string, f func()) { e.w.Go(name, f) }
func (e *simEnv) Yield()                   { e.w.Yield() }
func (e *simEnv) Logf(format string, args ...any) {
	e.log = append(e.log, fmt.Sprintf(format, args...))
}

func (e *simEnv) String() string  { return strings.Join(e.log, "\n") }
func (e *realEnv) String() string { return strings.Join(e.log, "\n") }

// isRuntimeError reports whether a panic value is a runtime.Error, as the
// runtime's own channel panics are.
func isRuntimeError(v any) bool {
	err, ok := v.(error)
	var re runtime.Error
	return ok && errors.As(err, &re)
}

// chanStrategies is the calm schedule and n random walks.
func chanStrategies(n int) []scheduler.Strategy {
	out := []scheduler.Strategy{scheduler.Replay(nil)}
	for seed := range uint64(n) {
		out = append(out, scheduler.RandomWalk(seed))
	}
	return out
}

// recoverReal runs f and returns the value it panicked with.
func recoverReal(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// runReal runs prog on real goroutines. A panic of the main function is
// recovered and logged, as is whether it is a runtime.Error. Every
// goroutine the program starts must end: runReal waits for them.
func runReal(t *testing.T, prog func(chanEnv)) (log string, panicked any) {
	t.Helper()
	e := &realEnv{}
	func() {
		defer func() { panicked = recover() }()
		prog(e)
	}()
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("real program: a goroutine did not end")
	}
	return e.String(), panicked
}

// runSim runs prog as the main process of a world.
func runSim(prog func(chanEnv), st scheduler.Strategy) (log string, r *sim.Result) {
	e := &simEnv{}
	r = sim.Run(sim.Config{Strategy: st}, func(w *sim.World) {
		e.w = w
		prog(e)
	})
	return e.String(), r
}

// chanPrograms are the differential programs. Each names what it checks.
var chanPrograms = []struct {
	name string
	prog func(e chanEnv)
}{
	{"buffered send recv with len and cap", func(e chanEnv) {
		c := e.Make(3)
		e.Logf("len %d cap %d", c.Len(), c.Cap())
		for i := 1; i <= 3; i++ {
			c.Send(i * 10)
			e.Logf("sent %d len %d cap %d", i*10, c.Len(), c.Cap())
		}
		for range 2 {
			v, ok := c.RecvOK()
			e.Logf("recv %d %v len %d", v, ok, c.Len())
		}
		c.Send(40)
		c.Send(50)
		e.Logf("len %d", c.Len())
		for range 3 {
			v, ok := c.RecvOK()
			e.Logf("recv %d %v len %d", v, ok, c.Len())
		}
	}},
	{"wrap around the ring buffer", func(e chanEnv) {
		c := e.Make(2)
		for i := range 7 {
			c.Send(i)
			if i%2 == 1 {
				v, _ := c.RecvOK()
				w, _ := c.RecvOK()
				e.Logf("%d %d len %d", v, w, c.Len())
			}
		}
		v, ok := c.RecvOK()
		e.Logf("%d %v len %d", v, ok, c.Len())
	}},
	{"close then drain", func(e chanEnv) {
		c := e.Make(4)
		c.Send(1)
		c.Send(2)
		c.Send(3)
		c.Close()
		e.Logf("closed len %d cap %d", c.Len(), c.Cap())
		for range 5 {
			v, ok := c.RecvOK()
			e.Logf("recv %d %v len %d", v, ok, c.Len())
		}
	}},
	{"receive from closed unbuffered returns zero false", func(e chanEnv) {
		c := e.Make(0)
		c.Close()
		for range 3 {
			v, ok := c.RecvOK()
			e.Logf("recv %d %v len %d cap %d", v, ok, c.Len(), c.Cap())
		}
	}},
	{"unbuffered handoff", func(e chanEnv) {
		c := e.Make(0)
		e.Go("producer", func() {
			for i := range 5 {
				c.Send(i * i)
			}
			c.Close()
		})
		for {
			v, ok := c.RecvOK()
			e.Logf("recv %d %v len %d", v, ok, c.Len())
			if !ok {
				break
			}
		}
		v, ok := c.RecvOK()
		e.Logf("again %d %v", v, ok)
	}},
	{"FIFO through a full buffer with blocked senders", func(e chanEnv) {
		c := e.Make(2)
		e.Go("producer", func() {
			for i := range 12 {
				c.Send(i)
			}
			c.Close()
		})
		// Let the producer fill the buffer and block (on real goroutines
		// it may or may not have; the order is the same either way).
		for range 5 {
			e.Yield()
		}
		for {
			v, ok := c.RecvOK()
			if !ok {
				break
			}
			e.Logf("recv %d", v)
			if n := c.Len(); n > 2 {
				e.Logf("len %d above cap", n)
			}
		}
	}},
	{"several blocked senders keep their own order", func(e chanEnv) {
		c := e.Make(1)
		done := e.Make(3)
		for p := range 3 {
			e.Go("producer", func() {
				for i := range 4 {
					c.Send(p*100 + i)
				}
				done.Send(p)
			})
		}
		for range 5 {
			e.Yield()
		}
		var got [3][]int
		for range 12 {
			v, _ := c.RecvOK()
			got[v/100] = append(got[v/100], v)
		}
		for p := range 3 {
			e.Logf("producer %d: %v", p, got[p])
		}
		sum := 0
		for range 3 {
			v, _ := done.RecvOK()
			sum += v
		}
		e.Logf("done sum %d len %d", sum, c.Len())
	}},
	{"range until close", func(e chanEnv) {
		c := e.Make(1)
		e.Go("producer", func() {
			for i := range 6 {
				c.Send(i + 100)
			}
			c.Close()
		})
		for {
			v, ok := c.RecvOK()
			if !ok {
				break
			}
			e.Logf("range %d", v)
		}
	}},
	{"request and reply", func(e chanEnv) {
		req, rep := e.Make(0), e.Make(0)
		e.Go("server", func() {
			for {
				v, ok := req.RecvOK()
				if !ok {
					rep.Close()
					return
				}
				rep.Send(v * 2)
			}
		})
		for i := range 4 {
			req.Send(i)
			v, ok := rep.RecvOK()
			e.Logf("%d -> %d %v", i, v, ok)
		}
		req.Close()
		v, ok := rep.RecvOK()
		e.Logf("after close %d %v", v, ok)
	}},
	{"close wakes every blocked receiver", func(e chanEnv) {
		c, out := e.Make(0), e.Make(3)
		for range 3 {
			e.Go("receiver", func() {
				v, ok := c.RecvOK()
				if ok {
					v = -1
				}
				out.Send(v)
			})
		}
		for range 5 {
			e.Yield()
		}
		c.Close()
		sum := 0
		for range 3 {
			v, _ := out.RecvOK()
			sum += v
		}
		e.Logf("sum %d", sum)
	}},
	{"nil channel len and cap", func(e chanEnv) {
		c := e.Nil()
		e.Logf("len %d cap %d", c.Len(), c.Cap())
	}},
	{"send on closed channel panics", func(e chanEnv) {
		c := e.Make(1)
		c.Close()
		e.Logf("closed")
		c.Send(1)
		e.Logf("not reached")
	}},
	{"send on closed buffered channel with room panics", func(e chanEnv) {
		c := e.Make(3)
		c.Send(1)
		c.Close()
		c.Send(2)
	}},
	{"close of closed channel panics", func(e chanEnv) {
		c := e.Make(0)
		c.Close()
		e.Logf("closed once")
		c.Close()
	}},
	{"close of nil channel panics", func(e chanEnv) {
		e.Logf("before")
		e.Nil().Close()
	}},
	{"makechan with a negative size panics", func(e chanEnv) {
		n := -1
		e.Make(n)
	}},
}

func TestChanDifferential(t *testing.T) {
	for _, tc := range chanPrograms {
		t.Run(tc.name, func(t *testing.T) {
			wantLog, wantPanic := runReal(t, tc.prog)
			if wantPanic != nil && !isRuntimeError(wantPanic) {
				t.Fatalf("reference panic %v (%T) is not a runtime.Error", wantPanic, wantPanic)
			}
			for _, st := range chanStrategies(40) {
				gotLog, r := runSim(tc.prog, st)
				if gotLog != wantLog {
					t.Fatalf("%s: log differs\nsim:\n%s\nreal:\n%s", describe(st), gotLog, wantLog)
				}
				if wantPanic == nil {
					if r.Failure != nil {
						t.Fatalf("%s: sim failed: %v", describe(st), r.Failure)
					}
					continue
				}
				f := r.Failure
				if f == nil || f.Kind != sim.Panic {
					t.Fatalf("%s: sim failure %v, want a panic %q", describe(st), f, wantPanic)
				}
				if got, want := fmt.Sprint(f.Value), fmt.Sprint(wantPanic); got != want {
					t.Fatalf("%s: sim panicked with %q, real Go with %q", describe(st), got, want)
				}
				if !isRuntimeError(f.Value) {
					t.Fatalf("%s: sim panic value %v (%T) is not a runtime.Error", describe(st), f.Value, f.Value)
				}
				if f.Proc != 0 || f.ProcName != "main" {
					t.Fatalf("%s: panic blamed on p%d %q, want p0 main", describe(st), f.Proc, f.ProcName)
				}
			}
		})
	}
}

func describe(st scheduler.Strategy) string {
	if _, ok := st.(*scheduler.ReplayStrategy); ok {
		return "calm schedule"
	}
	return fmt.Sprintf("strategy %p", st)
}

// A sender blocked on a channel panics when another process closes it. In
// real Go a blocked sender woken by close panics with the same value as a
// send on an already closed channel (runtime/chan.go, chansend); the
// reference is the latter, because a close concurrent with a send is a data
// race to the race detector even when the sender is blocked.
func TestChanCloseWithBlockedSenderPanics(t *testing.T) {
	want := recoverReal(func() {
		c := make(chan int, 1)
		close(c)
		c <- 1
	})
	if !isRuntimeError(want) {
		t.Fatalf("reference panic %v is not a runtime.Error", want)
	}

	blockedFirst := 0
	for seed := range uint64(60) {
		r := sim.Run(sim.Config{Seed: seed, KeepTrace: true}, func(w *sim.World) {
			c := sim.NewChan[int](w, 0)
			w.Go("sender", func() { c.Send(1) })
			w.Yield()
			c.Close()
			w.Sleep(time.Second)
			w.Fatalf("the sender did not panic")
		})
		f := r.Failure
		if f == nil || f.Kind != sim.Panic || f.ProcName != "sender" {
			t.Fatalf("seed %d: failure %v, want a panic in the sender", seed, f)
		}
		if fmt.Sprint(f.Value) != fmt.Sprint(want) || !isRuntimeError(f.Value) {
			t.Fatalf("seed %d: sim panic %v (%T), real %v", seed, f.Value, f.Value, want)
		}
		for _, ev := range r.Trace {
			if ev.Proc == 1 && ev.Kind == sim.EventBlock {
				blockedFirst++
				break
			}
		}
	}
	if blockedFirst == 0 {
		t.Fatal("no seed had the sender block before the close: the case under test was not exercised")
	}
}

// A sender that blocks on a buffered channel panics too, and the values
// already buffered stay receivable.
func TestChanCloseWithBlockedBufferedSender(t *testing.T) {
	r := sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, func(w *sim.World) {
		c := sim.NewChan[int](w, 1)
		c.Send(7)
		w.Go("sender", func() { c.Send(8) })
		w.Yield() // the sender blocks on the full buffer
		c.Close()
		if v, ok := c.RecvOK(); v != 7 || !ok {
			w.Fatalf("after close got %d %v, want 7 true", v, ok)
		}
		if v, ok := c.RecvOK(); v != 0 || ok {
			w.Fatalf("after drain got %d %v, want 0 false", v, ok)
		}
		w.Yield()
	})
	f := r.Failure
	if f == nil || f.Kind != sim.Panic || f.ProcName != "sender" || fmt.Sprint(f.Value) != "send on closed channel" {
		t.Fatalf("failure %v, want the sender to panic with send on closed channel", f)
	}
}

// Range is for v := range ch: it yields every value in order and stops at
// close, and a break stops it early without consuming more.
func TestChanRange(t *testing.T) {
	r := sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, func(w *sim.World) {
		c := sim.NewChan[string](w, 4)
		for _, s := range []string{"a", "b", "c", "d"} {
			c.Send(s)
		}
		var got []string
		for v := range c.Range() {
			got = append(got, v)
			if v == "b" {
				break
			}
		}
		if c.Len() != 2 {
			w.Fatalf("len after break %d, want 2", c.Len())
		}
		c.Close()
		for v := range c.Range() {
			got = append(got, v)
		}
		if !slices.Equal(got, []string{"a", "b", "c", "d"}) {
			w.Fatalf("range got %v", got)
		}
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

// Recv on a closed channel gives the zero value of any element type.
func TestChanZeroValueOfType(t *testing.T) {
	type pair struct {
		a int
		b string
	}
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		c := sim.NewChan[pair](w, 1)
		c.Send(pair{1, "x"})
		c.Close()
		if v := c.Recv(); v != (pair{1, "x"}) {
			w.Fatalf("got %v", v)
		}
		if v, ok := c.RecvOK(); v != (pair{}) || ok {
			w.Fatalf("got %v %v, want the zero pair and false", v, ok)
		}
		p := sim.NewChan[*int](w, 0)
		p.Close()
		if v := p.Recv(); v != nil {
			w.Fatalf("got %v, want nil", v)
		}
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

// Named channels appear under their name in reports.
func TestChanNamedInReports(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		c := sim.NewChan[int](w, 0).Named("requests")
		if s := c.String(); s != `chan#1 "requests"` {
			w.Fatalf("String() = %q", s)
		}
		c.Recv()
	})
	if r.Failure == nil || r.Failure.Kind != sim.Deadlock {
		t.Fatalf("failure %v, want a deadlock", r.Failure)
	}
	if got := r.Failure.Blocked[0].On; len(got) != 1 || got[0] != `chan#1 "requests"` {
		t.Fatalf("blocked on %q", got)
	}
}
