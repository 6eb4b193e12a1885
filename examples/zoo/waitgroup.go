package zoo

import (
	"time"

	"github.com/weftsim/weft/sim"
)

// wgBatches and wgWorkers size WaitGroupReuse: batches of workers, run one
// after the other.
const (
	wgBatches = 2
	wgWorkers = 2
)

// WaitGroupReuse runs batches of workers on one WaitGroup. For each batch it
// also starts a reporter that waits on the WaitGroup to log the batch's end.
// When the batch ends, the loop and the reporter both return from Wait; if
// the loop gets there first and calls Add for the next batch while the
// reporter is still inside Wait, the reporter panics with Go's "sync:
// WaitGroup is reused before previous Wait has returned".
func WaitGroupReuse(w *sim.World) {
	wg := sim.NewWaitGroup(w) // BUG: shared by every batch
	for range wgBatches {
		runBatch(w, wg)
	}
}

// WaitGroupReuseFixed gives each batch its own WaitGroup, so a late reporter
// still waits on its own batch's, which nothing reuses.
func WaitGroupReuseFixed(w *sim.World) {
	for range wgBatches {
		runBatch(w, sim.NewWaitGroup(w))
	}
}

// runBatch runs one batch of workers counted by wg, with a reporter
// waiting for the batch to end, and waits for the batch itself.
func runBatch(w *sim.World, wg *sim.WaitGroup) {
	wg.Add(wgWorkers)
	for range wgWorkers {
		w.Go("worker", func() {
			defer wg.Done()
			// The work takes time, so the loop and the reporter are
			// both in Wait when the batch ends.
			w.Sleep(time.Millisecond)
		})
	}
	w.Go("reporter", func() {
		wg.Wait()
		// log that the batch is done
	})
	wg.Wait()
}
