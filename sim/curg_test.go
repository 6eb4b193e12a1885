package sim

import (
	"sync"
	"testing"
)

// curG is the same for one goroutine, and differs between live goroutines.
func TestCurG(t *testing.T) {
	me := curG()
	if me == 0 {
		t.Skip("no implementation on this architecture")
	}
	if me != curG() {
		t.Fatal("curG differs within one goroutine")
	}
	const n = 8
	var wg sync.WaitGroup
	gs := make(chan uintptr, n)
	release := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gs <- curG()
			<-release // all alive at once: no record is reused
		}()
	}
	seen := map[uintptr]bool{me: true}
	for range n {
		g := <-gs
		if seen[g] {
			t.Fatalf("two live goroutines share %#x", g)
		}
		seen[g] = true
	}
	close(release)
	wg.Wait()
}

// BenchmarkCurG is the cost of telling the caller's goroutine apart, which
// checkAlive pays at every step.
func BenchmarkCurG(b *testing.B) {
	var x uintptr
	for range b.N {
		x += curG()
	}
	_ = x
}
