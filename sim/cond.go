package sim

// Locker is something that can be locked and unlocked, as sync.Locker:
// *Mutex, *RWMutex, RWMutex.RLocker(), and any sync.Locker.
type Locker interface {
	Lock()
	Unlock()
}

var (
	_ Locker = (*Mutex)(nil)
	_ Locker = (*RWMutex)(nil)
	_ Locker = (*rlocker)(nil)
)

// worldLocker is a Locker that belongs to a world; a Cond finds its world there.
type worldLocker interface{ world() *World }

// Cond is a condition variable with the semantics of sync.Cond, in a world:
// processes Wait for an event and are woken by Signal (the process that has
// waited longest) or Broadcast (all of them). Wait, Signal and Broadcast are
// scheduling points; a process blocked in Wait waits in "wait" on the Cond.
//
// A Cond belongs to the world of L when L is a *Mutex, an *RWMutex or an
// RWMutex.RLocker(); otherwise, and for a Cond made as a struct literal with
// such an L, it binds on first use as a zero-value Mutex does. A Cond must
// not be copied after first use.
type Cond struct {
	_ syncNoCopy
	// L is held while observing or changing the condition. Wait unlocks
	// and relocks it; Signal and Broadcast may be called with or without it.
	L Locker

	w       *World // nil until bound
	waiters syncQueue[*condWaiter]
	obj     Object
}

// condWaiter is a process in Cond.Wait. It is queued before Wait unlocks L,
// as Go takes its notify-list ticket first, so a Signal that comes while
// Unlock yields still reaches it; it then does not block at all.
type condWaiter struct {
	p        *Proc
	notified bool
	parked   bool
}

// NewCond returns a Cond with Locker l.
func NewCond(l Locker) *Cond {
	c := &Cond{L: l}
	if lw, ok := l.(worldLocker); ok {
		if w := lockerWorld(lw); w != nil {
			c.w = w
			w.newObject(&c.obj, "cond", 1)
		}
	}
	return c
}

// lockerWorld is the world a lock already belongs to, or nil if it is a zero
// value not yet bound (which must not bind here, outside any operation).
func lockerWorld(l worldLocker) *World {
	switch l := l.(type) {
	case *Mutex:
		return l.w
	case *RWMutex:
		return l.w
	case *rlocker:
		return l.w
	}
	return nil
}

// Named sets the name the Cond has in traces and reports, and returns c.
func (c *Cond) Named(name string) *Cond {
	c.obj.name = name
	return c
}

// bind finds c's world through L, binding L first if it is an unbound zero
// value, or else through the ambient world.
func (c *Cond) bind() *World {
	var w *World
	if lw, ok := c.L.(worldLocker); ok {
		w = lw.world()
	} else {
		w = ambient()
	}
	c.w = w
	w.newObject(&c.obj, "cond", 2)
	return w
}

// Wait unlocks c.L, blocks until a Signal or Broadcast wakes this process,
// and locks c.L again before returning. Since other processes run between
// the wake-up and the relock, the condition must be checked again in a loop:
//
//	c.L.Lock()
//	for !condition() {
//		c.Wait()
//	}
//	... use the condition ...
//	c.L.Unlock()
func (c *Cond) Wait() {
	w := c.w
	if w == nil {
		w = c.bind()
	}
	w.point()
	wt := &condWaiter{p: w.cur}
	c.waiters.pushBack(wt)
	c.L.Unlock()
	if wt.notified {
		w.event(EventNote, &c.obj, 0, func() string { return c.obj.String() + " wait: signalled before it blocked" })
	} else {
		wt.parked = true
		w.event(EventBlock, &c.obj, 0, nil)
		w.block("wait", nil, &c.obj)
	}
	c.L.Lock()
}

// Signal wakes the process that has waited longest on c, if any.
func (c *Cond) Signal() {
	w := c.w
	if w == nil {
		w = c.bind()
	}
	w.point()
	if c.waiters.len() == 0 {
		w.event(EventNote, &c.obj, -1, func() string { return c.obj.String() + " signal: no waiter" })
		return
	}
	c.notify(w, c.waiters.popFront())
}

// Broadcast wakes every process waiting on c, longest waiter first.
func (c *Cond) Broadcast() {
	w := c.w
	if w == nil {
		w = c.bind()
	}
	w.point()
	if c.waiters.len() == 0 {
		w.event(EventNote, &c.obj, -1, func() string { return c.obj.String() + " broadcast: no waiter" })
		return
	}
	for c.waiters.len() > 0 {
		c.notify(w, c.waiters.popFront())
	}
}

// notify wakes wt, or, if it has not parked yet, tells it not to.
func (c *Cond) notify(w *World, wt *condWaiter) {
	wt.notified = true
	w.wakeEvent(&c.obj, wt.p, "signals")
	if wt.parked && wt.p.state == stateBlocked {
		w.wake(wt.p)
	}
}
