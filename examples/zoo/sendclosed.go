package zoo

import "github.com/weftsim/weft/sim"

// SendOnClosed sizes: clients each submit jobsPerClient jobs into a queue of
// capacity queueSize.
const (
	clients       = 2
	jobsPerClient = 3
	queueSize     = 1
)

// SendOnClosed is a job queue shut down by closing its channel while
// clients may still submit. A client checks a stopped flag and then sends;
// when the main process stops the queue between the check and the send (or
// while the client waits for room in the queue), the client's send panics
// with "send on closed channel".
func SendOnClosed(w *sim.World) {
	jobs := sim.NewChan[int](w, queueSize).Named("jobs")
	stopped := false
	w.Go("worker", func() {
		for range jobs.Range() {
			// process the job
		}
	})
	for range clients {
		w.Go("client", func() {
			for j := range jobsPerClient {
				if stopped {
					return
				}
				jobs.Send(j) // BUG: the queue may be closed since the check
			}
		})
	}
	// Shut the queue down.
	stopped = true
	jobs.Close()
}

// SendOnClosedFixed never closes the channel that clients send on: stopping
// closes a separate done channel, and clients and the worker select on it,
// as Go's "only the sender closes a channel" rule asks. A job sent as the
// queue stops may go unprocessed, but nothing panics.
func SendOnClosedFixed(w *sim.World) {
	jobs := sim.NewChan[int](w, queueSize).Named("jobs")
	done := sim.NewChan[struct{}](w, 0).Named("done")
	w.Go("worker", func() {
		for {
			if w.Select(jobs.RecvCase(nil, nil), done.RecvCase(nil, nil)) == 1 {
				return
			}
			// process the job
		}
	})
	for range clients {
		w.Go("client", func() {
			for j := range jobsPerClient {
				if w.Select(jobs.SendCase(j), done.RecvCase(nil, nil)) == 1 {
					return // stopped
				}
			}
		})
	}
	// Shut the queue down.
	done.Close()
}
