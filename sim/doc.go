// Package sim is weft's world: a system's components run as simulated
// processes, one at a time, under a strategy that picks every interleaving,
// on a virtual clock. Every source of nondeterminism is a recorded decision,
// so a run is a pure function of its decisions: it replays exactly, shrinks,
// and reads as a timeline.
//
// A scenario is a func(*World): it runs as the main process and starts the
// others, which share the world's primitives, not real goroutines, channels,
// locks or clocks. Run executes one run and Replay replays one; weft runs
// many, properties judges them, sim/net, sim/ets and sim/otp build on Kernel.
//
// # Results and failures
//
// A [Result] is what one run did: its steps and virtual time, its decision
// log (replaying it reproduces the run), its trace hash (equal runs have
// equal hashes), how each process ended, its history, and, when it failed,
// its [Failure], which says why and who: a process panicked or called
// Fatalf, the world deadlocked (the main process blocked for good, or, a
// suspicion, behind only timers and pollers: [Config].MainStallWakes) or
// leaked processes (it returned, others stayed blocked), a budget ran out
// (steps, virtual time, memory, real time without a scheduling point), a
// process blocked outside the simulation ([Config].RealBlock), the main
// process exited abnormally, or a Property was violated. Reports list every
// live process, what it waits on, and who holds its lock. [World] defines
// the terms.
//
// None of these crash or hang the caller, nor does a process that recovers
// every panic (Kill and the end of the run end it anyway). What no Go
// library can catch takes the binary down: os.Exit, a fatal error of the
// runtime (a stack overflow, a concurrent map write), and a goroutine that
// is none of the world's processes calling the world, which panics at the
// call saying so (on amd64 and arm64; elsewhere go test -race reports it).
// A fatal error's goroutine dump names the seed in the frame
// sim.(*World).runLoop(..., {0x<seed>, 0x5eed}, ...).
//
// # Index
//
// Processes: [World.Go] (a panic fails the run, as in Go), [World.Spawn],
// [World.SpawnLink], [World.SpawnMonitor] (a panic is an exit reason, as in
// Erlang), [Proc], [World.Self], [World.Yield], [World.Sleep]. Go's
// primitives: [Chan], [World.Select], [Mutex], [RWMutex], [WaitGroup],
// [Cond], [Once], [Timer], [Ticker], [Context]. Erlang's: [World.Send],
// [World.Receive], [World.Link], [World.Monitor], [World.Exit],
// [World.Kill], [World.TrapExits], [ExitMsg], [Down]. Randomness and faults:
// [World.Intn], [World.Buggify], [FaultPlan]. Checks: [World.Fatalf],
// [World.Call], [Property]. Runs: [Config], [Run], [Replay], [Result],
// [Failure], [Event]. Libraries: [World.Kernel].
package sim
