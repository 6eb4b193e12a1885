package sim_test

// Contexts against the real language. Method: each script builds a tree of
// contexts step by step, cancels some and lets virtual time pass, and after
// every step logs each node's Err, Cause and Deadline. It runs on package
// context inside a testing/synctest bubble (deterministic fake time) and in
// a world under 20 seeds; the logs must be equal line for line. Then what
// only a world shows: deadlines fire at exactly the virtual instant, a
// cancelled timeout leaves no timer behind, cancellation order is creation
// order, reports name contexts, and runs are deterministic.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

type ctxKey string

var (
	errShutdown = errors.New("shutdown")
	errSlow     = errors.New("too slow")
)

// ctxStep creates node (with parent, of kind, with d and cause), or cancels
// node (with cause, for a WithCancelCause node), or sleeps d.
type ctxStep struct {
	op     string // new, cancel, sleep
	node   int
	parent int // -1: Background
	kind   string
	d      time.Duration
	cause  error
}

func newStep(node, parent int, kind string, d time.Duration, cause error) ctxStep {
	return ctxStep{op: "new", node: node, parent: parent, kind: kind, d: d, cause: cause}
}
func cancelStep(node int, cause error) ctxStep {
	return ctxStep{op: "cancel", node: node, cause: cause}
}
func sleepStep(d time.Duration) ctxStep { return ctxStep{op: "sleep", d: d} }

var ctxScripts = []struct {
	name  string
	steps []ctxStep
}{
	{"tree", []ctxStep{
		newStep(0, -1, "cancel", 0, nil),
		newStep(1, 0, "value", 0, nil),
		newStep(2, 1, "timeout", 5*time.Second, nil),
		newStep(3, 2, "cause", 0, nil),
		newStep(4, 3, "timeout", 10*time.Second, nil), // capped at 2's deadline
		newStep(5, 0, "timeout", 2*time.Second, nil),
		newStep(6, 5, "cancel", 0, nil),
		newStep(7, 6, "value", 0, nil),
		sleepStep(time.Second),
		cancelStep(3, errShutdown), // 3 and 4; not 2, 0
		cancelStep(3, nil),         // idempotent
		sleepStep(time.Second),     // 5 and 6 time out at 2s
		sleepStep(3 * time.Second), // 2 times out at 5s
		cancelStep(0, nil),
		cancelStep(5, nil),
	}},
	{"cancelled parent", []ctxStep{
		newStep(0, -1, "cause", 0, nil),
		cancelStep(0, errShutdown),
		newStep(1, 0, "cancel", 0, nil), // cancelled at creation, with the cause
		newStep(2, 0, "timeout", time.Hour, nil),
		newStep(3, 1, "value", 0, nil),
		cancelStep(1, nil),
	}},
	{"deadlines", []ctxStep{
		newStep(0, -1, "deadline", -time.Second, nil), // passed already
		newStep(1, -1, "deadline", 0, nil),            // passes now
		newStep(2, -1, "timeoutcause", 3*time.Second, errSlow),
		newStep(3, 2, "timeoutcause", time.Second, errShutdown),
		newStep(4, 2, "deadline", 2*time.Second, nil),
		newStep(5, 4, "cause", 0, nil),
		sleepStep(time.Second - time.Nanosecond),
		sleepStep(time.Nanosecond), // 3 at exactly 1s
		sleepStep(time.Second),     // 4 and 5 at 2s
		sleepStep(time.Second),     // 2 at 3s, with its cause
		cancelStep(2, nil),
	}},
	{"cancel before deadline", []ctxStep{
		newStep(0, -1, "timeout", time.Second, nil),
		newStep(1, 0, "timeout", time.Minute, nil),
		newStep(2, 1, "cause", 0, nil),
		cancelStep(1, nil),
		sleepStep(2 * time.Second),
		cancelStep(2, errSlow), // too late: already cancelled by 1
	}},
}

// ctxLog renders one node: its Err, its Cause, and its deadline from the
// start ("-" for none); values say whose value it sees.
func ctxLine(i int, err, cause error, dl time.Time, ok bool, start time.Time, val any) string {
	d := "-"
	if ok {
		d = dl.Sub(start).String()
	}
	return fmt.Sprintf("%d:%v|%v|%s|%v", i, err, cause, d, val)
}

func runCtxScriptReal(t *testing.T, steps []ctxStep) []string {
	var out []string
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		nodes := map[int]context.Context{}
		cancels := map[int]func(error){}
		for _, s := range steps {
			switch s.op {
			case "new":
				parent := context.Background()
				if s.parent >= 0 {
					parent = nodes[s.parent]
				}
				var c context.Context
				var cancel context.CancelFunc
				switch s.kind {
				case "cancel":
					c, cancel = context.WithCancel(parent)
				case "cause":
					var cc context.CancelCauseFunc
					c, cc = context.WithCancelCause(parent)
					cancels[s.node] = cc
				case "value":
					c = context.WithValue(parent, ctxKey("k"), s.node)
				case "timeout":
					c, cancel = context.WithTimeout(parent, s.d)
				case "deadline":
					c, cancel = context.WithDeadline(parent, start.Add(s.d))
				case "timeoutcause":
					c, cancel = context.WithTimeoutCause(parent, s.d, s.cause)
				}
				if cancel != nil {
					cancels[s.node] = func(error) { cancel() }
				}
				nodes[s.node] = c
			case "cancel":
				cancels[s.node](s.cause)
			case "sleep":
				time.Sleep(s.d)
			}
			synctest.Wait() // let time.AfterFunc's goroutines cancel
			var line []string
			for i := range len(nodes) {
				c := nodes[i]
				dl, ok := c.Deadline()
				line = append(line, ctxLine(i, c.Err(), context.Cause(c), dl, ok, start, c.Value(ctxKey("k"))))
			}
			out = append(out, strings.Join(line, " "))
		}
		for _, cancel := range cancels {
			cancel(nil)
		}
	})
	return out
}

func runCtxScriptSim(steps []ctxStep, seed uint64) ([]string, *sim.Result) {
	var out []string
	r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
		start := w.Now()
		var nodes []sim.Context
		cancels := make([]func(error), 16)
		for _, s := range steps {
			switch s.op {
			case "new":
				parent := w.Background()
				if s.parent >= 0 {
					parent = nodes[s.parent]
				}
				var c sim.Context
				var cancel context.CancelFunc
				switch s.kind {
				case "cancel":
					c, cancel = sim.WithCancel(parent)
				case "cause":
					var cc context.CancelCauseFunc
					c, cc = sim.WithCancelCause(parent)
					cancels[s.node] = cc
				case "value":
					c = sim.WithValue(parent, ctxKey("k"), s.node)
				case "timeout":
					c, cancel = sim.WithTimeout(parent, s.d)
				case "deadline":
					c, cancel = sim.WithDeadline(parent, start.Add(s.d))
				case "timeoutcause":
					c, cancel = sim.WithTimeoutCause(parent, s.d, s.cause)
				}
				if cancel != nil {
					cancels[s.node] = func(error) { cancel() }
				}
				nodes = append(nodes, c)
			case "cancel":
				cancels[s.node](s.cause)
			case "sleep":
				w.Sleep(s.d)
			}
			var line []string
			for i, c := range nodes {
				dl, ok := c.Deadline()
				line = append(line, ctxLine(i, c.Err(), sim.Cause(c), dl, ok, start, c.Value(ctxKey("k"))))
			}
			out = append(out, strings.Join(line, " "))
		}
	})
	return out, r
}

func TestContextScriptsMatchGo(t *testing.T) {
	for _, tc := range ctxScripts {
		t.Run(tc.name, func(t *testing.T) {
			want := runCtxScriptReal(t, tc.steps)
			for seed := uint64(0); seed < 20; seed++ {
				got, r := runCtxScriptSim(tc.steps, seed)
				if r.Failure != nil {
					t.Fatalf("seed %d: %v", seed, r.Failure)
				}
				for i := range max(len(got), len(want)) {
					g, w := "<none>", "<none>"
					if i < len(got) {
						g = got[i]
					}
					if i < len(want) {
						w = want[i]
					}
					if g != w {
						t.Fatalf("seed %d, after step %d:\n got  %s\n want %s", seed, i, g, w)
					}
				}
			}
		})
	}
}

// Spot checks of the tree script, so that the comparison above cannot pass
// by both sides being wrong the same way.
func TestContextTreeOutcome(t *testing.T) {
	got, r := runCtxScriptSim(ctxScripts[0].steps, 0)
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	for _, want := range []struct {
		step int
		node string
	}{
		{8, "4:<nil>|<nil>|5s|1"},                                              // capped by its parent's deadline
		{9, "3:context canceled|shutdown|5s|1"},                                // the cause
		{9, "2:<nil>|<nil>|5s|1"},                                              // parent untouched
		{11, "6:context deadline exceeded|context deadline exceeded|2s|<nil>"}, // inherited
		{12, "2:context deadline exceeded|context deadline exceeded|5s|1"},
		{13, "0:context canceled|context canceled|-|<nil>"},
	} {
		if !strings.Contains(" "+got[want.step]+" ", " "+want.node+" ") {
			t.Errorf("after step %d: %s\n want node %s", want.step, got[want.step], want.node)
		}
	}
}

func TestContextMisuseMatchesGo(t *testing.T) {
	bg := context.Background()
	var nilCtx context.Context
	real := []any{
		recoverValue(func() { _, cancel := context.WithCancel(nilCtx); cancel() }),
		recoverValue(func() { _, cancel := context.WithTimeout(nilCtx, time.Second); cancel() }),
		recoverValue(func() { _ = context.WithValue(nilCtx, ctxKey("k"), 1) }),
		recoverValue(func() { _ = context.WithValue(bg, nil, 1) }),
		recoverValue(func() { _ = context.WithValue(bg, []int{1}, 1) }),
	}
	var got []any
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		var nilSim sim.Context
		got = []any{
			recoverValue(func() { sim.WithCancel(nilSim) }),
			recoverValue(func() { sim.WithTimeout(nilSim, time.Second) }),
			recoverValue(func() { sim.WithValue(nilSim, ctxKey("k"), 1) }),
			recoverValue(func() { sim.WithValue(w.Background(), nil, 1) }),
			recoverValue(func() { sim.WithValue(w.Background(), []int{1}, 1) }),
		}
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	if !slices.Equal(got, real) {
		t.Fatalf("panics:\n got  %q\n want %q", got, real)
	}
}

// WithTimeout fires at exactly its deadline: not a nanosecond before, and a
// process waiting on Done wakes at that instant. An hour costs no real time.
func TestContextTimeoutFiresAtDeadline(t *testing.T) {
	began := time.Now()
	var woke time.Duration
	var before, at error
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		ctx, cancel := sim.WithTimeout(w.Background(), time.Hour)
		defer cancel()
		if dl, ok := ctx.Deadline(); !ok || !dl.Equal(sim.Epoch.Add(time.Hour)) {
			w.Fatalf("deadline %v %v", dl, ok)
		}
		done := sim.NewChan[bool](w, 0)
		w.Go("waiter", func() {
			ctx.Done().Recv()
			woke = w.Elapsed()
			done.Send(true)
		})
		w.Sleep(time.Hour - time.Nanosecond)
		before = ctx.Err()
		w.Sleep(time.Nanosecond)
		at = ctx.Err()
		done.Recv()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	if before != nil || at != context.DeadlineExceeded || woke != time.Hour {
		t.Fatalf("err %v a nanosecond before, %v at the deadline; waiter woke at %v", before, at, woke)
	}
	if real := time.Since(began); real > time.Second {
		t.Fatalf("an hour of virtual time took %v", real)
	}
}

// Cancelling a timeout stops its timer: a stuck world is then quiescent at
// once, rather than an hour later when the timer would have fired.
func TestContextCancelStopsTimer(t *testing.T) {
	stuck := func(cancelFirst bool) *sim.Result {
		return sim.Run(sim.Config{}, func(w *sim.World) {
			_, cancel := sim.WithTimeout(w.Background(), time.Hour)
			if cancelFirst {
				cancel()
				cancel() // idempotent
			}
			sim.NewChan[int](w, 0).Recv()
		})
	}
	for _, tc := range []struct {
		cancel bool
		at     time.Duration
	}{{true, 0}, {false, time.Hour}} {
		r := stuck(tc.cancel)
		if r.Failure == nil || r.Failure.Kind != sim.Deadlock || r.Time != tc.at {
			t.Errorf("cancel=%v: want a deadlock at %v, got %v", tc.cancel, tc.at, r.Failure)
		}
	}
}

// Cancelling a parent cancels its children in creation order, so under the
// calm schedule the processes waiting on them wake in that order; never in
// the random order of a map.
func TestContextCancelOrderIsCreationOrder(t *testing.T) {
	var order []int
	scenario := func(w *sim.World) {
		order = order[:0]
		root, cancel := sim.WithCancel(w.Background())
		wg := sim.NewChan[int](w, 0)
		for i := range 20 {
			child, c := sim.WithCancel(root)
			if i%3 == 0 {
				c() // a removed child leaves a hole
			}
			w.Go("waiter", func() {
				child.Done().Recv()
				order = append(order, i)
				wg.Send(i)
			})
		}
		w.Sleep(time.Second)
		cancel()
		for range 20 {
			wg.Recv()
		}
	}
	r := sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, scenario)
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	// The children cancelled earlier woke first, during the first second.
	want := []int{0, 3, 6, 9, 12, 15, 18, 1, 2, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19}
	if !slices.Equal(order, want) {
		t.Fatalf("woke in order %v, want %v", order, want)
	}
}

// Many short-lived children of one long-lived parent: removing them keeps
// the parent's list compact, and cancelling the parent still reaches every
// child that is left.
func TestContextManyChildren(t *testing.T) {
	r := sim.Run(sim.Config{AllowLeaks: true}, func(w *sim.World) {
		root, cancel := sim.WithCancel(w.Background())
		var kept []sim.Context
		for i := range 1000 {
			c, cc := sim.WithTimeout(root, time.Duration(i+1)*time.Second)
			if i%100 == 0 {
				kept = append(kept, c)
			} else {
				cc()
			}
		}
		cancel()
		for i, c := range kept {
			if c.Err() != context.Canceled {
				w.Fatalf("kept child %d: %v", i, c.Err())
			}
		}
		// Stuck for good: the run ends at quiescence, which a pending
		// timer would postpone.
		w.Go("stuck", func() { sim.NewChan[int](w, 0).Recv() })
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	if r.Time != 0 {
		t.Fatalf("timers of cancelled children fired: the run lasted %v", r.Time)
	}
}

// A process blocked on a Done channel is reported with the context's name
// and creation site.
func TestContextNamedInReports(t *testing.T) {
	var line int
	r := sim.Run(sim.Config{KeepTrace: true}, func(w *sim.World) {
		ctx, _ := sim.WithCancel(w.Background())
		line = thisLine() - 1
		w.Go("server", func() { ctx.Done().Recv() })
	})
	if r.Failure == nil || r.Failure.Kind != sim.Leak || len(r.Failure.Blocked) != 1 {
		t.Fatalf("want a leak of one process, got %v", r.Failure)
	}
	want := fmt.Sprintf("p1 %q blocked in recv on context#1 created at sim/context_test.go:%d", "server", line)
	if got := r.Failure.Blocked[0].String(); got != want {
		t.Fatalf("report %q\n want  %q", got, want)
	}
}

// wrapped is a context of the user's own type with a Done channel of its
// own: a child of it is cancelled by a watcher process, as package context
// does with a goroutine.
type wrapped struct {
	sim.Context
	done *sim.Chan[struct{}]
	err  error
}

func (c *wrapped) Done() *sim.Chan[struct{}] { return c.done }
func (c *wrapped) Err() error                { return c.err }

func TestContextForeignParent(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		p := &wrapped{Context: w.Background(), done: sim.NewChan[struct{}](w, 0)}
		child, cancel := sim.WithCancel(p)
		defer cancel()
		if child.Value(ctxKey("k")) != nil {
			w.Fatalf("value through the wrapper")
		}
		w.Sleep(time.Second)
		if child.Err() != nil {
			w.Fatalf("child cancelled early: %v", child.Err())
		}
		p.err = errShutdown
		p.done.Close()
		child.Done().Recv()
		if child.Err() != errShutdown || sim.Cause(child) != errShutdown {
			w.Fatalf("child: %v, cause %v", child.Err(), sim.Cause(child))
		}
		// A child cancelled first lets its watcher go: nothing leaks.
		q := &wrapped{Context: w.Background(), done: sim.NewChan[struct{}](w, 0)}
		_, cancelQ := sim.WithCancel(q)
		cancelQ()
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

// ctxWorkload: a server context with a deadline, requests with their own
// timeouts racing workers that take random virtual time.
func ctxWorkload(w *sim.World) {
	server, stop := sim.WithTimeout(w.Background(), 50*time.Millisecond)
	defer stop()
	results := sim.NewChan[error](w, 0)
	for i := range 6 {
		w.Go("request", func() {
			ctx, cancel := sim.WithTimeout(sim.WithValue(server, ctxKey("id"), i), time.Duration(10+w.Intn(40))*time.Millisecond)
			defer cancel()
			work := w.After(time.Duration(w.Intn(60)) * time.Millisecond)
			var err error
			if w.Select(work.RecvCase(nil, nil), ctx.Done().RecvCase(nil, nil)) == 1 {
				err = ctx.Err()
			}
			results.Send(err)
		})
	}
	for range 6 {
		results.Recv()
	}
}

func TestContextDeterminism(t *testing.T) {
	hashes := map[uint64]bool{}
	for seed := uint64(0); seed < 30; seed++ {
		a := sim.Run(sim.Config{Seed: seed}, ctxWorkload)
		b := sim.Run(sim.Config{Seed: seed}, ctxWorkload)
		if a.Failure != nil {
			t.Fatalf("seed %d: %v", seed, a.Failure)
		}
		if a.Hash != b.Hash || a.Time != b.Time {
			t.Fatalf("seed %d: two runs differ: hash %x/%x", seed, a.Hash, b.Hash)
		}
		hashes[a.Hash] = true
	}
	if len(hashes) < 20 {
		t.Fatalf("only %d distinct runs in 30 seeds", len(hashes))
	}
}

// Contexts print as package context's do, with sim.Background at the root;
// the bubble's fake clock starts at sim.Epoch, so even deadlines match.
func TestContextStringMatchesGo(t *testing.T) {
	var want string
	synctest.Test(t, func(t *testing.T) {
		c, cancel := context.WithCancel(context.Background())
		defer cancel()
		d, cancel2 := context.WithTimeout(context.WithValue(c, ctxKey("k"), 1), time.Second)
		defer cancel2()
		want = fmt.Sprint(d)
	})
	var got string
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		c, cancel := sim.WithCancel(w.Background())
		defer cancel()
		d, cancel2 := sim.WithTimeout(sim.WithValue(c, ctxKey("k"), 1), time.Second)
		defer cancel2()
		got = fmt.Sprint(d)
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	if want = strings.Replace(want, "context.Background", "sim.Background", 1); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
