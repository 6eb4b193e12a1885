package cache

import "sync"

// Store is the slow store behind the cache: a map under its own lock.
type Store struct {
	mu sync.Locker
	m  map[string]int
}

// NewStore makes an empty store whose lock newLock makes.
func NewStore(newLock func() sync.Locker) *Store {
	return &Store{mu: newLock(), m: map[string]int{}}
}

// Get reads key: its value and whether it is there.
func (s *Store) Get(key string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

// Put writes key.
func (s *Store) Put(key string, v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = v
}

// entry is what the cache holds for a key: the store's answer, found or
// not (a miss is cached too).
type entry struct {
	v     int
	found bool
}

// Cache is a read-through cache in front of a Store, with a lost
// invalidation (see the package doc).
type Cache struct {
	mu      sync.Locker
	store   *Store
	entries map[string]entry
}

// New makes a cache in front of store, whose lock newLock makes.
func New(store *Store, newLock func() sync.Locker) *Cache {
	return &Cache{mu: newLock(), store: store, entries: map[string]entry{}}
}

// Get returns key's value and whether it is there, from the cache, or from
// the store on a miss.
func (c *Cache) Get(key string) (int, bool) {
	c.mu.Lock()
	e, hit := c.entries[key]
	c.mu.Unlock()
	if hit {
		return e.v, e.found
	}
	v, found := c.store.Get(key) // outside the cache's lock: the store is slow
	c.mu.Lock()
	c.entries[key] = entry{v, found} // BUG: a Put may have invalidated key since the read
	c.mu.Unlock()
	return v, found
}

// Put writes key through to the store, then invalidates the cached entry.
func (c *Cache) Put(key string, v int) {
	c.store.Put(key, v)
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}

// VersionedCache is Cache with the fix: a Get installs what it read only
// if no Put invalidated the key since the Get looked.
type VersionedCache struct {
	mu       sync.Locker
	store    *Store
	entries  map[string]entry
	versions map[string]uint64 // bumped by every invalidation
}

// NewVersioned makes a versioned cache in front of store.
func NewVersioned(store *Store, newLock func() sync.Locker) *VersionedCache {
	return &VersionedCache{mu: newLock(), store: store, entries: map[string]entry{}, versions: map[string]uint64{}}
}

// Get is Cache.Get, installing only if the key's version did not move.
func (c *VersionedCache) Get(key string) (int, bool) {
	c.mu.Lock()
	e, hit := c.entries[key]
	seen := c.versions[key]
	c.mu.Unlock()
	if hit {
		return e.v, e.found
	}
	v, found := c.store.Get(key)
	c.mu.Lock()
	if c.versions[key] == seen {
		c.entries[key] = entry{v, found}
	}
	c.mu.Unlock()
	return v, found
}

// Put writes key through to the store, then invalidates the cached entry
// and bumps its version.
func (c *VersionedCache) Put(key string, v int) {
	c.store.Put(key, v)
	c.mu.Lock()
	delete(c.entries, key)
	c.versions[key]++
	c.mu.Unlock()
}
