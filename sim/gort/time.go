package gort

import (
	"time"

	"github.com/weftsim/weft/sim"
)

// Timer and Ticker are time.Timer and time.Ticker on the virtual clock.
type (
	Timer  = sim.Timer
	Ticker = sim.Ticker
)

// Sleep is time.Sleep on the virtual clock (a real sleep outside a world).
func Sleep(d time.Duration) {
	if w := inWorld(); w != nil {
		w.Sleep(d)
		return
	}
	time.Sleep(d)
}

func world(what string) *sim.World {
	w := inWorld()
	if w == nil {
		panic("gort: " + what + " of rewritten code called outside a world")
	}
	return w
}

// After is time.After.
func After(d time.Duration) *Chan[time.Time] { return world("time.After").After(d) }

// Tick is time.Tick.
func Tick(d time.Duration) *Chan[time.Time] {
	if d <= 0 {
		return nil
	}
	return world("time.Tick").Tick(d)
}

// NewTimer is time.NewTimer.
func NewTimer(d time.Duration) *Timer { return world("time.NewTimer").NewTimer(d) }

// NewTicker is time.NewTicker.
func NewTicker(d time.Duration) *Ticker { return world("time.NewTicker").NewTicker(d) }

// AfterFunc is time.AfterFunc.
func AfterFunc(d time.Duration, f func()) *Timer {
	return world("time.AfterFunc").AfterFunc(d, f)
}

// AfterFuncNamed is time.AfterFunc whose function runs in a process named
// name, as Go names the function.
func AfterFuncNamed(name string, d time.Duration, f func()) *Timer {
	return world("time.AfterFunc").AfterFunc(d, f).Named(name)
}

// Now is time.Now on the virtual clock (the real clock outside a world).
func Now() time.Time {
	if w := inWorld(); w != nil {
		return w.Now()
	}
	return time.Now()
}

// Since is time.Since.
func Since(t time.Time) time.Duration { return Now().Sub(t) }

// Until is time.Until.
func Until(t time.Time) time.Duration { return t.Sub(Now()) }
