package health

import "github.com/weftsim/weft/sim"

// ownedServer is the design this package proposes (see the package doc,
// "The owned design"): each stream's handler owns its subscription; the
// monitor never sends on a channel that anyone closes, never blocks, and
// leaves the latest state for the handler to pick up, so a slow client
// coalesces states instead of delaying anyone; GOAWAY is sticky, so it can
// be coalesced into but never over.
type ownedServer struct {
	r *run
	w *sim.World
	// mu guards subs, order, current, and every subscription's latest and
	// replaced. It is never held across a blocking operation.
	mu      *sim.Mutex
	subs    map[string]*subscription // by client address; looked up, never ranged over
	order   []*subscription          // the registered subscriptions, for broadcasting
	current Update                   // the latest state broadcast; once GOAWAY, it stays GOAWAY

	hooks ownedHooks
}

// ownedHooks are the design's three safeguards, each a decision the server
// asks about, so that the test of the tester (mutants_test.go) can take one
// out without copying the design. A nil hook is the design's own rule.
type ownedHooks struct {
	// keepOld reports whether old, the address's subscription, stays when sub
	// registers: the design keeps it only when it is the newer stream.
	keepOld func(old, sub *subscription) bool
	// catchUp reports whether a new subscription starts from the current
	// state: the design always does.
	catchUp func(sub *subscription) bool
	// mine reports whether cur, the address's subscription, is sub's to
	// remove when sub unregisters: the design's answer is cur == sub.
	mine func(cur, sub *subscription) bool
}

func (h *ownedHooks) keepsOld(old, sub *subscription) bool {
	if h.keepOld != nil {
		return h.keepOld(old, sub)
	}
	return old.st.id > sub.st.id
}

func (h *ownedHooks) catchesUp(sub *subscription) bool {
	return h.catchUp == nil || h.catchUp(sub)
}

func (h *ownedHooks) isMine(cur, sub *subscription) bool {
	if h.mine != nil {
		return h.mine(cur, sub)
	}
	return cur == sub
}

// subscription is one stream's registration. Its handler creates it, is
// the only process that waits on it, and unregisters it on the way out; no
// channel of it is ever closed.
type subscription struct {
	st *stream
	// wake holds a token when latest or replaced may have changed since the
	// handler last looked. Senders never block (a full buffer already says
	// "look"), and nobody closes it.
	wake     *sim.Chan[struct{}]
	latest   Update // guarded by mu
	replaced bool   // guarded by mu: a newer stream from the same address took over
}

func newOwned(r *run) server {
	return &ownedServer{r: r, w: r.w, mu: sim.NewMutex(r.w).Named("registry"), subs: make(map[string]*subscription)}
}

// poke leaves a token on sub.wake unless one is already there.
func (s *ownedServer) poke(sub *subscription) {
	s.w.Select(sub.wake.SendCase(struct{}{}), sim.DefaultCase())
}

// register makes sub the address's subscription, unless a newer stream of
// the same address already holds it (streams of one connection are numbered
// in the order they open, so "newer" does not depend on which handler runs
// first). A replaced subscription is told so; a new one starts from the
// current state, so a stream that registers just after a broadcast, GOAWAY
// included, still gets it.
func (s *ownedServer) register(sub *subscription) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	addr := sub.st.c.addr
	if old := s.subs[addr]; old != nil {
		if s.hooks.keepsOld(old, sub) {
			return false
		}
		old.replaced, old.st.replacedBy = true, sub.st
		s.remove(old)
		s.poke(old)
	}
	s.subs[addr] = sub
	s.order = append(s.order, sub)
	if s.current.Seq > 0 && s.hooks.catchesUp(sub) {
		sub.latest = s.current
		s.r.posted(sub.st, s.current)
		s.poke(sub)
	}
	return true
}

// unregister removes sub, if it is still the address's subscription.
func (s *ownedServer) unregister(sub *subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.subs[sub.st.c.addr]; cur != nil && s.hooks.isMine(cur, sub) {
		delete(s.subs, sub.st.c.addr)
		s.remove(cur)
	}
}

func (s *ownedServer) remove(sub *subscription) {
	for i, o := range s.order {
		if o == sub {
			s.order = append(s.order[:i], s.order[i+1:]...)
			return
		}
	}
}

// MonitorHealthChan records each code as the current state and posts it to
// every subscription, all under the lock and without blocking.
func (s *ownedServer) MonitorHealthChan(receiver *sim.Chan[Update]) {
	for code := range receiver.Range() {
		s.mu.Lock()
		s.r.listed(code)
		if s.current.Code != GOAWAY {
			s.current = code
		}
		for _, sub := range s.order {
			sub.latest = s.current
			s.r.posted(sub.st, s.current)
			s.poke(sub)
		}
		s.mu.Unlock()
	}
}

// Check registers the stream and sends it the latest state each time it
// changes, until the client goes away or a newer stream from the same
// address replaces this one.
func (s *ownedServer) Check(st *stream) error {
	sub := &subscription{st: st, wake: sim.NewChan[struct{}](s.w, 1).Named("wake " + st.name)}
	if !s.register(sub) {
		return nil // a newer stream from this address is already registered
	}
	s.r.registered(st, nil)
	defer s.unregister(sub)
	sent := 0
	for {
		if s.w.Select(st.ctx.Done().RecvCase(nil, nil), sub.wake.RecvCase(nil, nil)) == 0 {
			return nil
		}
		s.mu.Lock()
		u, replaced := sub.latest, sub.replaced
		s.mu.Unlock()
		if replaced {
			return nil
		}
		if u.Seq > sent {
			if err := st.Send(u); err != nil {
				return err
			}
			sent = u.Seq
		}
	}
}
