package atomic

import (
	"fmt"
	"reflect"

	"github.com/weftsim/weft/sim"
)

// Value holds a value of one dynamic type at a time, atomically, as
// sync/atomic.Value: it is nil until the first Store, and every later Store,
// Swap or CompareAndSwap must give a value of the same concrete type. It
// panics as sync/atomic.Value does, with its messages: on a nil value, on a
// value of another type, and (CompareAndSwap) on an old value that is not
// comparable. Every operation is a scheduling point and an event in the
// trace.
type Value struct {
	c    cell[any]
	seen map[any]int64 // looked up, never iterated: how traces name values with no stable text
}

// NewValue makes an empty Value in w.
func NewValue(w *sim.World) *Value {
	x := &Value{seen: map[any]int64{}}
	x.c.init(w, "value")
	return x
}

// Named sets the name x has in traces and reports, and returns x.
func (x *Value) Named(name string) *Value { x.c.obj.SetName(name); return x }

func (x *Value) String() string { return x.c.obj.String() }

// text is how a trace shows v: its value when that prints the same in
// every run (numbers, strings, booleans), else its type and the order in
// which the Value first saw it, since a pointer's text is its address.
func (x *Value) text(v any) string {
	if v == nil {
		return "nil"
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return fmt.Sprintf("%#v", v)
	}
	if !reflect.TypeOf(v).Comparable() {
		return fmt.Sprintf("a %T", v)
	}
	k, ok := x.seen[v]
	if !ok {
		k = int64(len(x.seen) + 1)
		x.seen[v] = k
	}
	return fmt.Sprintf("%T #%d", v, k)
}

// Load returns the value set by the most recent Store, or nil if there has
// been none.
func (x *Value) Load() (val any) {
	x.c.act(func() (int64, string) { val = x.c.v; return 0, "load -> " + x.text(val) })
	return val
}

// Store sets the value to val. It panics if val is nil or of another type
// than the values stored before.
func (x *Value) Store(val any) {
	if val == nil {
		panic("sync/atomic: store of nil value into Value")
	}
	x.c.act(func() (int64, string) {
		if x.c.v != nil && reflect.TypeOf(val) != reflect.TypeOf(x.c.v) {
			panic("sync/atomic: store of inconsistently typed value into Value")
		}
		x.c.v = val
		return 0, "store " + x.text(val)
	})
}

// Swap stores new and returns the previous value, nil if there was none.
// It panics if new is nil or of another type than the values stored before.
func (x *Value) Swap(new any) (old any) {
	if new == nil {
		panic("sync/atomic: swap of nil value into Value")
	}
	x.c.act(func() (int64, string) {
		if x.c.v != nil && reflect.TypeOf(new) != reflect.TypeOf(x.c.v) {
			panic("sync/atomic: swap of inconsistently typed value into Value")
		}
		old, x.c.v = x.c.v, new
		return 0, fmt.Sprintf("swap %s -> old %s", x.text(new), x.text(old))
	})
	return old
}

// CompareAndSwap stores new if the value is old, and says whether it did.
// It panics if new is nil, if old and new differ in type, if new's type is
// not the type stored before, or if old is of a type that is not
// comparable.
func (x *Value) CompareAndSwap(old, new any) (swapped bool) {
	if new == nil {
		panic("sync/atomic: compare and swap of nil value into Value")
	}
	if old != nil && reflect.TypeOf(old) != reflect.TypeOf(new) {
		panic("sync/atomic: compare and swap of inconsistently typed values")
	}
	x.c.act(func() (int64, string) {
		if x.c.v == nil {
			if old != nil {
				return 0, fmt.Sprintf("compare-and-swap %s -> %s: failed, it is empty", x.text(old), x.text(new))
			}
		} else {
			if reflect.TypeOf(new) != reflect.TypeOf(x.c.v) {
				panic("sync/atomic: compare and swap of inconsistently typed value into Value")
			}
			if x.c.v != old { // panics as Go's does when the type is not comparable
				return 0, fmt.Sprintf("compare-and-swap %s -> %s: failed, it is %s", x.text(old), x.text(new), x.text(x.c.v))
			}
		}
		x.c.v, swapped = new, true
		return 0, fmt.Sprintf("compare-and-swap %s -> %s", x.text(old), x.text(new))
	})
	return swapped
}
