package health

import (
	"runtime"

	"github.com/weftsim/weft/sim"
)

// arkeServer is arke's health service (server/healthz.go), line for line
// on weft's primitives: the variants original and pr115 differ only where
// PR 115's diff does, in the notifier's buffer and in how the monitor
// delivers a code.
type arkeServer struct {
	r *run
	w *sim.World
	// healthNotifiers maps a client address to its notifier.
	healthNotifiers *concurrentMap
	// notifierSize is the buffer of a notifier: 0 in arke, 1 after PR 115.
	notifierSize int
	// deliver sends code to one client's notifier: a plain blocking send in
	// arke, sendHealthCode after PR 115.
	deliver func(s *arkeServer, n *notifier, code Update)
}

// notifier is arke's `chan pb.HealthStatus_Code`, with what the harness
// notes about it: whose it is, and who closed it.
type notifier struct {
	ch         *sim.Chan[Update]
	st         *stream
	closedBy   string // "" while open
	closedTick int64  // r.tick when it was closed
}

func newOriginal(r *run) server {
	return &arkeServer{r: r, w: r.w, healthNotifiers: newConcurrentMap(r, "healthNotifiers"), deliver: blockingSend}
}

func newPR115(r *run) server {
	return &arkeServer{r: r, w: r.w, healthNotifiers: newConcurrentMap(r, "healthNotifiers"), notifierSize: 1, deliver: sendHealthCode}
}

// notifyHealth registers receiver for clientAddr: "only allow one notifier
// per client", so an earlier one is closed and replaced. Get, close, Delete
// and Add are four separate steps.
func (s *arkeServer) notifyHealth(clientAddr string, receiver *notifier) {
	if rec, ok := s.healthNotifiers.Get(clientAddr); ok {
		s.r.close(receiver.st, rec, "notifyHealth (registering "+receiver.st.name+" from the same address)")
		s.healthNotifiers.Delete(clientAddr)
	}
	s.healthNotifiers.Add(clientAddr, receiver)
}

// MonitorHealthChan ranges over the source of health codes and, for each,
// lists the registered clients and delivers the code to each notifier, one
// after another. The read lock covers each Get, not the send that follows.
func (s *arkeServer) MonitorHealthChan(receiver *sim.Chan[Update]) {
	for code := range receiver.Range() {
		list := s.healthNotifiers.GetList()
		s.r.listed(code)
		for _, clientAddr := range list {
			if notifier, ok := s.healthNotifiers.Get(clientAddr); ok {
				s.deliver(s, notifier, code)
			}
		}
	}
}

// blockingSend is arke's `notifier <- code`.
func blockingSend(s *arkeServer, n *notifier, code Update) {
	s.r.monitorSending(n, code)
	n.ch.Send(code)
	s.r.monitorSent(n, code, delivered)
}

// sendHealthCode is PR 115's helper: a send that drops the code when the
// notifier is not ready, and recovers from a send on a closed notifier.
//
// The real helper recovers whatever it catches. Here it lets through
// anything that is not a runtime error: those are the world unwinding a
// finished run, which must not be swallowed.
func sendHealthCode(s *arkeServer, n *notifier, code Update) {
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(runtime.Error); !ok {
				panic(v)
			}
			s.r.monitorSent(n, code, recovered)
		}
	}()
	s.r.monitorSending(n, code)
	if s.w.Select(n.ch.SendCase(code), sim.DefaultCase()) == 0 {
		s.r.monitorSent(n, code, delivered)
	} else {
		s.r.monitorSent(n, code, dropped)
	}
}

// Check is the per-client stream handler: register a fresh notifier for the
// client's address, then pass every code it receives on to the stream until
// the client goes away; on the way out, delete the address's entry and close
// the notifier.
func (s *arkeServer) Check(st *stream) error {
	ctx := st.ctx
	clientAddr := st.c.addr

	notifyHealthChan := &notifier{ch: sim.NewChan[Update](s.w, s.notifierSize).Named("notifier " + st.name), st: st}
	s.notifyHealth(clientAddr, notifyHealthChan)
	s.r.registered(st, notifyHealthChan)
	defer func() {
		s.healthNotifiers.Delete(clientAddr)
		s.r.close(st, notifyHealthChan, st.name+"'s handler (its deferred cleanup)")
	}()

	for {
		var code Update
		// arke writes the notifier case first. Go picks among ready cases
		// at random, so the order means nothing there; here the first case
		// is the calm choice, and ctx first keeps shrinking from turning a
		// closed notifier into an endless loop.
		if s.w.Select(ctx.Done().RecvCase(nil, nil), notifyHealthChan.ch.RecvCase(&code, nil)) == 0 {
			return nil
		}
		// We don't care if this send fails.
		st.Send(code) //nolint:errcheck
	}
}
