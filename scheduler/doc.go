// Package scheduler makes, records, replays and shrinks the decisions of a
// weft run. It knows nothing of worlds or processes beyond the integers it is
// shown, and imports nothing but the standard library.
//
// # Terms
//
// A point is a moment in a run where something could go more than one way:
// which runnable process goes next, which ready case a select takes, a value
// from the world's random source, whether a fault fires at a fault site,
// which of several timers due at the same instant fires first. The Kind of a
// point says which. A moment with a single possibility is not a point.
//
// The options of a point are numbered 0 to N-1, with N at least 2. Option 0
// is the default: keep running the current process (or, when it blocked, the
// one that waited longest), the first ready case, the value 0, no fault, the
// timer set first. A run that takes the default everywhere is the calmest
// schedule there is.
//
// A decision is the option taken at one point, recorded with the point's kind
// and N: a Decision. A decision that is not the default is non-zero; a
// zero one is calm.
//
// A log is the sequence of decisions of one run, with where it came from: a
// Log. It encodes to a versioned, checksummed binary form and to one line of
// text, such as
//
//	weft1-d2VmdAEHY291bnRlcioFcGN0OjMAAAIJAREFb3Y2
//
// that a shell passes through without quoting, and to a file form of
// lines that a person reads and a pull request diffs (MarshalFile):
//
//	weft log v1
//	scenario "TestWithdraw"
//	...
//	decisions 5
//	schedule 0/2 x3
//	schedule 1/2
//	random 7/100
//
// DecodeLog and ReadLog read all three. A log holds at most
// 16,777,216 decisions, 16 a step of a run at sim's default step limit;
// the decoders check that bound, the checksum and every decision before
// they allocate for a log, so no input, however small its text, costs more
// memory than the largest real log.
//
// A strategy makes the decisions of one run: a Strategy, which is shown each
// point and returns an option. Strategies are pure functions of their seed
// and the points they were shown: no clock, no global random state. This
// package has RandomWalk, PCT, POS, Starve, Replay and Bytes, and Spec
// names them, and the portfolio of them, for flags and logs.
//
// A preemption is a Schedule decision that is not the default: a context
// switch that the schedule forced, as opposed to one the program asked for
// by blocking. Preemptions counts them; it is the first measure of how
// complicated a failing schedule is.
//
// A fault is one Fault decision of two options, 0 "no fault" and 1 "fire",
// whatever its probability (which the Point's Rate carries to the
// strategies that draw at random). A change is what a person would count
// as one difference from the calm run: a preemption, a fault fired, a
// select case or timer order other than the first; holding one process
// back for many steps is one change, not one preemption per step it waits
// (sim says where a hold goes on). Changes counts them, Faults the faults;
// draws are the workload and count as neither.
//
// To replay a log is to run again with Replay as the strategy. The run makes
// the same decisions at the same points and so is the same run, as long as
// the code under test is unchanged. Each kind of decision is replayed as its
// own stream, so a log edited in its schedule keeps its draws and faults in
// place. Where the code has changed, replay carries on:
// a recorded choice out of range becomes the default, and past the end of the
// log every decision is the default. ReplayStrategy.Diverged tells how far
// the run strayed from the log.
//
// To shrink a failing log is to search for the simplest log that still fails
// the same way: fewest preemptions, then fewest non-zero decisions, then the
// smallest choices, then the shortest. Shrink does it by deleting decisions
// and lowering choices towards the default, replaying each candidate, and,
// where that gets stuck, by a bounded search for one change that does the
// work of several. A
// shrunk log reads as the fewest preemptions and faults that still break the
// system.
//
// # Strategies
//
//   - RandomWalk: every option equally likely at every point ("random").
//   - PCT: random process priorities with depth-1 change points, after
//     Burckhardt et al., ASPLOS 2010 ("pct", "pct:<depth>[:<steps>]").
//   - POS: random priorities per pending event, drawn again when the event
//     runs, after Yuan et al., CAV 2018 ("pos").
//   - Starve: a random walk that holds one process back for a
//     log-uniform number of points ("starve[:<steps>]").
//   - A portfolio: each seed runs one of random, pct:1 to pct:3, pos and
//     starve, drawn from the seed ("portfolio[:<steps>]", see Spec.Member).
//   - Replay: the decisions of a log, then defaults.
//   - Bytes: decisions read from fuzzer input, then defaults.
//   - Tree: not a strategy but a search ("dfs", "dfs:<bound>"): every log
//     within bound changes of the calm run, depth first, as
//     CHESS's iterative context bounding; each log is run with Replay.
//   - DPOR: the same search with partial-order reduction ("dpor",
//     "dpor:<bound>"): of the schedules that differ only in the order of
//     transitions on different objects, it runs about one, from the
//     Transitions a run reports. On the scenarios measured it runs every
//     class Tree runs at the same bound; that is measured, not proven
//     (see DPOR), so dfs stays the search that proves.
//
// The world's random draws are points of Kind Random; the strategy that
// draws at random is RandomWalk.
//
// # What is not a decision
//
// Anything a run does the same way every time: running a process until its
// next point, the order of processes in the run queue, the advance of the
// virtual clock to the next timer when nothing can run. Those follow from the
// decisions and are never recorded.
//
// # Usage
//
// A world asks its strategy at every point and records the answer:
//
//	st := spec.New(seed) // or scheduler.Replay(saved.Decisions), or scheduler.Bytes(fuzzInput)
//	...
//	p := scheduler.Point{Kind: scheduler.Schedule, N: runq.Len(), Procs: runq}
//	choice := st.Choose(p)
//	log.Decisions = append(log.Decisions, scheduler.Decision{Kind: p.Kind, N: uint32(p.N), Choice: uint32(choice)})
//
// and, when a run fails, shrinks its log with a replaying predicate:
//
//	res := scheduler.Shrink(log.Decisions, func(c []scheduler.Decision) ([]scheduler.Decision, bool) {
//		run := replay(c)
//		return run.Decisions, run.FailedLike(first)
//	}, 0)
package scheduler
