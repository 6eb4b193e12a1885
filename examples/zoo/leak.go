package zoo

import (
	"time"

	"github.com/weftsim/weft/sim"
)

// leakTimeout is how long the request waits; the backend's latency is drawn
// from [0, 2*leakTimeout), so either side may win.
const leakTimeout = 100 * time.Millisecond

// Leak asks a backend for a reply and gives up after leakTimeout. The
// backend replies on an unbuffered channel, so when the timeout wins its
// send has no receiver, ever: the backend's process is leaked, and the run
// fails with a Leak naming it and the channel it is blocked on.
func Leak(w *sim.World) {
	reply := sim.NewChan[string](w, 0).Named("reply") // BUG: no room for a late reply
	fetch(w, reply)
}

// LeakFixed gives the reply channel a buffer of one, so the backend's send
// always completes, whether or not anyone still waits for it (the pattern of
// Go's "Timing out, moving on").
func LeakFixed(w *sim.World) {
	reply := sim.NewChan[string](w, 1).Named("reply")
	fetch(w, reply)
}

// fetch starts the backend, which answers on reply after a latency drawn by
// the world (a Random decision, so it replays and shrinks), and waits for
// the answer or the timeout.
func fetch(w *sim.World, reply *sim.Chan[string]) {
	w.Go("backend", func() {
		w.Sleep(time.Duration(w.Intn(2*int(leakTimeout/time.Millisecond))) * time.Millisecond)
		reply.Send("200 OK")
	})
	var got string
	switch w.Select(reply.RecvCase(&got, nil), w.After(leakTimeout).RecvCase(nil, nil)) {
	case 0:
		if got != "200 OK" {
			w.Fatalf("got reply %q", got)
		}
	case 1:
		// Timed out: the caller moves on.
	}
}
