package sim

// Once performs exactly one action, with the semantics of sync.Once, in a
// world: the first Do runs its function, later Do calls do nothing, and a
// Do that comes while the function runs blocks (in "once" on the Once)
// until it has returned. A function that panics counts as done. Do is a
// scheduling point; calling Do from inside its own function deadlocks, as
// in Go.
//
// The zero value binds to a world on first use, as Mutex's does; NewOnce
// makes one in a given world. A Once must not be copied after first use.
type Once struct {
	_    syncNoCopy
	w    *World // nil until bound
	done bool
	m    mutexCore // held while the function runs, as Go's Once holds its Mutex
	obj  Object
}

// NewOnce makes a Once in w.
func NewOnce(w *World) *Once {
	o := &Once{w: w}
	w.newObject(&o.obj, "once", 1)
	o.obj.lock = o
	return o
}

// Named sets the name the Once has in traces and reports, and returns o.
func (o *Once) Named(name string) *Once {
	o.obj.name = name
	return o
}

func (o *Once) bind() *World {
	w := ambient()
	o.w = w
	w.newObject(&o.obj, "once", 2)
	o.obj.lock = o
	return w
}

// Do calls f if and only if Do is being called for the first time on o.
// When any Do returns, f has returned (or panicked).
func (o *Once) Do(f func()) {
	w := o.w
	if w == nil {
		w = o.bind()
	}
	w.point()
	if o.done {
		w.event(EventNote, &o.obj, 0, func() string { return o.obj.String() + " already done" })
		return
	}
	o.m.acquire(w, &o.obj, "once")
	defer func() {
		// When the run is over and the process unwinds, nobody may run
		// or be woken any more, and the trace is closed.
		if !w.stopping {
			o.m.release(w, &o.obj)
		}
	}()
	if o.done {
		w.event(EventNote, &o.obj, 0, func() string { return o.obj.String() + " done while waiting" })
		return
	}
	w.event(EventLock, &o.obj, 0, func() string { return o.obj.String() + " runs its function" })
	defer func() {
		// Deferred so that a panicking f counts as done too.
		o.done = true
		if !w.stopping {
			w.event(EventUnlock, &o.obj, 0, func() string { return o.obj.String() + " done" })
		}
	}()
	f()
}

// OnceFunc returns a function that calls f only once, with a Once in w (nil:
// bound on first call, as a zero-value Once is). If f panics, the returned
// function panics with the same value on every call, as sync.OnceFunc's does.
func OnceFunc(w *World, f func()) func() { return onceFunc(w, f) }

// onceFunc is OnceFunc; its caller's caller is the user's code, whose line
// becomes the Once's site.
func onceFunc(w *World, f func()) func() {
	d := &struct {
		once  Once
		f     func()
		valid bool
		p     any
	}{f: f}
	d.once.w = w
	if w != nil {
		w.newObject(&d.once.obj, "once", 2)
		d.once.obj.lock = &d.once
	}
	return func() {
		d.once.Do(func() {
			defer func() {
				d.f = nil // do not keep f alive after calling it
				d.p = recover()
				if !d.valid {
					// Re-panic at once, so that the first call's
					// failure has the stack into f.
					panic(d.p)
				}
			}()
			d.f()
			d.valid = true
		})
		if !d.valid {
			panic(d.p)
		}
	}
}

// OnceValue returns a function that calls f only once and returns its
// value, as sync.OnceValue does; w is as for OnceFunc.
func OnceValue[T any](w *World, f func() T) func() T {
	var result T
	g := onceFunc(w, func() { result = f() })
	return func() T {
		g()
		return result
	}
}

// OnceValues returns a function that calls f only once and returns its
// values, as sync.OnceValues does; w is as for OnceFunc.
func OnceValues[T1, T2 any](w *World, f func() (T1, T2)) func() (T1, T2) {
	var r1 T1
	var r2 T2
	g := onceFunc(w, func() { r1, r2 = f() })
	return func() (T1, T2) {
		g()
		return r1, r2
	}
}
