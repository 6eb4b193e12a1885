// Package gort is the runtime of Go code rewritten to run in a world (package
// rewrite makes such code): Go-shaped stand-ins for what the language and the
// standard library would otherwise do with real goroutines, channels, locks,
// clocks and random sources. A go statement becomes Go, a channel a *Chan, a
// select a Select over cases, sync.Mutex a Mutex, time.Sleep Sleep, and so on.
//
// Rewritten code has no *sim.World to pass around: it finds the world running
// now through one package-level hook (Bind sets it, sim.SetAmbient lets
// zero-value primitives and nil channels find it), so one world runs at a
// time in an OS process. Outside a world (package initialization, a test's
// own goroutine before its world starts) each stand-in does what the original
// would: a real goroutine, a real sleep, the real clock.
//
// Package-level variables that hold primitives are made again at the start
// of every world (OnWorld), so no state leaks from one seed to the next.
package gort

import (
	"sync"
	"sync/atomic"

	"github.com/weftsim/weft/sim"
)

// SlowRate is the rate at which rewritten code's runs make a scheduling
// point slow (sim.FaultSlow), per point reached while a timer is pending:
// plain Go code computes, is descheduled and pauses for the collector,
// and its sleepers' timers fire meanwhile, which a step of fixed cost
// (sim.Config.StepCost) alone never lets happen in the middle of a few
// steps' work.
const SlowRate = 1.0 / 64

// current is the world that rewritten code runs in now, or nil.
var current atomic.Pointer[sim.World]

func init() { sim.SetAmbient(World) }

// World returns the world running now, or nil outside one.
func World() *sim.World { return current.Load() }

// inWorld returns the world when the caller is one of its processes' code
// paths that may call it; nil outside a world.
func inWorld() *sim.World { return current.Load() }

var (
	resetMu sync.Mutex
	resets  []func()
)

// OnWorld registers f to run at the start of every world, before its main
// process's code: rewritten packages make their package-level primitives
// there, so that each seed starts from fresh ones.
func OnWorld(f func()) {
	resetMu.Lock()
	resets = append(resets, f)
	resetMu.Unlock()
}

// Bind makes w the world that rewritten code runs in, from now until the
// next Bind, and remakes the package-level primitives (OnWorld). Call it
// first thing in the main process of w: a scenario of rewritten code is
// func(w *sim.World) { gort.Bind(w); ... }.
func Bind(w *sim.World) {
	current.Store(w)
	ctxs.reset()
	resetMu.Lock()
	fs := append([]func(){}, resets...)
	resetMu.Unlock()
	for _, f := range fs {
		f()
	}
}

// Unbind leaves no world bound: a zero-value primitive used after it has no
// world to bind to, as outside rewritten code.
func Unbind() { current.Store(nil) }

// serial lets one test at a time run rewritten code: the world is found
// through a package-level hook.
var serial sync.Mutex

// Exclusive waits until no other caller holds it, and returns the function
// that lets the next one in: the go test edge holds it while a test of
// rewritten code runs, since rewritten code finds its world through one
// package-level hook.
func Exclusive() (release func()) {
	serial.Lock()
	return serial.Unlock
}
