package sim

import (
	"context"
	"fmt"
	"reflect"
	"time"
)

// Context is context.Context for a world: it carries a deadline on the
// virtual clock, a cancellation signal and values across processes. Done is
// a *Chan because a process cannot wait on a real channel; wait on it with
// Recv or in a Select. Err returns the standard context.Canceled or
// context.DeadlineExceeded, so errors.Is works as with package context.
//
// Derive every Context from World.Background with the functions below, which
// mirror package context. Cancellation involves no extra process: cancelling
// a context closes its Done channel and those of its descendants in one
// atomic step, children in the order they were created.
type Context interface {
	// Deadline returns the virtual time at which the context will be
	// cancelled, and false when it has none.
	Deadline() (deadline time.Time, ok bool)
	// Done returns a channel closed when the context is cancelled, or nil
	// when it can never be.
	Done() *Chan[struct{}]
	// Err returns nil while Done is open, then why it was closed:
	// context.Canceled or context.DeadlineExceeded. Inside a process it is a
	// scheduling point, since another process may cancel the context.
	Err() error
	// Value returns the value associated with key, or nil.
	Value(key any) any
}

// Private keys, compared by address: Value(&worldKey) finds the world a
// context belongs to, Value(&cancelCtxKey) its nearest cancellable ancestor,
// also through contexts of other types that delegate Value to their parent.
var worldKey, cancelCtxKey int

// Background returns the root context of the world: never cancelled, no
// deadline, no values.
func (w *World) Background() Context { return &bgCtx{w: w} }

type bgCtx struct{ w *World }

func (*bgCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (*bgCtx) Done() *Chan[struct{}]       { return nil }
func (*bgCtx) Err() error                  { return nil }
func (c *bgCtx) Value(key any) any         { return value(c, key) }
func (*bgCtx) String() string              { return "sim.Background" }

// WithCancel returns a copy of parent with a new Done channel, closed when
// the returned cancel function is called or when parent's Done is closed,
// whichever happens first. Calling cancel more than once does nothing.
func WithCancel(parent Context) (Context, context.CancelFunc) {
	c := newCancelCtx(parent, 2)
	return c, func() { c.cancelFromProc(context.Canceled, nil) }
}

// WithCancelCause is WithCancel whose cancel function records a cause, which
// Cause returns; Err still returns context.Canceled. A nil cause means
// context.Canceled.
func WithCancelCause(parent Context) (Context, context.CancelCauseFunc) {
	c := newCancelCtx(parent, 2)
	return c, func(cause error) { c.cancelFromProc(context.Canceled, cause) }
}

// WithDeadline returns a copy of parent that is cancelled with
// context.DeadlineExceeded when the virtual clock reaches d, unless it is
// cancelled first. A child's deadline never exceeds its parent's: if parent's
// is earlier, the result is WithCancel(parent). Cancelling stops the timer.
func WithDeadline(parent Context, d time.Time) (Context, context.CancelFunc) {
	return withDeadline(parent, d, nil, 3)
}

// WithDeadlineCause is WithDeadline that sets cause as Cause when the
// deadline passes.
func WithDeadlineCause(parent Context, d time.Time, cause error) (Context, context.CancelFunc) {
	return withDeadline(parent, d, cause, 3)
}

// WithTimeout is WithDeadline(parent, now+timeout) on the virtual clock.
func WithTimeout(parent Context, timeout time.Duration) (Context, context.CancelFunc) {
	return withDeadline(parent, worldOf(parent).Now().Add(timeout), nil, 3)
}

// WithTimeoutCause is WithTimeout that sets cause as Cause when the timeout
// expires.
func WithTimeoutCause(parent Context, timeout time.Duration, cause error) (Context, context.CancelFunc) {
	return withDeadline(parent, worldOf(parent).Now().Add(timeout), cause, 3)
}

// withDeadline follows context.WithDeadlineCause; skip is newObject's,
// counted from newCancelCtx.
func withDeadline(parent Context, d time.Time, cause error, skip int) (Context, context.CancelFunc) {
	if parent == nil {
		panic("cannot create context from nil parent")
	}
	if cur, ok := parent.Deadline(); ok && cur.Before(d) {
		// The current deadline is already sooner than the new one.
		c := newCancelCtx(parent, skip)
		return c, func() { c.cancelFromProc(context.Canceled, nil) }
	}
	c := newCancelCtx(parent, skip)
	c.deadline, c.hasDeadline = d, true
	w := c.w
	dur := d.Sub(w.Now())
	if dur <= 0 {
		c.cancel(true, context.DeadlineExceeded, cause) // already passed
		return c, func() { c.cancelFromProc(context.Canceled, nil) }
	}
	if c.err == nil {
		c.timer = &Alarm{Obj: &c.done.obj, Fire: func() {
			c.cancel(true, context.DeadlineExceeded, cause)
		}}
		w.addTimer(c.timer, w.when(dur))
	}
	return c, func() { c.cancelFromProc(context.Canceled, nil) }
}

// WithValue returns a copy of parent in which Value(key) is val. As with
// package context, key must be comparable and should be of a type of your
// own, to avoid collisions.
func WithValue(parent Context, key, val any) Context {
	if parent == nil {
		panic("cannot create context from nil parent")
	}
	if key == nil {
		panic("nil key")
	}
	if !reflect.TypeOf(key).Comparable() {
		panic("key is not comparable")
	}
	return &valueCtx{Context: parent, key: key, val: val}
}

// Cause returns why c was cancelled: the cause given to a CancelCauseFunc or
// to WithDeadlineCause/WithTimeoutCause, else the same as c.Err(). It
// returns nil while c is not cancelled. Inside a process it is a scheduling
// point.
func Cause(c Context) error {
	if cc, ok := c.Value(&cancelCtxKey).(*cancelCtx); ok {
		cc.w.pointIfRunning()
		return cc.cause
	}
	return c.Err()
}

// cancelCtx is a cancellable context, with a deadline when made by
// WithDeadline (it plays both cancelCtx and timerCtx of package context).
type cancelCtx struct {
	parent Context
	w      *World
	done   *Chan[struct{}] // its object names the context in traces

	err   error // nil until cancelled; set once
	cause error

	// children lists the cancellable contexts derived from this one, in
	// creation order (a slice, never an iterated map, so cancellation order
	// is deterministic); a removed child leaves a nil slot until compaction.
	// Invariant: live == the number of non-nil slots; child.idx is its slot.
	children []*cancelCtx
	live     int
	owner    *cancelCtx // whose children this context is in, or nil
	idx      int

	deadline    time.Time
	hasDeadline bool
	timer       *Alarm // the deadline's timer; nil without one
}

var (
	_ Context = (*cancelCtx)(nil)
	_ Context = (*valueCtx)(nil)
	_ Context = (*bgCtx)(nil)
)

// newCancelCtx makes a cancellable child of parent and hooks it to parent's
// cancellation. Deriving a context is a scheduling point: it reads and
// changes the parent, which other processes share.
func newCancelCtx(parent Context, skip int) *cancelCtx {
	if parent == nil {
		panic("cannot create context from nil parent")
	}
	w := worldOf(parent)
	w.pointIfRunning()
	c := &cancelCtx{parent: parent, w: w, idx: -1}
	c.done = &Chan[struct{}]{w: w}
	w.newObject(&c.done.obj, "context", skip)
	c.propagateCancel(parent)
	return c
}

// propagateCancel arranges for c to be cancelled when parent is, following
// context.propagateCancel.
func (c *cancelCtx) propagateCancel(parent Context) {
	done := parent.Done()
	if done == nil {
		return // parent is never cancelled
	}
	if done.closed {
		c.cancel(false, errOf(parent), causeOf(parent))
		return
	}
	if p, ok := parent.Value(&cancelCtxKey).(*cancelCtx); ok && p.done == done {
		p.addChild(c)
		return
	}
	// parent is a context of another type with a Done channel of its own:
	// watch it from a process, as package context watches it from a
	// goroutine. Like that goroutine, the watcher lasts until parent or c is
	// cancelled.
	w := c.w
	w.spawn("context watcher "+c.done.obj.String(), func() {
		if w.Select(done.RecvCase(nil, nil), c.done.RecvCase(nil, nil)) == 0 {
			c.cancel(false, parent.Err(), Cause(parent))
		}
	})
}

// errOf and causeOf read a parent's error and cause without a scheduling
// point when the parent is one of ours.
func errOf(c Context) error {
	if cc, ok := c.Value(&cancelCtxKey).(*cancelCtx); ok && cc.done == c.Done() {
		return cc.err
	}
	return c.Err()
}

func causeOf(c Context) error {
	if cc, ok := c.Value(&cancelCtxKey).(*cancelCtx); ok {
		return cc.cause
	}
	return c.Err()
}

func (c *cancelCtx) addChild(child *cancelCtx) {
	child.owner, child.idx = c, len(c.children)
	c.children = append(c.children, child)
	c.live++
}

// removeChild takes child out of c's children. Slots are compacted when
// most are empty, so that a long-lived parent with many short-lived children
// (a server context and its requests) stays O(1) per child.
func (c *cancelCtx) removeChild(child *cancelCtx) {
	c.children[child.idx] = nil
	child.owner, child.idx = nil, -1
	c.live--
	if len(c.children) < 16 || c.live > len(c.children)/4 {
		return
	}
	j := 0
	for _, ch := range c.children {
		if ch != nil {
			ch.idx = j
			c.children[j] = ch
			j++
		}
	}
	clear(c.children[j:])
	c.children = c.children[:j]
}

// cancelFromProc is the body of the cancel functions: a scheduling point
// (cancelling wakes other processes), then the cancellation.
func (c *cancelCtx) cancelFromProc(err, cause error) {
	c.w.pointIfRunning()
	c.cancel(true, err, cause)
}

// cancel closes c's Done channel, cancels c's children in creation order,
// and, if removeFromParent, takes c out of its parent's children. It never
// blocks and is not a scheduling point: it runs inside other operations and
// from the deadline's timer on the loop.
func (c *cancelCtx) cancel(removeFromParent bool, err, cause error) {
	if err == nil {
		panic("context: internal error: missing cancel error")
	}
	if cause == nil {
		cause = err
	}
	if c.err != nil {
		return // already cancelled
	}
	c.err, c.cause = err, cause
	c.done.close()
	children := c.children
	c.children, c.live = nil, 0
	for _, child := range children {
		if child != nil {
			child.owner, child.idx = nil, -1
			child.cancel(false, err, cause)
		}
	}
	if removeFromParent && c.owner != nil {
		c.owner.removeChild(c)
	}
	if c.timer != nil {
		c.w.stopTimer(c.timer)
	}
}

func (c *cancelCtx) Deadline() (time.Time, bool) {
	if c.hasDeadline {
		return c.deadline, true
	}
	return c.parent.Deadline()
}

func (c *cancelCtx) Done() *Chan[struct{}] { return c.done }

func (c *cancelCtx) Err() error {
	c.w.pointIfRunning()
	return c.err
}

func (c *cancelCtx) Value(key any) any { return value(c, key) }

func (c *cancelCtx) String() string {
	if c.hasDeadline {
		return fmt.Sprintf("%s.WithDeadline(%v [%v])", contextName(c.parent), c.deadline, c.deadline.Sub(c.w.Now()))
	}
	return contextName(c.parent) + ".WithCancel"
}

// valueCtx carries one key-value pair and delegates the rest to its parent.
type valueCtx struct {
	Context
	key, val any
}

func (c *valueCtx) Value(key any) any { return value(c, key) }

func (c *valueCtx) String() string {
	return fmt.Sprintf("%s.WithValue(%v, %v)", contextName(c.Context), stringify(c.key), stringify(c.val))
}

// value walks up the chain of our own contexts without recursion, as
// package context does, and hands any other type its own Value.
func value(c Context, key any) any {
	for {
		switch ctx := c.(type) {
		case *valueCtx:
			if key == ctx.key {
				return ctx.val
			}
			c = ctx.Context
		case *cancelCtx:
			if key == &cancelCtxKey {
				return ctx
			}
			c = ctx.parent
		case *bgCtx:
			if key == &worldKey {
				return ctx.w
			}
			return nil
		default:
			return c.Value(key)
		}
	}
}

// worldOf finds the world a context belongs to.
func worldOf(c Context) *World {
	if c == nil {
		panic("cannot create context from nil parent")
	}
	if w, ok := c.Value(&worldKey).(*World); ok && w != nil {
		return w
	}
	panic(fmt.Sprintf("sim: context %v belongs to no world: derive contexts from w.Background()", contextName(c)))
}

// pointIfRunning is a scheduling point when called from a process of the
// world, and nothing otherwise: contexts are also read after a run, and
// cancelled from timers on the loop.
func (w *World) pointIfRunning() {
	if w.cur != nil {
		w.point()
	}
}

func contextName(c Context) string {
	if s, ok := c.(fmt.Stringer); ok {
		return s.String()
	}
	return reflect.TypeOf(c).String()
}

func stringify(v any) string {
	switch s := v.(type) {
	case fmt.Stringer:
		return s.String()
	case string:
		return s
	case nil:
		return "<nil>"
	}
	return reflect.TypeOf(v).String()
}
