package net

import (
	"fmt"

	"github.com/weftsim/weft/sim"
)

// What every socket (connection, listener, datagram socket) shares: a
// controlling process that owns it and takes it down when it exits, an
// active mode, and the rules for closing it and handing it on.

// socket is what an owner owns: a connection, a listener or a datagram
// socket. shut closes it as its owner's exit does: no scheduling point, and
// the caller has checked it is open.
type socket interface {
	base() *sockBase
	shut()
}

// sockBase is what every socket has: its identity, its network, its
// controlling process and its active mode; and the operations whose rules
// are the same for all of them.
type sockBase struct {
	obj    sim.Object
	n      *network
	owner  *sim.Proc // nil while a connection waits in a backlog
	active ActiveMode
	closed bool // closed here: its descriptor is released
	// driven: a library drives the socket through a Handler (driven.go),
	// not a process: it has no owner, and closing it is no scheduling point.
	driven bool
}

func (b *sockBase) base() *sockBase { return b }

// closeOp is Close (or Abort) for any socket s: a scheduling point named
// op (unless a library drives s), ErrClosed (reported as call) when s is
// closed already, else shut.
func (b *sockBase) closeOp(op, call string, shut func()) error {
	if !b.driven {
		b.n.op(op)
	}
	if b.closed {
		return b.n.opErr(&b.obj, call, ErrClosed)
	}
	shut()
	return nil
}

// setActive is inet:setopts(S, [{active, Mode}]): pump delivers what is
// already buffered to the owner, and readers waiting in readq are woken to
// fail with ErrActive (both nil for a listener).
func (b *sockBase) setActive(mode ActiveMode, pump func(), readq *waitList) error {
	n := b.n
	n.op("SetActive")
	mode.validate("SetActive")
	if b.closed {
		return n.opErr(&b.obj, "setopts", ErrClosed)
	}
	b.active = mode
	n.k.Event(sim.EventNote, &b.obj, int64(mode), func() string { return fmt.Sprintf("%v active %v", &b.obj, mode) })
	if pump != nil {
		pump()
	}
	if readq != nil && b.active != ActiveFalse {
		readq.wakeAll(n.k)
	}
	return nil
}

// handOff is controlling_process for socket s (whose base is b): only the
// current controlling process may hand it on (ErrNotOwner), and only to a
// live process (sim.ErrBadArg). As inet:tcp_sync_input does, the messages
// ours recognises as s's move from the caller's mailbox to p's, in order.
func (b *sockBase) handOff(s socket, p *sim.Proc, ours func(any) bool) error {
	n, k := b.n, b.n.k
	n.op("ControllingProcess")
	old := k.Running()
	switch {
	case b.closed:
		return n.opErr(&b.obj, "controlling_process", ErrClosed)
	case b.owner != old:
		return n.opErr(&b.obj, "controlling_process", ErrNotOwner)
	case p == old:
		return nil
	case p == nil || !p.Alive():
		return n.opErr(&b.obj, "controlling_process", fmt.Errorf("%w: the new controlling process %s has ended", sim.ErrBadArg, procLabel(p)))
	}
	var moved []any
	if ours != nil {
		moved = k.TakeMessages(old, ours)
	}
	n.disown(old, s)
	b.owner = p
	n.own(p, s)
	k.Event(sim.EventNote, &b.obj, int64(p.ID()), func() string {
		return fmt.Sprintf("%v controlled by p%d (%d messages forwarded)", &b.obj, p.ID(), len(moved))
	})
	for _, m := range moved {
		k.Deliver(p, m)
	}
	return nil
}

// procLabel names a process in an error: p<id> and its name.
func procLabel(p *sim.Proc) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprintf("p%d %q", p.ID(), p.Name())
}

type ownedSockets struct{ list []socket }

// own records that p owns s. The first socket a process owns registers one
// exit hook that closes all it owns then, as the BEAM closes a port whose
// owner exits.
func (n *network) own(p *sim.Proc, s socket) {
	o := n.owned[p]
	if o == nil {
		o = &ownedSockets{}
		n.owned[p] = o
		n.k.OnExit(p, func(any) { n.ownerExited(p) })
	}
	o.list = append(o.list, s)
}

func (n *network) disown(p *sim.Proc, s socket) {
	o := n.owned[p]
	if o == nil {
		return
	}
	for i, x := range o.list {
		if x == s {
			o.list = append(o.list[:i], o.list[i+1:]...)
			return
		}
	}
}

// ownerExited closes what p owned, in the order it came to own it. It runs
// on p's coroutine as p ends, so it must not reach a scheduling point.
func (n *network) ownerExited(p *sim.Proc) {
	o := n.owned[p]
	delete(n.owned, p)
	if o == nil {
		return
	}
	for _, s := range o.list {
		if !s.base().closed {
			s.shut()
		}
	}
}
