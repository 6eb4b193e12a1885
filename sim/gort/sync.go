package gort

import "github.com/weftsim/weft/sim"

// The types of package sync, in a world. Their zero values bind to the world
// that first uses them, as sim's do.
type (
	Mutex   = sim.Mutex
	RWMutex = sim.RWMutex
	Once    = sim.Once
	Cond    = sim.Cond
	Locker  = sim.Locker
)

// WaitGroup is sync.WaitGroup: sim's, with Go taking a function only.
type WaitGroup struct{ sim.WaitGroup }

// Go is sync.WaitGroup.Go. The rewriter calls GoNamed instead, with the
// name Go would give the function.
func (wg *WaitGroup) Go(f func()) { wg.GoNamed("", "", f) }

// GoNamed is WaitGroup.Go with the process's name and the site of the call.
func (wg *WaitGroup) GoNamed(name, site string, f func()) {
	w := inWorld()
	if w == nil {
		wg.WaitGroup.Add(1) // binds: panics with sim's guidance outside a world
		return
	}
	started(w, wg.WaitGroup.Go(name, f), site)
}

// NewCond is sync.NewCond.
func NewCond(l Locker) *Cond { return sim.NewCond(l) }

// OnceFunc is sync.OnceFunc.
func OnceFunc(f func()) func() { return sim.OnceFunc(nil, f) }

// OnceValue is sync.OnceValue.
func OnceValue[T any](f func() T) func() T { return sim.OnceValue(nil, f) }

// OnceValues is sync.OnceValues.
func OnceValues[T1, T2 any](f func() (T1, T2)) func() (T1, T2) { return sim.OnceValues(nil, f) }
