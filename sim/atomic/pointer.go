package atomic

import (
	"fmt"

	"github.com/weftsim/weft/sim"
)

// Pointer is an atomic pointer of type *T, as sync/atomic.Pointer: its
// zero value is nil. Every operation is a scheduling point and an event in
// the trace. Traces name the pointers it held by the order it first saw
// them (#1, #2, ...), never by address, which differs from run to run.
type Pointer[T any] struct {
	c    cell[*T]
	seen map[*T]int64 // looked up, never iterated
}

// NewPointer makes a Pointer holding nil in w.
func NewPointer[T any](w *sim.World) *Pointer[T] {
	x := &Pointer[T]{seen: map[*T]int64{}}
	x.c.init(w, "pointer")
	return x
}

// Named sets the name x has in traces and reports, and returns x.
func (x *Pointer[T]) Named(name string) *Pointer[T] { x.c.obj.SetName(name); return x }

func (x *Pointer[T]) String() string { return x.c.obj.String() }

// ref is how a trace names p: nil, or #k for the k-th pointer seen.
func (x *Pointer[T]) ref(p *T) (int64, string) {
	if p == nil {
		return 0, "nil"
	}
	k, ok := x.seen[p]
	if !ok {
		k = int64(len(x.seen) + 1)
		x.seen[p] = k
	}
	return k, fmt.Sprintf("#%d", k)
}

// Load atomically loads and returns the pointer.
func (x *Pointer[T]) Load() (p *T) {
	x.c.act(func() (int64, string) {
		p = x.c.v
		k, s := x.ref(p)
		return k, "load -> " + s
	})
	return p
}

// Store atomically stores val.
func (x *Pointer[T]) Store(val *T) {
	x.c.act(func() (int64, string) {
		x.c.v = val
		k, s := x.ref(val)
		return k, "store " + s
	})
}

// Swap atomically stores new and returns the previous pointer.
func (x *Pointer[T]) Swap(new *T) (old *T) {
	x.c.act(func() (int64, string) {
		old, x.c.v = x.c.v, new
		k, s := x.ref(new)
		_, o := x.ref(old)
		return k, fmt.Sprintf("swap %s -> old %s", s, o)
	})
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x: it stores
// new if the pointer is old, and says whether it did.
func (x *Pointer[T]) CompareAndSwap(old, new *T) (swapped bool) {
	x.c.act(func() (int64, string) {
		_, o := x.ref(old)
		k, n := x.ref(new)
		if x.c.v != old {
			cur, c := x.ref(x.c.v)
			return cur, fmt.Sprintf("compare-and-swap %s -> %s: failed, it is %s", o, n, c)
		}
		x.c.v, swapped = new, true
		return k, fmt.Sprintf("compare-and-swap %s -> %s", o, n)
	})
	return swapped
}
