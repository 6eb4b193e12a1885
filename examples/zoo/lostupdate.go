package zoo

import "github.com/weftsim/weft/sim"

// lostUpdateWorkers and lostUpdateIncrements size LostUpdate: every worker
// adds one to the counter lostUpdateIncrements times.
const (
	lostUpdateWorkers    = 2
	lostUpdateIncrements = 10
)

// LostUpdate is a read-modify-write split by a scheduling point: each worker
// reads the counter, yields, and writes back what it read plus one. w.Yield
// stands for anything that lets another process run in between (a channel
// operation, a lock, I/O). The run fails when the counter ends short.
func LostUpdate(w *sim.World) {
	counter := 0
	wg := sim.NewWaitGroup(w)
	for range lostUpdateWorkers {
		wg.Go("worker", func() {
			for range lostUpdateIncrements {
				v := counter
				w.Yield() // BUG: another worker may read the same v here
				counter = v + 1
			}
		})
	}
	wg.Wait()
	checkCounter(w, counter)
}

// LostUpdateFixed is LostUpdate with the read-modify-write under a mutex, so
// no other worker can read the counter between this worker's read and write.
func LostUpdateFixed(w *sim.World) {
	counter := 0
	mu := sim.NewMutex(w)
	wg := sim.NewWaitGroup(w)
	for range lostUpdateWorkers {
		wg.Go("worker", func() {
			for range lostUpdateIncrements {
				mu.Lock()
				v := counter
				w.Yield() // other workers may run, but they wait for mu
				counter = v + 1
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	checkCounter(w, counter)
}

// checkCounter fails the run if increments were lost. The message leaves
// out the count on purpose: the explorer shrinks a failure to the simplest
// run that fails with the same message, and how many increments are lost
// varies from run to run.
func checkCounter(w *sim.World, counter int) {
	if counter != lostUpdateWorkers*lostUpdateIncrements {
		w.Fatalf("lost update: the counter missed increments")
	}
}
