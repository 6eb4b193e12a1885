// Package sim is weft's world: a system's components run as simulated
// processes, one at a time, under a strategy that picks every interleaving,
// on a virtual clock. Every source of nondeterminism is a recorded decision,
// so a run is a pure function of its decisions: it replays exactly, shrinks,
// and reads as a timeline.
//
// A scenario is a func(*World): it runs as the main process and starts the
// others, which share the world's primitives, never real goroutines,
// channels, locks or clocks. Run executes one run, Replay runs it again from
// its decision log; package weft runs many (weft.Test), package properties
// judges them, and sim/net, sim/ets and sim/otp are libraries built on the
// Kernel.
//
// # Results and failures
//
// A [Result] is what one run did: its steps and virtual time, its decision
// log (replaying it reproduces the run), its trace hash (equal runs have
// equal hashes), how each process ended, the history of operations, and, when
// the run failed, its [Failure], which says why, and who: a process panicked or called Fatalf, the
// world deadlocked (the main process blocked for good) or leaked processes
// (it returned, others stayed blocked), a budget ran out (steps, virtual
// time, or real time with no scheduling point), or a Property was violated.
// None of these crash or hang the caller. [World] defines the terms.
//
// # Index
//
// Processes: [World.Go] (Go's semantics: a panic fails the run) and
// [World.Spawn], [World.SpawnLink], [World.SpawnMonitor] (Erlang's: a panic
// is an exit reason); [Proc]; [World.Self], [World.Yield], [World.Sleep].
//
// Go's primitives, checked against the language: [Chan] and [World.Select],
// [Mutex], [RWMutex], [WaitGroup], [Cond], [Once] and [OnceFunc], [Timer],
// [Ticker], [World.After], [World.AfterFunc], [Context] with [WithCancel],
// [WithDeadline] and [WithTimeout], on virtual time from [Epoch].
//
// Erlang's process semantics: [World.Send] and [World.Receive], [World.Link]
// and [World.Monitor], exit signals ([World.Exit], [World.SendExit],
// [World.Kill], [World.TrapExits]) and what they carry ([Atom], [Crash],
// [ShutdownWith], [ExitMsg], [Down]).
//
// Randomness and faults: [World.Intn], [World.Bool], [World.Buggify], and a
// [FaultPlan]. Checks: [World.Fatalf], the history ([World.Call],
// [World.Return]), a [Property]. Runs: [Config], [Run], [Replay], [Result],
// [Failure], [Event]. Libraries of primitives: [World.Kernel].
package sim
