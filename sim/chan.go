package sim

import (
	"fmt"
	"iter"
)

// Chan is a channel with Go's semantics, in a world: buffered or unbuffered,
// closable, FIFO per channel, and every operation a scheduling point. A nil
// *Chan behaves as a nil channel: in a Select its cases are never ready (so
// a Select with only nil cases and no default blocks forever), and Len and
// Cap are 0. A direct Send or Recv on a nil *Chan blocks forever only where
// a world can be found for it (code rewritten from plain Go); otherwise it
// has no world to block in and panics saying so: wait on it with Select.
type Chan[T any] struct {
	obj    Object
	w      *World
	buf    []T // ring buffer of capacity cap(buf)
	head   int
	count  int
	closed bool
	recvq  waitq[T]
	sendq  waitq[T]
	free   *waiter[T] // waiters to reuse: blocking must not allocate
	timer  timerChan  // set on a Timer's or Ticker's channel (timer.go)
}

// chanError is the panic value of a misused channel. Like the runtime's own
// it is a runtime.Error, and it prints the same message.
type chanError string

func (e chanError) Error() string { return string(e) }
func (e chanError) RuntimeError() {}

const (
	errSendClosed  = chanError("send on closed channel")
	errCloseClosed = chanError("close of closed channel")
	errCloseNil    = chanError("close of nil channel")
)

// NewChan makes a channel of T with the given buffer capacity (0 for an
// unbuffered channel), as make(chan T, size) does.
func NewChan[T any](w *World, size int) *Chan[T] {
	if size < 0 {
		panic(chanError("makechan: size out of range"))
	}
	c := &Chan[T]{w: w}
	if size > 0 {
		c.buf = make([]T, size)
	}
	w.newObject(&c.obj, "chan", 1)
	return c
}

// Named sets the name the channel has in traces and reports, and returns c.
func (c *Chan[T]) Named(name string) *Chan[T] {
	c.obj.name = name
	return c
}

func (c *Chan[T]) String() string { return c.obj.String() }

// Send sends v, blocking until a receiver takes it or buffer space frees up.
// It panics if the channel is closed, or becomes closed while it waits.
func (c *Chan[T]) Send(v T) {
	if c == nil {
		blockForever("send on nil chan")
	}
	c.w.point()
	if c.trySend(v) {
		return
	}
	w := c.w
	wt := c.newWaiter(nil, 0)
	wt.val = v
	c.sendq.push(wt)
	w.event(EventBlock, &c.obj, 0, nil)
	w.block("send", wt, &c.obj)
	ok := wt.ok
	c.freeWaiter(wt)
	if !ok {
		panic(errSendClosed)
	}
	c.traceSend(v)
}

// trySend sends v if that needs no waiting.
func (c *Chan[T]) trySend(v T) bool {
	if c.closed {
		panic(errSendClosed)
	}
	if wt := c.recvq.popLive(); wt != nil {
		wt.val, wt.ok = v, true
		c.traceSend(v)
		wt.fire(c.w)
		return true
	}
	if c.count < len(c.buf) {
		c.buf[(c.head+c.count)%len(c.buf)] = v
		c.count++
		c.traceSend(v)
		return true
	}
	return false
}

func (c *Chan[T]) traceSend(v T) {
	c.w.event(EventSend, &c.obj, 0, func() string { return fmt.Sprintf("%v <- %v", &c.obj, v) })
}

func (c *Chan[T]) traceRecv(v T, ok bool) {
	arg := int64(0)
	if !ok {
		arg = 1
	}
	c.w.event(EventRecv, &c.obj, arg, func() string {
		if !ok {
			return fmt.Sprintf("<- %v (closed)", &c.obj)
		}
		return fmt.Sprintf("<- %v = %v", &c.obj, v)
	})
}

// Recv receives a value, blocking until one is available. From a closed and
// drained channel it returns the zero value at once.
func (c *Chan[T]) Recv() T {
	v, _ := c.RecvOK()
	return v
}

// RecvOK is Recv that also reports whether the value came from a send (true)
// or from a closed, drained channel (false), like v, ok := <-ch.
func (c *Chan[T]) RecvOK() (T, bool) {
	if c == nil {
		blockForever("receive from nil chan")
	}
	c.w.point()
	if v, ok, done := c.tryRecv(); done {
		return v, ok
	}
	w := c.w
	wt := c.newWaiter(nil, 0)
	c.recvq.push(wt)
	w.event(EventBlock, &c.obj, 1, nil)
	w.block("recv", wt, &c.obj)
	v, ok := wt.val, wt.ok
	c.freeWaiter(wt)
	c.traceRecv(v, ok)
	return v, ok
}

// newWaiter returns a waiter for the running process, reusing a freed one.
func (c *Chan[T]) newWaiter(sel *selecting, idx int) *waiter[T] {
	wt := c.free
	if wt == nil {
		wt = &waiter[T]{}
	} else {
		c.free = wt.next
		wt.next = nil
	}
	wt.p, wt.sel, wt.idx = c.w.cur, sel, idx
	return wt
}

// freeWaiter keeps wt for reuse. wt must be off every queue.
func (c *Chan[T]) freeWaiter(wt *waiter[T]) {
	*wt = waiter[T]{next: c.free}
	c.free = wt
}

// tryRecv receives if that needs no waiting; done reports whether it did.
func (c *Chan[T]) tryRecv() (v T, ok, done bool) {
	if wt := c.sendq.popLive(); wt != nil {
		if len(c.buf) == 0 {
			v = wt.val
		} else {
			// The buffer is full: take its head, and the sender's value
			// goes to the tail, keeping FIFO order.
			v = c.buf[c.head]
			c.buf[c.head] = wt.val
			c.head = (c.head + 1) % len(c.buf)
		}
		wt.ok = true
		c.traceRecv(v, true)
		wt.fire(c.w)
		return v, true, true
	}
	if c.count > 0 {
		var zero T
		v = c.buf[c.head]
		c.buf[c.head] = zero
		c.head = (c.head + 1) % len(c.buf)
		c.count--
		c.traceRecv(v, true)
		if c.timer != nil {
			c.timer.taken() // a stalled Ticker schedules its next tick
		}
		return v, true, true
	}
	if c.closed {
		c.traceRecv(v, false)
		return v, false, true
	}
	return v, false, false
}

// Close closes the channel: receivers drain the buffer and then get the zero
// value; blocked senders panic. It panics on a nil or closed channel.
func (c *Chan[T]) Close() {
	if c == nil {
		panic(errCloseNil)
	}
	c.w.point()
	c.close()
}

// close is Close without the scheduling point, for channels closed by the
// world itself: a Context's cancellation closes its Done channel and its
// children's in one atomic step, possibly from a timer on the loop.
func (c *Chan[T]) close() {
	if c.closed {
		panic(errCloseClosed)
	}
	c.closed = true
	c.w.event(EventClose, &c.obj, 0, nil)
	for wt := c.recvq.popLive(); wt != nil; wt = c.recvq.popLive() {
		var zero T
		wt.val, wt.ok = zero, false
		wt.fire(c.w)
	}
	for wt := c.sendq.popLive(); wt != nil; wt = c.sendq.popLive() {
		wt.ok = false
		wt.fire(c.w)
	}
}

// Len is the number of buffered values, as len(ch).
func (c *Chan[T]) Len() int {
	if c == nil {
		return 0
	}
	c.w.point()
	if c.timer != nil {
		return 0 // a timer's channel looks unbuffered, as in Go 1.23+
	}
	return c.count
}

// Cap is the buffer capacity, as cap(ch).
func (c *Chan[T]) Cap() int {
	if c == nil || c.timer != nil {
		return 0
	}
	return len(c.buf)
}

// Range yields received values until the channel is closed and drained, as
// for v := range ch.
func (c *Chan[T]) Range() iter.Seq[T] {
	return func(yield func(T) bool) {
		for {
			v, ok := c.RecvOK()
			if !ok || !yield(v) {
				return
			}
		}
	}
}

// blockForever parks the calling process for good, as an operation on a nil
// channel does. A nil channel has no world of its own, so the process is
// found through the world that binds primitives without one.
func blockForever(op string) {
	w := ambient()
	w.point()
	w.block(op, nil)
	panic("sim: internal error: a process blocked forever was woken")
}

// waiter is a process queued on a channel, alone or as one case of a select.
type waiter[T any] struct {
	p   *Proc
	val T    // the value to send, or the value received
	ok  bool // sent or received a real value (false: the channel closed)
	sel *selecting
	idx int // the case index within sel

	prev, next *waiter[T]
	queued     bool
	q          *waitq[T] // the queue it is on, while queued
}

// Withdraw takes the waiter off its queue: its process is ending.
func (wt *waiter[T]) Withdraw() {
	if wt.q != nil {
		wt.q.remove(wt)
	}
}

// fire completes the waiter's operation and wakes its process.
func (wt *waiter[T]) fire(w *World) {
	if wt.sel != nil {
		wt.sel.fired = wt.idx
	}
	w.wake(wt.p)
}

// live reports whether the waiter can still be completed: a select waiter
// is dead once another of its cases fired.
func (wt *waiter[T]) live() bool { return wt.sel == nil || wt.sel.fired < 0 }

// waitq is a FIFO of waiters, doubly linked so that a select can take its
// waiters off the queues it lost on in O(1).
type waitq[T any] struct {
	first, last *waiter[T]
}

func (q *waitq[T]) push(wt *waiter[T]) {
	wt.prev, wt.next, wt.queued, wt.q = q.last, nil, true, q
	if q.last == nil {
		q.first = wt
	} else {
		q.last.next = wt
	}
	q.last = wt
}

func (q *waitq[T]) remove(wt *waiter[T]) {
	if !wt.queued {
		return
	}
	if wt.prev == nil {
		q.first = wt.next
	} else {
		wt.prev.next = wt.next
	}
	if wt.next == nil {
		q.last = wt.prev
	} else {
		wt.next.prev = wt.prev
	}
	wt.prev, wt.next, wt.queued, wt.q = nil, nil, false, nil
}

// popLive removes and returns the first live waiter, dropping dead ones.
func (q *waitq[T]) popLive() *waiter[T] {
	for wt := q.first; wt != nil; wt = q.first {
		q.remove(wt)
		if wt.live() {
			return wt
		}
	}
	return nil
}

func (q *waitq[T]) hasLive() bool {
	for wt := q.first; wt != nil; wt = wt.next {
		if wt.live() {
			return true
		}
	}
	return false
}
