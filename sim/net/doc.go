// Package net is weft's simulated network: hosts with addresses and a
// file-descriptor limit, listeners and TCP connections between them
// (conn.go, listener.go), datagrams (packet.go), links with latency, loss,
// duplication and partitions (link.go), and a small request/response layer
// on top (http.go). Its rules follow TCP on Linux and gen_tcp on the BEAM,
// because the incidents weft reproduces depend on them:
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
// # Resets that are lost
//
// Data that reaches a closed socket is never acknowledged: when the reset
// that answers it is lost, the sender's next retransmission is answered
// again (after its RTO, as long as it is open), until a reset gets through
// or the sender gives up with ErrTimeout after its retransmissions. A
// sender blocked on a full window therefore learns that its peer is gone,
// as on Linux, rather than waiting forever (TestNetLostResetIsAnsweredAgain).
//
// Links deliver in virtual time. On the default link (the zero Link) a
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
//
// # Usage
//
// A scenario makes hosts in its world and uses them from its processes (the
// package's examples run this one):
//
//	func echo(w *sim.World) {
//		client, server := net.NewHost(w, "10.0.0.1"), net.NewHost(w, "10.0.0.2")
//		net.SetDefaultLink(w, net.Link{Latency: time.Millisecond})
//		l, _ := server.Listen(80)
//		w.Go("server", func() {
//			c, _ := l.Accept()
//			data, _ := c.Recv(0)
//			_ = c.Send(data)
//			_ = c.Close()
//		})
//		c, _ := client.Connect("10.0.0.2", 80)
//		_ = c.Send([]byte("ping"))
//		reply, _ := c.Recv(0) // "ping", 4ms after the start
//		...
//	}
//
// The package is built only on package sim's public API and its Kernel, as
// any library of primitives can be; each world's network is a sim.Local,
// made by the first operation that needs it.
//
// # Load balancing and long polls
//
// [Listener.Balance] serves a listener as an HTTP load balancer (a reverse
// proxy) in front of several servers, configured by a [Balancer]: each
// request goes to a backend chosen per request ([RoundRobin], or
// [RandomBackend] through a decision of the world), so two requests of one
// client may reach different servers, in either order. As HAProxy and nginx
// do, a refused connection is retried on the next backend, a request once
// sent is never sent again, a failed backend gives 502
// ([StatusBadGateway]) and a slow one 504 ([StatusGatewayTimeout]), and a
// client that goes away does not cancel its request upstream. A handler may
// hold a request until it has something to answer (a long poll: it waits
// on its mailbox or a channel, with a timeout of its own); the client
// bounds its wait with Request.Timeout. balancer_test.go checks both.
//
// # Index
//
// Hosts: [NewHost] with [FDLimit] and [RecvBuffer] ([HostOption]); [Hosts];
// a [Host]'s [Host.Addr], [Host.FDs], [Host.FDHigh], [Host.FDLimit],
// [Host.Conns] and [Host.Info]; [Addr].
//
// Connections: [Host.Listen] makes a [Listener], whose [Listener.Accept]
// and [Listener.AcceptTimeout] take connections; [Host.Connect] and
// [Host.ConnectTimeout] make them. A [Conn] has [Conn.Send],
// [Conn.SendTimeout], [Conn.Recv], [Conn.RecvTimeout], [Conn.CloseWrite],
// [Conn.Close] and [Conn.Abort], and reads [Conn.Buffered],
// [Conn.InFlight] and [Conn.Info].
//
// Driven connections, for libraries (driven.go): [Host.Dial] and
// [Host.ListenFunc] make connections that a [Handler] takes the messages
// of, as the emulator drives a port, instead of a process; [Conn.Write]
// sends on them without waiting. sim/node's distribution runs on them.
//
// Ownership and active modes: [Conn.SetActive], [Listener.SetActive] and
// [PacketConn.SetActive] with an [ActiveMode]; the messages [TCPData],
// [TCPClosed], [TCPError] and [UDPData]; [Conn.ControllingProcess],
// [Listener.ControllingProcess] and [PacketConn.ControllingProcess].
//
// Datagrams: [Host.ListenPacket] makes a [PacketConn], with
// [PacketConn.SendTo], [PacketConn.RecvFrom] and
// [PacketConn.RecvFromTimeout], which return a [Datagram].
//
// Links: a [Link] between two hosts ([SetLink]) or for every pair
// ([SetDefaultLink]); [Partition], [Heal], [HealAll] and [Partitioned].
//
// Requests and responses: [Host.Do] sends a [Request] and returns its
// [Response]; [Listener.Serve] answers them; [Header] and [Headers];
// [ErrBadFrame]; [Listener.Balance] with a [Balancer] and a
// [BalancePolicy].
//
// Faults, for a sim.FaultPlan: [FaultDrop], [FaultDelay], [FaultDuplicate],
// [FaultPartition], [FaultEMFILE] and [FaultSlowReader].
//
// Errors, returned as operating conditions: [ErrEMFILE], [ErrClosed],
// [ErrNotOwner], [ErrReset], [ErrRefused], [ErrTimeout], [ErrAddrInUse],
// [ErrNoHost], [ErrActive] and [ErrPipe]; a handoff to a process that has
// ended fails with sim.ErrBadArg. Misuse (a bad port, an address taken by
// another host, an operation outside a process) panics.
//
// After a run: [HostsOf] describes the hosts a finished run left, as
// [HostInfo] and [ConnInfo], for properties that judge descriptor and
// buffer accounting.
package net
