package weft

import (
	"testing"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/gort"
)

// TestGo runs body, a test of plain Go code that package rewrite made to
// run in a world (weft test ./pkg, or go test -overlay $(weft overlay
// ./pkg)), under Test: each seed runs body as the main process of a fresh
// world, in which its go statements, channels, locks, timers and contexts
// are the world's (see package sim/gort). The rewrite puts the call in every
// TestXxx(t *testing.T) of the package; a test written for weft never calls
// it. As with Test, fail with t.Error or t.Fatal sparingly: the first run
// that marks the test failed stops the exploration and is reported by its
// seed.
//
// Rewritten code finds its world through one package-level hook, so tests of
// rewritten code run one at a time, even when marked parallel. Each scheduling
// point costs a microsecond of virtual time (sim.Config.StepCost), so that
// polling loops let timers fire as they would in real time, and a step is
// slow (sim.FaultSlow) at rate gort.SlowRate, so that a sleeper can also wake up
// while another goroutine is in the middle of its work, as on a real
// machine where a thread is descheduled or computes for a while. The
// commands a
// failure prints to replay it are weft test's, which builds with the
// rewrite's overlay.
func TestGo(t *testing.T, body func(t *testing.T), opts ...Option) {
	t.Helper()
	cost := WithConfig(func(c *sim.Config) {
		if c.StepCost == 0 {
			c.StepCost = time.Microsecond
		}
		if c.Faults.Rate(sim.FaultSlow) == 0 {
			c.Faults = c.Faults.With(sim.FaultSlow, gort.SlowRate)
		}
	})
	rewrittenCode.Store(true)
	defer gort.Exclusive()()
	defer gort.Unbind()
	Test(t, func(w *sim.World) {
		gort.Bind(w)
		body(t)
	}, append(opts, cost)...)
}
