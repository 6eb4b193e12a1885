package sim

import "time"

// Ticker delivers ticks of the virtual clock at intervals, with the
// semantics of time.Ticker since Go 1.23: at most one tick waits in C, and
// while it waits later ticks are dropped, so a slow receiver gets the oldest
// undelivered tick and then the next one on the original phase. After Stop
// or Reset returns, no tick from before the call is received.
//
// Make tickers with World.NewTicker or World.Tick. Stop on a zero Ticker does
// nothing and Reset panics, as for time.Ticker.
type Ticker struct {
	// C delivers the virtual time of each tick. Only receive from it.
	C *Chan[time.Time]

	w      *World
	tm     Alarm
	period time.Duration
	// stalled is set when a tick was dropped because one was pending. A
	// stalled ticker has no timer in the heap until a receive takes the
	// pending tick (taken): ticking on into a full slot would change
	// nothing a process can see, and would keep a world whose processes
	// are all blocked from ever being quiescent.
	// Invariant: stalled implies C holds a tick and tm is not in the heap.
	stalled bool
}

// NewTicker returns a ticker whose channel receives the virtual time every
// d, the first tick d from now. It panics if d <= 0, with Go's message.
func (w *World) NewTicker(d time.Duration) *Ticker {
	if d <= 0 {
		panic("non-positive interval for NewTicker")
	}
	return w.newTicker(d, 2)
}

// Tick is NewTicker(d).C, except that for d <= 0 it returns nil (a channel
// that never delivers), as time.Tick does.
func (w *World) Tick(d time.Duration) *Chan[time.Time] {
	if d <= 0 {
		return nil
	}
	return w.newTicker(d, 2).C
}

// newTicker makes and starts a ticker; skip is newObject's, counted from
// newTicker.
func (w *World) newTicker(d time.Duration, skip int) *Ticker {
	tk := &Ticker{w: w, period: d}
	c := &Chan[time.Time]{w: w, buf: make([]time.Time, 1), timer: tk}
	w.newObject(&c.obj, "ticker", skip)
	tk.C = c
	tk.tm = Alarm{Fire: tk.fire, Obj: &c.obj, reach: reachObj}
	w.addTimer(&tk.tm, w.when(d))
	return tk
}

// fire runs on the loop at each tick. It must not block.
func (tk *Ticker) fire() {
	c := tk.C
	if c.closed || c.count > 0 {
		tk.stalled = true
		return
	}
	c.trySend(tk.w.Now())
	tk.w.addTimer(&tk.tm, tk.w.when(tk.period))
}

// taken is called by C when a receive takes the pending tick. A stalled
// ticker resumes with the first tick after now on its original phase: the
// ticks in between were dropped. That is the tick Go's runtime computes
// (when += period * (1 + late/period)).
func (tk *Ticker) taken() {
	if !tk.stalled {
		return
	}
	tk.stalled = false
	w := tk.w
	late := w.now - tk.tm.when // tm.when is the tick that was dropped
	next := tk.tm.when + tk.period*(1+late/tk.period)
	if next < w.now { // overflow
		next = 1<<63 - 1
	}
	w.addTimer(&tk.tm, next)
}

// Stop turns the ticker off: no more ticks are sent, and a tick waiting in
// C is discarded. Stop does not close C. Stop is a scheduling point.
func (tk *Ticker) Stop() {
	if tk.w == nil {
		return // time.Ticker.Stop tolerates this misuse, see Go issue 21874
	}
	tk.w.point()
	tk.halt("stop")
}

// Reset stops the ticker and restarts it with period d: the next tick comes
// d from now, and a tick waiting in C is discarded. It panics if d <= 0.
// Reset is a scheduling point.
func (tk *Ticker) Reset(d time.Duration) {
	if d <= 0 {
		panic("non-positive interval for Ticker.Reset")
	}
	if tk.w == nil {
		panic("time: Reset called on uninitialized Ticker")
	}
	w := tk.w
	w.point()
	tk.halt("reset")
	tk.period = d
	w.addTimer(&tk.tm, w.when(d))
}

// halt unschedules the ticker and empties C.
func (tk *Ticker) halt(op string) {
	stopped := tk.w.stopTimer(&tk.tm)
	drained := drainTimerChan(tk.C)
	tk.stalled = false
	noteTimerOp(tk.w, &tk.C.obj, op, stopped || drained)
}
