package health

import "github.com/weftsim/weft/sim"

// concurrentMap is arke's util.ConcurrentMap as the health service uses it:
// a string-keyed map behind a read/write lock, each call atomic on its own.
// Listing the keys and then fetching each one is two calls, and nothing
// holds across them.
//
// Go's map iteration order is random, so GetList returns the keys in an
// order drawn from the world (one Random decision, shrinking toward the
// order of insertion); the map itself is only ever looked up, never ranged
// over, so the run stays a function of its decisions.
type concurrentMap struct {
	r    *run // told when Add replaces an open notifier, and what Delete removes
	w    *sim.World
	mu   *sim.RWMutex
	m    map[string]*notifier
	keys []string // the keys of m, in insertion order
}

func newConcurrentMap(r *run, name string) *concurrentMap {
	return &concurrentMap{r: r, w: r.w, mu: sim.NewRWMutex(r.w).Named(name), m: make(map[string]*notifier)}
}

// Get returns the value stored under k.
func (m *concurrentMap) Get(k string) (*notifier, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, ok := m.m[k]
	return n, ok
}

// Add stores n under k, replacing any value there.
func (m *concurrentMap) Add(k string, n *notifier) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.m[k]; !ok {
		m.keys = append(m.keys, k)
	} else if old != n {
		m.r.replaced(old, n)
	}
	m.m[k] = n
}

// Delete removes k, whatever is stored under it.
func (m *concurrentMap) Delete(k string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.m[k]
	if !ok {
		return
	}
	m.r.deleted(n)
	delete(m.m, k)
	for i, key := range m.keys {
		if key == k {
			m.keys = append(m.keys[:i], m.keys[i+1:]...)
			break
		}
	}
}

// GetList returns the keys, in the order a Go map would happen to list them.
func (m *concurrentMap) GetList() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, len(m.keys))
	permute(m.w, out, m.keys)
	return out
}

// permute copies src into dst in an order drawn with one decision: the
// choice is a permutation's rank (Lehmer code), so 0 is src's own order.
// Beyond 8 keys (never, in these scenarios) it draws a Fisher-Yates shuffle.
func permute(w *sim.World, dst, src []string) {
	n := len(src)
	copy(dst, src)
	if n < 2 {
		return
	}
	if n > 8 {
		for i := n - 1; i > 0; i-- {
			j := w.Intn(i + 1)
			dst[i], dst[j] = dst[j], dst[i]
		}
		return
	}
	fact := 1
	for i := 2; i <= n; i++ {
		fact *= i
	}
	rank := w.Intn(fact)
	// Decode the rank: digit i (base n-i) picks among the keys not yet placed.
	for i := 0; i < n; i++ {
		fact /= n - i
		j := i + rank/fact
		rank %= fact
		v := dst[j]
		copy(dst[i+1:j+1], dst[i:j])
		dst[i] = v
	}
}
