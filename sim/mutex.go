package sim

import (
	"runtime/debug"
	"strconv"
	"time"
)

// Mutex is a mutual exclusion lock with the semantics of sync.Mutex, in a
// world: Lock blocks until the lock is free, any process may Unlock it (there
// is no owner), and Unlock of an unlocked Mutex ends the run with Go's fatal
// error "sync: unlock of unlocked mutex". Every operation is a scheduling
// point. A process blocked in Lock waits in "lock" on the mutex, so a
// deadlock names it, and the mutex with its creation site.
//
// Which waiter gets the lock follows Go's own algorithm (see mutexCore), with
// virtual time in place of the wall clock: Unlock wakes the longest waiter,
// which must then win the lock against newcomers (barging), and a waiter
// that has waited more than a millisecond switches the mutex to FIFO
// handoff.
//
// The zero value is an unlocked mutex that binds to a world on first use,
// through the world that code rewritten from plain Go installs; code written
// for weft makes mutexes with NewMutex. A zero-value mutex belongs to the
// first world that uses it, for good. A Mutex must not be copied after first
// use.
type Mutex struct {
	w    *World // nil until bound: one nil check on the fast path
	core mutexCore
	obj  Object
}

// NewMutex makes an unlocked mutex in w.
func NewMutex(w *World) *Mutex {
	m := &Mutex{w: w}
	w.newObject(&m.obj, "mutex", 1)
	m.obj.lock = m
	return m
}

// Named sets the name the mutex has in traces and reports, and returns m.
func (m *Mutex) Named(name string) *Mutex {
	m.obj.name = name
	return m
}

// bind attaches a zero-value mutex to the ambient world, or panics with
// ambient's guidance when there is none. Its caller is an exported method
// called from user code, whose line becomes the mutex's site.
func (m *Mutex) bind() *World {
	w := ambient()
	m.w = w
	w.newObject(&m.obj, "mutex", 2)
	m.obj.lock = m
	return w
}

// world returns m's world, binding it first if needed. It is what Cond uses
// to find its world through its Locker.
func (m *Mutex) world() *World {
	if m.w == nil {
		return m.bind()
	}
	return m.w
}

// Lock locks m, blocking until it is free.
func (m *Mutex) Lock() {
	w := m.w
	if w == nil {
		w = m.bind()
	}
	w.point()
	if !m.core.locked {
		m.core.locked = true
	} else {
		m.core.acquireSlow(w, &m.obj, "lock")
	}
	w.event(EventLock, &m.obj, lockArgWrite, nil)
}

// TryLock locks m if it is free and reports whether it did, without ever
// blocking. As in Go, it fails while the mutex is handed from one waiter to
// the next in starvation mode.
func (m *Mutex) TryLock() bool {
	w := m.w
	if w == nil {
		w = m.bind()
	}
	w.point()
	if m.core.locked {
		w.event(EventNote, &m.obj, lockArgTryFailed, func() string { return m.obj.String() + " busy: TryLock fails" })
		return false
	}
	m.core.locked = true
	w.event(EventLock, &m.obj, lockArgTry, func() string { return m.obj.String() + " (TryLock)" })
	return true
}

// Unlock unlocks m and wakes a waiter, if any. Any process may unlock a
// locked mutex; unlocking an unlocked one ends the run, as Go's fatal error
// "sync: unlock of unlocked mutex" ends a program (a recover cannot stop it).
func (m *Mutex) Unlock() {
	w := m.w
	if w == nil {
		w = m.bind()
	}
	w.point()
	if !m.core.held() {
		w.syncFatal(errUnlockUnlocked)
	}
	w.event(EventUnlock, &m.obj, lockArgWrite, nil)
	m.core.release(w, &m.obj)
}

const errUnlockUnlocked = "sync: unlock of unlocked mutex"

// Arg values of lock events, so that the trace hash tells the kinds apart.
const (
	lockArgWrite     = 0 // Lock, Unlock, or the write side of an RWMutex
	lockArgRead      = 1 // RLock, RUnlock
	lockArgTry       = 2 // a TryLock or TryRLock that succeeded
	lockArgTryFailed = 3 // a TryLock or TryRLock that failed
)

// starvationThreshold is Go's starvationThresholdNs, in virtual time: a
// waiter that has waited longer than this puts the mutex in starvation mode.
const starvationThreshold = time.Millisecond

// mutexCore is Go's mutex algorithm (internal/sync/mutex.go) without the
// atomics, spinning and wall clock, shared by Mutex, the writer side of
// RWMutex and Once.
//
// In normal mode Unlock frees the lock and wakes the longest waiter, unless
// an earlier woken waiter has not retried yet (Go's mutexWoken bit). The
// woken waiter competes with processes arriving at Lock meanwhile, which take
// the free lock at once (barging: in Go the unlocker usually re-locks before
// the waiter gets a CPU, and the explorer must see that schedule as well as
// the other). A woken waiter that loses goes back to the front of the queue.
//
// A waiter that finds the lock taken after waiting more than
// starvationThreshold switches the mutex to starvation mode: Unlock then
// hands the lock straight to the front waiter and newcomers queue at the
// back. The mode ends when a waiter that did not starve, or the last one,
// gets the lock. Without it a waiter could lose every race to a process that
// re-locks in a loop, and the simulation would report a livelock that Go's
// scheduler never lets happen; virtual time stands in for the wall clock, so
// the mode follows from the schedule and replays exactly.
//
// Invariants: starving implies locked; a handed-off lock stays locked and
// handoff names its new holder until it resumes; when the lock is free and
// waiters are queued, woken names a live process that will retry.
type mutexCore struct {
	locked   bool
	starving bool
	woken    *Proc // woken by a normal-mode Unlock and not yet retried
	handoff  *Proc // handed the lock in starvation mode and not yet resumed
	waiters  syncQueue[mutexWaiter]
}

type mutexWaiter struct {
	p     *Proc
	since time.Duration // when it first began to wait (Go's waitStartTime)
}

// held reports whether a process holds the lock: it is locked and not in
// the middle of a handoff (in Go the locked bit is clear until the waiter it
// was handed to wakes up, so an Unlock in between is an unlock of an
// unlocked mutex).
func (l *mutexCore) held() bool { return l.locked && l.handoff == nil }

// tryAcquire takes the lock if it is free.
func (l *mutexCore) tryAcquire() bool {
	if l.locked {
		return false
	}
	l.locked = true
	return true
}

// acquire takes the lock, blocking in op on obj until it has it.
func (l *mutexCore) acquire(w *World, obj *Object, op string) {
	if !l.locked {
		l.locked = true
		return
	}
	l.acquireSlow(w, obj, op)
}

// acquireSlow queues the running process and blocks until it owns the lock.
func (l *mutexCore) acquireSlow(w *World, obj *Object, op string) {
	p := w.cur
	wt := mutexWaiter{p: p, since: w.now}
	l.waiters.pushBack(wt)
	defer l.abandon(w, obj, p)
	for {
		w.event(EventBlock, obj, lockArgWrite, nil)
		w.block(op, nil, obj)
		starved := w.now-wt.since > starvationThreshold
		if l.handoff == p {
			l.handoff = nil
			if !starved || l.waiters.len() == 0 {
				l.starving = false
			}
			return
		}
		if l.woken == p {
			l.woken = nil
		}
		if !l.locked {
			l.locked = true
			return
		}
		// A newcomer took it first: back to the front of the queue, as
		// Go's queueLifo does for a waiter that has waited before.
		if starved {
			l.starving = true
		}
		l.waiters.pushFront(wt)
	}
}

// abandon runs as acquireSlow returns. When an exit signal (Kill, a linked
// crash, a kill fault) ends p while it waits, p must not take with it the
// lock handed to it or the wake-up meant for it, or the other waiters would
// wait forever: a handed lock is released on its behalf, and a wake-up goes
// to the next waiter. (p itself leaves the queue lazily: popBlocked drops
// waiters that are not blocked.)
func (l *mutexCore) abandon(w *World, obj *Object, p *Proc) {
	if p.exit == nil || !p.exiting {
		return
	}
	switch {
	case l.handoff == p:
		l.handoff = nil
		l.release(w, obj)
	case l.woken == p:
		l.woken = nil
		if !l.locked {
			if wt, ok := l.popBlocked(); ok {
				l.woken = wt.p
				w.wakeEvent(obj, wt.p, "wakes")
				w.wake(wt.p)
			}
		}
	}
}

// release gives up the lock, which the caller checked is held, and wakes or
// hands the lock to a waiter as Go's Unlock does.
func (l *mutexCore) release(w *World, obj *Object) {
	if l.starving {
		if wt, ok := l.popBlocked(); ok {
			l.handoff = wt.p
			w.wakeEvent(obj, wt.p, "hands the lock to")
			w.wake(wt.p)
			return
		}
		l.starving = false
	}
	l.locked = false
	if l.woken != nil && l.woken.state != stateDone {
		return
	}
	l.woken = nil
	if wt, ok := l.popBlocked(); ok {
		l.woken = wt.p
		w.wakeEvent(obj, wt.p, "wakes")
		w.wake(wt.p)
	}
}

// popBlocked takes the first waiter that is still blocked. A waiter is
// always blocked, except when its process was ended while it waited (the run
// is being torn down): such waiters are dropped.
func (l *mutexCore) popBlocked() (mutexWaiter, bool) {
	for l.waiters.len() > 0 {
		if wt := l.waiters.popFront(); wt.p.state == stateBlocked {
			return wt, true
		}
	}
	return mutexWaiter{}, false
}

// syncSema is a runtime semaphore (runtime/sema.go) as sync's RWMutex and
// WaitGroup use it: release hands a permit to the longest waiter, or keeps
// it for the next acquire when nobody waits. Handing it over directly, where
// Go wakes the waiter to retry, changes nothing observable: in those types
// only the processes the permit is meant for ever acquire it.
type syncSema struct {
	count   uint32
	waiters syncQueue[*Proc]
}

// acquire takes a permit, blocking in op on obj until there is one.
func (s *syncSema) acquire(w *World, obj *Object, op string, arg int64) {
	if s.count > 0 {
		s.count--
		return
	}
	s.waiters.pushBack(w.cur)
	w.event(EventBlock, obj, arg, nil)
	// A permit here is meant for this very waiter (a WaitGroup's
	// generation, an RWMutex's readers after a writer): if an exit signal
	// ends the waiter after a release handed it one, the permit dies with
	// it, since passing it on would wake someone it was not meant for.
	w.block(op, nil, obj)
}

// release adds a permit, handing it to the longest waiter if there is one.
func (s *syncSema) release(w *World, obj *Object) {
	for s.waiters.len() > 0 {
		if p := s.waiters.popFront(); p.state == stateBlocked {
			w.wakeEvent(obj, p, "wakes")
			w.wake(p)
			return
		}
	}
	s.count++
}

// syncQueue is a FIFO that can also put back at the front, as a ring buffer.
type syncQueue[T any] struct {
	buf  []T // len(buf) is zero or a power of two
	head int
	n    int
}

func (q *syncQueue[T]) len() int { return q.n }

func (q *syncQueue[T]) pushBack(v T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = v
	q.n++
}

func (q *syncQueue[T]) pushFront(v T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.head = (q.head - 1) & (len(q.buf) - 1)
	q.buf[q.head] = v
	q.n++
}

// popFront removes and returns the oldest element; the queue must not be
// empty.
func (q *syncQueue[T]) popFront() T {
	var zero T
	v := q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return v
}

func (q *syncQueue[T]) grow() {
	size := 2 * len(q.buf)
	if size == 0 {
		size = 4
	}
	buf := make([]T, size)
	for i := 0; i < q.n; i++ {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}

// wakeEvent records that the running process woke p through obj; verb says
// how ("wakes", "hands the lock to", "signals").
func (w *World) wakeEvent(obj *Object, p *Proc, verb string) {
	w.event(EventWake, obj, int64(p.id), func() string {
		return obj.String() + " " + verb + " p" + strconv.Itoa(p.id) + " " + p.name
	})
}

// syncFatal ends the run the way one of the sync package's fatal errors ends
// a Go program: the failure (a Panic with msg as its value) is recorded
// before the process unwinds, so a recover in user code cannot hide it; such
// a recover only lets the process run on to its next scheduling point, where
// it unwinds for good.
func (w *World) syncFatal(msg string) {
	w.crash(w.cur, Panic, msg, string(debug.Stack()))
	w.unwind(abort{})
}

// syncNoCopy makes go vet's copylocks check flag copies of the sync types
// that have no Lock method of their own, as sync's noCopy does.
type syncNoCopy struct{}

func (*syncNoCopy) Lock()   {}
func (*syncNoCopy) Unlock() {}
