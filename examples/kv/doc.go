// Package kv is a tiny key-value server written with weft's OTP processes,
// an owned table and the simulated network, and a scenario that finds its
// defect under faults. Copy it as a starting point for a system of your own.
//
// # The system
//
// The server is an application on host "kv": its master owns the table that
// holds the data, and a supervisor runs two workers, the store process, the
// only one that reads and writes the table, and the acceptor, which owns
// the listener on port 7000 and spawns a handler process per connection.
// A handler reads one-line requests (PUT key value, GET key), asks the store,
// and answers. Three clients on hosts of their own do puts and gets over
// TCP, the workload drawn from the run's decisions, and record every
// operation they send into the run's history as they see it (World.Call
// before the request, World.Return with the answer; an operation that got
// no answer stays open, since it may or may not have taken effect). An audit
// client then reads every key. The history is checked for linearizability
// against model.KV with porcupine. Faults kill the store, the acceptor and
// the handlers at scheduling points, and delay and drop packets.
//
// # The defect
//
// WriteBehind answers a PUT as soon as the write is in the store's mailbox,
// as a gen_server:cast: the store applies writes in order and every GET
// goes through the same mailbox behind them, so without faults every client
// reads every write it was told had succeeded, and every run passes. But a
// mailbox is not durable. When a kill strikes the store while an
// acknowledged write still waits in its mailbox (or a write is cast at a
// store already dead), the write dies with it; the supervisor restarts the
// store on the same table, which the application master owns and so
// survives, and a later GET returns the value from before the write: a stale
// read that no order of the operations explains. weft finds it within a few
// dozen runs, and the shrunk run's report names the kill.
//
// WriteThrough, the fix, makes PUT a call: the handler sends the write with
// a monitor on the store and answers OK only once the store replied that it
// applied it. If the store dies first, the handler exits without answering,
// as gen_server:call exits its caller, and the client sees its connection
// close: it cannot tell whether the write took effect, so neither does the
// history, which leaves the operation open. Under the same faults it passes
// every run the tests try (2,000).
//
// # Running it
//
// Scenario(v) is the run; Configure sets the fault plan and the property:
//
//	cfg := sim.Config{}
//	kv.Configure(&cfg)
//	rep := weft.Explore(weft.Options{Runs: 1000, Config: cfg}, kv.Scenario(kv.WriteBehind))
//	fmt.Println(rep) // the linearizability violation, its faults, the timeline
//
// From the command line: go run ./cmd/weft demo -only kv/.
package kv
