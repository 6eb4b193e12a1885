package sim

import "time"

// Timer is a single event in virtual time, with the semantics of time.Timer
// since Go 1.23: its channel behaves as an unbuffered one. The fired value
// waits until it is received, but after Stop or Reset returns no value from
// before the call is received, and len and cap of C report 0.
//
// Make timers with World.NewTimer, World.After or World.AfterFunc; a zero
// Timer panics in Stop and Reset, as time.Timer does.
type Timer struct {
	// C delivers the virtual time at which the timer fired. It is nil for a
	// timer made by AfterFunc. Only receive from C: the timer sends on it, and
	// Go would not let you send on it or close it.
	C *Chan[time.Time]

	w   *World
	tm  Alarm
	f   func() // AfterFunc's function; nil for a channel timer
	obj *Object
}

// timerChan is the timer or ticker that owns a channel. The channel reports
// len and cap 0, as a Go 1.23+ timer channel does, and calls taken whenever
// a receive takes the value it holds.
type timerChan interface{ taken() }

// NewTimer returns a timer that sends the virtual time on its channel C once
// d of virtual time has passed. A timer with d <= 0 fires at once: its value
// is ready before NewTimer returns, as in Go, where a receive finds an
// expired timer's value without waiting.
func (w *World) NewTimer(d time.Duration) *Timer { return w.newTimer(d, nil, 2) }

// After waits for d of virtual time and then sends the virtual time on the
// returned channel. It is NewTimer(d).C.
func (w *World) After(d time.Duration) *Chan[time.Time] { return w.newTimer(d, nil, 2).C }

// AfterFunc waits for d of virtual time and then runs f in a new process of
// its own, as Go runs it in its own goroutine. The returned Timer's C is nil;
// its Stop keeps f from starting, and Reset schedules f again.
func (w *World) AfterFunc(d time.Duration, f func()) *Timer {
	if f == nil {
		panic("sim: AfterFunc with a nil function")
	}
	return w.newTimer(d, f, 2)
}

// newTimer makes and starts a timer; skip is newObject's, counted from
// newTimer, so that the creation site names the user's line.
func (w *World) newTimer(d time.Duration, f func(), skip int) *Timer {
	t := &Timer{w: w, f: f}
	if f == nil {
		// The one-slot buffer holds a fired value until it is received;
		// Stop and Reset empty it, which is what makes the channel look
		// unbuffered (Go's runtime does the same).
		c := &Chan[time.Time]{w: w, buf: make([]time.Time, 1), timer: t}
		w.newObject(&c.obj, "timer", skip)
		t.C, t.obj = c, &c.obj
	} else {
		t.obj = new(Object)
		w.newObject(t.obj, "timer", skip)
	}
	t.tm = Alarm{Fire: t.fire, Obj: t.obj}
	if t.C != nil {
		t.tm.reach = reachObj // it sends on C; an AfterFunc's f may do anything
	}
	t.start(d)
	return t
}

// start schedules the timer d from now, or fires it at once when d <= 0.
func (t *Timer) start(d time.Duration) {
	w := t.w
	if d > 0 {
		w.addTimer(&t.tm, w.when(d))
		return
	}
	// Due now. Left in the heap it would fire only at the next point where
	// the running process blocks, so a non-blocking receive right after
	// NewTimer(0) would miss a value that Go delivers.
	w.timerSeq++
	t.tm.when, t.tm.seq = w.now, w.timerSeq
	w.fireTimer(&t.tm)
}

// fire runs on the loop (or in start) when the timer expires. It must not
// block: a channel timer leaves its value in C's slot, or hands it to a
// waiting receiver; a func timer spawns f's process.
func (t *Timer) fire() {
	if t.f != nil {
		if w := t.w; !w.stopping && !w.abandoned.Load() { // spawn would unwind the loop
			name := "AfterFunc " + t.obj.String()
			if t.obj.name != "" {
				name = t.obj.name
			}
			w.spawn(name, t.f)
		}
		return
	}
	c := t.C
	if c.closed || c.count > 0 {
		// Misuse (C was closed), or a value already pending: Stop and
		// Reset drain C before the timer can fire again, so a one-shot
		// timer never finds its slot full.
		return
	}
	c.trySend(t.w.Now())
}

// taken is called by C when a receive takes the fired value: nothing to do
// for a one-shot timer.
func (t *Timer) taken() {}

// drainTimerChan empties a timer channel's slot and reports whether a fired
// value was waiting there: such a value counts as not yet delivered, so the
// timer was still active from the program's point of view.
func drainTimerChan(c *Chan[time.Time]) bool {
	if c == nil || c.count == 0 {
		return false
	}
	c.buf[c.head] = time.Time{}
	c.count = 0
	return true
}

// Named sets the name the timer has in traces and reports, and returns t.
// An AfterFunc timer's function then runs in a process of that name
// (otherwise "AfterFunc timer#<id>"): code rewritten from plain Go names it
// after the function, as Go names the goroutine.
func (t *Timer) Named(name string) *Timer {
	t.obj.name = name
	return t
}

// Stop prevents the timer from firing. It reports whether it stopped an
// active timer: true when the timer had not fired, or had fired but its
// value had not been received yet (that value is discarded); false when the
// value was received, f was started, or the timer was already stopped.
// After Stop returns, a receive from C blocks until a later Reset fires.
// Stop is a scheduling point.
func (t *Timer) Stop() bool { return t.halt("stop", "Stop") }

// halt is what Stop and Reset share: a scheduling point, then the timer
// unscheduled and any fired value discarded; it reports whether the timer
// was active.
func (t *Timer) halt(op, method string) bool {
	if t.w == nil {
		panic("time: " + method + " called on uninitialized Timer")
	}
	w := t.w
	w.point()
	stopped := w.stopTimer(&t.tm)
	active := drainTimerChan(t.C) || stopped
	noteTimerOp(w, t.obj, op, active)
	return active
}

// Reset changes the timer to expire d of virtual time from now, and reports
// whether it had been active, as Stop does. For a channel timer no value
// from before Reset is received after it; for a func timer Reset either
// reschedules f (true) or schedules it to run again (false). Reset is a
// scheduling point.
func (t *Timer) Reset(d time.Duration) bool {
	active := t.halt("reset", "Reset")
	t.start(d)
	return active
}

// noteTimerOp records a Stop or Reset and its outcome in the trace.
func noteTimerOp(w *World, obj *Object, op string, active bool) {
	w.event(EventNote, obj, boolArg(active), func() string {
		s := op + " " + obj.String()
		if active {
			return s + " (was active)"
		}
		return s
	})
}
