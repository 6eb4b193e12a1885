package longpoll

import (
	"testing"

	"github.com/weftsim/weft/sim"
)

// TestRestartFaultsDoNotBreakTheServer runs the sequenced design with
// restarts only, at a rate that strikes nearly every request. The server
// must restart once per crash: when a crash was a process of its own, two
// requests could meet a restart before the server had crashed, and booting
// it twice left it up in an incarnation no acceptor served, and the client
// resent its push thousands of times (seed 200 under pct:3 sent e1 7,886
// times). Now the request halts the server's node at once, ending every
// other request on it, and its heart restarts it once.
func TestRestartFaultsDoNotBreakTheServer(t *testing.T) {
	for _, c := range []struct {
		seed uint64
		spec string
	}{{100, "pos"}, {128, "pct:3"}, {200, "pct:3"}, {260, "pct:3"}} {
		cfg := sim.Config{Seed: c.seed, Spec: c.spec}
		cfg.Faults = cfg.Faults.With(FaultRestart, 0.5)
		if r := sim.Run(cfg, Scenario(Sequenced, ExactlyOnce)); r.Failure != nil {
			t.Errorf("seed %d, %s, restarts at rate 0.5: %v", c.seed, c.spec, r.Failure)
		}
	}
}

// TestSequencedUnderPOS is the portfolio's first failure of the sequenced
// design's P3: seed 9 of pos+fair:2000, whose faults fired at one site in
// two while POS ignored their rate, so the page never finished before the
// run's deadline.
func TestSequencedUnderPOS(t *testing.T) {
	cfg := configOf(faulty, 9)
	cfg.Spec = "pos+fair:2000"
	if r := sim.Run(cfg, Scenario(Sequenced, faulty...)); r.Failure != nil {
		t.Errorf("seed 9, pos+fair:2000: %v", r.Failure)
	}
}
