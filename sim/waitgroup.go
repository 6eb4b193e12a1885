package sim

import "strconv"

// WaitGroup waits for a collection of tasks to finish, with the semantics of
// sync.WaitGroup, in a world: Add changes a counter, Wait blocks until it is
// zero, Go starts a task as a process. Every operation is a scheduling point;
// a process blocked in Wait waits in "wait" on the WaitGroup.
//
// Misuse panics with Go's messages, detected where Go detects it:
//   - "sync: negative WaitGroup counter" when the counter drops below zero;
//   - "sync: WaitGroup is reused before previous Wait has returned" in a
//     waiter that was released when the counter reached zero but, by the
//     time it ran, found the WaitGroup in use again (an Add, or a new
//     waiter, came first);
//   - "sync: WaitGroup misuse: Add called concurrently with Wait" when an
//     Add from zero comes while the Add that released the waiters has not
//     finished releasing them (Go's window between its two atomic
//     operations, a scheduling point here).
//
// The zero value is a WaitGroup with a zero counter that binds to a world on
// first use, as Mutex's does; NewWaitGroup makes one in a given world. A
// WaitGroup must not be copied after first use.
type WaitGroup struct {
	_       syncNoCopy
	w       *World // nil until bound
	counter int32  // Go's counter: 32 bits, and it wraps as Go's does
	waiters uint32 // processes counted into Wait since the counter last hit zero
	sema    syncSema
	obj     Object
}

const (
	errNegativeCounter = "sync: negative WaitGroup counter"
	errWaitGroupReused = "sync: WaitGroup is reused before previous Wait has returned"
	errAddDuringWait   = "sync: WaitGroup misuse: Add called concurrently with Wait"
)

// NewWaitGroup makes a WaitGroup in w, with a zero counter.
func NewWaitGroup(w *World) *WaitGroup {
	wg := &WaitGroup{w: w}
	w.newObject(&wg.obj, "waitgroup", 1)
	return wg
}

// Named sets the name the WaitGroup has in traces and reports, and returns wg.
func (wg *WaitGroup) Named(name string) *WaitGroup {
	wg.obj.name = name
	return wg
}

func (wg *WaitGroup) bind() *World {
	w := ambient()
	wg.w = w
	w.newObject(&wg.obj, "waitgroup", 2)
	return w
}

// Add adds delta, which may be negative, to the counter. When the counter
// reaches zero every process blocked in Wait is released; when it goes
// negative Add panics. As in Go, an Add that starts from zero must happen
// before the Wait it is meant for.
func (wg *WaitGroup) Add(delta int) {
	w := wg.w
	if w == nil {
		w = wg.bind()
	}
	w.point()
	wg.add(w, delta)
}

func (wg *WaitGroup) add(w *World, delta int) {
	v := int32(uint32(wg.counter) + uint32(delta))
	wg.counter = v
	w.event(EventNote, &wg.obj, int64(delta), func() string {
		return wg.obj.String() + " add " + strconv.Itoa(delta) + ": counter " + strconv.Itoa(int(v))
	})
	waiters := wg.waiters
	if v < 0 {
		panic(errNegativeCounter)
	}
	if waiters != 0 && delta > 0 && v == int32(delta) {
		panic(errAddDuringWait)
	}
	if v > 0 || waiters == 0 {
		return
	}
	// The counter reached zero with waiters. Go's Add does that with one
	// atomic add and resets the waiter count with a second; another
	// process can run in between, and Go checks that none touched the
	// WaitGroup there.
	w.point()
	if wg.counter != v || wg.waiters != waiters {
		panic(errAddDuringWait)
	}
	wg.waiters = 0
	for ; waiters > 0; waiters-- {
		wg.sema.release(w, &wg.obj)
	}
}

// Done decrements the counter by one; it is Add(-1).
func (wg *WaitGroup) Done() { wg.Add(-1) }

// Wait blocks until the counter is zero. It returns at once when it already
// is.
func (wg *WaitGroup) Wait() {
	w := wg.w
	if w == nil {
		w = wg.bind()
	}
	w.point()
	if wg.counter == 0 {
		w.event(EventNote, &wg.obj, 0, func() string { return wg.obj.String() + " wait: counter 0" })
		return
	}
	wg.waiters++
	wg.sema.acquire(w, &wg.obj, "wait", 0)
	// Released by the Add that reset the WaitGroup to zero; if it is no
	// longer zero, someone reused it before this Wait returned.
	if wg.counter != 0 || wg.waiters != 0 {
		panic(errWaitGroupReused)
	}
}

// Go adds a task to the WaitGroup and starts f as a new process named name;
// when f returns, the task is done. It returns the process. As with Add, a
// Go on an empty WaitGroup must happen before the Wait it is meant for.
//
// If f panics the run fails, as a panic in a goroutine ends a Go program,
// and the task is not marked done (Go's WaitGroup.Go does the same, so that
// Wait cannot return while the program dies). If f calls runtime.Goexit the
// run fails too (see Goexit), and, unlike Go, the task is not marked done.
func (wg *WaitGroup) Go(name string, f func()) *Proc {
	w := wg.w
	if w == nil {
		w = wg.bind()
	}
	w.point()
	wg.add(w, 1)
	return w.Go(name, func() {
		f()
		wg.Done()
	})
}
