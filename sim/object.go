package sim

import (
	"fmt"
	"runtime"
)

// object is the identity every simulated primitive carries: a small id given
// out in creation order (stable across replays, so it can go into the trace
// hash), a kind, an optional name, and, when the world keeps a trace, the
// place it was created.
type object struct {
	id   int
	kind string
	name string
	site string
}

func (o *object) String() string {
	if o == nil {
		return "nil"
	}
	s := fmt.Sprintf("%s#%d", o.kind, o.id)
	if o.name != "" {
		s = fmt.Sprintf("%s %q", s, o.name)
	}
	return s
}

// describe is String plus the creation site, for failure reports.
func (o *object) describe() string {
	if o.site == "" {
		return o.String()
	}
	return o.String() + " created at " + o.site
}

// newObject gives o its identity. skip counts the callers between the user's
// code and newObject, so that site names the user's line.
func (w *World) newObject(o *object, kind string, skip int) {
	w.objects++
	o.id = w.objects
	o.kind = kind
	if w.cfg.KeepTrace {
		// runtime.Caller costs about a microsecond: only pay for it when
		// a failing run is replayed for its report.
		if _, file, line, ok := runtime.Caller(skip + 1); ok {
			o.site = fmt.Sprintf("%s:%d", shortFile(file), line)
		}
	}
}

func shortFile(path string) string {
	slash := 0
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			slash++
			if slash == 2 {
				return path[i+1:]
			}
		}
	}
	return path
}

// ambientWorld finds the world for a primitive that has none of its own: a
// zero-value primitive or a nil channel. Code written against weft creates
// primitives with their world and never needs it; code rewritten from plain
// Go (one world per OS process at a time) sets it.
var ambientWorld func() *World

func ambient() *World {
	if ambientWorld != nil {
		if w := ambientWorld(); w != nil {
			return w
		}
	}
	panic("sim: this primitive has no world: create it with its constructor (sim.NewChan(w, n), sim.NewMutex(w), ...), or, for a nil channel, wait on it with w.Select(ch.RecvCase(nil, nil))")
}
