// Package ets gives the processes of a sim world owned tables with the rules
// of Erlang's ets. A table belongs to the process that created it and dies
// with it, which is the whole point: the registry incident is a named table
// created lazily by a short-lived caller, destroyed when that caller exited,
// and every later lookup from a stream process failing with badarg inside its
// receive loop. It is built only on sim's public API and its Kernel, as any
// library of primitives can be.
//
// # Rules
//
// The rules follow erl_db.c:
//
//   - A table is created by a process, its owner, and is destroyed when the
//     owner exits, unless it has an heir that is alive (and is not the owner
//     itself): then the heir becomes the owner and gets a Transfer message.
//     The heir setting stays as it was, so a table inherited once dies with
//     its new owner unless someone sets a new heir.
//   - GiveAway hands a table from its owner to another live process, with
//     the same message.
//   - A named table is found by its name (ByName); names are unique among
//     live tables. As ets:new with named_table returns the name, the handle
//     New returns for a named table is bound to the name too: after the
//     table is destroyed and another made with the same name, the handle
//     reaches the new one.
//   - Access: Public tables may be read and written by any process;
//     Protected (the default) ones read by any and written only by the
//     owner; Private ones used only by the owner. Info and Exists work for
//     any process on any table.
//   - Any operation on a table that does not exist, or that its access does
//     not allow, fails with an error wrapping sim.ErrBadArg, and so does
//     creating a named table whose name is taken. The error tells the story:
//     which table, and how it stopped existing.
//
// Every operation is a scheduling point and an event in the trace, and must
// be called from a process of the world; keys iterate in insertion order,
// never in Go map order. Tables hold one value per key (ets's set type). An
// owner's exit passes on or destroys its tables on its own coroutine, before
// its links and monitors fire, as the BEAM does (see sim.Kernel.OnExit).
//
// # Usage
//
// Erlang's
//
//	Refs = ets:new(refs, [set, public, named_table]),
//	ets:insert(refs, {Key, Ref}),
//	[{Key, Ref}] = ets:lookup(refs, Key)
//
// reads, in a process of a world w,
//
//	refs, err := ets.New[string, int](w, ets.Options{Name: "refs", Access: ets.Public})
//	err = refs.Insert(key, ref)
//	ref, found, err := ets.ByName[string, int](w, "refs").Lookup(key)
//
// # Index
//
// Tables: New (ets:new), ByName (a handle bound to a table's name), Table
// and its operations (Insert, InsertNew, Lookup, Delete, UpdateCounter,
// SelectAll, Size, Info, Exists, GiveAway, SetHeir, Destroy), AnyTable (a
// table whatever its types), Options, Access (Protected, Public, Private),
// Entry.
//
// Ownership: Transfer, the message a new owner gets ('ETS-TRANSFER'), by
// inheritance or by GiveAway.
//
// Checks: Info describes a table; Tables lists a world's live tables during
// its run, TablesLeft those a finished run left behind. A table made with
// Options.Record puts its keyed operations in the run's history as Input and
// Output of an Op (Insert, InsertNew, Lookup, Delete, UpdateCounter), for a
// linearizability check.
package ets
