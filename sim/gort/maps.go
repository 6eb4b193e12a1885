package gort

import (
	"cmp"
	"fmt"
	"iter"
	"reflect"
	"slices"
)

// Range is for k, v := range m over a map, in an order that is a function of
// the keys and of one Random decision (where to start, as Go's own random
// start), instead of Go's random order. Keys are ordered by value when they
// are numbers, strings or booleans, else by their printed form: keys that
// print as addresses (pointers, channels) order by address, which differs
// from run to run, and the determinism check names such a run. As in Go, an
// entry deleted before it is reached is not produced, and an entry added
// during the loop is not either.
func Range[M ~map[K]V, K comparable, V any](m M) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		keys := make([]K, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareKeys[K])
		start := 0
		if w := inWorld(); w != nil && len(keys) > 1 {
			start = w.Intn(len(keys))
		}
		for i := range keys {
			k := keys[(start+i)%len(keys)]
			v, ok := m[k]
			if !ok {
				continue
			}
			if !yield(k, v) {
				return
			}
		}
	}
}

func compareKeys[K comparable](a, b K) int {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Kind() == vb.Kind() {
		switch va.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return cmp.Compare(va.Int(), vb.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return cmp.Compare(va.Uint(), vb.Uint())
		case reflect.Float32, reflect.Float64:
			return cmp.Compare(va.Float(), vb.Float())
		case reflect.String:
			return cmp.Compare(va.String(), vb.String())
		case reflect.Bool:
			return cmp.Compare(fmt.Sprint(va.Bool()), fmt.Sprint(vb.Bool()))
		}
	}
	return cmp.Compare(fmt.Sprintf("%T %#v", a, a), fmt.Sprintf("%T %#v", b, b))
}
