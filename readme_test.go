package weft_test

// The README's example, kept compiling and kept honest: the withdrawal race
// it shows must be found, and its fix must pass.

import (
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
)

// withdrawTwice is the README's scenario; guarded adds the fix.
func withdrawTwice(guarded bool) func(w *sim.World) {
	return func(w *sim.World) {
		balance := 100
		mu := sim.NewMutex(w)
		wg := sim.NewWaitGroup(w)
		for i := 0; i < 2; i++ {
			wg.Go("withdraw", func() {
				if guarded {
					mu.Lock()
					defer mu.Unlock()
				}
				if balance >= 80 {
					w.Yield() // a scheduling point: another process may run here
					balance -= 80
				}
			})
		}
		wg.Wait()
		if balance < 0 {
			w.Fatalf("overdrawn: balance = %d", balance)
		}
	}
}

// readmeTest is the README's test as written, with weft.Test: compiled, not
// run, since the README shows a race that fails it (TestReadmeExample
// finds that race).
func readmeTest(t *testing.T) { weft.Test(t, withdrawTwice(false)) }

var _ = readmeTest

func TestReadmeExample(t *testing.T) {
	rep := weft.Explore(weft.Options{Runs: 1000}, withdrawTwice(false))
	if rep.Failure == nil || !strings.Contains(rep.Failure.String(), "overdrawn: balance = -60") {
		t.Fatalf("the README's race was not found:\n%v", rep)
	}
	if rep := weft.Explore(weft.Options{Runs: 1000}, withdrawTwice(true)); rep.Failure != nil {
		t.Fatalf("the fixed withdrawal failed:\n%v", rep)
	}
}
