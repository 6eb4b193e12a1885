// Package node gives a sim world BEAM nodes: the processes that run on one,
// its atom table, and its death, which takes them all at once. It is built
// only on sim's public API and its Kernel, as any library of primitives can
// be.
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
// Distribution ([Network] states its rules): [Send], [Link], [Unlink],
// [Monitor] and [Demonitor] between processes on two nodes travel the
// connection between them, with the [Network]'s latency and jitter
// ([Configure]); [Partition] and [Heal] split and join two nodes, with
// [NoConnection] for what crosses the split, and [FaultNetsplit] splits them
// as a fault of a sim.FaultPlan; [Connected]; [Node.Restart].
package node
