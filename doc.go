// Package weft runs simulated worlds under go test: it explores a scenario
// under many seeds, and turns the first failing run into a report that a
// developer can act on (the failure, the shrunk run's timeline, the commands
// that replay it) and a decision log saved under testdata/ that every later
// go test replays first.
//
// A scenario is a func(*sim.World); package sim runs one, deterministically.
// This package is everything around that run: which seeds, under which
// strategy, for how long, what to do with a failure, and what to print.
//
//	func TestWithdraw(t *testing.T) {
//		weft.Test(t, func(w *sim.World) {
//			balance := 100
//			wg := sim.NewWaitGroup(w)
//			for i := 0; i < 2; i++ {
//				wg.Go("withdraw", func() {
//					if balance >= 80 {
//						w.Yield() // another process may run here
//						balance -= 80
//					}
//				})
//			}
//			wg.Wait()
//			if balance < 0 {
//				w.Fatalf("overdrawn: balance = %d", balance)
//			}
//		}, weft.Runs(5000))
//	}
//
// # Why a package of its own, and why this name
//
// A world is deterministic: a run is a pure function of its decisions, and
// package sim imports nothing but scheduler and the standard library. Running
// many worlds is not: it spends real time, writes files under testdata,
// reads flags and prints for people. That is the concurrent shell around
// the deterministic core, and it lives here, apart, as the weft command and
// a CI job live apart, all standing on sim.
//
// It is the module's root package, named weft, because it is what a test
// says and what the command line names. Its flags are -weft.seed,
// -weft.runs, ...: they belong to the package named weft, as rapid's
// -rapid.* flags belong to package rapid. And a test reads
// weft.Test(t, func(w *sim.World) {...}): the framework, then the world it
// runs.
//
// # Index
//
// In a test:
//   - [Test] explores a scenario's seeds, saves a failing run's shrunk log
//     and fails the test with its report; it replays the saved logs first.
//   - [Fuzz] makes a fuzz target whose inputs are schedules.
//   - [RunRapid] runs one world whose decisions a *rapid.T draws.
//
// Options, for Test and Fuzz:
//   - [Option], any func(*Options): [Runs], [Budget], [Seed], [Strategy],
//     [CheckDeterminism], [WithConfig].
//
// Outside a test (the weft command, a CI job, a benchmark):
//   - [Explore] runs the same search as a function of [Options].
//   - [Report] and [Stats] say what it did; [Finding] is its failure;
//     [Timeline] renders a run's trace, one column per process.
//
// One run, without exploring, is package sim's: sim.Run, and sim.Replay of a
// saved log. End-of-run checks (linearizability, no crash, ...) are package
// properties'.
//
// # Reports and findings
//
// A Report is what one exploration did: its Stats (runs, steps, real time
// elapsed), whether an exhaustive search ran every log within its bound
// (Exhausted), and its Finding when a seed failed. A pass is a pass only for
// the seeds that ran.
//
// A Finding is the first failing run, made readable: the seed, run index and
// strategy that found it; the run as found (Original) and confirmed by
// running it again; the decision log shrunk to the fewest preemptions and
// faults that still fail the same way (Log), which replays to the run to
// read (Shrunk, with its trace); and how shrinking went. When the seed ran
// two different ways, the finding says so (Nondeterministic) instead; when
// only the seed reproduces the run (the watchdog abandoned it, or the test
// was marked failed during it), the finding is not shrunk, and says why.
//
// Each run inside them is a sim.Result, and what went wrong in it is a
// sim.Failure: which process, what value, its stack, the step and the
// virtual time, and the failure's Signature, which must stay the same while
// a log shrinks. Report.String and Finding.String render them; Test adds the
// commands that replay the run.
//
// # Flags
//
// Test and Fuzz read these flags, which the package registers on the
// standard flag set when it loads, so every test binary that imports weft
// takes them. A flag given overrides what the test's code says; a flag left
// out leaves the code's value (or the default) alone.
//
//	-weft.seed N             the first seed: runs use N, N+1, ... (default: the
//	                         code's Seed, else 0)
//	-weft.runs N             the number of seeds to run (default: the code's
//	                         Runs, else 1000)
//	-weft.budget D           real time to spend running seeds, such as 30s or 5m;
//	                         without -weft.runs, as many seeds as fit
//	-weft.strategy S         random, pct, pct:<depth>[:<steps>], dfs or
//	                         dfs:<bound> (see scheduler.Spec); dfs searches
//	                         every schedule within bound changes of the calm
//	                         one, so a pass says none of them fails
//	-weft.replay F           run only this decision log, a file (relative to
//	                         the package or the module root) or the log's
//	                         weft1-... text, and print its timeline
//	-weft.check-determinism  run every seed twice and fail when the two runs
//	                         differ in their events or their data (values
//	                         sent, names, history), naming the first that
//	                         differs
//	-weft.shard i/n          run only shard i of n of the seeds, for a CI
//	                         matrix (not with dfs)
//	-weft.shrink-runs N      replays to spend shrinking a failure (default 2000)
//	-weft.v                  print the timeline of a replayed log even when it
//	                         passes
//
// A failure prints the flags that reproduce it, as commands to paste at the
// module root:
//
//	go test ./examples/zoo -run '^TestDeadlock$' -weft.replay=examples/zoo/testdata/weft/TestDeadlock/e02375ad701e5488
//	go test ./examples/zoo -run '^TestDeadlock$' -weft.seed=0 -weft.strategy=random -weft.runs=1
//
// # Saved logs
//
// Test saves a failure's shrunk log as testdata/weft/<test name>/<hash>, a
// subtest's name mapping to subdirectories, and replays every file there,
// in name order, before it explores, as Go's fuzzing keeps its corpus under
// testdata/fuzz. A saved log that fails again fails the test; one that
// passes means the bug it recorded stays fixed: check the files in. Files
// whose names have a dot (a README.md) are left alone. A log records the
// scenario, seed, strategy and the versions of weft and Go; a log from code
// that has changed since replays as far as its decisions still fit, and the
// replay says how many did not.
//
// # Time
//
// Two clocks, never mixed. Budget, Stats.Elapsed and ShrinkTime are real
// (wall-clock) time, spent by this package outside the worlds. Virtual time
// is a world's own clock (sim), which its processes see and which a run's
// horizon bounds; it advances only when no process can run.
package weft
