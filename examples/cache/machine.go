package cache

import (
	"fmt"
	"sync"

	"pgregory.net/rapid"

	"github.com/weftsim/weft/parallel"
	"github.com/weftsim/weft/sim"
)

// Keys are the keys the state machine uses: few, so commands meet.
var Keys = []string{"a", "b"}

// Model is the sequential specification of a cache (any cache: it is a
// map): each key's value, 0 for absent (values put are 1 to 9).
type Model [2]int

func (m Model) String() string {
	s := ""
	for i, k := range Keys {
		if i > 0 {
			s += " "
		}
		if m[i] == 0 {
			s += k + "=(absent)"
		} else {
			s += fmt.Sprintf("%s=%d", k, m[i])
		}
	}
	return s
}

// Got is what a get returns.
type Got struct {
	V     int
	Found bool
}

func (g Got) String() string {
	if !g.Found {
		return "(absent)"
	}
	return fmt.Sprint(g.V)
}

// PutInput is a put's input.
type PutInput struct {
	Key string
	V   int
}

func (p PutInput) String() string { return fmt.Sprintf("%s, %d", p.Key, p.V) }

func keyIndex(k string) int {
	for i, key := range Keys {
		if key == k {
			return i
		}
	}
	panic("cache: unknown key " + k)
}

// getPut is what both caches offer.
type getPut interface {
	Get(key string) (int, bool)
	Put(key string, v int)
}

// Machine is the state machine of a cache made by newCache with locks that
// newLock makes: get and put on Keys, against Model.
func Machine[C getPut](name string, newCache func(store *Store, newLock func() sync.Locker) C) parallel.Machine[Model, C] {
	return parallel.Machine[Model, C]{
		Name: name,
		Init: func() Model { return Model{} },
		New: func(w *sim.World) C {
			newLock := func() sync.Locker { return sim.NewMutex(w) }
			return newCache(NewStore(newLock), newLock)
		},
		Commands: []parallel.Command[Model, C]{
			{
				Name:  "get",
				Input: func(t *rapid.T) any { return rapid.SampledFrom(Keys).Draw(t, "key") },
				Run: func(_ *sim.World, c C, in any) any {
					v, found := c.Get(in.(string))
					return Got{v, found}
				},
				Model: func(s Model, in any) (Model, any) {
					v := s[keyIndex(in.(string))]
					return s, Got{v, v != 0}
				},
			},
			{
				Name: "put",
				Input: func(t *rapid.T) any {
					return PutInput{rapid.SampledFrom(Keys).Draw(t, "key"), rapid.IntRange(1, 9).Draw(t, "value")}
				},
				Run: func(_ *sim.World, c C, in any) any {
					p := in.(PutInput)
					c.Put(p.Key, p.V)
					return nil
				},
				Model: func(s Model, in any) (Model, any) {
					p := in.(PutInput)
					s[keyIndex(p.Key)] = p.V
					return s, nil
				},
			},
		},
		Describe: Model.String,
	}
}

// Buggy and Fixed are the state machines of Cache and VersionedCache.
var (
	Buggy = Machine("the cache", New)
	Fixed = Machine("the versioned cache", NewVersioned)
)
