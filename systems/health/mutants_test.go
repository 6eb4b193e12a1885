package health

// Testing the tester: the owned design with one safeguard taken out must
// fail, and fail the property that safeguard is for. Each mutant is the
// owned server with its Check, register or unregister rewritten; the
// monitor is owned's own.

import (
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
)

type mutant struct {
	*ownedServer
	noCurrent       bool // a new subscription does not start from the current state
	noOrder         bool // a late registration of an older stream replaces a newer one
	blindUnregister bool // unregister deletes the address's entry even when it is another stream's
}

func (m *mutant) register(sub *subscription) bool {
	s := m.ownedServer
	s.mu.Lock()
	defer s.mu.Unlock()
	addr := sub.st.c.addr
	if old := s.subs[addr]; old != nil {
		if old.st.id > sub.st.id && !m.noOrder {
			return false
		}
		old.replaced, old.st.replacedBy = true, sub.st
		s.remove(old)
		s.poke(old)
	}
	s.subs[addr] = sub
	s.order = append(s.order, sub)
	if s.current.Seq > 0 && !m.noCurrent {
		sub.latest = s.current
		s.r.posted(sub.st, s.current)
		s.poke(sub)
	}
	return true
}

func (m *mutant) unregister(sub *subscription) {
	s := m.ownedServer
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.subs[sub.st.c.addr]; cur == sub || (m.blindUnregister && cur != nil) {
		delete(s.subs, sub.st.c.addr)
		s.remove(cur)
	}
}

// Check is ownedServer.Check, calling the mutant's register and unregister.
func (m *mutant) Check(st *stream) error {
	s := m.ownedServer
	sub := &subscription{st: st, wake: sim.NewChan[struct{}](s.w, 1).Named("wake " + st.name)}
	if !m.register(sub) {
		return nil
	}
	s.r.registered(st, nil)
	defer m.unregister(sub)
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

func TestMutantsOfOwnedFail(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    mutant
		want []Property // the failure must be one of these
	}{
		{"no current state for a new subscription", mutant{noCurrent: true}, []Property{GoawayDelivery, Reregistration}},
		{"no stream order", mutant{noOrder: true}, []Property{GoawayDelivery, Reregistration}},
		{"blind unregister", mutant{blindUnregister: true}, []Property{GoawayDelivery, Reregistration}},
		{"none (owned itself)", mutant{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mk := func(r *run) server {
				m := tc.m
				m.ownedServer = newOwned(r).(*ownedServer)
				return &m
			}
			rep := weft.Explore(weft.Options{Runs: 20_000, Seed: 1, ShrinkRuns: 200}, scenarioOf(mk, allProps))
			if tc.want == nil {
				if rep.Failure != nil {
					t.Fatalf("the faithful copy of owned fails:\n%v", rep.Failure)
				}
				return
			}
			if rep.Failure == nil {
				t.Fatalf("not caught in %d runs", rep.Runs)
			}
			p, ok := propertyOf(rep.Failure.Shrunk.Failure)
			caught := false
			for _, w := range tc.want {
				caught = caught || (ok && p == w)
			}
			if !caught {
				t.Fatalf("caught, but not by %v:\n%v", tc.want, rep.Failure.Shrunk.Failure)
			}
			t.Logf("caught at run %d: %v", rep.Runs, rep.Failure.Shrunk.Failure.Value)
		})
	}
}
