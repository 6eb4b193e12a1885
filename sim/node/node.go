package node

import (
	"errors"
	"fmt"
	"strings"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// ErrSystemLimit is the error of making an atom of a name longer than the
// emulator allows (system_limit).
var ErrSystemLimit = errors.New("node: system_limit")

// Atom limits of the emulator: the default size of the table (+t), and the
// longest name an atom may have, in characters.
const (
	defaultAtomLimit = 1 << 20
	maxAtomChars     = 255
)

// Options configures a node made by New. The zero value is usable.
type Options struct {
	// AtomLimit is the size of the atom table: the emulator's +t flag (0:
	// 1,048,576, its default).
	AtomLimit int
	// BootAtoms is how many atoms the node has before the scenario makes
	// any: those of the runtime and of the code it loaded (0: none). It must
	// be below AtomLimit.
	BootAtoms int
	// Host is the host the node runs on, which its connections to other
	// nodes leave from (see the package doc's Distribution). Nil: the host whose address is the
	// part of the name after '@' ("srv" for "app@srv"), or the whole name
	// when it has no '@', made (net.NewHost) if the world has none.
	Host *net.Host

	_ struct{} // disallow positional literals, for extensibility
}

// Node is a BEAM node in a world: a name, the processes on it, its atom
// table, and whether it is up. Its methods that act must be called from
// the world's processes; its accessors (Name, Alive, Atoms, ...) only read
// and may be called anywhere.
type Node struct {
	obj       sim.Object
	k         *sim.Kernel
	st        *state
	name      string
	atomLimit int
	atomCount int
	boot      int                 // Options.BootAtoms, for Restart
	atoms     map[string]sim.Atom // the atoms made while it runs; looked up, never iterated
	procs     []*sim.Proc         // on the node, in spawn order
	watchers  []*sim.Proc         // Monitor callers, in order
	crash     *Crash              // nil while it is up
	host      *net.Host
	lis       *net.Listener // its distribution listener, opened by its first connection
}

// Crash is why a node went down: the exit reason of every process that was
// on it, and what Node.Reason returns.
type Crash struct {
	Node   string
	Slogan string // as the emulator's crash dump heads it
}

func (c *Crash) String() string { return fmt.Sprintf("node %s crashed: %s", c.Node, c.Slogan) }

// NodeDown is the message a process that called Node.Monitor gets when the
// node goes down, as erlang:monitor_node's {nodedown, Node}; Reason is nil
// when the node is up but cut off from the watcher's node (a netsplit).
type NodeDown struct {
	Node   *Node
	Reason *Crash
}

func (m NodeDown) String() string {
	if m.Reason == nil {
		return fmt.Sprintf("nodedown %s: noconnection", m.Node.name)
	}
	return fmt.Sprintf("nodedown %s: %s", m.Node.name, m.Reason.Slogan)
}

// state is a world's nodes and which process is on which.
type state struct {
	k     *sim.Kernel
	nodes []*Node
	on    map[*sim.Proc]*Node // looked up, never iterated
	// placing is the node Spawn is starting a process on: the spawn hook
	// puts the child there rather than on its parent's node.
	placing *Node
	// dist carries messages, links and monitors between nodes (dist.go);
	// nil until a process uses it.
	dist *dist
}

var worlds = sim.NewLocal(func(k *sim.Kernel) *state {
	st := &state{k: k, on: make(map[*sim.Proc]*Node)}
	k.OnSpawn(st.spawned)
	return st
})

// spawned places a new process: on the node Spawn names, else on its
// parent's.
func (st *state) spawned(parent, child *sim.Proc) {
	n := st.placing
	st.placing = nil
	if n == nil && parent != nil {
		n = st.on[parent]
	}
	if n != nil {
		st.on[child] = n
		n.procs = append(n.procs, child)
	}
}

// New starts a node named name in w's world, with no process on it yet. It
// panics if a node of that name exists, or on options that make no table.
// New is a scheduling point.
func New(w *sim.World, name string, opts Options) *Node {
	k := w.Kernel()
	st := worlds.Get(k)
	if name == "" {
		panic("node: New: the name is empty")
	}
	for _, n := range st.nodes {
		if n.name == name {
			panic(fmt.Sprintf("node: New: a node named %q already exists", name))
		}
	}
	host, made := opts.Host, false
	if host == nil {
		addr := name[strings.LastIndexByte(name, '@')+1:]
		for _, h := range net.Hosts(w) {
			if h.Addr() == addr {
				host = h
			}
		}
		if host == nil {
			host, made = net.NewHost(w, addr), true // a scheduling point: New's
		}
	}
	if !made {
		k.Point()
	}
	limit := opts.AtomLimit
	if limit == 0 {
		limit = defaultAtomLimit
	}
	if limit < 1 || opts.BootAtoms < 0 || opts.BootAtoms >= limit {
		panic(fmt.Sprintf("node: New(%q): %d boot atoms in a table of %d: the table needs room for them and one more", name, opts.BootAtoms, limit))
	}
	n := &Node{k: k, st: st, name: name, atomLimit: limit, atomCount: opts.BootAtoms, boot: opts.BootAtoms, atoms: make(map[string]sim.Atom), host: host}
	k.Register(&n.obj, "node", 1)
	n.obj.SetName(name)
	st.nodes = append(st.nodes, n)
	k.Event(sim.EventNote, &n.obj, int64(limit), func() string {
		return fmt.Sprintf("node %s up (%d of %d atoms)", name, n.atomCount, limit)
	})
	return n
}

// Of returns the node p runs on, or nil when it is on none.
func Of(w *sim.World, p *sim.Proc) *Node {
	st := worlds.Peek(w.Kernel())
	if st == nil {
		return nil
	}
	return st.on[p]
}

// Spawn starts f as a new OTP process (World.Spawn) on the node, and
// returns it; the processes it spawns are on the node too. On a node that
// is down, the process exits at once with reason noconnection, as a spawn
// on an unreachable node does. Spawn is a scheduling point.
func (n *Node) Spawn(name string, f func()) *sim.Proc {
	w := n.k.World()
	if n.crash != nil {
		return w.Spawn(name, func() { w.Exit(sim.Atom("noconnection")) })
	}
	n.st.placing = n
	defer func() { n.st.placing = nil }() // consumed by the spawn hook, unless the run is over
	return w.Spawn(name, f)
}

// Name is the node's name.
func (n *Node) Name() string { return n.name }

// Host is the host the node runs on.
func (n *Node) Host() *net.Host { return n.host }

func (n *Node) String() string { return n.obj.String() }

// Alive reports whether the node is up.
func (n *Node) Alive() bool { return n.crash == nil }

// Reason is why the node went down, nil while it is up.
func (n *Node) Reason() *Crash { return n.crash }

// Has reports whether p runs on the node (alive or not).
func (n *Node) Has(p *sim.Proc) bool { return n.st.on[p] == n }

// Procs returns the processes that ran on the node, alive or not, in spawn
// order.
func (n *Node) Procs() []*sim.Proc { return append([]*sim.Proc(nil), n.procs...) }

// Atoms is how many atoms the node's table holds, AtomLimit how many it
// can.
func (n *Node) Atoms() int     { return n.atomCount }
func (n *Node) AtomLimit() int { return n.atomLimit }

// Monitor makes the calling process a watcher of the node, as
// erlang:monitor_node(Node, true): it gets one NodeDown message when the
// node goes down, at once if it is down already; a watcher on another node
// gets it too when a netsplit cuts the two apart (Reason nil; see the
// package doc's Distribution).
// Monitor is a scheduling point.
func (n *Node) Monitor() {
	n.k.Point()
	self := n.k.Running()
	if n.crash != nil {
		n.k.Deliver(self, NodeDown{Node: n, Reason: n.crash})
		return
	}
	if on := n.st.on[self]; on != nil && on != n && distOf(n.k.World()).splitFrom(self, n) {
		n.k.Deliver(self, NodeDown{Node: n}) // cut off by a netsplit (dist.go)
		return
	}
	n.watchers = append(n.watchers, self)
}

// ListToAtom returns the atom named s, as list_to_atom/1: the existing one,
// or a new one, which stays for the node's lifetime. When the table is full,
// a new atom takes the node down (see the package's rules): the call does
// not return if the caller is on the node. A name longer than 255
// characters panics with an error wrapping ErrSystemLimit, a call on a node
// that is down with one wrapping sim.ErrBadArg: both are exceptions, which
// end a process made with Spawn. ListToAtom is a scheduling point.
func (n *Node) ListToAtom(s string) sim.Atom {
	n.k.Point()
	n.check("list_to_atom", s)
	if a, ok := n.atoms[s]; ok {
		return a
	}
	if n.atomCount >= n.atomLimit {
		n.halt(fmt.Sprintf("no more index entries in atom_tab (max=%d)", n.atomLimit))
		// The caller is off the node: the node is gone, and so is the call.
		panic(fmt.Errorf("%w: list_to_atom(%q): node %s went down making it", sim.ErrBadArg, s, n.name))
	}
	a := sim.Atom(s)
	n.atoms[s] = a
	n.atomCount++
	n.k.Event(sim.EventNote, &n.obj, int64(n.atomCount), func() string {
		return fmt.Sprintf("new atom %q on %s (%d of %d)", s, n.name, n.atomCount, n.atomLimit)
	})
	return a
}

// ListToExistingAtom returns the atom named s if the node has one, as
// list_to_existing_atom/1, and an error wrapping sim.ErrBadArg otherwise; it
// never makes an atom. A name longer than 255 characters fails with
// ErrSystemLimit. It is a scheduling point.
func (n *Node) ListToExistingAtom(s string) (sim.Atom, error) {
	n.k.Point()
	if len([]rune(s)) > maxAtomChars {
		return "", fmt.Errorf("%w: list_to_existing_atom: a name of %d characters", ErrSystemLimit, len([]rune(s)))
	}
	if n.crash != nil {
		return "", fmt.Errorf("%w: list_to_existing_atom(%q): node %s is down", sim.ErrBadArg, s, n.name)
	}
	if a, ok := n.atoms[s]; ok {
		return a, nil
	}
	return "", fmt.Errorf("%w: list_to_existing_atom(%q): no such atom on %s", sim.ErrBadArg, s, n.name)
}

// check panics, as the BIFs raise, on a name too long and on a node that
// is down.
func (n *Node) check(op, s string) {
	if len([]rune(s)) > maxAtomChars {
		panic(fmt.Errorf("%w: %s: a name of %d characters (at most %d)", ErrSystemLimit, op, len([]rune(s)), maxAtomChars))
	}
	if n.crash != nil {
		panic(fmt.Errorf("%w: %s(%q): node %s is down", sim.ErrBadArg, op, s, n.name))
	}
}

// Halt takes the node down with slogan, as erlang:halt(Slogan) does (or a
// kill of its OS process, for a fault), and as a full atom table does (see
// the package's rules). If the caller is on the node, Halt does not return.
// Halting a node that is down does nothing. Halt is a scheduling point.
func (n *Node) Halt(slogan string) {
	n.k.Point()
	if n.crash == nil {
		n.halt(slogan)
	}
}

// halt takes the node down, in one step: see the package doc. It returns
// only to a caller off the node.
func (n *Node) halt(slogan string) {
	k := n.k
	c := &Crash{Node: n.name, Slogan: slogan}
	n.crash = c
	k.Event(sim.EventExit, &n.obj, int64(len(n.procs)), func() string { return c.String() })
	watched := false
	for _, p := range n.watchers {
		if n.st.on[p] != n && p.Alive() {
			watched = true
			k.Deliver(p, NodeDown{Node: n, Reason: c})
		}
	}
	n.watchers = nil
	if !watched {
		self := k.Running()
		k.World().Fatalf("%v (in %v %q; no process off the node watched it)", c, self, self.Name())
	}
	self := k.Running()
	for _, p := range n.procs {
		if p != self {
			k.Kill(p, c)
		}
	}
	if n.st.dist != nil {
		n.st.dist.down(n) // its connections go: noconnection across them
	}
	if self != nil && n.st.on[self] == n {
		k.Kill(self, c)
	}
}
