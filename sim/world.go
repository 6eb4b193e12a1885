package sim

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weftsim/weft/scheduler"
)

const (
	schedulerSchedule = scheduler.Schedule
	schedulerSelect   = scheduler.Select
)

// Config says how to run one world. The zero value is usable: every zero
// field takes the default written beside it.
type Config struct {
	// Name names the scenario in logs and reports.
	Name string
	// Seed seeds the strategy when Strategy is nil, and is reported.
	Seed uint64
	// Strategy makes the run's decisions. Nil means the strategy Spec
	// names, seeded with Seed: scheduler.RandomWalk(Seed) when Spec is
	// empty too.
	Strategy scheduler.Strategy
	// Spec names the strategy in the log and in reports, as a
	// scheduler.Spec reads: "random", "pct:3" or the member of a portfolio
	// a failure reports (default "random" when Strategy is nil). With
	// Strategy nil it also makes the strategy, so a failure's Seed and
	// Spec are all a run needs to happen again.
	Spec string
	// MaxSteps bounds the scheduling points of a run (0: 1,000,000).
	MaxSteps int64
	// Horizon bounds virtual time (0: 1,000 hours).
	Horizon time.Duration
	// AfterMainSteps bounds the scheduling points a run may take after its
	// main process returned (0: 100,000). Tickers and polling loops would keep
	// a world alive forever; when this budget is spent the run ends, and the
	// processes still alive are suspected leaks.
	AfterMainSteps int64
	// MainStallWakes bounds how many times the clock may wake each of the
	// processes it keeps waking (pollers, tickers' readers, sleepers) while
	// the main process stays blocked on something no timer acts on
	// (0: 10,000). A main process blocked for good behind a ticker or a
	// polling loop would otherwise run to the step limit or the horizon;
	// past this bound the run ends as a suspected deadlock (see stall.go for
	// what that proves and what it only suspects). Raise it for a scenario
	// whose main process rightly waits while another process loops on the
	// clock that many times.
	MainStallWakes int
	// Watchdog is how long, in real time, a process may run without reaching
	// a scheduling point before the run fails naming it (0: 10s).
	Watchdog time.Duration
	// RealBlock is how long, in real time, a process may stay blocked
	// outside the simulation in one step (in a real time.Sleep, on a real
	// channel or lock, in real I/O: what the world can neither see nor
	// schedule) before the run fails naming it, with its stack and what to
	// use instead (0: 5ms; negative: no bound but Watchdog). The watchdog
	// looks a few times a bound, off the steps' path, at the goroutine of a
	// step that has lasted that long: one busy computing is left to
	// Watchdog.
	RealBlock time.Duration
	// MaxStepOps bounds the decisions (random draws, faults) and history
	// marks (Call, Return) a process may make between two scheduling points
	// (0: 100,000): a loop that makes them without ever reaching a
	// scheduling point would fill memory before the watchdog bit.
	MaxStepOps int
	// MaxHeap bounds the live heap of the whole program, in bytes, as the
	// last garbage collection measured it, looked at every step and by the
	// watchdog (0: 2 GiB): a run that allocates without bound fails, with
	// its seed, before it takes the test binary down (the heap may reach
	// about twice the bound before a collection measures it). Runs in
	// parallel share the heap they are judged by.
	MaxHeap uint64
	// KeepTrace keeps every event, with object names and creation sites, for
	// timelines and reports. It costs time; failing runs are replayed with it.
	KeepTrace bool
	// HashData computes Result.DataHash, a fingerprint of the data the trace
	// hash does not see: the values sent and received (each event's detail,
	// as a timeline shows it), the processes' names, and the history's
	// inputs and outputs. It formats every event, which costs about as much
	// as KeepTrace; determinism checks turn it on.
	HashData bool
	// Footprint records the run's transitions in Result.Transitions: what
	// each process did between two scheduling points, picked by which
	// decision, and which objects it touched. A search that prunes
	// schedules which only reorder commuting operations needs it
	// (scheduler.Tree's DPOR); it costs an allocation or two a step.
	Footprint bool
	// DiscardLog drops the decision log instead of recording it, leaving
	// Result.Decisions empty. A run is a pure function of its seed and
	// strategy, so a run that passes never needs its log; Explore runs
	// seeds this way and re-runs a failing one to record it.
	DiscardLog bool
	// Faults says which faults the run injects (the zero plan: none).
	Faults FaultPlan
	// Properties are checked on the finished run, in order (see Property).
	Properties []Property
	// AllowLeaks lets a run end with blocked processes after the main process
	// returned without failing. They are still listed in Result.Leaked.
	AllowLeaks bool
	// StepCost, when positive, is virtual time every scheduling point takes,
	// so that processes that never block (polling loops, busy waits on
	// atomics) still let the clock run and their timers fire between their
	// steps, as real time passes while real goroutines run. 0, the default:
	// time passes only when no process can run. Code rewritten from plain Go
	// needs it; code written for weft sleeps where it waits.
	StepCost time.Duration
	// ReportDir is the directory where the run's checks write files for
	// people, such as porcupine's page of a linearizability violation
	// (package properties); they read it as Result.ReportDir. "" means
	// os.TempDir(), for runs outside a test, such as the weft command's.
	// weft.Test sets it to the test's artifact directory.
	ReportDir string

	_ struct{}
}

func (c *Config) fill() error {
	if c.Strategy == nil {
		if c.Spec == "" {
			c.Spec = "random"
		}
		sp, err := scheduler.ParseSpec(c.Spec)
		if err != nil {
			return fmt.Errorf("sim: Config.Spec: %v", err)
		}
		c.Strategy = sp.New(c.Seed)
	}
	if c.MaxSteps <= 0 {
		c.MaxSteps = 1_000_000
	}
	if c.Horizon <= 0 {
		c.Horizon = 1000 * time.Hour
	}
	if c.AfterMainSteps <= 0 {
		c.AfterMainSteps = 100_000
	}
	if c.MainStallWakes <= 0 {
		c.MainStallWakes = 10_000
	}
	if c.Watchdog <= 0 {
		c.Watchdog = 10 * time.Second
	}
	if c.RealBlock == 0 {
		c.RealBlock = 5 * time.Millisecond
	}
	if c.MaxStepOps <= 0 {
		c.MaxStepOps = 100_000
	}
	if c.MaxHeap == 0 {
		c.MaxHeap = 2 << 30
	}
	return nil
}

// Result is what one run did.
type Result struct {
	Scenario string
	Seed     uint64
	Spec     string // the strategy's spec, as Config.Spec
	// Steps is the number of scheduling points, Time the virtual time elapsed.
	Steps int64
	Time  time.Duration
	// Decisions is the decision log: replaying it reproduces the run.
	Decisions []scheduler.Decision
	// Holds lists, in increasing order, the indexes of the Schedule
	// decisions of Decisions whose option 0 was a process that an earlier
	// preemption passed over and that had not run since: a preemption there
	// that takes option 1 goes on holding that process back, and
	// scheduler.Changes counts the whole hold as one change.
	Holds []int
	// Hash fingerprints the trace: equal runs have equal hashes.
	Hash uint64
	// DataHash fingerprints the run's data, when Config.HashData was set (0
	// otherwise): two runs with equal hashes and equal data hashes sent the
	// same values and recorded the same history.
	DataHash uint64
	// Abandoned is set when the watchdog gave the run up (a process stuck
	// or blocked outside the world, the heap past its bound): only its
	// Failure and Steps are known, not its decisions, so only its seed
	// reproduces it.
	Abandoned bool
	// Failure is nil when the run passed.
	Failure *Failure
	// Leaked lists the processes still blocked at the end.
	Leaked []Blocked
	// Trace holds every event when Config.KeepTrace was set.
	Trace []Event
	// DecisionPoints says where each decision of Decisions was made, one
	// for one, when Config.KeepTrace was set (nil otherwise): what a
	// report needs to show a decision on the timeline, and what tells a
	// preemption's process from the one it passed over (weft.ChangesOf).
	DecisionPoints []DecisionPoint
	// Transitions holds the run's transitions when Config.Footprint was
	// set.
	Transitions []scheduler.Transition
	// Procs names every process, by id, and Processes says how each ended.
	Procs     []string
	Processes []ProcInfo
	// History holds the operations processes recorded with World.Call.
	History []Operation
	// ReportDir is Config.ReportDir: where checks write files for people
	// ("": os.TempDir()).
	ReportDir string

	locals []any // the world's Locals, for Local.Of: a library's state as the run left it (ets.TablesLeft)

	_ struct{}
}

// ProcInfo says how a process of a finished run ended.
type ProcInfo struct {
	Name string
	// OTP is set for processes made with Spawn.
	OTP bool
	// Done is false for a process still alive (leaked) when the run ended;
	// Reason is its exit reason when done (Normal, Killed, *Crash, ...).
	Done   bool
	Reason any
	// MailboxHigh is the most messages its mailbox ever held.
	MailboxHigh int
}

// Log returns the run's decisions as a log that can be saved and replayed.
func (r *Result) Log() *scheduler.Log {
	return &scheduler.Log{
		Scenario:    r.Scenario,
		Seed:        r.Seed,
		Spec:        r.Spec,
		WeftVersion: Version,
		GoVersion:   runtime.Version(),
		Decisions:   r.Decisions,
	}
}

// Version is weft's version, recorded in every saved log.
const Version = "v0.1.0"

// World is one run: its processes, virtual clock, primitives, trace and
// history. A World is made by Run and handed to the scenario; its methods,
// and its primitives' methods, may only be called from the world's own
// processes: called from any other goroutine during the run (one the
// scenario started with go, a process of another world) or after it, one
// that makes a primitive, a decision or a scheduling point panics at the
// call, saying so, before it touches the world.
//
// A process is a coroutine of the world: only the world's loop resumes it,
// and only one process runs at a time. A scheduling point is any operation
// that can block or that touches state other processes share: spawning,
// every operation on a channel, lock, wait group, cond, once, timer or
// context, Sleep and Yield, Send and Receive, links, monitors and exit
// signals, and every operation of a library built on the Kernel. A step is
// one scheduling point. Code between two scheduling points runs atomically
// with respect to other processes.
//
// A decision is a choice among n >= 2 options that the run's strategy makes
// and the run records (package scheduler): which runnable process runs at a
// scheduling point, which ready case a Select takes, a random value, whether
// a fault strikes, which of the timers due at one instant fires first.
// Option 0 is always the default: no preemption, the first ready case, no
// fault. Random draws and faults are decisions but not scheduling points.
//
// A process is runnable when it could run now, blocked when it waits on a
// primitive, and done when it has ended. Virtual time advances only when no
// process is runnable, to the next pending timer. The world is quiescent when
// nothing is runnable and no timer is pending: nothing can happen again, and
// processes still blocked are a deadlock if the main process is among them,
// leaked otherwise. A process blocked outside the world (a real channel,
// lock, sleep or I/O) is invisible to it; a real-time watchdog reports it
// (Config.RealBlock, Config.Watchdog).
//
// Primitives are made with their world (NewChan, NewMutex, ...). A zero
// Mutex, or a nil channel, has none: it binds to the world through a hook
// that only code rewritten from plain Go installs, and panics with guidance
// otherwise.
type World struct {
	cfg Config

	procs []*Proc
	live  int // processes not yet done
	cur   *Proc
	next  *Proc // chosen by the process that yielded at a point, if any
	ready readyQueue

	withCur   withCurOptions
	readyOpts readyOptions

	step        int64
	stepOps     int   // decisions and history marks of the running process since its last step (stepOp)
	mainStep    int64 // step at which the main process returned, or -1
	now         time.Duration
	timers      timerHeap
	timerSeq    uint64
	tiedScratch []*Alarm

	decisions decisionLog
	// held is the process the last preemption passed over, until it runs
	// (noProc: none); the decisions whose option 0 it was are holds
	// (Result.Holds, marked in decisions).
	held     int
	fp       *footprint      // Config.Footprint; nil when off
	points   []DecisionPoint // with Config.KeepTrace (Result.DecisionPoints)
	hash     uint64
	dataHash uint64 // with Config.HashData (trace.go)
	trace    []Event
	objects  int
	history  history
	faults   faultState

	monitorSeq    int
	monitorsByRef []*monitor // by ref id - 1
	// spawnHooks run, in registration order, for every process spawned
	// (Kernel.OnSpawn): how a library that places processes (a node) sees
	// the processes they start.
	spawnHooks []func(parent, child *Proc)

	locals []any // the libraries' state, by Local (kernel.go)

	failure     *Failure
	leaked      []Blocked
	stopping    bool // the run is over: processes unwind when resumed
	tearingDown bool

	// life is the sign of life the watchdog reads from the caller's
	// goroutine: the step and the running process's id, packed (lifeOf),
	// stored at every resume and at every step that does not switch, so
	// one atomic store a step. No two moments of a run store the same
	// value (a resume follows a step, or the end of another process), so
	// a value that stays put is one step still going on.
	life      atomic.Uint64
	abandoned atomic.Bool

	stall stall // how long the main process has been blocked while the clock ran (stall.go)
	// procsMu lets the watchdog look up the process a life names in procs:
	// spawn appends under it, the watchdog reads under it, and the loop's
	// own goroutines, where the only writer runs, read without it.
	procsMu sync.Mutex

	loopG uintptr     // the loop's goroutine (curG), which may call the world with no process running
	ended atomic.Bool // the run is over and torn down: for the message of a late call
}

// The packing of World.life: the step above lifeIDBits, the process id
// below (ids past lifeIDMask wrap: the watchdog then names no process).
const (
	lifeIDBits = 24
	lifeIDMask = 1<<lifeIDBits - 1
)

func lifeOf(step int64, id int) uint64 { return uint64(step)<<lifeIDBits | uint64(id)&lifeIDMask }

// watchedProc returns the process a life names, or nil; it may be called
// from any goroutine.
func (w *World) watchedProc(life uint64) *Proc {
	id := int(life & lifeIDMask)
	w.procsMu.Lock()
	defer w.procsMu.Unlock()
	if id < len(w.procs) && w.procs[id].id == id {
		return w.procs[id]
	}
	return nil
}

// Run executes scenario as the main process of a new world and returns what
// happened. It never panics because of the scenario: panics, Goexit, hangs
// and runaway runs become a Result.Failure.
func Run(cfg Config, scenario func(w *World)) *Result {
	if err := cfg.fill(); err != nil {
		// A bad Spec is the caller's mistake, told as the run's failure
		// rather than a panic of the caller's test binary.
		return &Result{Scenario: cfg.Name, Seed: cfg.Seed, Spec: cfg.Spec, Failure: &Failure{Kind: Panic, Proc: -1, Value: err.Error()}}
	}
	w := &World{cfg: cfg, hash: hashOffset, dataHash: hashOffset, mainStep: -1, stall: stall{mark: -1}, held: noProc}
	w.withCur.w = w
	w.readyOpts.w = w
	w.ready.procs = &w.procs
	if cfg.Footprint {
		w.fp = &footprint{pending: -1}
	}

	// The loop runs on its own goroutine so that a process blocked outside
	// the simulation cannot hang the caller: the watchdog below notices that
	// no step has been taken for cfg.Watchdog and reports the run instead.
	done := make(chan struct{})
	go w.runLoop(runningSeed{cfg.Seed, 0x5eed}, scenario, done)
	if f := w.watch(done); f != nil {
		// Only what the caller owns is safe to read: the loop's goroutine
		// may still be running (or may wake up later and find the run
		// abandoned, see checkAlive).
		return &Result{Scenario: cfg.Name, Seed: cfg.Seed, Spec: cfg.Spec, Steps: f.Step, Failure: f, Abandoned: true}
	}
	r := w.result()
	checkProperties(&w.cfg, r)
	return r
}

// runningSeed is the seed of a run, passed to its loop's goroutine as an
// argument that goes on the stack (an array longer than one is never passed
// in registers), so that a goroutine dump of a binary killed by a fatal
// error the world cannot catch (a stack overflow, an out-of-memory) names
// it exactly: sim.(*World).runLoop(..., {0x<seed>, 0x5eed}, ...).
type runningSeed [2]uint64

// runLoop is the loop's goroutine: it runs the world and tears it down.
func (w *World) runLoop(seed runningSeed, scenario func(*World), done chan struct{}) {
	w.loopG = curG()
	defer close(done)
	defer w.ended.Store(true)
	defer w.teardown()
	defer w.recoverLoop()
	w.setupFaults()
	w.spawn("main", func() { scenario(w) })
	w.loop()
	_ = seed
}

// watch waits for the loop to finish, or for the watchdog to bite: when
// the run's sign of life (World.life) stays put for cfg.Watchdog of real
// time, or for cfg.RealBlock while the running process is blocked outside
// the simulation (see blockedOutside). It looks a few times a bound (at
// least once a second), so it bites within the bound and a second of the
// last sign of life. It returns the watchdog's failure when the run was
// abandoned.
func (w *World) watch(done chan struct{}) *Failure {
	period, block := w.cfg.Watchdog, w.cfg.RealBlock
	tick := period
	if block > 0 {
		tick = min(tick, block)
	}
	ticker := time.NewTicker(min(max(tick/4, time.Millisecond), time.Second))
	defer ticker.Stop()
	last, lastChange := ^uint64(0), time.Now()
	look := block // how long the current step must last for a look at its stack
	for {
		select {
		case <-done:
			return nil
		case now := <-ticker.C:
			life := w.life.Load()
			if life != last {
				last, lastChange, look = life, now, block
				continue
			}
			step, running := int64(life>>lifeIDBits), w.watchedProc(life)
			if heap := heapAfterGC.Load(); heap > w.cfg.MaxHeap {
				// A process allocates without bound between two steps:
				// abandon the run before the program dies of it.
				w.abandoned.Store(true)
				f := &Failure{Kind: Runaway, Proc: -1, Step: step, Value: heapStory(heap, w.cfg.MaxHeap)}
				if running != nil {
					f.Proc, f.ProcName, f.Stack = running.id, running.name, stackOf(running)
				}
				return f
			}
			stuck := now.Sub(lastChange) // the step has lasted at least this long
			if block > 0 && stuck >= look && stuck < period && running != nil {
				// A look costs a dump of every goroutine: a step that is
				// busy rather than blocked is looked at again only once it
				// has lasted twice as long.
				look = 2 * stuck
				if f := w.blockedOutside(running, life); f != nil {
					w.abandoned.Store(true)
					return f
				}
				continue
			}
			if stuck < period {
				continue
			}
			// The loop's goroutine is stuck inside a process. A process
			// that calls into the world again unwinds (checkAlive), and
			// the loop then tears the world down; one blocked on a real
			// channel, or spinning without calling the world, cannot be
			// freed, and stays with its goroutine until the binary exits.
			w.abandoned.Store(true)
			f := &Failure{Kind: Watchdog, Proc: -1, Step: step}
			if running != nil {
				f.Proc, f.ProcName, f.Stack = running.id, running.name, stackOf(running)
			}
			f.Value = fmt.Sprintf("did not reach a scheduling point for %v of real time: it is blocked outside the simulation (a real channel, lock, sleep or I/O: its stack says where) or loops without calling into the world; its goroutine cannot be stopped, and stays, with its world, until the binary exits: rerun the seed alone to debug it", period)
			return f
		}
	}
}

// stackOf returns the stack of p's goroutine, found in a dump of every
// goroutine by p's address, which the frame of its body's caller
// (Proc.run) shows as its receiver; "" when the dump does not show it.
func stackOf(p *Proc) string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	key := fmt.Sprintf("sim.(*Proc).run(%p", p)
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, key) {
			return g
		}
	}
	return ""
}

// loop resumes processes one at a time until the run is over. Only the loop
// resumes a process, and a process runs until it parks.
func (w *World) loop() {
	for !w.stopping && !w.abandoned.Load() { // abandoned: the watchdog gave up on the run
		p := w.next
		w.next = nil
		if p == nil {
			p = w.pick()
			if p == nil {
				return
			}
		}
		w.cur = p
		p.state = stateRunning
		p.resumedAt = w.step // for the stall detection (stall.go)
		if w.fp != nil {
			w.fpBegin(p)
		}
		// One atomic store per resume, a sign of life for the watchdog.
		w.life.Store(lifeOf(w.step, p.id))
		if _, ok := p.resume(); !ok && p.state != stateDone {
			// The coroutine ended without exit: it panicked or was
			// aborted; crash or the failure that aborted it is recorded.
			w.finish(p)
		}
		w.cur = nil
		if w.mainStep >= 0 && w.step-w.mainStep > w.cfg.AfterMainSteps {
			w.endSuspected()
			return
		}
	}
}

// pick chooses the next process when the last one blocked or ended. When
// nothing is runnable it advances the clock; it returns nil when the run is
// over.
func (w *World) pick() *Proc {
	if len(w.timers) > 0 && w.timers[0].when <= w.now {
		w.fireDue()
	}
	for w.ready.n == 0 {
		if w.live == 0 {
			return nil
		}
		if !w.advance() {
			w.endQuiescent()
			return nil
		}
		if w.stopping {
			return nil
		}
	}
	if w.ready.n == 1 {
		if w.ready.at(0).id == w.held {
			w.held = noProc // it runs: its hold is over
		}
		return w.ready.removeAt(0)
	}
	return w.ready.removeAt(w.decideSchedule(w.ready.n, &w.readyOpts, w.ready.at(0).id))
}

// decide asks the strategy and records the decision.
func (w *World) decide(kind scheduler.Kind, n int, procs scheduler.Procs) int {
	return w.ask(scheduler.Point{Kind: kind, N: n, Procs: procs})
}

// decideFault asks whether a fault that fires with probability rate fires
// now: one Fault decision of two options, so that a fault is one change.
func (w *World) decideFault(rate float64) bool {
	return w.ask(scheduler.Point{Kind: scheduler.Fault, N: 2, Rate: rate}) == 1
}

// ask asks the strategy at point p and records the decision.
func (w *World) ask(p scheduler.Point) int {
	if w.cur != nil {
		w.stepOp()
	}
	c := w.cfg.Strategy.Choose(p)
	if uint(c) >= uint(p.N) {
		panic(fmt.Sprintf("sim: strategy %T chose %d among %d options", w.cfg.Strategy, c, p.N))
	}
	if w.fp != nil {
		w.fpDecided(p.Kind, p.N, p.Procs)
	}
	if !w.cfg.DiscardLog {
		w.decisions.add(scheduler.Decision{Kind: p.Kind, N: uint32(p.N), Choice: uint32(c)})
		if w.cfg.KeepTrace {
			at := DecisionPoint{Step: w.step, Time: w.now, Proc: noProc, Default: noProc, Ran: noProc}
			if w.cur != nil {
				at.Proc = w.cur.id
			}
			w.points = append(w.points, at)
		}
	}
	return c
}

// noProc is no process's id.
const noProc = -1

// decideSchedule asks which of n processes runs next, option 0 being the
// process with id first, and keeps track of holds (see Result.Holds): a
// process that a preemption passed over is held back until it runs again.
func (w *World) decideSchedule(n int, procs scheduler.Procs, first int) int {
	c := w.decide(schedulerSchedule, n, procs)
	if first == w.held && !w.cfg.DiscardLog {
		w.decisions.markHold()
	}
	if len(w.points) > 0 {
		last := &w.points[len(w.points)-1]
		last.Default, last.Ran = first, procs.ID(c)
	}
	switch {
	case c != 0:
		w.held = first
	case first == w.held:
		w.held = noProc
	}
	return c
}

// recoverLoop turns a panic on the loop's own goroutine (a strategy that
// chose out of range, a broken invariant in a timer callback) into a failure
// of the run, so that it never crashes the test binary.
func (w *World) recoverLoop() {
	if r := recover(); r != nil {
		w.fail(&Failure{Kind: Panic, Proc: -1, Value: fmt.Sprintf("on the world's loop (a weft bug or a bad strategy): %v", r), Stack: string(debug.Stack())})
	}
}

// checkAlive is the gate of every operation of the world: it makes sure
// that the caller is the world's running process (or its loop), unwinds
// the calling process when the run is already over, and catches a process
// that went on after the world made it unwind. Telling the caller's
// goroutine apart costs a call to curG, about a nanosecond a step.
func (w *World) checkAlive() {
	if p := w.cur; p == nil || p.g != curG() || p.unwinding {
		w.checkCaller(p)
	}
	if w.stopping || w.abandoned.Load() {
		w.unwind(abort{})
	}
}

// checkOwner is the gate of an operation that is not a scheduling point
// (making a primitive): it makes sure that the caller is the world's
// running process, or its loop, as checkAlive does, and nothing more.
func (w *World) checkOwner() {
	if p := w.cur; p == nil || p.g != curG() {
		w.checkCaller(p)
	}
}

// checkCaller is the path of checkAlive and checkOwner off the common case:
// no process is running, the caller is not the running process's
// goroutine, or the process is unwinding.
func (w *World) checkCaller(p *Proc) {
	g := curG()
	switch {
	case p == nil && g == w.loopG:
		// The loop itself: spawning the main process, a timer's callback.
	case p == nil || p.g != g:
		// A goroutine the scenario started with go, or a process of
		// another world: it races the running process, and any state it
		// touched would be corrupt. (Reading w.cur races too; whatever
		// it reads, no process's goroutine and no loop is the caller's.)
		panic(foreignCall(w.ended.Load()))
	case p.unwinding:
		w.reentered(p)
	}
}

// foreignCall is the panic of a world's operation called from a goroutine
// that is none of its processes: it names the operation, the outermost
// frame of sim or of a library under it on the caller's stack.
func foreignCall(ended bool) string {
	op := "a world's operation"
	var pcs [32]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	for more := true; more; {
		var f runtime.Frame
		f, more = frames.Next()
		name, ok := strings.CutPrefix(f.Function, "github.com/weftsim/weft/")
		slash := max(strings.LastIndex(name, "/"), 0)
		pkg, _, _ := strings.Cut(name[slash:], ".")
		pkg = name[:slash] + pkg
		if !ok || (pkg != "sim" && !strings.HasPrefix(pkg, "sim/")) || strings.HasSuffix(pkg, "_test") {
			break
		}
		op = name
	}
	if ended {
		return fmt.Sprintf("sim: %s was called after its world's run ended, by a goroutine the scenario started with go or through a primitive kept past the run: a world is used only by its own processes, during its run", op)
	}
	return fmt.Sprintf("sim: %s was called from a goroutine that is not the world's running process (a goroutine the scenario started with go, or a process of another world?): only a world's own processes may use it, one at a time; start the goroutine with w.Go instead of go, and share data through the world's primitives", op)
}

func (w *World) finish(p *Proc) {
	if p.state == stateDone {
		return
	}
	p.state = stateDone
	w.live--
}

// crash records the failure of process p and ends the run.
func (w *World) crash(p *Proc, kind FailureKind, value any, stack string) {
	w.event(EventCrash, nil, int64(kind), func() string { return fmt.Sprint(value) })
	w.finish(p)
	w.fail(&Failure{Kind: kind, Proc: p.id, ProcName: p.name, Value: value, Stack: stack})
}

// fail records the run's first failure and makes every process unwind.
func (w *World) fail(f *Failure) {
	if w.failure != nil {
		return
	}
	f.Step, f.Time = w.step, w.now
	w.failure = f
	w.stopping = true
}

// Fatalf fails the run with a message, naming the calling process, and ends
// it: the calling process unwinds at once.
func (w *World) Fatalf(format string, args ...any) {
	w.checkAlive()
	p := w.cur
	f := &Failure{Kind: Fatal, Proc: -1, Value: fmt.Sprintf(format, args...), format: format}
	if p != nil {
		f.Proc, f.ProcName = p.id, p.name
	}
	w.event(EventNote, nil, 0, func() string { return fmt.Sprint(f.Value) })
	w.fail(f)
	if p != nil {
		w.unwind(abort{})
	}
}

// stepOp counts a decision or history mark of the running process since
// its last scheduling point, and fails the run past MaxStepOps.
func (w *World) stepOp() {
	w.stepOps++
	if w.stepOps > w.cfg.MaxStepOps {
		p := w.cur
		w.fail(&Failure{Kind: Runaway, Proc: p.id, ProcName: p.name, Stack: string(debug.Stack()),
			Value: fmt.Sprintf("made more than %d decisions and history marks (random draws, faults, Call, Return) without reaching a scheduling point: a loop that never yields?", w.cfg.MaxStepOps)})
		w.unwind(abort{})
	}
}

// publish runs every 1024 steps: it checks the step limit off the per-step
// path.
func (w *World) publish() {
	if w.step > w.cfg.MaxSteps {
		w.limit()
	}
	// The loop checks the budget after main when a process parks; a poller
	// that never parks (Yield with nothing else runnable) is caught here.
	if w.mainStep >= 0 && w.step-w.mainStep > w.cfg.AfterMainSteps {
		w.endSuspected()
		w.unwind(abort{})
	}
}

func (w *World) limit() {
	w.fail(&Failure{Kind: StepLimit, Proc: -1, Blocked: w.blockedList(false),
		Value: fmt.Sprintf("more than %d scheduling points (a livelock, or a process that loops forever?)", w.cfg.MaxSteps)})
	w.unwind(abort{})
}

// blockedList describes every live process: what each blocked one waits
// on, and who holds the locks among those; the others are runnable or
// running.
func (w *World) blockedList(proven bool) []Blocked {
	seen := w.locksWaitedOn()
	var out []Blocked
	for _, p := range w.procs {
		if p.state == stateDone {
			continue
		}
		b := Blocked{Proc: p.id, Name: p.name, In: p.waitIn, Proven: proven}
		switch p.state {
		case stateRunning:
			b.In = "running"
		case stateReady:
			b.In = "runnable"
		}
		if p.state == stateBlocked {
			var held []string
			for _, o := range p.waitOn {
				b.On = append(b.On, o.describe())
				if o.lock != nil {
					if h := o.lock.heldBy(p, seen[o.id]); h != "" {
						held = append(held, h)
					}
				}
			}
			b.Held = strings.Join(held, "; ")
		}
		out = append(out, b)
	}
	return out
}

// locksWaitedOn returns, when the world keeps its trace, what it says of
// the locks that blocked processes wait on (see holders.go); nil otherwise.
func (w *World) locksWaitedOn() map[int]*lockSeen {
	if !w.cfg.KeepTrace {
		return nil
	}
	var locks []*Object
	for _, p := range w.procs {
		if p.state != stateBlocked {
			continue
		}
		for _, o := range p.waitOn {
			if o.lock != nil {
				locks = append(locks, o)
			}
		}
	}
	if len(locks) == 0 {
		return nil
	}
	return w.locksSeen(locks)
}

// endQuiescent ends a run in which nothing can ever run again.
func (w *World) endQuiescent() {
	blocked := w.blockedList(true)
	w.leaked = blocked
	if w.procs[0].state != stateDone {
		w.fail(&Failure{Kind: Deadlock, Proc: -1, Blocked: blocked})
	} else if !w.cfg.AllowLeaks {
		w.fail(&Failure{Kind: Leak, Proc: -1, Blocked: blocked})
	}
}

// endSuspected ends a run whose budget after the main process ran out.
func (w *World) endSuspected() {
	blocked := w.blockedList(false)
	w.leaked = blocked
	if len(blocked) > 0 && !w.cfg.AllowLeaks {
		w.fail(&Failure{Kind: Leak, Proc: -1, Blocked: blocked})
	}
	w.stopping = true
}

// teardown unwinds every process that has not ended, so that no goroutine
// outlives its run.
func (w *World) teardown() {
	w.stopping = true
	w.tearingDown = true
	w.stopFrom(0)
}

// stopFrom stops w.procs[i:]. Stopping a process that ended by
// runtime.Goexit, or that calls it while it unwinds (t.FailNow in a deferred
// function), re-raises the Goexit here (iter.Pull does): then the rest are
// stopped from a spare goroutine while this one ends, so that no process's
// goroutine outlives the run.
func (w *World) stopFrom(i int) {
	defer func() {
		if i < len(w.procs) { // Goexit: run recovers every panic
			var spare sync.WaitGroup
			spare.Add(1)
			go func() {
				defer spare.Done()
				w.stopFrom(i + 1)
			}()
			spare.Wait()
		}
	}()
	for ; i < len(w.procs); i++ {
		// The stopped process is the world's current one while it unwinds,
		// so that its deferred calls act as it and its unwinding is its own.
		w.cur = w.procs[i]
		w.procs[i].stop()
		w.cur = nil
	}
}

func (w *World) result() *Result {
	w.placeBlocked(w.leaked)
	if w.failure != nil {
		w.placeBlocked(w.failure.Blocked)
	}
	r := &Result{
		Scenario: w.cfg.Name,
		Seed:     w.cfg.Seed,
		Spec:     w.cfg.Spec,
		Steps:    w.step,
		Time:     w.now,
		Hash:     w.hash,
		Failure:  w.failure,
		Leaked:   w.leaked,
		Trace:    w.trace,
		History:  w.history.ops,

		Transitions: w.fp.transitions(),

		DecisionPoints: w.points,
		ReportDir:      w.cfg.ReportDir,
		locals:         w.locals,
	}
	r.Decisions, r.Holds = w.decisions.take()
	if w.cfg.HashData {
		r.DataHash = w.finishDataHash()
	}
	r.Procs = make([]string, len(w.procs))
	r.Processes = make([]ProcInfo, len(w.procs))
	for i, p := range w.procs {
		r.Procs[i] = p.name
		r.Processes[i] = ProcInfo{Name: p.name, OTP: p.otp, Done: p.state == stateDone, Reason: p.reason, MailboxHigh: p.mailHigh}
	}
	return r
}

// overHeap fails the run whose step found the heap past MaxHeap.
func (w *World) overHeap() {
	w.fail(&Failure{Kind: Runaway, Proc: w.cur.id, ProcName: w.cur.name, Value: heapStory(heapAfterGC.Load(), w.cfg.MaxHeap)})
	w.unwind(abort{})
}

// heapAfterGC is the program's live heap as the last garbage collection
// measured it: a sentinel's finalizer, which runs after every collection,
// reads it and arms the next sentinel. A step reads it with one atomic load.
var heapAfterGC atomic.Uint64

type gcSentinel struct{ _ [16]byte } // big enough for a finalizer: tiny objects share blocks

func init() { watchHeap() }

func watchHeap() {
	runtime.SetFinalizer(new(gcSentinel), func(*gcSentinel) {
		heapAfterGC.Store(heapLive())
		watchHeap()
	})
}

// heapLive is the program's live heap after the last garbage collection,
// in bytes (runtime/metrics: a read costs well under a microsecond).
func heapLive() uint64 {
	sample := [1]metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample[:])
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}

func heapStory(heap, limit uint64) string {
	return fmt.Sprintf("the program's live heap reached %d MiB, past the bound of %d MiB (Config.MaxHeap): a process that allocates without bound?", heap>>20, limit>>20)
}
