package cache_test

import (
	"fmt"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/examples/cache"
	"github.com/weftsim/weft/parallel"
	"github.com/weftsim/weft/sim"
)

// One workload of the cache's state machine, put a=1, then a client that
// gets a twice while another puts a=2, explored under weft's schedules and
// judged against the model the machine derives: the second get returns 1
// after the put of 2 returned.
func Example() {
	wl := parallel.Workload{
		Prefix: []parallel.Invocation{{Command: 1, Name: "put", Input: cache.PutInput{Key: "a", V: 1}}},
		Clients: [][]parallel.Invocation{
			{{Command: 0, Name: "get", Input: "a"}, {Command: 0, Name: "get", Input: "a"}},
			{{Command: 1, Name: "put", Input: cache.PutInput{Key: "a", V: 2}}},
		},
	}
	fmt.Print(wl)
	cfg := sim.Config{Properties: []sim.Property{cache.Buggy.Property(0)}}
	rep := weft.Explore(weft.Options{Runs: 500, CheckDeterminism: true, Config: cfg}, cache.Buggy.Scenario(wl))
	fmt.Println(rep.Failure.Shrunk.Failure.Property, "violated; preemptions after shrinking:", rep.Failure.PreemptionsAfter)
	model := cache.Buggy.Model()
	for _, op := range rep.Failure.Shrunk.History {
		fmt.Printf("client %d [%d, %d]: %s\n", op.Client, op.Call, op.Return, model.DescribeOperation(op.Input, op.Output))
	}
	fixed := weft.Explore(weft.Options{Runs: 500, CheckDeterminism: true, Config: sim.Config{Properties: []sim.Property{cache.Fixed.Property(0)}}}, cache.Fixed.Scenario(wl))
	fmt.Println("the versioned cache fails:", fixed.Failure != nil)
	// Output:
	// prefix: put(a, 1)
	// client 1: get(a), get(a)
	// client 2: put(a, 2)
	// linearizable violated; preemptions after shrinking: 1
	// client 0 [1, 2]: put(a, 1)
	// client 1 [3, 6]: get(a) -> 1
	// client 2 [4, 5]: put(a, 2)
	// client 1 [7, 8]: get(a) -> 1
	// the versioned cache fails: false
}
