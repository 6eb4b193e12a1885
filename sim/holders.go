package sim

import (
	"fmt"
	"slices"
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
// process that took the lock and has not released it, as the run's trace
// tells: the lock events of the object, read when the report is made. So
// the locks keep no bookkeeping of their own and their paths cost nothing
// more, and a run without its trace (Config.KeepTrace off, as while
// exploring) names no holder. A failing run is replayed with its trace for
// its report, so reports name them. The lock's own state says the rest: the
// process a starving Mutex is being handed to, and an RWMutex's writer that
// waits for the readers to leave.

// lockState is a lock that can say who holds it. Mutex, RWMutex and Once
// set their Object's lock to themselves.
type lockState interface {
	// heldBy says who holds the lock, for waiter, a process blocked on it,
	// given what the trace says (nil without a trace): "held by
	// p1 \"worker\", which has returned", say; "" when nothing is known.
	heldBy(waiter *Proc, seen *lockSeen) string
}

var (
	_ lockState = (*Mutex)(nil)
	_ lockState = (*RWMutex)(nil)
	_ lockState = (*Once)(nil)
)

// lockSeen is what a run's trace says of one lock: the process that took it
// (a Mutex, the write side of an RWMutex, a Once's function) and has not
// released it, and the processes that hold a read lock on it.
type lockSeen struct {
	holder  int   // a process id, or -1
	readers []int // process ids, in the order they took their read locks
}

// locksSeen reads the lock events of the objects objs in the trace.
func (w *World) locksSeen(objs []*Object) map[int]*lockSeen {
	seen := make(map[int]*lockSeen, len(objs))
	for _, o := range objs {
		seen[o.id] = &lockSeen{holder: -1}
	}
	for _, e := range w.trace {
		s := seen[e.Obj]
		if s == nil || e.Obj == 0 || e.Kind != EventLock && e.Kind != EventUnlock {
			continue
		}
		// Read locks: RLock and RUnlock, and a TryRLock that succeeded.
		read := e.Arg == lockArgRead || e.Arg == lockArgTry && strings.HasPrefix(e.Detail, "rlock ")
		switch {
		case e.Kind == EventLock && read:
			s.readers = append(s.readers, e.Proc)
		case e.Kind == EventLock:
			s.holder = e.Proc
		case read && len(s.readers) > 0:
			// The releasing process's latest read lock, or when it took
			// none, the oldest one.
			i := 0
			for j := len(s.readers) - 1; j >= 0; j-- {
				if s.readers[j] == e.Proc {
					i = j
					break
				}
			}
			s.readers = slices.Delete(s.readers, i, i+1)
		case !read:
			s.holder = -1
		}
	}
	return seen
}

func (m *Mutex) heldBy(waiter *Proc, seen *lockSeen) string {
	return m.core.heldBy("held by ", waiter, seen)
}

func (o *Once) heldBy(waiter *Proc, seen *lockSeen) string {
	return o.m.heldBy("whose function runs in ", waiter, seen)
}

// heldBy names the holder of l after prefix, or the process it is being
// handed to.
func (l *mutexCore) heldBy(prefix string, waiter *Proc, seen *lockSeen) string {
	switch {
	case l.handoff != nil:
		return "being handed to " + holderName(l.handoff, waiter)
	case l.locked && seen != nil && seen.holder >= 0:
		return prefix + holderName(waiter.w.procs[seen.holder], waiter)
	}
	return ""
}

// heldBy names the writer, when one holds the write lock or waits for the
// readers to leave, and the readers that hold a read lock. A waiter that is
// itself the pending writer is not named as one: its own line says it
// waits in lock.
func (rw *RWMutex) heldBy(waiter *Proc, seen *lockSeen) string {
	var parts []string
	if rw.readerWait > 0 {
		// A writer won the writers' lock and waits for the readers
		// already in: it is the one waiting for writerSem.
		if p := rw.writerSem.waiting(); p != nil && p != waiter {
			parts = append(parts, holderName(p, waiter)+" waits to write-lock it (new readers wait behind it)")
		}
	} else if seen != nil && seen.holder >= 0 && rw.readerCount < 0 {
		parts = append(parts, "write-locked by "+holderName(waiter.w.procs[seen.holder], waiter))
	}
	if seen != nil && len(seen.readers) > 0 {
		ids := slices.Clone(seen.readers)
		slices.Sort(ids)
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = holderName(waiter.w.procs[id], waiter)
		}
		parts = append(parts, "read-locked by "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

// waiting is the first process still blocked on s, or nil.
func (s *syncSema) waiting() *Proc {
	q := &s.waiters
	for i := 0; i < q.n; i++ {
		if p := q.buf[(q.head+i)&(len(q.buf)-1)]; p.state == stateBlocked {
			return p
		}
	}
	return nil
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
