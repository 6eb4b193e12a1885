package longpoll

import (
	"fmt"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// The faults property 3 is judged under (the list: request
// timeouts, a dropped response, a server restart, the relay hop failing),
// each a kind of its own so that a FaultPlan turns it on and a shrunk log
// keeps only the faults a failure needs. Each of the system's own strikes
// at one site, through a Fault decision, while the page's workload runs;
// once the page has done its last action no more of them strike, so the
// run can show whether the transport recovers. Their numbers, 1111 to 1114
// (issue 11), are in every trace that records one: they never change. The
// relay hop failing is sim/node's FaultNetsplit: the servers' distribution
// connection resets as a message is relayed over it (1115, the system's own
// kind for it before the servers became sim/node nodes, is retired).
var (
	// FaultStall: the session takes stallFor to handle a message it is
	// given (a slow channel callback, a long garbage collection): longer
	// than window, so the request that carried it times out on the server
	// (408), and the message is handled after all. Per message dispatched.
	FaultStall = sim.NewFaultKind(1111, "longpoll-stall")
	// FaultDropResponse: the server's answer to a request is lost (a proxy
	// or middlebox drops the connection after the server acted on it); the
	// client sees a network error. Per request answered.
	FaultDropResponse = sim.NewFaultKind(1112, "longpoll-drop-response")
	// FaultPartition: the browser's link to the server (or the balancer)
	// is cut for partitionFor, longer than an XHR's timeout, as the request
	// starts: it never arrives, and the client's timeout fires. Per request
	// the browser starts.
	FaultPartition = sim.NewFaultKind(1113, "longpoll-partition")
	// FaultRestart: a server crashes as a request reaches it (every
	// session and channel on it ends), and is back after restartDelay. Per
	// request a server takes.
	FaultRestart = sim.NewFaultKind(1114, "longpoll-restart")
)

// FaultRate is the rate of each kind in the runs that judge property 3:
// about one fault in three runs of each kind, so that most runs have one or
// two faults.
const FaultRate = 1.0 / 64

func (r *run) fault(kind sim.FaultKind) bool {
	return r.faultsOn && !r.stopping && r.w.Kernel().Fault(kind)
}

// maybeStall: the session is slow to handle the message it is given.
func (r *run) maybeStall(s *session) {
	if r.fault(FaultStall) {
		r.note("fault", "session %d stalls for %v", s.id, stallFor)
		r.faults = append(r.faults, fmt.Sprintf("session %d stalled for %v", s.id, stallFor))
		r.w.Sleep(stallFor)
	}
}

// droppedResponse is the panic that ends a request's process without an
// answer: the connection closes, and the client sees a network error.
type droppedResponse struct{ req string }

func (d droppedResponse) String() string { return "the answer to " + d.req + " was lost (a fault)" }

// maybeDropResponse: the answer to req is lost.
func (r *run) maybeDropResponse(n *server, req net.Request) {
	if r.fault(FaultDropResponse) {
		id := req.Header.Get("X-Request-Id")
		r.faults = append(r.faults, fmt.Sprintf("the answer to %s was lost", id))
		panic(droppedResponse{req: id})
	}
}

// maybePartition: the browser's link to its entry is cut as x starts.
func (r *run) maybePartition(x *xhr) {
	if !r.fault(FaultPartition) {
		return
	}
	w := r.w
	entry := r.entryHost()
	r.faults = append(r.faults, fmt.Sprintf("the browser's link to %s was cut for %v as %s started", entry.Addr(), partitionFor, x.name))
	net.Partition(w, r.browserHost, entry, false)
	r.harness = append(r.harness, w.Spawn("heal", func() {
		w.Sleep(partitionFor)
		net.Heal(w, r.browserHost, entry)
	}))
}

// maybeRestart: server n crashes as a request reaches it: the request's
// process halts its node, which ends every process on it (sessions,
// channels, requests, this one) and closes their sockets at once; the
// node's heart brings it back after restartDelay.
func (r *run) maybeRestart(n *server) {
	if !r.fault(FaultRestart) {
		return
	}
	r.faults = append(r.faults, fmt.Sprintf("%s crashed and restarted", n.name))
	n.nd.Halt("killed (a fault)")
}
