// Package cache is a read-through cache in front of a slow store, written
// in plain Go over sync.Locker, with a lost invalidation: the kind of bug a
// sequential state-machine test passes and a parallel one finds.
//
// Cache.Get on a miss reads the store outside the cache's lock and then
// installs what it read. A Put that writes the store and invalidates the
// key between that read and that install is lost: the stale value goes in
// after the invalidation, and every later Get returns it, long after the
// Put returned. One command at a time, as rapid's T.Repeat runs them, never
// interleaves a Put into a Get, so the sequential test passes
// (TestSequential, with real sync.Mutex locks). package parallel runs the
// same commands from two processes in a world, with sim.Mutex locks, finds
// it, and shrinks it to the three commands it takes: a get of a key, a put
// of it from another client, a get (TestParallelFindsTheLostInvalidation).
//
// VersionedCache is the fix: each key has a version that a Put bumps, and
// a Get installs what it read only if the version it saw before reading is
// still the key's.
package cache
