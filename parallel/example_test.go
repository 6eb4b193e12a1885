package parallel_test

import (
	"fmt"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/parallel"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/atomic"
)

// A counter whose increment is a load and then a store: one client at a
// time, it counts right; two at once lose an update, which the history
// shows against the machine's own sequential model. Check would draw the
// workload from rapid; here it is fixed, and weft.Explore runs it.
func ExampleMachine() {
	m := parallel.Machine[int64, *atomic.Int64]{
		Name: "the counter",
		Init: func() int64 { return 0 },
		New:  func(w *sim.World) *atomic.Int64 { return atomic.NewInt64(w) },
		Commands: []parallel.Command[int64, *atomic.Int64]{
			{
				Name: "incr",
				Run: func(_ *sim.World, x *atomic.Int64, _ any) any {
					v := x.Load() // the bug: Add(1) is one step, this is two
					x.Store(v + 1)
					return nil
				},
				Model: func(s int64, _ any) (int64, any) { return s + 1, nil },
			},
			{
				Name:  "read",
				Run:   func(_ *sim.World, x *atomic.Int64, _ any) any { return x.Load() },
				Model: func(s int64, _ any) (int64, any) { return s, s },
			},
		},
	}
	incr, read := parallel.Invocation{Command: 0, Name: "incr"}, parallel.Invocation{Command: 1, Name: "read"}
	wl := parallel.Workload{Clients: [][]parallel.Invocation{{incr, read}, {incr}}}
	cfg := sim.Config{Properties: []sim.Property{m.Property(0)}}
	rep := weft.Explore(weft.Options{Runs: 200, CheckDeterminism: true, Config: cfg}, m.Scenario(wl))
	fmt.Println(rep.Failure.Shrunk.Failure.Property, "violated")
	for _, op := range rep.Failure.Shrunk.History {
		fmt.Printf("client %d: %s\n", op.Client, m.Model().DescribeOperation(op.Input, op.Output))
	}
	// Output:
	// linearizable violated
	// client 1: incr()
	// client 2: incr()
	// client 1: read() -> 1
}

// A failing workload shrunk to its smallest: an increment that loads and
// then stores, returning what it stored, loses an update when two run at
// once, which two commands show. Shrink searches every schedule within 2
// changes of each smaller workload it tries.
func ExampleShrink() {
	m := parallel.Machine[int64, *atomic.Int64]{
		Name: "the counter",
		Init: func() int64 { return 0 },
		New:  func(w *sim.World) *atomic.Int64 { return atomic.NewInt64(w) },
		Commands: []parallel.Command[int64, *atomic.Int64]{
			{
				Name: "incr",
				Run: func(_ *sim.World, x *atomic.Int64, _ any) any {
					v := x.Load()
					x.Store(v + 1)
					return v + 1
				},
				Model: func(s int64, _ any) (int64, any) { return s + 1, s + 1 },
			},
			{
				Name:  "read",
				Run:   func(_ *sim.World, x *atomic.Int64, _ any) any { return x.Load() },
				Model: func(s int64, _ any) (int64, any) { return s, s },
			},
		},
	}
	incr, read := parallel.Invocation{Command: 0, Name: "incr"}, parallel.Invocation{Command: 1, Name: "read"}
	wl := parallel.Workload{
		Prefix:  []parallel.Invocation{incr},
		Clients: [][]parallel.Invocation{{read, incr, read}, {incr, read}, {read}},
	}
	s := parallel.Shrink(m, wl, parallel.Options{})
	fmt.Printf("from %v:\n%s", wl.Size(), wl)
	fmt.Printf("to %v, %d preemption:\n%s", s.Workload.Size(), s.Finding.PreemptionsAfter, s.Workload)
	fmt.Println(s.Finding.Shrunk.Failure.Property, "violated; workloads searched:", s.Tried)
	// Output:
	// from 7 commands in 4 processes:
	// prefix: incr()
	// client 1: read(), incr(), read()
	// client 2: incr(), read()
	// client 3: read()
	// to 2 commands in 2 processes, 1 preemption:
	// client 1: incr()
	// client 2: incr()
	// linearizable violated; workloads searched: 15
}
