package net

import (
	"errors"
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
)

// The network's state in a world, its errors and fault kinds, and what every
// operation shares: the scheduling point it starts with, timeouts on the
// virtual clock, the trace note of a failure, and the lists of processes
// parked on a socket.

// Errors of network operations. They are returned, never panicked: they are
// the operating conditions a system must handle.
var (
	// ErrEMFILE: the host has no free file descriptor (emfile).
	ErrEMFILE = errors.New("net: too many open files (emfile)")
	// ErrClosed: the socket was closed (by Close, Abort, or its owner's
	// exit), or a listener was closed while Accept waited.
	ErrClosed = errors.New("net: use of a closed socket (closed)")
	// ErrNotOwner: the caller is not the socket's controlling process.
	ErrNotOwner = errors.New("net: not the controlling process (not_owner)")
	// ErrReset: the peer reset the connection (econnreset).
	ErrReset = errors.New("net: connection reset by peer (econnreset)")
	// ErrRefused: nothing listens on the port (econnrefused).
	ErrRefused = errors.New("net: connection refused (econnrefused)")
	// ErrTimeout: a timeout given to the operation expired, or the
	// connection gave up retransmitting (etimedout).
	ErrTimeout = errors.New("net: timed out (etimedout)")
	// ErrAddrInUse: the port is taken on that host (eaddrinuse).
	ErrAddrInUse = errors.New("net: address in use (eaddrinuse)")
	// ErrNoHost: no host has that address (nxdomain).
	ErrNoHost = errors.New("net: no such host (nxdomain)")
	// ErrActive: Recv on a connection in active mode, where data goes to the
	// owner's mailbox instead (einval, as gen_tcp:recv answers).
	ErrActive = errors.New("net: recv on a socket in active mode (einval)")
	// ErrPipe: the connection can no longer send: after CloseWrite, or
	// after its breaking was reported (epipe, "broken pipe").
	ErrPipe = errors.New("net: broken pipe (epipe)")
)

// The network's kinds of fault, for a sim.FaultPlan: each strikes per
// packet (drop, delay, duplicate: datagrams only see duplicates; partition:
// cuts the link both ways for a while), per accept (emfile) or per arrival
// (slow-reader: the receiver stalls). Their numbers are in every trace that
// records one, so they never change.
var (
	FaultDrop       = sim.NewFaultKind(1, "drop")
	FaultDelay      = sim.NewFaultKind(2, "delay")
	FaultDuplicate  = sim.NewFaultKind(3, "duplicate")
	FaultPartition  = sim.NewFaultKind(4, "partition")
	FaultEMFILE     = sim.NewFaultKind(5, "emfile")
	FaultSlowReader = sim.NewFaultKind(6, "slow-reader")
)

// Defaults of a host, and the range of ephemeral ports (Linux's default).
const (
	defaultFDLimit       = 1024
	defaultRecvBuffer    = 64 << 10
	ephemeralPortFirst   = 32768
	ephemeralPortLast    = 60999
	defaultListenBacklog = 128
)

// network is a world's simulated network.
type network struct {
	k      *sim.Kernel
	w      *sim.World
	hosts  []*Host          // in creation order
	byAddr map[string]*Host // looked up, never iterated
	link   Link             // the link of every pair without one of its own
	// owned lists each live owner's sockets, in the order it came to own
	// them; looked up, never iterated.
	owned map[*sim.Proc]*ownedSockets
}

// networks holds each world's network, made by the first operation that
// needs one (NewHost, SetDefaultLink, ...): a world that never uses the
// network pays nothing for it.
var networks = sim.NewLocal(func(k *sim.Kernel) *network {
	return &network{k: k, w: k.World(), byAddr: make(map[string]*Host), owned: make(map[*sim.Proc]*ownedSockets)}
})

// of returns w's network, making it on first use.
func of(w *sim.World) *network { return networks.Get(w.Kernel()) }

// check panics unless every host is on n: a host of another world's
// network.
func (n *network) check(op string, hosts ...*Host) {
	for _, h := range hosts {
		if h.n != n {
			panic(fmt.Sprintf("net: %s: host %q belongs to another world", op, h.addr))
		}
	}
}

// op starts an operation of the network: a scheduling point, made from a
// process.
func (n *network) op(name string) {
	if n.k.Running() == nil {
		panic(fmt.Sprintf("net: %s called outside a process (from an alarm, or after the run): network operations need a calling process", name))
	}
	n.k.Point()
}

// deadline turns a timeout (negative: none) into a virtual instant (-1:
// none).
func (n *network) deadline(timeout time.Duration) time.Duration {
	if timeout < 0 {
		return -1
	}
	return n.k.Deadline(timeout)
}

func (n *network) expired(deadline time.Duration) bool {
	return deadline >= 0 && n.w.Elapsed() >= deadline
}

// remaining turns a deadline (-1: none) into the timeout left.
func (n *network) remaining(deadline time.Duration) time.Duration {
	if deadline < 0 {
		return sim.Infinity
	}
	return max(deadline-n.w.Elapsed(), 0)
}

// opErr traces an operation that failed with err, and returns err.
func (n *network) opErr(obj *sim.Object, op string, err error) error {
	n.k.Event(sim.EventNote, obj, -1-errCode(err), func() string { return fmt.Sprintf("%s %v: %v", op, obj, err) })
	return err
}

// errCode numbers the network's errors for the trace hash.
func errCode(err error) int64 {
	for i, e := range [...]error{ErrEMFILE, ErrClosed, ErrNotOwner, ErrReset, ErrRefused, ErrTimeout,
		ErrAddrInUse, ErrNoHost, ErrActive, ErrPipe, sim.ErrBadArg} {
		if errors.Is(err, e) {
			return int64(i)
		}
	}
	return 99
}

// waitList is the processes parked on one condition of a network object.
// Every change wakes them all, in the order they came, and each looks again:
// a woken process that finds nothing for it parks again at the back.
type waitList struct{ ws []*netWait }

// netWait is one parked process; it is its Withdrawer while parked.
type netWait struct {
	k        *sim.Kernel
	p        *sim.Proc
	list     *waitList
	timer    *sim.Alarm
	timedOut bool
}

// park blocks the running process on the list until a wake, or until
// deadline (negative: none). It reports whether the deadline passed.
func (l *waitList) park(k *sim.Kernel, op string, obj *sim.Object, deadline time.Duration) bool {
	p := k.Running()
	nw := &netWait{k: k, p: p, list: l}
	l.ws = append(l.ws, nw)
	if deadline >= 0 {
		nw.timer = &sim.Alarm{Obj: obj, Fire: func() {
			l.remove(nw)
			nw.timedOut = true
			k.Wake(p)
		}}
		k.SetAlarm(nw.timer, deadline)
	}
	k.Event(sim.EventBlock, obj, 0, func() string { return op + " " + obj.String() })
	k.Block(op, nw, obj)
	return nw.timedOut
}

func (l *waitList) wakeAll(k *sim.Kernel) {
	ws := l.ws
	l.ws = nil
	for _, nw := range ws {
		if nw.timer != nil {
			k.StopAlarm(nw.timer)
		}
		k.Wake(nw.p)
	}
}

func (l *waitList) remove(nw *netWait) {
	for i, x := range l.ws {
		if x == nw {
			l.ws = append(l.ws[:i], l.ws[i+1:]...)
			return
		}
	}
}

// Withdraw takes the process off the list: an exit signal ends it while it
// waits.
func (nw *netWait) Withdraw() {
	nw.list.remove(nw)
	if nw.timer != nil {
		nw.k.StopAlarm(nw.timer)
	}
}

var _ sim.Withdrawer = (*netWait)(nil)

func boolArg(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// quoteBytes renders data for the trace, cut to a readable length.
func quoteBytes(data []byte) string {
	const most = 40
	if len(data) <= most {
		return fmt.Sprintf("%q", data)
	}
	return fmt.Sprintf("%q… (%d bytes)", data[:most], len(data))
}
