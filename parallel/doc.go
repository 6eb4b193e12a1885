// Package parallel tests a concurrent system against a state machine, as
// rapid's state machines test a sequential one: the same commands and the
// same sequential model, run from several processes at once and judged by
// linearizability.
//
// A sequential state-machine test (rapid's T.Repeat) runs one command at a
// time and checks each output against the model. It cannot see a bug that
// needs two commands in flight at once, and a library alone cannot run them
// so: it would need to control the interleaving. A world does. Test draws
// a concurrent workload from rapid (a sequential prefix, then a few
// sequences of commands for parallel clients), runs it in a world whose
// every scheduling decision rapid draws as well (weft.RunRapidResult),
// records each command as an operation of the run's history, and checks the
// history against the porcupine model derived from the machine's own
// sequential model.
//
// # Shrinking
//
// A failure shrinks in two stages. The commands, their inputs and the
// schedule are one stream of rapid's draws, so rapid shrinks them together
// first, toward fewer and smaller commands and a calmer schedule. That
// alone is not minimal: a command removed shifts the schedule drawn after
// it, so rapid keeps commands that only its schedule needs, and every
// client draws at least one command, so it never drops a client. Shrink
// then searches workloads itself, judging each by every schedule within a
// bound (weft's dfs) rather than by the one rapid drew: it drops processes'
// tails and single commands and merges a lone command into another
// process, until no smaller workload fails the same way, and weft shrinks
// the last one's schedule to the fewest preemptions and faults. The report
// gives both sizes (commands, processes, preemptions), the shrunk run's
// timeline, and the go test command (rapid's seed) that reproduces it all.
// For the cache of examples/cache, rapid stops at 5 commands and Shrink
// reaches the 3 that losing an invalidation takes.
//
// # A machine
//
// A Machine has a model state S (a value: Model must not change the state
// it is given) and a system under test Sys, which New makes in the world.
// Each Command draws its input, runs against the system from a process of
// the world (Run), and says what the model does (Model: the next state and
// the output expected). Post, when set, judges outputs that are not simply
// equal to the expected one. Commands run in any state: no preconditions,
// since in a parallel workload a command runs in whichever state the
// interleaving left.
//
// # Index
//
// [Machine] and [Command]; [Test] (draw, run, judge, shrink, report: a
// test's body) and its [Report]. Its pieces, for other uses: [Check], the
// same draw, run and judgement as the property of a rapid.Check of one's
// own (rapid's shrinking only); [Shrink] a failing [Workload] (see [Size]);
// [Draw] one;
// [Machine.Scenario] to run one (under weft.Test or weft.Explore as well),
// [Machine.Model] and [Machine.Property] to judge it.
package parallel
