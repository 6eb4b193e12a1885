package atomic

import (
	"fmt"

	"github.com/weftsim/weft/sim"
)

// Bool is an atomic boolean, as sync/atomic.Bool: its zero value is false.
// Every operation is a scheduling point and an event in the trace.
type Bool struct{ c cell[bool] }

// NewBool makes a Bool holding false in w.
func NewBool(w *sim.World) *Bool {
	x := &Bool{}
	x.c.init(w, "bool")
	return x
}

// Named sets the name x has in traces and reports, and returns x.
func (x *Bool) Named(name string) *Bool { x.c.obj.SetName(name); return x }

func (x *Bool) String() string { return x.c.obj.String() }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Load atomically loads and returns the value.
func (x *Bool) Load() (v bool) {
	x.c.act(func() (int64, string) { v = x.c.v; return b2i(v), fmt.Sprintf("load -> %v", v) })
	return v
}

// Store atomically stores val.
func (x *Bool) Store(val bool) {
	x.c.act(func() (int64, string) { x.c.v = val; return b2i(val), fmt.Sprintf("store %v", val) })
}

// Swap atomically stores new and returns the previous value.
func (x *Bool) Swap(new bool) (old bool) {
	x.c.act(func() (int64, string) {
		old, x.c.v = x.c.v, new
		return b2i(new), fmt.Sprintf("swap %v -> old %v", new, old)
	})
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x: it stores
// new if the value is old, and says whether it did.
func (x *Bool) CompareAndSwap(old, new bool) (swapped bool) {
	x.c.act(func() (int64, string) {
		if x.c.v != old {
			return b2i(x.c.v), fmt.Sprintf("compare-and-swap %v -> %v: failed, it is %v", old, new, x.c.v)
		}
		x.c.v, swapped = new, true
		return b2i(new), fmt.Sprintf("compare-and-swap %v -> %v", old, new)
	})
	return swapped
}
