package net

import (
	"fmt"
	"strconv"

	"github.com/weftsim/weft/sim"
)

// Host is a simulated machine with an address, a file-descriptor limit and
// ports. Its methods must be called from the world's processes; its
// accessors (Addr, FDs, Conns, Info, ...) only read and may be called
// anywhere.
type Host struct {
	obj        sim.Object
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
		panic(fmt.Sprintf("net: FDLimit(%d): the limit cannot be negative", n))
	}
	return func(h *Host) { h.fdLimit = n }
}

// RecvBuffer sets the receive buffer of every connection on the host, in
// bytes (default 64 KiB): a peer's Send blocks while the bytes it sent and
// that this side has not read yet fill it.
func RecvBuffer(bytes int) HostOption {
	if bytes < 1 {
		panic(fmt.Sprintf("net: RecvBuffer(%d): a receive buffer holds at least one byte", bytes))
	}
	return func(h *Host) { h.recvBuffer = bytes }
}

// NewHost adds a host with the given address to w's network. The address is
// any non-empty name ("10.0.0.1", "db"); it panics if another host has it.
// NewHost is a scheduling point.
func NewHost(w *sim.World, addr string, opts ...HostOption) *Host {
	k := w.Kernel()
	k.Point()
	n := of(w)
	if addr == "" {
		panic("net: NewHost: the address is empty")
	}
	if n.byAddr[addr] != nil {
		panic(fmt.Sprintf("net: NewHost: a host with address %q already exists", addr))
	}
	h := &Host{n: n, idx: len(n.hosts), addr: addr, fdLimit: defaultFDLimit,
		recvBuffer: defaultRecvBuffer, ports: make(map[int]socket), udpPorts: make(map[int]*PacketConn),
		nextPort: ephemeralPortFirst}
	for _, o := range opts {
		o(h)
	}
	k.Register(&h.obj, "host", 1)
	h.obj.SetName(addr)
	n.hosts = append(n.hosts, h)
	n.byAddr[addr] = h
	k.Event(sim.EventNote, &h.obj, int64(h.fdLimit), func() string {
		return fmt.Sprintf("new host %q (fd limit %d)", addr, h.fdLimit)
	})
	return h
}

// Hosts returns w's hosts in creation order.
func Hosts(w *sim.World) []*Host {
	n := networks.Peek(w.Kernel())
	if n == nil {
		return nil
	}
	return append([]*Host(nil), n.hosts...)
}

// HostsOf describes the hosts of a finished run, in creation order, as the
// run left them: their descriptors, and their connections not yet closed
// with those connections' buffers. It is nil when the run made no host. It
// is what a property reads to judge a system's descriptor and buffer
// accounting.
func HostsOf(r *sim.Result) []HostInfo {
	n := networks.Of(r)
	if n == nil {
		return nil
	}
	var out []HostInfo
	for _, h := range n.hosts {
		out = append(out, h.Info())
	}
	return out
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

// Info describes the host now.
func (h *Host) Info() HostInfo {
	hi := HostInfo{Host: h, Addr: h.addr, FDs: h.fds, FDHigh: h.fdHigh, FDLimit: h.fdLimit}
	for _, c := range h.conns {
		hi.Conns = append(hi.Conns, c.Info())
	}
	return hi
}

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
		panic("net: internal error: a host released more file descriptors than it took")
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
	Owner         *sim.Proc // nil while pending in a backlog
	// Buffered is the number of bytes received and not yet read or
	// delivered, BufferedHigh the most it ever held, InFlight the bytes
	// sent and not yet consumed by the peer.
	Buffered, BufferedHigh, InFlight int
	// Site is where the connection was connected or accepted, when the
	// world keeps a trace.
	Site string

	_ struct{} // disallow positional literals, for extensibility
}
