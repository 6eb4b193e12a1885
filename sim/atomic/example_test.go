package atomic_test

import (
	"fmt"
	"strings"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/atomic"
)

// Two processes set up a resource once, guarded by an atomic flag that
// each checks and then sets. Since Load and Store are scheduling points,
// weft runs the other process between them, and both set up.
func ExampleBool() {
	rep := weft.Explore(weft.Options{Runs: 100, CheckDeterminism: true}, func(w *sim.World) {
		ready := atomic.NewBool(w).Named("initialized")
		setups := atomic.NewInt32(w).Named("setups")
		wg := sim.NewWaitGroup(w)
		for _, name := range []string{"a", "b"} {
			wg.Go(name, func() {
				if !ready.Load() { // the fix: if ready.CompareAndSwap(false, true)
					ready.Store(true)
					setups.Add(1)
				}
			})
		}
		wg.Wait()
		if n := setups.Load(); n > 1 {
			w.Fatalf("set up %d times", n)
		}
	})
	f := rep.Failure
	fmt.Println(f.Shrunk.Failure.Value)
	fmt.Println("preemptions after shrinking:", f.PreemptionsAfter)
	for _, e := range f.Shrunk.Trace {
		if e.Kind == sim.EventNote && strings.Contains(e.Detail, `"initialized"`) {
			fmt.Println(f.Shrunk.Procs[e.Proc]+":", e.Detail)
		}
	}
	// Output:
	// set up 2 times
	// preemptions after shrinking: 1
	// a: bool#1 "initialized" load -> false
	// b: bool#1 "initialized" load -> false
	// b: bool#1 "initialized" store true
	// a: bool#1 "initialized" store true
}
