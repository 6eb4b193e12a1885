package zoo_test

import (
	"fmt"
	"strings"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/examples/zoo"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Explore the AB-BA deadlock under PCT, read the shrunk failure, replay its
// log, and check the fix. Exploration is deterministic: the same options
// find the same run every time, so this output never changes.
func Example() {
	pct, _ := scheduler.ParseSpec("pct:3")
	rep := weft.Explore(weft.Options{Name: "Deadlock", Runs: 1000, Spec: pct}, zoo.Deadlock)
	f := rep.Failure
	fmt.Println(f.Shrunk.Failure.Kind)
	for _, b := range f.Shrunk.Failure.Blocked {
		on := ""
		if len(b.On) > 0 {
			on, _, _ = strings.Cut(b.On[0], " created at ")
		}
		fmt.Printf("  %s blocked in %s on %s\n", b.Name, b.In, on)
	}
	fmt.Println("preemptions after shrinking:", f.PreemptionsAfter)

	// The shrunk log is what Test saves under testdata/weft: replaying it is
	// the same run, event for event.
	again := sim.Replay(sim.Config{}, f.Log, zoo.Deadlock)
	fmt.Println("replay has the same hash:", again.Hash == f.Shrunk.Hash)

	fixed := weft.Explore(weft.Options{Name: "DeadlockFixed", Runs: 1000, Spec: pct}, zoo.DeadlockFixed)
	fmt.Println("fixed:", fixed.Runs, "runs, failure:", fixed.Failure)
	// Output:
	// deadlock
	//   main blocked in wait on waitgroup#3
	//   teller a->b blocked in lock on mutex#2 "account b"
	//   teller b->a blocked in lock on mutex#1 "account a"
	// preemptions after shrinking: 1
	// replay has the same hash: true
	// fixed: 1000 runs, failure: <nil>
}
