package atomic

import (
	"fmt"

	"github.com/weftsim/weft/sim"
)

// cell is what every atomic type is made of: a value, the object that
// names it in traces and reports, and its world's kernel. Each operation
// is Point, then the operation, whole, then one Event.
type cell[T any] struct {
	obj sim.Object
	k   *sim.Kernel
	v   T
}

func (c *cell[T]) init(w *sim.World, kind string) {
	c.k = w.Kernel()
	c.k.Register(&c.obj, kind, 2) // the site is the caller of New*
}

// act takes the scheduling point, runs op and records what it did. arg is
// the event's number (the value, for integers), detail what the timeline
// shows after the object's name.
func (c *cell[T]) act(op func() (arg int64, detail string)) {
	if c.k == nil {
		panic("sim/atomic: this value has no world: make it with its constructor (atomic.NewInt64(w), atomic.NewBool(w), ...); a zero value is not usable")
	}
	c.k.Point()
	arg, detail := op()
	c.k.Event(sim.EventNote, &c.obj, arg, func() string { return c.obj.String() + " " + detail })
}

// integer is the integer types sync/atomic has an And and an Or for.
type integer interface{ ~int32 | ~int64 | ~uint64 }

// ints holds the operations the integer types share.
type ints[T integer] struct{ cell[T] }

func (x *ints[T]) load() (v T) {
	x.act(func() (int64, string) { v = x.v; return int64(v), fmt.Sprintf("load -> %d", v) })
	return v
}

func (x *ints[T]) store(v T) {
	x.act(func() (int64, string) { x.v = v; return int64(v), fmt.Sprintf("store %d", v) })
}

func (x *ints[T]) swap(v T) (old T) {
	x.act(func() (int64, string) {
		old, x.v = x.v, v
		return int64(v), fmt.Sprintf("swap %d -> old %d", v, old)
	})
	return old
}

func (x *ints[T]) compareAndSwap(old, new T) (swapped bool) {
	x.act(func() (int64, string) {
		if x.v != old {
			return int64(x.v), fmt.Sprintf("compare-and-swap %d -> %d: failed, it is %d", old, new, x.v)
		}
		x.v, swapped = new, true
		return int64(new), fmt.Sprintf("compare-and-swap %d -> %d", old, new)
	})
	return swapped
}

func (x *ints[T]) add(delta T) (new T) {
	x.act(func() (int64, string) {
		x.v += delta
		new = x.v
		return int64(new), fmt.Sprintf("add %d -> %d", delta, new)
	})
	return new
}

func (x *ints[T]) and(mask T) (old T) {
	x.act(func() (int64, string) {
		old = x.v
		x.v &= mask
		return int64(x.v), fmt.Sprintf("and %#x -> %#x (old %#x)", mask, x.v, old)
	})
	return old
}

func (x *ints[T]) or(mask T) (old T) {
	x.act(func() (int64, string) {
		old = x.v
		x.v |= mask
		return int64(x.v), fmt.Sprintf("or %#x -> %#x (old %#x)", mask, x.v, old)
	})
	return old
}
