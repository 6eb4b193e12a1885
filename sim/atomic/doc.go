// Package atomic gives a sim world the atomic types of sync/atomic, Int32,
// Int64, Uint64, Bool, Pointer and Value, with Go's semantics, and with
// every operation a scheduling point and an event in the trace.
//
// With sync/atomic, code between two of a world's scheduling points runs as
// one step: a check-then-act on an atomic flag (Load, then Store) can never
// be split, and its race is never seen. With these types, another process
// may run between the Load and the Store, as another goroutine may on real
// hardware, so the race shows and shrinks like any other; CompareAndSwap,
// one operation, stays whole.
//
// Each type is made in a world (NewInt64(w), ...) and, as sim's own
// primitives, only used from that world's processes. Unlike sync/atomic's,
// a zero value has no world and panics, saying so, at its first use. It is built only on
// sim's Kernel, as any library of primitives can be.
//
// # Usage
//
//	ready := atomic.NewBool(w).Named("initialized")
//	if !ready.Load() { // another process may Load false here too
//		ready.Store(true)
//		setUp()
//	}
//	// the fix: if ready.CompareAndSwap(false, true) { setUp() }
//
// # Index
//
// Integers: [Int32], [Int64], [Uint64], each with Load, Store, Swap,
// CompareAndSwap, Add, And and Or. Flags: [Bool]. References: [Pointer],
// [Value] (with sync/atomic.Value's panics on nil and on a value of another
// type).
package atomic
