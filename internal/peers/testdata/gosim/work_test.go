package work

import (
	"runtime"
	"testing"
	"time"
)

// The tests gosim runs, in place of work_test.go: each workload once, and
// checked. A gosim run ends when its test returns, goroutines still blocked
// or not, so TestEtcd6857 looks for the leak itself: it lets the simulated
// clock run a second and counts goroutines (gosim's are real ones).

func TestEmpty(t *testing.T) {
	Empty()
}

func TestRing(t *testing.T) {
	if got := Ring(); got != RingPasses {
		t.Errorf("the token counted %d passes, want %d", got, RingPasses)
	}
}

func TestEtcd6857(t *testing.T) {
	before := runtime.NumGoroutine()
	Etcd6857()
	time.Sleep(time.Second)
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines still running a second after the kernel returned", n-before)
	}
}

func TestAdds(t *testing.T) {
	if got := Adds(); got != AddClients {
		t.Errorf("lost update: %d clients added one each, the key holds %d", AddClients, got)
	}
}
