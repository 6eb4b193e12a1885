// Package parallel tests a concurrent system against a state machine, as
// rapid's state machines test a sequential one: the same commands and the
// same sequential model, run from several processes at once and judged by
// linearizability.
//
// A sequential state-machine test (rapid's T.Repeat) runs one command at a
// time and checks each output against the model. It cannot see a bug that
// needs two commands in flight at once, and a library alone cannot run them
// so: it would need to control the interleaving. A world does. Check draws
// a concurrent workload from a *rapid.T (a sequential prefix, then a few
// sequences of commands for parallel clients), runs it in a world whose
// every scheduling decision the same *rapid.T draws (weft.RunRapid),
// records each command as an operation of the run's history, and checks the
// history against the porcupine model derived from the machine's own
// sequential model. The commands, their inputs and the schedule are one
// stream of rapid's draws, so rapid shrinks them together, toward fewer and
// smaller commands and a calmer schedule, and reports the failure with its
// replay instructions. Its shrinking is not exhaustive: a command removed
// shifts the schedule drawn after it, so a failure may keep a command or
// two that it does not need.
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
// [Machine] and [Command]; [Check] (draw, run, judge, from a rapid test),
// and its pieces for other uses: [Draw] a [Workload], [Machine.Scenario] to
// run one (under weft.Test or weft.Explore as well), [Machine.Model] and
// [Machine.Property] to judge it.
package parallel
