package gort

import (
	"runtime"

	"github.com/weftsim/weft/sim"
)

func runtimeGosched() { runtime.Gosched() }

// Chan is a channel: the rewriter turns every channel type (chan T, <-chan T,
// chan<- T) into *Chan[T], and the operations on it into its methods (Send,
// Recv, RecvOK, Close, Len, Cap, Range).
type Chan[T any] = sim.Chan[T]

// Make is make for a channel type C (*Chan[T], or a type defined as one):
// make(chan T, n) becomes Make[*Chan[T]](n). Outside a world it returns nil:
// a package-level channel is made again at the start of every world (see
// OnWorld), and one made at init time in another way stays nil.
func Make[C ~*sim.Chan[T], T any](n int) C {
	w := inWorld()
	if w == nil {
		return nil
	}
	return C(sim.NewChan[T](w, n))
}

// Recv is a receive case of a select: the value and ok it received are in V
// and OK once Select has chosen it.
type Recv[T any] struct {
	C  *Chan[T]
	V  T
	OK bool
}

// RecvCase makes the receive case "<-c" of a select.
func RecvCase[T any](c *Chan[T]) *Recv[T] { return &Recv[T]{C: c} }

// Send is a send case of a select.
type Send[T any] struct {
	C *Chan[T]
	V T
}

// SendCase makes the send case "c <- v" of a select.
func SendCase[T any](c *Chan[T], v T) *Send[T] { return &Send[T]{C: c, V: v} }

func (s *Send[T]) simCase() sim.Case { return s.C.SendCase(s.V) }

// Default is the default case of a select.
func Default() sim.Case { return sim.DefaultCase() }

type caser interface{ simCase() sim.Case }

func (r *Recv[T]) simCase() sim.Case { return r.C.RecvCase(&r.V, &r.OK) }

func (r *Recv[T]) single() { r.V, r.OK = r.C.RecvOK() }

func (s *Send[T]) single() { s.C.Send(s.V) }

// Select is the select statement: it returns the index of the case it
// takes. Each case is a *Recv (RecvCase), a *Send (SendCase) or Default().
// With no cases it blocks forever; with one it is that case's operation, as
// Go compiles it.
func Select(cases ...any) int {
	w := inWorld()
	if w == nil {
		panic("gort: a select of rewritten code ran outside a world")
	}
	if len(cases) == 1 {
		// Go compiles a select of one case to the operation alone.
		switch c := cases[0].(type) {
		case interface{ single() }:
			c.single()
			return 0
		}
	}
	cs := make([]sim.Case, len(cases))
	for i, c := range cases {
		switch c := c.(type) {
		case sim.Case:
			cs[i] = c
		case caser:
			cs[i] = c.simCase()
		default:
			panic("gort: not a select case")
		}
	}
	return w.Select(cs...)
}
