// Package names gives a sim world Erlang's process registry, and named
// services built on it. It is built only on sim's public API and its
// Kernel, as any library of primitives can be.
//
// # Rules
//
// As erlang:register/2 and its kin, on one registry per world (the world is
// one BEAM node as far as names go):
//
//   - Register gives a live process a name. It fails with an error wrapping
//     sim.ErrBadArg when the name is taken, when the process already has a
//     name (a process has at most one), when the process has ended, or when
//     the name is "" or "undefined".
//   - Whereis returns the process registered under a name, or nil.
//   - Unregister removes a name; it fails with sim.ErrBadArg when the name is
//     not registered.
//   - A name is released when its process ends, however it ends, before its
//     links and monitors fire: a supervisor that restarts a registered child
//     can register the new one at once.
//   - Send to a name that is not registered fails with sim.ErrBadArg, as
//     Name ! Msg (erlang:send/2) raises badarg; it never blocks.
//
// Every operation is a scheduling point and an event in the trace. Names
// are kept in the order they were registered, and looked up in maps that
// are never iterated, so runs replay.
//
// # Services
//
// Serve and Call are the Go-style face of the same registry: a server
// process registered under a name, which Call reaches by name with a
// request and a timeout, as gen_server:call(Name, Request, Timeout). A call
// resolves the name at each call, so it reaches whichever process holds the
// name then (a restarted server included), and fails with ErrNoProc when
// nothing does, or when the server ends before it answers.
//
//	names.Serve(w, "counter", func(n int) int { total += n; return total })
//	got, err := names.Call[int, int](w, "counter", 2, time.Second)
//
// # Index
//
// Registry: [Register], [Whereis], [Unregister], [Send], [Registered],
// [NameOf].
//
// Services: [Serve], [Call], [ErrNoProc], [ErrTimeout].
package names
