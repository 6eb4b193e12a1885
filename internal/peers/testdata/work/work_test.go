package work

import "testing"

// The tests run each workload once and check it: internal/peers runs them
// under weft (rewritten: go test -overlay $(weft overlay ./work)), one world
// per seed, and under gosim (gosim test -seeds), one simulation per seed.

func TestEmpty(t *testing.T) {
	Empty()
}

func TestRing(t *testing.T) {
	if got := Ring(); got != RingPasses {
		t.Errorf("the token counted %d passes, want %d", got, RingPasses)
	}
}

// TestEtcd6857 runs the kernel; under weft a goroutine still blocked when
// the test returns fails the run (a leak), so the test needs no check.
func TestEtcd6857(t *testing.T) {
	Etcd6857()
}

func TestAdds(t *testing.T) {
	if got := Adds(); got != AddClients {
		t.Errorf("lost update: %d clients added one each, the key holds %d", AddClients, got)
	}
}
