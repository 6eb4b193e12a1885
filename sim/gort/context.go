package gort

import (
	"context"
	"sync"
	"time"

	"github.com/weftsim/weft/sim"
)

// Context is a context.Context backed by a sim.Context, so that rewritten
// code still passes a context.Context to packages that were not rewritten.
// Its Done returns a real channel that stands for the sim channel: rewritten
// code turns it back (FromReal) and waits on the sim one; code that was not
// rewritten and waits on it directly blocks outside the world, which the
// watchdog names (sim.Config.RealBlock).
type Context struct{ s sim.Context }

func (c *Context) Deadline() (time.Time, bool) { return c.s.Deadline() }
func (c *Context) Err() error                  { return c.s.Err() }
func (c *Context) Value(key any) any           { return c.s.Value(key) }
func (c *Context) Done() <-chan struct{}       { return ctxs.real(c.s.Done()) }
func (c *Context) String() string              { return "gort.Context" }

// ctxTable maps the real Done channels handed out to their sim channels, for
// the current world.
type ctxTable struct {
	mu     sync.Mutex
	toSim  map[<-chan struct{}]*sim.Chan[struct{}]
	toReal map[*sim.Chan[struct{}]]chan struct{}
}

var ctxs ctxTable

func (t *ctxTable) reset() {
	t.mu.Lock()
	t.toSim, t.toReal = map[<-chan struct{}]*sim.Chan[struct{}]{}, map[*sim.Chan[struct{}]]chan struct{}{}
	t.mu.Unlock()
}

func (t *ctxTable) real(c *sim.Chan[struct{}]) <-chan struct{} {
	if c == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.toReal == nil {
		t.toSim, t.toReal = map[<-chan struct{}]*sim.Chan[struct{}]{}, map[*sim.Chan[struct{}]]chan struct{}{}
	}
	r, ok := t.toReal[c]
	if !ok {
		r = make(chan struct{})
		t.toReal[c] = r
		t.toSim[r] = c
	}
	return r
}

// FromReal turns a channel that code which was not rewritten handed to
// rewritten code (a context's Done) into the sim channel it stands for. A
// nil channel stays nil. A real channel that stands for none (made by code
// that was not rewritten) cannot be waited on in a world: FromReal panics
// saying so.
func FromReal[T any](c <-chan T) *Chan[T] {
	if c == nil {
		return nil
	}
	if d, ok := any(c).(<-chan struct{}); ok {
		ctxs.mu.Lock()
		s, found := ctxs.toSim[d]
		ctxs.mu.Unlock()
		if found {
			return any(s).(*Chan[T])
		}
	}
	panic("gort: a channel made by code that was not rewritten reached rewritten code, which cannot wait on it in a world")
}

// toSim returns the sim.Context a context.Context stands for: its own for a
// Context, the world's Background for any other (a context made by code that
// was not rewritten: its cancellation is not seen).
func toSim(w *sim.World, parent context.Context) sim.Context {
	if parent == nil {
		panic("cannot create context from nil parent")
	}
	if c, ok := parent.(*Context); ok {
		return c.s
	}
	return w.Background()
}

func wrap(s sim.Context) context.Context { return &Context{s} }

// Background is context.Background in a world.
func Background() context.Context {
	if w := inWorld(); w != nil {
		return wrap(w.Background())
	}
	return context.Background()
}

// TODO is context.TODO in a world.
func TODO() context.Context {
	if w := inWorld(); w != nil {
		return wrap(w.Background())
	}
	return context.TODO()
}

// WithCancel is context.WithCancel.
func WithCancel(parent context.Context) (context.Context, context.CancelFunc) {
	w := inWorld()
	if w == nil {
		return context.WithCancel(parent)
	}
	s, cancel := sim.WithCancel(toSim(w, parent))
	return wrap(s), cancel
}

// WithCancelCause is context.WithCancelCause.
func WithCancelCause(parent context.Context) (context.Context, context.CancelCauseFunc) {
	w := inWorld()
	if w == nil {
		return context.WithCancelCause(parent)
	}
	s, cancel := sim.WithCancelCause(toSim(w, parent))
	return wrap(s), cancel
}

// WithDeadline is context.WithDeadline on the virtual clock.
func WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	w := inWorld()
	if w == nil {
		return context.WithDeadline(parent, d)
	}
	s, cancel := sim.WithDeadline(toSim(w, parent), d)
	return wrap(s), cancel
}

// WithTimeout is context.WithTimeout on the virtual clock.
func WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	w := inWorld()
	if w == nil {
		return context.WithTimeout(parent, d)
	}
	s, cancel := sim.WithTimeout(toSim(w, parent), d)
	return wrap(s), cancel
}

// WithValue is context.WithValue.
func WithValue(parent context.Context, key, val any) context.Context {
	w := inWorld()
	if w == nil {
		return context.WithValue(parent, key, val)
	}
	return wrap(sim.WithValue(toSim(w, parent), key, val))
}

// Cause is context.Cause.
func Cause(c context.Context) error {
	if gc, ok := c.(*Context); ok {
		return sim.Cause(gc.s)
	}
	return context.Cause(c)
}
