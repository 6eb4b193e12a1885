package sim

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"time"
)

// The simulated network: hosts with addresses and a file-descriptor limit,
// listeners and TCP connections between them (net_conn.go), datagrams
// (net_packet.go), links with latency, loss, duplication and partitions
// (net_link.go), and a small request/response layer on top (net_http.go).
// The rules follow TCP on Linux and gen_tcp on the BEAM, because the
// incidents weft reproduces depend on them:
//
//   - Every listener and every accepted or connected socket holds one file
//     descriptor of its host. Listen, Connect and Accept fail with ErrEMFILE
//     when the host is at its limit. A connection waiting in a listener's
//     backlog holds none: as with accept(2), Accept fails with ErrEMFILE
//     when a connection is pending and no descriptor is free, and the
//     connection stays pending, so Accept works again once one is freed.
//   - A connection is a reliable byte stream in each direction: bytes are
//     never lost, duplicated or reordered within it. A lost packet (a drop,
//     a partition) is retransmitted, so loss shows up as delay; a sender
//     that cannot get a packet through for about fifteen minutes of virtual
//     time gives up and its connection fails with ErrTimeout, while the peer
//     learns nothing (a half-open connection). Separate connections are
//     independent and may deliver in any order relative to each other.
//   - Each connection has a bounded receive buffer: Send blocks while the
//     peer's buffer (with what is still in flight to it) is full, and goes
//     on as the peer reads.
//   - A connection's controlling process (owner) is the process that
//     accepted or connected it; a listener's is the process that called
//     Listen. When an owner exits, its sockets close, as a port linked to
//     its owner does. Only the owner may hand a connection to another
//     process (ControllingProcess, else ErrNotOwner); as
//     gen_tcp:controlling_process does (inet:tcp_sync_input), the handoff
//     moves the connection's messages still in the old owner's mailbox to
//     the new owner's. So data reaches the wrong process for good only when
//     the handoff never happens, or the old owner took the messages out
//     first: the fast-packet-loss problem.
//   - In active mode (SetActive with ActiveTrue or ActiveOnce) arriving
//     data becomes a TCPData message in the owner's mailbox at the moment it
//     arrives, and the end of the stream a TCPClosed (after a TCPError for a
//     reset or a timeout); ActiveOnce delivers one message and turns the
//     connection passive. In passive mode (ActiveFalse, the default) data
//     waits in the receive buffer for Recv. An accepted connection takes its
//     mode from its listener.
//   - Closing a connection sends the peer an end of stream after the data
//     already sent, unless unread data is left in the receive buffer: then,
//     as Linux does, it resets the connection. Data that reaches a closed
//     socket is answered with a reset. A connection that breaks (a reset
//     arrives, or it gives up retransmitting) sends nothing more; what it
//     had received can still be read. Its error (ErrReset, ErrTimeout) is
//     reported once, by the next Recv or Send, as Linux reports a socket's
//     pending error; then Recv returns io.EOF and Send ErrPipe. A reset
//     that comes after the peer's end of stream is not an error for Recv
//     (it returns io.EOF) and is ErrPipe for Send. These rules were checked
//     against Linux over loopback (see TestNetMatchesLinuxTCP).
//
// Links deliver in virtual time. On the default link (the zero NetLink) a
// packet arrives at the instant it was sent, as soon as the running process
// blocks, so which comes first, an arrival or another process's step, is
// the schedule's to choose: races such as data reaching an acceptor before
// it hands the connection on are explored. With latency, a process that
// never waits in virtual time always runs ahead of the network.
//
// Every operation is a scheduling point and an event in the trace, naming
// the listener or connection; a process blocked in Accept, Recv, Connect or
// a Send on a full buffer is reported, with what it waits on, when the run
// deadlocks or leaks. Hosts, ports, links and decisions are kept in slices
// or looked up in maps, never iterated in map order, so runs replay.

// Errors of network operations. They are returned, never panicked: they are
// the operating conditions a system must handle.
var (
	// ErrEMFILE: the host has no free file descriptor (emfile).
	ErrEMFILE = errors.New("sim: too many open files (emfile)")
	// ErrClosed: the socket was closed (by Close, Abort, or its owner's
	// exit), or a listener was closed while Accept waited.
	ErrClosed = errors.New("sim: use of a closed socket (closed)")
	// ErrNotOwner: the caller is not the socket's controlling process.
	ErrNotOwner = errors.New("sim: not the controlling process (not_owner)")
	// ErrReset: the peer reset the connection (econnreset).
	ErrReset = errors.New("sim: connection reset by peer (econnreset)")
	// ErrRefused: nothing listens on the port (econnrefused).
	ErrRefused = errors.New("sim: connection refused (econnrefused)")
	// ErrTimeout: a timeout given to the operation expired, or the
	// connection gave up retransmitting (etimedout).
	ErrTimeout = errors.New("sim: timed out (etimedout)")
	// ErrAddrInUse: the port is taken on that host (eaddrinuse).
	ErrAddrInUse = errors.New("sim: address in use (eaddrinuse)")
	// ErrNoHost: no host has that address (nxdomain).
	ErrNoHost = errors.New("sim: no such host (nxdomain)")
	// ErrActive: Recv on a connection in active mode, where data goes to the
	// owner's mailbox instead (einval, as gen_tcp:recv answers).
	ErrActive = errors.New("sim: recv on a socket in active mode (einval)")
	// ErrPipe: the connection can no longer send: after CloseWrite, or
	// after its breaking was reported (epipe, "broken pipe").
	ErrPipe = errors.New("sim: broken pipe (epipe)")
)

// The network's kinds of fault, for a FaultPlan: each strikes per packet
// (drop, delay, duplicate: datagrams only see duplicates; partition: cuts
// the link both ways for a while), per accept (emfile) or per arrival
// (slow-reader: the receiver stalls).
var (
	FaultDrop       = NewFaultKind(1, "drop")
	FaultDelay      = NewFaultKind(2, "delay")
	FaultDuplicate  = NewFaultKind(3, "duplicate")
	FaultPartition  = NewFaultKind(4, "partition")
	FaultEMFILE     = NewFaultKind(5, "emfile")
	FaultSlowReader = NewFaultKind(6, "slow-reader")
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
	w      *World
	hosts  []*Host          // in creation order
	byAddr map[string]*Host // looked up, never iterated
	link   NetLink          // the link of every pair without one of its own
	// owned lists each live owner's sockets, in the order it came to own
	// them; looked up, never iterated.
	owned map[*Proc]*ownedSockets
}

// socket is what an owner owns: a connection, a listener or a datagram
// socket. shut closes it as its owner's exit does: no scheduling point, and
// the caller has checked it is open.
type socket interface {
	base() *sockBase
	shut()
}

func (b *sockBase) base() *sockBase { return b }

// closeOp is Close (or Abort) for any socket s: a scheduling point named
// op, ErrClosed (reported as call) when s is closed already, else shut.
func (b *sockBase) closeOp(op, call string, shut func()) error {
	b.w.netOp(op)
	if b.closed {
		return b.w.netErr(&b.obj, call, ErrClosed)
	}
	shut()
	return nil
}

type ownedSockets struct{ list []socket }

// sockBase is what every socket (connection, listener, datagram socket)
// has: its identity, its world, its controlling process and its active mode;
// and the two operations whose rules are the same for all of them.
type sockBase struct {
	obj    Object
	w      *World
	n      *network
	owner  *Proc // nil while a connection waits in a backlog
	active ActiveMode
	closed bool // closed here: its descriptor is released
}

// setActive is inet:setopts(S, [{active, Mode}]): pump delivers what is
// already buffered to the owner, and readers waiting in readq are woken to
// fail with ErrActive (both nil for a listener).
func (b *sockBase) setActive(mode ActiveMode, pump func(), readq *waitList) error {
	w := b.w
	w.netOp("SetActive")
	mode.validate("SetActive")
	if b.closed {
		return w.netErr(&b.obj, "setopts", ErrClosed)
	}
	b.active = mode
	w.event(EventNote, &b.obj, int64(mode), func() string { return fmt.Sprintf("%v active %v", &b.obj, mode) })
	if pump != nil {
		pump()
	}
	if readq != nil && b.active != ActiveFalse {
		readq.wakeAll(w)
	}
	return nil
}

// handOff is controlling_process for socket s (whose base is b): only the
// current controlling process may hand it on (ErrNotOwner), and only to a
// live process (ErrBadArg). As inet:tcp_sync_input does, the messages
// ours recognises as s's move from the caller's mailbox to p's, in order.
func (b *sockBase) handOff(s socket, p *Proc, ours func(any) bool) error {
	w := b.w
	w.netOp("ControllingProcess")
	old := w.cur
	switch {
	case b.closed:
		return w.netErr(&b.obj, "controlling_process", ErrClosed)
	case b.owner != old:
		return w.netErr(&b.obj, "controlling_process", ErrNotOwner)
	case p == old:
		return nil
	case p == nil || !p.Alive():
		return w.netErr(&b.obj, "controlling_process", fmt.Errorf("%w: the new controlling process %s has ended", ErrBadArg, procLabel(p)))
	}
	var moved []any
	if ours != nil {
		kept := old.mailbox[:0]
		for _, m := range old.mailbox {
			if ours(m) {
				moved = append(moved, m)
			} else {
				kept = append(kept, m)
			}
		}
		clear(old.mailbox[len(kept):])
		old.mailbox = kept
	}
	b.n.disown(old, s)
	b.owner = p
	b.n.own(p, s)
	w.event(EventNote, &b.obj, int64(p.id), func() string {
		return fmt.Sprintf("%v controlled by p%d (%d messages forwarded)", &b.obj, p.id, len(moved))
	})
	for _, m := range moved {
		w.deliver(p, m)
	}
	return nil
}

// network returns the world's network, making it on first use.
func (w *World) network() *network {
	if w.net == nil {
		w.net = &network{w: w, byAddr: make(map[string]*Host), owned: make(map[*Proc]*ownedSockets)}
	}
	return w.net
}

// own records that p owns s. The first socket a process owns registers one
// exit hook that closes all it owns then, as the BEAM closes a port whose
// owner exits.
func (n *network) own(p *Proc, s socket) {
	o := n.owned[p]
	if o == nil {
		o = &ownedSockets{}
		n.owned[p] = o
		p.onExit(func(any) { n.ownerExited(p) })
	}
	o.list = append(o.list, s)
}

func (n *network) disown(p *Proc, s socket) {
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
func (n *network) ownerExited(p *Proc) {
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

// Host is a simulated machine with an address, a file-descriptor limit and
// ports. Its methods must be called from the world's processes; its
// accessors (Addr, FDs, Conns, ...) only read and may be called anywhere.
type Host struct {
	obj        Object
	w          *World
	n          *network
	idx        int // index in network.hosts
	addr       string
	fdLimit    int
	fds        int
	fdHigh     int
	recvBuffer int
	ports      map[int]socket      // TCP ports in use; looked up, never iterated
	udpPorts   map[int]*PacketConn // UDP ports in use (a space of their own)
	nextPort   int
	links      []*linkState // by destination host index, made on demand
	conns      []*Conn      // not yet closed, in creation order
}

// HostOption configures a host made by NewHost.
type HostOption func(*Host)

// FDLimit sets how many file descriptors the host has (default 1024). Every
// listener and every accepted or connected socket holds one.
func FDLimit(n int) HostOption {
	if n < 0 {
		panic(fmt.Sprintf("sim: FDLimit(%d): the limit cannot be negative", n))
	}
	return func(h *Host) { h.fdLimit = n }
}

// RecvBuffer sets the receive buffer of every connection on the host, in
// bytes (default 64 KiB): a peer's Send blocks while the bytes it sent and
// that this side has not read yet fill it.
func RecvBuffer(bytes int) HostOption {
	if bytes < 1 {
		panic(fmt.Sprintf("sim: RecvBuffer(%d): a receive buffer holds at least one byte", bytes))
	}
	return func(h *Host) { h.recvBuffer = bytes }
}

// NewHost adds a host with the given address to the world's network. The
// address is any non-empty name ("10.0.0.1", "db"); it panics if another
// host has it. NewHost is a scheduling point.
func (w *World) NewHost(addr string, opts ...HostOption) *Host {
	w.point()
	n := w.network()
	if addr == "" {
		panic("sim: NewHost: the address is empty")
	}
	if n.byAddr[addr] != nil {
		panic(fmt.Sprintf("sim: NewHost: a host with address %q already exists", addr))
	}
	h := &Host{w: w, n: n, idx: len(n.hosts), addr: addr, fdLimit: defaultFDLimit,
		recvBuffer: defaultRecvBuffer, ports: make(map[int]socket), udpPorts: make(map[int]*PacketConn),
		nextPort: ephemeralPortFirst}
	for _, o := range opts {
		o(h)
	}
	w.newObject(&h.obj, "host", 1)
	h.obj.name = addr
	n.hosts = append(n.hosts, h)
	n.byAddr[addr] = h
	w.event(EventNote, &h.obj, int64(h.fdLimit), func() string {
		return fmt.Sprintf("new host %q (fd limit %d)", addr, h.fdLimit)
	})
	return h
}

// Hosts returns the world's hosts in creation order.
func (w *World) Hosts() []*Host {
	if w.net == nil {
		return nil
	}
	return append([]*Host(nil), w.net.hosts...)
}

// Addr is the host's address.
func (h *Host) Addr() string { return h.addr }

// FDs is the number of file descriptors the host has open now, FDHigh the
// most it ever had open at once, and FDLimit its limit.
func (h *Host) FDs() int     { return h.fds }
func (h *Host) FDHigh() int  { return h.fdHigh }
func (h *Host) FDLimit() int { return h.fdLimit }

// Conns returns the host's connections that are not closed, in creation
// order: connected, accepted, and those still pending in a backlog.
func (h *Host) Conns() []*Conn { return append([]*Conn(nil), h.conns...) }

func (h *Host) String() string { return h.obj.String() }

// takeFD takes a file descriptor, or reports that none is free.
func (h *Host) takeFD() bool {
	if h.fds >= h.fdLimit {
		return false
	}
	h.fds++
	h.fdHigh = max(h.fdHigh, h.fds)
	return true
}

func (h *Host) releaseFD() {
	if h.fds <= 0 {
		panic("sim: internal error: a host released more file descriptors than it took")
	}
	h.fds--
}

// ephemeralPort picks the next port of the ephemeral range that is not
// taken, in order, wrapping around, as a deterministic kernel would.
func (h *Host) ephemeralPort(taken func(port int) bool) (int, bool) {
	for range ephemeralPortLast - ephemeralPortFirst + 1 {
		p := h.nextPort
		h.nextPort++
		if h.nextPort > ephemeralPortLast {
			h.nextPort = ephemeralPortFirst
		}
		if !taken(p) {
			return p, true
		}
	}
	return 0, false
}

func (h *Host) tcpTaken(port int) bool { return h.ports[port] != nil }
func (h *Host) udpTaken(port int) bool { return h.udpPorts[port] != nil }

func (h *Host) removeConn(c *Conn) {
	for i, x := range h.conns {
		if x == c {
			h.conns = append(h.conns[:i], h.conns[i+1:]...)
			return
		}
	}
}

// Addr is a host address and a port.
type Addr struct {
	Host string
	Port int
}

func (a Addr) String() string { return a.Host + ":" + strconv.Itoa(a.Port) }

// HostInfo describes a host at one moment, for properties and reports.
type HostInfo struct {
	Host    *Host
	Addr    string
	FDs     int // open now
	FDHigh  int // the most ever open at once
	FDLimit int
	Conns   []ConnInfo // the connections not yet closed, in creation order

	_ struct{} // disallow positional literals, for extensibility
}

// ConnInfo describes a connection at one moment.
type ConnInfo struct {
	Conn          *Conn
	Local, Remote Addr
	Owner         *Proc // nil while pending in a backlog
	// Buffered is the number of bytes received and not yet read or
	// delivered, BufferedHigh the most it ever held, InFlight the bytes
	// sent and not yet consumed by the peer.
	Buffered, BufferedHigh, InFlight int
	// Site is where the connection was connected or accepted, when the
	// world keeps a trace.
	Site string

	_ struct{} // disallow positional literals, for extensibility
}

// HostInfos describes every host and its open connections, in creation
// order. It only reads, so properties may call it after a run.
func (w *World) HostInfos() []HostInfo {
	var out []HostInfo
	for _, h := range w.Hosts() {
		hi := HostInfo{Host: h, Addr: h.addr, FDs: h.fds, FDHigh: h.fdHigh, FDLimit: h.fdLimit}
		for _, c := range h.conns {
			hi.Conns = append(hi.Conns, c.Info())
		}
		out = append(out, hi)
	}
	return out
}

// netOp starts an operation of the network: a scheduling point, made from a
// process.
func (w *World) netOp(op string) {
	if w.cur == nil {
		panic(fmt.Sprintf("sim: %s called outside a process (from a timer callback, or after the run): network operations need a calling process", op))
	}
	w.point()
}

// netDeadline turns a timeout (negative: none) into a virtual instant (-1:
// none).
func (w *World) netDeadline(timeout time.Duration) time.Duration {
	if timeout < 0 {
		return -1
	}
	return w.when(timeout)
}

func (w *World) netExpired(deadline time.Duration) bool { return deadline >= 0 && w.now >= deadline }

// netSite is the caller's source line skip frames up, when the world keeps a
// trace (see newObject).
func (w *World) netSite(skip int) string {
	if !w.cfg.KeepTrace {
		return ""
	}
	if _, file, line, ok := runtime.Caller(skip + 1); ok {
		return fmt.Sprintf("%s:%d", shortFile(file), line)
	}
	return ""
}

// netErr traces an operation that failed with err, and returns err.
func (w *World) netErr(obj *Object, op string, err error) error {
	w.event(EventNote, obj, -1-netErrCode(err), func() string { return fmt.Sprintf("%s %v: %v", op, obj, err) })
	return err
}

// netErrCode numbers the network's errors for the trace hash.
func netErrCode(err error) int64 {
	for i, e := range [...]error{ErrEMFILE, ErrClosed, ErrNotOwner, ErrReset, ErrRefused, ErrTimeout,
		ErrAddrInUse, ErrNoHost, ErrActive, ErrPipe, ErrBadArg} {
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
	w        *World
	p        *Proc
	list     *waitList
	timer    *Alarm
	timedOut bool
}

// park blocks the running process on the list until a wake, or until
// deadline (negative: none). It reports whether the deadline passed.
func (l *waitList) park(w *World, op string, obj *Object, deadline time.Duration) bool {
	p := w.cur
	nw := &netWait{w: w, p: p, list: l}
	l.ws = append(l.ws, nw)
	if deadline >= 0 {
		nw.timer = &Alarm{Obj: obj, Fire: func() {
			l.remove(nw)
			nw.timedOut = true
			w.wake(p)
		}}
		w.addTimer(nw.timer, deadline)
	}
	w.event(EventBlock, obj, 0, func() string { return op + " " + obj.String() })
	w.block(op, nw, obj)
	return nw.timedOut
}

func (l *waitList) wakeAll(w *World) {
	ws := l.ws
	l.ws = nil
	for _, nw := range ws {
		if nw.timer != nil {
			w.stopTimer(nw.timer)
		}
		w.wake(nw.p)
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
		nw.w.stopTimer(nw.timer)
	}
}

// quoteBytes renders data for the trace, cut to a readable length.
func quoteBytes(data []byte) string {
	const most = 40
	if len(data) <= most {
		return fmt.Sprintf("%q", data)
	}
	return fmt.Sprintf("%q… (%d bytes)", data[:most], len(data))
}
