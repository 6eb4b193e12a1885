package weft_test

import (
	"fmt"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
)

// Explore drives many seeds and returns the first failure, shrunk, with the
// log that replays it.
func ExampleExplore() {
	lostUpdate := func(w *sim.World) {
		n := 0
		steps := sim.NewChan[int](w, 4)
		done := sim.NewChan[int](w, 2)
		for range 2 {
			w.Go("worker", func() {
				v := n
				steps.Send(0) // a scheduling point between the read and the write
				n = v + 1
				done.Send(0)
			})
		}
		done.Recv()
		done.Recv()
		if n != 2 {
			w.Fatalf("lost an update: n = %d", n)
		}
	}
	rep := weft.Explore(weft.Options{Name: "lost update", Runs: 100}, lostUpdate)
	f := rep.Failure
	fmt.Println(f.Shrunk.Failure.Value)
	fmt.Println("shrunk:", f.PreemptionsAfter <= f.PreemptionsBefore)

	// The log replays the same run, bit for bit.
	again := sim.Replay(sim.Config{}, f.Log, lostUpdate)
	fmt.Println("same run:", again.Hash == f.Shrunk.Hash)
	// Output:
	// lost an update: n = 1
	// shrunk: true
	// same run: true
}

// In a test, weft.Test explores, saves a failing log under
// testdata/weft/TestCounter/ and prints the commands that replay it.
func ExampleTest() {
	_ = func(t *testing.T) {
		weft.Test(t, func(w *sim.World) {
			// the scenario
		}, weft.Runs(5000), weft.Strategy("pct:3"))
	}
}
