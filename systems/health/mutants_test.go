package health

// Testing the tester: the owned design with one safeguard taken out must
// fail, and fail the property that safeguard is for. Each mutant is the
// owned server with one of its hooks (ownedHooks) answering the way the
// safeguard's absence would; the rest of the design is the design itself.

import (
	"testing"

	"github.com/weftsim/weft"
)

func TestMutantsOfOwnedFail(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hooks ownedHooks
		want  []Property // the failure must be one of these
	}{
		{"no current state for a new subscription", ownedHooks{catchUp: func(*subscription) bool { return false }}, []Property{GoawayDelivery, Reregistration}},
		{"no stream order", ownedHooks{keepOld: func(_, _ *subscription) bool { return false }}, []Property{GoawayDelivery, Reregistration}},
		{"blind unregister", ownedHooks{mine: func(_, _ *subscription) bool { return true }}, []Property{GoawayDelivery, Reregistration}},
		{"none (owned itself)", ownedHooks{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mk := func(r *run) server {
				s := newOwned(r).(*ownedServer)
				s.hooks = tc.hooks
				return s
			}
			rep := weft.Explore(weft.Options{Runs: 20_000, Seed: 1, ShrinkRuns: 200}, scenarioOf(mk, setOf(nil)))
			if tc.want == nil {
				if rep.Failure != nil {
					t.Fatalf("owned with its own hooks fails:\n%v", rep.Failure)
				}
				return
			}
			if rep.Failure == nil {
				t.Fatalf("not caught in %d runs", rep.Runs)
			}
			p, ok := Violated(rep.Failure.Shrunk.Failure)
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
