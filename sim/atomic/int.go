package atomic

import "github.com/weftsim/weft/sim"

// Int32 is an atomic int32, as sync/atomic.Int32: its zero value is 0. Every
// operation is a scheduling point and an event in the trace.
type Int32 struct{ i ints[int32] }

// NewInt32 makes a Int32 holding 0 in w.
func NewInt32(w *sim.World) *Int32 {
	x := &Int32{}
	x.i.init(w, "int32")
	return x
}

// Named sets the name x has in traces and reports, and returns x.
func (x *Int32) Named(name string) *Int32 { x.i.obj.SetName(name); return x }

func (x *Int32) String() string { return x.i.obj.String() }

// Load atomically loads and returns the value.
func (x *Int32) Load() int32 { return x.i.load() }

// Store atomically stores val.
func (x *Int32) Store(val int32) { x.i.store(val) }

// Swap atomically stores new and returns the previous value.
func (x *Int32) Swap(new int32) (old int32) { return x.i.swap(new) }

// CompareAndSwap executes the compare-and-swap operation for x: it stores
// new if the value is old, and says whether it did.
func (x *Int32) CompareAndSwap(old, new int32) (swapped bool) { return x.i.compareAndSwap(old, new) }

// Add atomically adds delta and returns the new value.
func (x *Int32) Add(delta int32) (new int32) { return x.i.add(delta) }

// And atomically performs a bitwise AND with mask and returns the old
// value.
func (x *Int32) And(mask int32) (old int32) { return x.i.and(mask) }

// Or atomically performs a bitwise OR with mask and returns the old value.
func (x *Int32) Or(mask int32) (old int32) { return x.i.or(mask) }

// Int64 is an atomic int64, as sync/atomic.Int64: its zero value is 0. Every
// operation is a scheduling point and an event in the trace.
type Int64 struct{ i ints[int64] }

// NewInt64 makes a Int64 holding 0 in w.
func NewInt64(w *sim.World) *Int64 {
	x := &Int64{}
	x.i.init(w, "int64")
	return x
}

// Named sets the name x has in traces and reports, and returns x.
func (x *Int64) Named(name string) *Int64 { x.i.obj.SetName(name); return x }

func (x *Int64) String() string { return x.i.obj.String() }

// Load atomically loads and returns the value.
func (x *Int64) Load() int64 { return x.i.load() }

// Store atomically stores val.
func (x *Int64) Store(val int64) { x.i.store(val) }

// Swap atomically stores new and returns the previous value.
func (x *Int64) Swap(new int64) (old int64) { return x.i.swap(new) }

// CompareAndSwap executes the compare-and-swap operation for x: it stores
// new if the value is old, and says whether it did.
func (x *Int64) CompareAndSwap(old, new int64) (swapped bool) { return x.i.compareAndSwap(old, new) }

// Add atomically adds delta and returns the new value.
func (x *Int64) Add(delta int64) (new int64) { return x.i.add(delta) }

// And atomically performs a bitwise AND with mask and returns the old
// value.
func (x *Int64) And(mask int64) (old int64) { return x.i.and(mask) }

// Or atomically performs a bitwise OR with mask and returns the old value.
func (x *Int64) Or(mask int64) (old int64) { return x.i.or(mask) }

// Uint64 is an atomic uint64, as sync/atomic.Uint64: its zero value is 0. Every
// operation is a scheduling point and an event in the trace.
type Uint64 struct{ i ints[uint64] }

// NewUint64 makes a Uint64 holding 0 in w.
func NewUint64(w *sim.World) *Uint64 {
	x := &Uint64{}
	x.i.init(w, "uint64")
	return x
}

// Named sets the name x has in traces and reports, and returns x.
func (x *Uint64) Named(name string) *Uint64 { x.i.obj.SetName(name); return x }

func (x *Uint64) String() string { return x.i.obj.String() }

// Load atomically loads and returns the value.
func (x *Uint64) Load() uint64 { return x.i.load() }

// Store atomically stores val.
func (x *Uint64) Store(val uint64) { x.i.store(val) }

// Swap atomically stores new and returns the previous value.
func (x *Uint64) Swap(new uint64) (old uint64) { return x.i.swap(new) }

// CompareAndSwap executes the compare-and-swap operation for x: it stores
// new if the value is old, and says whether it did.
func (x *Uint64) CompareAndSwap(old, new uint64) (swapped bool) { return x.i.compareAndSwap(old, new) }

// Add atomically adds delta and returns the new value.
func (x *Uint64) Add(delta uint64) (new uint64) { return x.i.add(delta) }

// And atomically performs a bitwise AND with mask and returns the old
// value.
func (x *Uint64) And(mask uint64) (old uint64) { return x.i.and(mask) }

// Or atomically performs a bitwise OR with mask and returns the old value.
func (x *Uint64) Or(mask uint64) (old uint64) { return x.i.or(mask) }
