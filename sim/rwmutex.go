package sim

// RWMutex is a reader/writer lock with the semantics of sync.RWMutex, in a
// world: any number of readers or one writer hold it. A writer blocked in
// Lock stops new readers (Go's writer preference), so a reader that takes a
// second RLock while a writer waits deadlocks, as it does in Go. Misuse ends
// the run with Go's fatal errors, "sync: RUnlock of unlocked RWMutex" and
// "sync: Unlock of unlocked RWMutex". Every operation is a scheduling point;
// a blocked reader waits in "rlock" and a blocked writer in "lock".
//
// The state is Go's own (sync/rwmutex.go), with plain integers for its
// atomics: each operation runs without interruption up to the point where it
// blocks, which is one of the interleavings Go allows.
//
// The zero value is an unlocked RWMutex that binds to a world on first use,
// as Mutex's does; NewRWMutex makes one in a given world. An RWMutex must not
// be copied after first use.
type RWMutex struct {
	w         *World    // nil until bound
	wmu       mutexCore // held while a writer is pending or active (Go's rw.w)
	writerSem syncSema  // a writer waits here for the departing readers
	readerSem syncSema  // readers wait here for the writer to finish
	// readerCount counts readers that hold or wait for the lock, less
	// rwmutexMaxReaders while a writer is pending or active.
	readerCount int32
	readerWait  int32 // readers the pending writer still waits for
	obj         Object
}

// rwmutexMaxReaders is Go's bound on concurrent readers.
const rwmutexMaxReaders = 1 << 30

const (
	errRUnlockUnlocked = "sync: RUnlock of unlocked RWMutex"
	errRWUnlockUnlock  = "sync: Unlock of unlocked RWMutex"
)

// NewRWMutex makes an unlocked RWMutex in w.
func NewRWMutex(w *World) *RWMutex {
	rw := &RWMutex{w: w}
	w.newObject(&rw.obj, "rwmutex", 1)
	rw.obj.lock = rw
	return rw
}

// Named sets the name the RWMutex has in traces and reports, and returns rw.
func (rw *RWMutex) Named(name string) *RWMutex {
	rw.obj.name = name
	return rw
}

func (rw *RWMutex) bind() *World {
	w := ambient()
	rw.w = w
	w.newObject(&rw.obj, "rwmutex", 2)
	rw.obj.lock = rw
	return w
}

func (rw *RWMutex) world() *World {
	if rw.w == nil {
		return rw.bind()
	}
	return rw.w
}

// RLock locks rw for reading, blocking while a writer holds it or waits for
// it. It must not be used recursively: a second RLock by the same process
// blocks if a writer is waiting, and then nothing can release the first.
func (rw *RWMutex) RLock() {
	w := rw.w
	if w == nil {
		w = rw.bind()
	}
	w.point()
	rw.readerCount++
	if rw.readerCount < 0 {
		// A writer is pending: wait for its Unlock to let us in.
		rw.readerSem.acquire(w, &rw.obj, "rlock", lockArgRead)
	}
	w.event(EventLock, &rw.obj, lockArgRead, func() string { return "rlock " + rw.obj.String() })
}

// TryRLock locks rw for reading if no writer holds it or waits for it, and
// reports whether it did, without ever blocking.
func (rw *RWMutex) TryRLock() bool {
	w := rw.w
	if w == nil {
		w = rw.bind()
	}
	w.point()
	if rw.readerCount < 0 {
		w.event(EventNote, &rw.obj, lockArgTryFailed, func() string { return rw.obj.String() + " has a writer: TryRLock fails" })
		return false
	}
	rw.readerCount++
	w.event(EventLock, &rw.obj, lockArgTry, func() string { return "rlock " + rw.obj.String() + " (TryRLock)" })
	return true
}

// RUnlock undoes one RLock. When it lets a waiting writer in, it wakes it.
// RUnlock of an RWMutex not locked for reading ends the run, as Go's fatal
// error does (Go detects it when no reader holds or waits for the lock, and
// so does this).
func (rw *RWMutex) RUnlock() {
	w := rw.w
	if w == nil {
		w = rw.bind()
	}
	w.point()
	r := rw.readerCount - 1
	if r+1 == 0 || r+1 == -rwmutexMaxReaders {
		w.syncFatal(errRUnlockUnlocked)
	}
	rw.readerCount = r
	w.event(EventUnlock, &rw.obj, lockArgRead, func() string { return "runlock " + rw.obj.String() })
	if r < 0 {
		// A writer is pending; the last departing reader lets it in.
		rw.readerWait--
		if rw.readerWait == 0 {
			rw.writerSem.release(w, &rw.obj)
		}
	}
}

// Lock locks rw for writing, blocking until no other writer and no reader
// holds it. From the moment it starts waiting for readers, new readers wait.
func (rw *RWMutex) Lock() {
	w := rw.w
	if w == nil {
		w = rw.bind()
	}
	w.point()
	// First win against other writers, then announce the writer to readers
	// and wait for the ones already in.
	rw.wmu.acquire(w, &rw.obj, "lock")
	r := rw.readerCount
	rw.readerCount -= rwmutexMaxReaders
	if r != 0 {
		rw.readerWait += r
		if rw.readerWait != 0 {
			rw.writerSem.acquire(w, &rw.obj, "lock", lockArgWrite)
		}
	}
	w.event(EventLock, &rw.obj, lockArgWrite, nil)
}

// TryLock locks rw for writing if nobody holds it or waits to write, and
// reports whether it did, without ever blocking.
func (rw *RWMutex) TryLock() bool {
	w := rw.w
	if w == nil {
		w = rw.bind()
	}
	w.point()
	if !rw.wmu.tryAcquire() {
		w.event(EventNote, &rw.obj, lockArgTryFailed, func() string { return rw.obj.String() + " has a writer: TryLock fails" })
		return false
	}
	if rw.readerCount != 0 {
		rw.wmu.release(w, &rw.obj)
		w.event(EventNote, &rw.obj, lockArgTryFailed, func() string { return rw.obj.String() + " has readers: TryLock fails" })
		return false
	}
	rw.readerCount = -rwmutexMaxReaders
	w.event(EventLock, &rw.obj, lockArgTry, func() string { return rw.obj.String() + " (TryLock)" })
	return true
}

// Unlock unlocks rw for writing: the readers that arrived while the writer
// was pending or active get in, all at once, before any other writer. Unlock
// of an RWMutex not locked for writing ends the run, as Go's fatal error
// does.
func (rw *RWMutex) Unlock() {
	w := rw.w
	if w == nil {
		w = rw.bind()
	}
	w.point()
	r := rw.readerCount + rwmutexMaxReaders
	if r >= rwmutexMaxReaders {
		w.syncFatal(errRWUnlockUnlock)
	}
	rw.readerCount = r
	w.event(EventUnlock, &rw.obj, lockArgWrite, nil)
	for i := int32(0); i < r; i++ {
		rw.readerSem.release(w, &rw.obj)
	}
	rw.wmu.release(w, &rw.obj)
}

// RLocker returns a Locker whose Lock and Unlock call rw.RLock and
// rw.RUnlock.
func (rw *RWMutex) RLocker() Locker { return (*rlocker)(rw) }

type rlocker RWMutex

func (r *rlocker) Lock()         { (*RWMutex)(r).RLock() }
func (r *rlocker) Unlock()       { (*RWMutex)(r).RUnlock() }
func (r *rlocker) world() *World { return (*RWMutex)(r).world() }
