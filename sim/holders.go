package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// Who holds a lock, for the reports of a run that ends with processes
// blocked (Blocked.Held): a deadlock says who waits on which lock, and here
// who holds it, and whether the holder can still let go of it (it has
// returned, was killed, or is the waiter itself).
//
// Go's locks have no owner: any process may unlock a Mutex that another
// locked, or release a read lock another took. The holder named here is the
// process that took the lock and has not released it (for a read lock
// released by another process, see RWMutex.readers). The bookkeeping is a
// pointer store per acquire and release and an append per RLock, outside
// the trace and the decisions: a run's hash and log are the same with it.

// lockState is a lock that can say who holds it. Mutex, RWMutex and Once
// set their Object's lock to themselves.
type lockState interface {
	// heldBy says who holds the lock, for waiter, a process blocked on it:
	// "held by p1 \"worker\", which has returned", say; "" when nobody does.
	heldBy(waiter *Proc) string
}

var (
	_ lockState = (*Mutex)(nil)
	_ lockState = (*RWMutex)(nil)
	_ lockState = (*Once)(nil)
)

func (m *Mutex) heldBy(waiter *Proc) string { return m.core.heldBy("held by ", waiter) }

func (o *Once) heldBy(waiter *Proc) string {
	return o.m.heldBy("whose function runs in ", waiter)
}

// heldBy names the holder of l after prefix, or the process it is being
// handed to.
func (l *mutexCore) heldBy(prefix string, waiter *Proc) string {
	switch {
	case l.holder != nil:
		return prefix + holderName(l.holder, waiter)
	case l.handoff != nil:
		return "being handed to " + holderName(l.handoff, waiter)
	case l.locked:
		return "locked"
	}
	return ""
}

// heldBy names the writer, when one holds the write lock or waits for the
// readers to leave, and the readers that hold a read lock. A waiter that is
// itself the pending writer is not named as one: its own line says it
// waits in lock. A reader blocked in RLock holds nothing for that RLock.
func (rw *RWMutex) heldBy(waiter *Proc) string {
	var parts []string
	writer := rw.wmu.holder
	if writer == nil {
		writer = rw.wmu.handoff
	}
	if writer != nil {
		switch pending := rw.readerWait > 0; {
		case pending && writer != waiter:
			parts = append(parts, holderName(writer, waiter)+" waits to write-lock it (new readers wait behind it)")
		case !pending:
			parts = append(parts, "write-locked by "+holderName(writer, waiter))
		}
	}
	// One RLock of each process blocked in RLock on rw is a wait, not a
	// hold: leave out its latest one.
	readers := make([]*Proc, 0, len(rw.readers))
	waiting := map[*Proc]int{}
	for _, p := range rw.readers {
		if p.state == stateBlocked && p.waitIn == "rlock" && waitsOn(p, &rw.obj) {
			waiting[p] = 1
		}
	}
	for i := len(rw.readers) - 1; i >= 0; i-- {
		p := rw.readers[i]
		if waiting[p] > 0 {
			waiting[p]--
			continue
		}
		readers = append(readers, p)
	}
	if len(readers) > 0 {
		names := make([]string, len(readers))
		for i, p := range readers {
			names[len(readers)-1-i] = holderName(p, waiter) // oldest first
		}
		parts = append(parts, "read-locked by "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

func waitsOn(p *Proc, o *Object) bool {
	for _, on := range p.waitOn {
		if on == o {
			return true
		}
	}
	return false
}

// holderName is p as a holder: `p1 "worker"`, with what keeps it from
// letting go when something does: it is the waiter itself, or it has ended
// (returned, killed, exited with another reason).
func holderName(p, waiter *Proc) string {
	s := "p" + strconv.Itoa(p.id) + " " + strconv.Quote(p.name)
	switch {
	case p == waiter:
		return s + " itself"
	case p.state != stateDone:
		return s
	case p.reason == Normal:
		return s + ", which has returned"
	case p.reason == Killed:
		return s + ", which was killed"
	}
	return s + fmt.Sprintf(", which exited (%v)", p.reason)
}
