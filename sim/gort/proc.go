package gort

import (
	"reflect"

	"github.com/weftsim/weft/sim"
)

// Origin is where a process of rewritten code was started: by which process
// (named as Go names the function it runs) and at which go statement.
type Origin struct {
	Creator   string
	CreatorID int
	Site      string // file:line of the go statement
}

// origins holds, per world, the Origin of every process started with Go, by
// process id. It lives in the world, so a Result keeps it for its report.
var origins = sim.NewLocal(func(*sim.Kernel) *map[int]Origin { m := map[int]Origin{}; return &m })

func started(w *sim.World, p *sim.Proc, site string) {
	o := Origin{Site: site}
	if self := w.Self(); self != nil {
		o.Creator, o.CreatorID = self.Name(), self.ID()
	}
	(*origins.Get(w.Kernel()))[p.ID()] = o
}

// Go is the go statement: it starts f as a process named name (the name Go
// gives the goroutine's function: "main.F.func1", "pkg.(*T).run"), started
// at site. The rewriter evaluates the call's function and arguments before
// it calls Go, as the go statement does. Outside a world it starts a real
// goroutine.
func Go(name, site string, f func()) {
	w := inWorld()
	if w == nil {
		go f()
		return
	}
	started(w, w.Go(name, f), site)
}

// MethodName is the name Go gives method m of v's dynamic type, for a go
// statement that calls a method of an interface: "main.(*T).m", "pkg.T.m".
func MethodName(v any, m string) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return m
	}
	if t.Kind() == reflect.Pointer && t.Elem().Name() != "" {
		return t.Elem().PkgPath() + ".(*" + t.Elem().Name() + ")." + m
	}
	if t.Name() != "" {
		return t.PkgPath() + "." + t.Name() + "." + m
	}
	return t.String() + "." + m
}

// Gosched is runtime.Gosched: a scheduling point.
func Gosched() {
	if w := inWorld(); w != nil {
		w.Yield()
		return
	}
	runtimeGosched()
}

// Pt is the scheduling point the rewriter puts before each operation of
// sync/atomic: it returns its argument (the address operated on) after
// letting the strategy run another process first.
func Pt[P any](p P) P {
	if w := inWorld(); w != nil {
		w.Yield()
	}
	return p
}
