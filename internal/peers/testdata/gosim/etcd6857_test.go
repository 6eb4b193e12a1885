package work

import (
	"runtime"
	"testing"
	"time"
)

// A gosim run ends when its test returns, goroutines still blocked or not,
// so TestEtcd6857 looks for the leak itself: it lets the simulated clock run
// a second and counts goroutines (gosim's are real ones).
func TestEtcd6857(t *testing.T) {
	before := runtime.NumGoroutine()
	Etcd6857()
	time.Sleep(time.Second)
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines still running a second after the kernel returned", n-before)
	}
}
