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
//   - [RunRapid] runs one world whose decisions a *rapid.T draws;
//     [RunRapidResult] returns a failing run instead of failing the test.
//   - [TestCommand] is the go test command that runs a test, as weft's
//     failures print it.
//
// Options, for Test and Fuzz:
//   - [Option], any func(*Options): [Runs], [Budget], [Seed], [Strategy],
//     [CheckDeterminism], [WithConfig].
//
// Outside a test (the weft command, a CI job, a benchmark):
//   - [Explore] runs the same search as a function of [Options].
//   - [Report] and [Stats] say what it did; [Finding] is its failure;
//     [Timeline] renders a run's trace, one column per process, and [Page]
//     a finding as an HTML page, one lane per process, with the decisions
//     [EssentialDecisions] finds highlighted.
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
// A report names every process still alive when the run ended, with what
// it waits on and who holds the lock it waits for; a main process blocked
// for good while only pollers and tickers keep the world going ends early,
// as a suspected deadlock (sim.Config.MainStallWakes). Its timeline shows
// the failure's message whole, and leaves out the WaitGroup Add and Done
// events unless -weft.v.
//
// With -weft.html a failure is also written as a page (Page): one HTML
// file that needs no network, with the failure on top, its essential
// decisions (each preemption or fault without which the run does not fail
// this way), and the run drawn as lanes with arrows for what processes pass
// each other; it goes with the test's artifacts, as below.
//
// Files a failing run writes for people, such as porcupine's page of a
// linearizability violation, go where Go keeps test artifacts: under Test,
// t.ArtifactDir() with go test -artifacts (kept under -outputdir), and
// without it weft-reports/<test name> in the package directory (or in
// -outputdir when go test passes one), since Go removes the temporary
// ArtifactDir when the test ends; the failure names the file. RunRapid's
// go to rapid-<test name> inside weft-reports/<test name>, which keeps
// only the failure rapid reports. Outside a test (Explore, the weft
// command) they go to os.TempDir(). Add weft-reports/ to .gitignore.
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
//	                         without -weft.runs, as many seeds as fit (default:
//	                         the code's Budget, else none)
//	-weft.strategy S         portfolio[:<steps>], random, pct,
//	                         pct:<depth>[:<steps>], pos, starve[:<steps>],
//	                         any of them +fair:<points>, dfs[:<bound>] or
//	                         dpor[:<bound>] (see scheduler.Spec); dfs
//	                         searches every schedule within bound changes of
//	                         the calm one, so a pass says none of them fails;
//	                         dpor, the same with partial-order reduction
//	                         (default: the code's Strategy, else portfolio,
//	                         one member per seed)
//	-weft.replay F           run only this decision log, a file (relative to
//	                         the package or the module root) or the log's
//	                         weft1-... text, in the test it was recorded for,
//	                         and print its timeline (default: none)
//	-weft.check-determinism  run every seed twice and fail when the two runs
//	                         differ in their events or their data (values
//	                         sent, names, history), naming the first that
//	                         differs (default: the code's CheckDeterminism,
//	                         else off)
//	-weft.shard S            run only one shard of the seeds, for a CI matrix
//	                         (not with dfs): i/n counts from 0 (0/2 and 1/2),
//	                         kofn from 1 (1of2 and 2of2) (default: $WEFT_SHARD,
//	                         else all the seeds)
//	-weft.shrink-runs N      replays to spend shrinking a failure (default 2000)
//	-weft.width N            the widest a column of a failure's timeline may be,
//	                         in characters (default 40); a note or a crash,
//	                         which carries the failure's message, shows whole
//	-weft.v                  print the timeline of a replayed log even when it
//	                         passes, and every WaitGroup Add and Done in the
//	                         timelines (left out otherwise, unless the failure
//	                         is a WaitGroup's misuse) (default off)
//	-weft.progress           print a line of JSON twice a second with how far
//	                         each test has got (runs, steps, distinct
//	                         schedules) and, at its end, its failure: what
//	                         the weft command reads to run a package's tests
//	                         as a campaign (weft explore ./pkg) (default off)
//	-weft.html               also write a failure, or the run -weft.replay
//	                         replays, as an HTML page (see Page) in the test's
//	                         artifact directory, and name it (default off)
//
// A failure prints the flags that reproduce it, as commands to paste at the
// module root:
//
//	go test ./examples/zoo -run '^TestDeadlock$' -weft.replay=examples/zoo/testdata/weft/TestDeadlock/fc14358ad8faac55
//	go test ./examples/zoo -run '^TestDeadlock$' -weft.seed=1 -weft.strategy=starve:26+fair:2000 -weft.runs=1
//
// A log names the test it was recorded for, and -weft.replay runs it there:
// given to a package without -run, it replays in that test, and every other
// Test and Fuzz skips, saying whose log it is. To replay a log in another
// test (a fixed twin, say), give -run a pattern that selects that test and
// not the log's own: the replay then warns that the log is foreign, and a
// replay that strays from it says that the log does not fit this test,
// not that the code changed.
//
// A Fuzz target's failing corpus entry prints the command that runs exactly
// that entry, as Go names it:
//
//	go test ./pkg -run '^FuzzX$/^seed#2$'
//
// # Go's own flags
//
// Test follows go test's -short and -timeout. With -short, it runs a tenth
// of the seeds (and of the Budget) that the code or the defaults ask for,
// and says so; a -weft.runs or -weft.budget given stays as given. Under
// -timeout (10m unless said), exploring stops at 8 tenths of the time that
// t.Deadline leaves, and shrinking a failure takes at most a tenth, so a
// long exploration ends cleanly with a report of how many runs it did not
// get to (a pass only for the runs that ran) instead of the timeout's panic.
//
// # Sharding
//
// n machines split one exploration: shard i of n runs the run indices i,
// i+n, i+2n, ..., so the n shards run every index once between them. The
// shard is counted from 0 in i/n, and from 1 in kofn, as CI matrices number
// their jobs, so an index can be passed as it is. The environment variable
// WEFT_SHARD takes the same forms and stands in for -weft.shard when the
// flag is not given; unlike a flag, it reaches every test binary of a
// go test ./..., where a -weft.* flag fails the packages that do not import
// weft:
//
//	WEFT_SHARD=${{ matrix.shard }}of4 go test ./...            # GitHub Actions, shard: [1, 2, 3, 4]
//	WEFT_SHARD=${CI_NODE_INDEX}of${CI_NODE_TOTAL} go test ./...  # GitLab, parallel: 4
//
// A failure found in a shard prints a seed command with -weft.shard=0/1,
// which runs its seed whatever WEFT_SHARD says.
//
// # Saved logs
//
// Test saves a failure's shrunk log as testdata/weft/<test name>/<hash>, a
// subtest's name mapping to subdirectories, and replays every file there,
// in name order, before it explores, as Go's fuzzing keeps its corpus under
// testdata/fuzz. A saved log that fails again fails the test; one that
// passes means the bug it recorded stays fixed, and says "passes now" under
// go test -v: check the files in. Files whose names have a dot (a README.md)
// are left alone.
//
// A saved log is a text file that a pull request diffs: a versioned first
// line, comments that say what failed and how to replay the file alone, the
// header (scenario, seed, strategy, the versions of weft and Go), then one
// decision a line (see scheduler.Log.MarshalFile):
//
//	weft log v1
//	# TestDeadlock: deadlock: all processes are blocked (step 9, virtual time 0s)
//	# Found by seed 1 (strategy starve:26+fair:2000); 1 preemption after shrinking. go test replays this file
//	# before it explores; to replay it alone, from the module root:
//	#     go test . -run '^TestDeadlock$' -weft.replay=testdata/weft/TestDeadlock/fc14358ad8faac55
//	scenario "TestDeadlock"
//	seed 1
//	strategy "starve:26+fair:2000"
//	weft "v0.1.0"
//	go "go1.26.8"
//	decisions 7
//	schedule 0/2 x2
//	schedule 0/3 x2
//	schedule 0/2 x2
//	schedule 1/2
//
// Each decision line is kind choice/N: here six scheduling points that
// took the default (option 0 of 2 or 3: no preemption), then one
// preemption (option 1 of 2), the interleaving that deadlocks.
//
// Logs saved by earlier versions in the binary form still replay. A log
// from code that has changed since replays as far as its decisions still
// fit, and the replay says how many did not.
//
// # Time
//
// Two clocks, never mixed. Budget, Stats.Elapsed and ShrinkTime are real
// (wall-clock) time, spent by this package outside the worlds. Virtual time
// is a world's own clock (sim), which its processes see and which a run's
// horizon bounds; it advances only when no process can run.
package weft
