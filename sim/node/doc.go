// Package node gives a sim world BEAM nodes: the processes that run on one,
// its atom table, its death, which takes them all at once, and the
// distribution between nodes, which runs over the simulated network of
// package sim/net. It is built only on sim's public API and its Kernel, and
// sim/net's public API, as any library of primitives can be.
//
// # Rules
//
//   - A process is on a node when it was started with Node.Spawn, or spawned
//     by a process on the node (erlang:spawn starts a process on the
//     caller's node), by any means: World.Go, Spawn, SpawnLink,
//     SpawnMonitor, or a library's supervisor. Every other process (the
//     scenario's main process, the clients it starts) is on no node.
//   - A node has a finite atom table, as the emulator's (its size is the +t
//     flag, 1,048,576 by default). ListToAtom (list_to_atom/1,
//     binary_to_atom/2) returns the atom a string names, making it if it is
//     new; atoms are never freed. When the table is full, making one more
//     does not fail the call: it takes the whole node down, as the emulator
//     aborts with "no more index entries in atom_tab (max=N)".
//     ListToExistingAtom makes nothing and fails with an error wrapping
//     sim.ErrBadArg for a string that names no atom yet; a name longer than
//     255 characters fails with ErrSystemLimit.
//   - A node goes down (its table filled, or Halt) in one step: every
//     process on it ends with the *Crash as its exit reason, so that the
//     sockets and tables they own go with them and the processes linked to
//     them from elsewhere get that reason; every process off the node that
//     called Monitor gets a NodeDown message.
//
// # Distribution
//
// Each node runs on a host of sim/net (Options.Host; by default the host
// whose address is the part of the node's name after '@', or the whole
// name, made if the world has none). Messages, links and monitors between
// processes on two different nodes travel a TCP connection of sim/net
// between the nodes' hosts, one per pair of nodes, as the BEAM's
// distribution has one connection per pair: the first message between two
// nodes opens it (the node on the far side listens on its host, as a node
// registers its distribution port with epmd; the handshake is one round
// trip and a half of the link, and what is sent meanwhile waits behind
// it), and it stays open. So the hosts' links (net.SetLink,
// net.SetDefaultLink) say how long a message takes, and sim/net's rules
// and faults apply: each direction arrives in the order it was sent, with
// the link's latency and jitter; a lost packet (a drop, a short partition)
// is resent, so it shows up as delay. Two connections know nothing of each
// other, so a message A sends B directly may be overtaken by one A sends C
// that C forwards to B: Erlang guarantees order only per pair of
// processes. The connections are driven by the library (net.Host.Dial,
// net.Host.ListenFunc), as the emulator drives its distribution ports: no
// process of the world runs them.
//
// A netsplit closes the connection between two nodes: Partition (which
// also cuts the hosts' link both ways, as net.Partition), a node going down
// (Halt), a FaultNetsplit, or the connection breaking in sim/net (a reset,
// or its retransmissions giving up under a long partition). What was in
// flight on it is lost, links across it fire with reason NoConnection at
// both ends, monitors across it deliver a Down with NoConnection, and a
// process that watches the node on the far side with Node.Monitor gets
// NodeDown (Reason nil for a netsplit). While no connection is open and the
// hosts' link is cut (net.Partitioned), a message is dropped at once, as a
// connection attempt across a netsplit fails (the BEAM tries for up to
// net_setuptime first); after Heal, or a Restart of the node, the next
// message opens a new connection. A partition in sim/net alone does not
// close a connection that is open: TCP resends until the link heals, or
// gives up after about fifteen minutes (the BEAM's net_ticktime, which
// notices within a minute, is not modelled).
//
// Processes on no node, and two processes on the same node, keep the
// world's own semantics: Send delivers at once, Link and Monitor are
// World.Link and World.Monitor. The world's own operations know nothing of
// nodes: World.Send between two nodes still delivers at once, so code that
// runs on nodes sends with Send, links with Link and monitors with Monitor
// of this package.
//
// # What a run reports
//
// On the BEAM, a node that dies writes a crash dump and its OS process
// exits; whoever watches it decides what that means. So here: when processes
// off the node watch it (Monitor), the run goes on, and they judge it (a
// harness fails the run, or counts the crash against one property and stops
// judging the others). When nobody off the node watches it, nothing could
// notice the crash but the run itself, and it fails there and then (a Fatal
// failure of the process that made the last atom, or that called Halt),
// with the crash's slogan: "node db crashed: no more index entries in
// atom_tab (max=8192)".
//
// Every operation is a scheduling point and an event in the trace; atoms
// are looked up in a map and never iterated, and processes are kept in
// spawn order, so runs replay.
//
// # Usage
//
// A node whose server turns every query key into an atom, watched by the
// scenario's main process:
//
//	n := node.New(w, "srv", node.Options{AtomLimit: 8192, BootAtoms: 7680})
//	n.Monitor()
//	n.Spawn("server", func() {
//		for _, key := range keys {
//			n.ListToAtom(key) // the 513th new key takes the node down
//		}
//	})
//	m, _ := w.Receive(nil, sim.Infinity) // a node.NodeDown
//
// # Index
//
// Nodes: [New] with [Options]; a [Node]'s [Node.Spawn], [Node.Name],
// [Node.Alive], [Node.Reason], [Node.Has], [Node.Procs], [Node.Monitor] and
// [Node.Halt]; [Of] finds a process's node.
//
// Atoms: [Node.ListToAtom], [Node.ListToExistingAtom], [Node.Atoms],
// [Node.AtomLimit]; [ErrSystemLimit].
//
// Its death: [Crash] (the exit reason of its processes) and [NodeDown] (the
// message its watchers get).
//
// Distribution (see Distribution above): [Send], [Link], [Unlink],
// [Monitor] and [Demonitor] between processes on two nodes travel the
// connection between the nodes' hosts ([Node.Host]); [Partition] and
// [Heal] split and join two nodes, with [NoConnection] for what crosses
// the split, and [FaultNetsplit] resets their connection as a fault of a
// sim.FaultPlan; [Connected]; [Node.Restart].
package node
