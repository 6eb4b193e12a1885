package sim

import (
	"fmt"
	"runtime"
	"strings"
)

// Object is the identity every simulated primitive carries: a small id given
// out in creation order (stable across replays, so it can go into the trace
// hash), a kind, an optional name, and, when the world keeps a trace, the
// place it was created. Events name objects, and a blocked process's report
// says which objects it waits on and where they were made. A primitive
// embeds one and gives it its identity with Kernel.Register.
type Object struct {
	id   int
	kind string
	name string
	site string
	lock lockState // set by Mutex, RWMutex and Once: who holds them, for reports
}

// ID is the object's number: 1, 2, ... in creation order within its world,
// the same in every replay of the run. 0 means not registered.
func (o *Object) ID() int { return o.id }

// Kind is what the object is ("mutex", "conn", "table", ...).
func (o *Object) Kind() string { return o.kind }

// Name is the name the object has in traces and reports ("" for none).
func (o *Object) Name() string { return o.name }

// SetName names the object in traces and reports.
func (o *Object) SetName(name string) { o.name = name }

// Site is where the object was made (file:line), when the world keeps a
// trace; "" otherwise.
func (o *Object) Site() string { return o.site }

// SetSite sets where the object was made, for an object whose creation the
// user's code did not call directly (a connection made by the network's
// clock and handed out by Accept, say): Kernel.Site gives the place.
func (o *Object) SetSite(site string) { o.site = site }

// String is "<kind>#<id>", with the name quoted after it when it has one:
// mutex#3 "account a".
func (o *Object) String() string {
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
func (o *Object) describe() string {
	if o.site == "" {
		return o.String()
	}
	return o.String() + " created at " + o.site
}

// newObject gives o its identity. skip counts the callers between the user's
// code and newObject, so that site names the user's line.
func (w *World) newObject(o *Object, kind string, skip int) {
	w.checkOwner()
	w.objects++
	o.id = w.objects
	o.kind = kind
	o.site = w.site(skip + 1)
}

// site is the source line skip frames above its caller, when the world
// keeps a trace. runtime.Caller costs about a microsecond: only pay for it
// when a failing run is replayed for its report.
func (w *World) site(skip int) string {
	if !w.cfg.KeepTrace {
		return ""
	}
	for {
		_, file, line, ok := runtime.Caller(skip + 1)
		if !ok {
			return ""
		}
		if ambientDir != "" && strings.HasPrefix(file, ambientDir) && !strings.Contains(file[len(ambientDir):], "/") {
			skip++ // the runtime of rewritten code: its caller made the object
			continue
		}
		return fmt.Sprintf("%s:%d", shortFile(file), line)
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

// SetAmbient installs the hook through which a primitive that has no world
// of its own (a zero-value Mutex, a nil channel) finds one: the runtime of
// code rewritten from plain Go (package sim/gort) calls it once, with a
// function that returns the world running now, or nil. Code written against
// weft never needs it.
// The sites of objects made through that runtime name the line of the code
// that called it, not the runtime's own.
func SetAmbient(world func() *World) {
	ambientWorld = world
	if _, file, _, ok := runtime.Caller(1); ok {
		ambientDir = file[:strings.LastIndexByte(file, '/')+1]
	}
}

// ambientDir is the directory of the package that installed the ambient
// hook, whose frames site skips.
var ambientDir string

func ambient() *World {
	if ambientWorld != nil {
		if w := ambientWorld(); w != nil {
			return w
		}
	}
	panic("sim: this primitive has no world: create it with its constructor (sim.NewChan(w, n), sim.NewMutex(w), ...), or, for a nil channel, wait on it with w.Select(ch.RecvCase(nil, nil))")
}
