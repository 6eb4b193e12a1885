package acceptor

// Tests of the claims the verdict table cannot show in one line: the
// fast-packet-loss write-up's, active mode by active mode; why P4 and P6
// need two of the review's fixes each; and determinism.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// seeds is how many seeds the tests below run per case.
func seeds() uint64 {
	if testing.Short() {
		return 100
	}
	return 400
}

// runP runs seed of v judging only p, with the listener's active mode
// fixed when mode is not nil, and returns the result and the run.
func runP(v Variant, p Property, mode *net.ActiveMode, seed uint64) (*sim.Result, *run) {
	var seen *run
	cfg := sim.Config{Seed: seed, DiscardLog: true}
	Configure(&cfg)
	res := sim.Run(cfg, scenario(v, setOf([]Property{p}), probes{mode: mode, ended: func(r *run) { seen = r }}))
	return res, seen
}

// TestListenerModes checks the fast-packet-loss write-up on a BEAM whose
// controlling_process forwards the socket's queued messages to the new owner
// (inet:tcp_sync_input, which sim/net does). The 2008 post's race (bytes
// delivered to the acceptor before the handler takes the socket over) does
// happen with the handoff, and loses nothing: the bytes are forwarded. Its
// claim holds, as a certainty rather than a race, for the patterns that
// never make the handler the owner (the idiomatic listener, ScUtil 98's
// shunt), in active once and true, and not in active false, where the
// handler reads with recv (Steve Vinoski's test: "It will work for the
// first case (the {active, false} case) only").
func TestListenerModes(t *testing.T) {
	for _, v := range []Variant{Reviewed, ReviewedIdiomatic, ReviewedShunt98, ReviewedShunt, ReviewedAcceptPool} {
		for _, mode := range modes {
			t.Run(fmt.Sprintf("%v/active=%v", v, mode), func(t *testing.T) {
				wantFail := !v.pat.transfers() && mode != net.ActiveFalse
				forwarded := 0
				for seed := uint64(1); seed <= seeds(); seed++ {
					res, r := runP(v, NoLostBytes, &mode, seed)
					if res.Failure != nil {
						msg := fmt.Sprint(res.Failure.Value)
						if !wantFail {
							t.Fatalf("seed %d: %v", seed, res.Failure)
						}
						if want := fmt.Sprintf("{active, %v}", mode); !strings.HasPrefix(msg, NoLostBytes.String()+": ") || !strings.Contains(msg, want) {
							t.Fatalf("seed %d: the failure is not P1's with %s: %s", seed, want, msg)
						}
						t.Logf("fails at seed %d: %s", seed, msg)
						return
					}
					for _, sc := range r.sconns {
						forwarded += sc.early
					}
				}
				if wantFail {
					t.Fatalf("no loss in %d seeds: the write-up says %v loses bytes with {active, %v}", seeds(), v.pat, mode)
				}
				if v.pat == Handoff && mode != net.ActiveFalse {
					if forwarded == 0 {
						t.Fatalf("in %d seeds no byte reached the acceptor before controlling_process: the post's race never happened, so passing shows nothing", seeds())
					}
					t.Logf("the post's race happened: %d messages reached the acceptor before controlling_process, and controlling_process forwarded every one to the handler", forwarded)
				}
			})
		}
	}
}

// TestTwoFixesEach checks why the single fixes of items 3, 4, 7 and 8 do
// not turn their property green alone, as the issue expected: P4 fails by
// an orphaned WebSocket process (item 3) or an unlinked loop (item 4), and
// P6 by the atom table (item 7) or too many connections (item 8). The
// verdict table shows each single fix still failing by the other item's
// story; here, the fixes together pass. P6 also needs item 4: the limit is
// gen_tcp_server's count, which a crashed server's unlinked loops escape
// (and the badkey of item 5 crashes it often).
func TestTwoFixesEach(t *testing.T) {
	for _, c := range []struct {
		v    Variant
		p    Property
		fail string // what the failure must say; "": it passes
	}{
		{Variant{name: "fix-ws+link", fixes: FixWebSocket | FixLink}, NoOrphans, ""},
		{Variant{name: "fix-atoms+limit", fixes: FixAtoms | FixLimit}, BoundedAtomsConns, "spawned unlinked (the review's item 4)"},
		{Variant{name: "fix-atoms+limit+link", fixes: FixAtoms | FixLimit | FixLink}, BoundedAtomsConns, ""},
	} {
		t.Run(c.v.name, func(t *testing.T) {
			n := 4 * seeds()
			if c.fail != "" {
				n = 1000 // its first failure is seed 676: a server killed, its loops left with their sockets
			}
			for seed := uint64(1); seed <= n; seed++ {
				res, _ := runP(c.v, c.p, nil, seed)
				if res.Failure == nil {
					continue
				}
				if msg := fmt.Sprint(res.Failure.Value); c.fail == "" || !strings.Contains(msg, c.fail) {
					t.Fatalf("seed %d: %v", seed, res.Failure)
				}
				t.Logf("fails at seed %d, as expected: %v", seed, res.Failure.Value)
				return
			}
			if c.fail != "" {
				t.Fatalf("passed %d seeds; want a failure that says %q", n, c.fail)
			}
		})
	}
}

// TestDeterminism: the same seed gives the same run, trace hash and
// failure, for every variant.
func TestDeterminism(t *testing.T) {
	for _, v := range Variants() {
		for seed := uint64(1); seed <= 5; seed++ {
			cfg := sim.Config{Seed: seed, DiscardLog: true}
			Configure(&cfg)
			first := sim.Run(cfg, Scenario(v))
			again := sim.Run(cfg, Scenario(v))
			if first.Hash != again.Hash || fmt.Sprint(first.Failure) != fmt.Sprint(again.Failure) {
				t.Errorf("%v seed %d: hashes %016x and %016x, failures %v and %v", v, seed, first.Hash, again.Hash, first.Failure, again.Failure)
			}
		}
	}
}
