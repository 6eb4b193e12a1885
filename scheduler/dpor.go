package scheduler

import "slices"

// DPOR is Tree with dynamic partial-order reduction (Flanagan and
// Godefroid, POPL'05, with the source sets of Abdulla et al., POPL'14): it
// runs one schedule per class of schedules that differ only in the order
// of commuting transitions, instead of every schedule. Two transitions of
// different processes commute when neither is Global and they touch no
// object in common (Transition); a run's transitions, in order, say which
// pairs race: they conflict and nothing between them orders them. For
// each race it adds, at the state before the first of the pair, a schedule
// that runs first a process that can start the reversed race (an initial
// of what lies between them, the second's process when it can run there),
// unless one is already scheduled or done there. Schedules of a state are
// known by the hash of the decisions that lead to it, so a state reached
// again by the same decisions is never searched twice from.
//
// The other kinds of decisions (selects, draws, faults, timer ties) are
// branched on as Tree does, every other option of every one past the
// prefix; Schedule decisions only where races say. The bound is Tree's
// with holds (RecordHolds): at most bound changes in a log, a hold's
// continuation free. Within it, where a reversal lies and what it costs
// decides which classes the bound lets in, so it is bounded partial-order
// reduction (Coons, Musuvathi and McKinley, OOPSLA'13) adapted to that
// count: a reversal the bound refuses is tried at the latest earlier point
// where it fits, and one it allows is also tried at the earliest point the
// initial can run and where it continues a hold, so that the schedule of
// the reversed class that spends its changes as the plain search's does
// is among those run. Sleep sets (Godefroid) keep it from running a class
// twice: a process run first at a state sleeps in the searches of the
// other processes there until something it conflicts with runs, and a run
// that reaches a sleeping process stops counting; only a process whose
// search from there the bound did not cut may sleep, since within a bound
// the schedule of a class that runs it later may fit where the one that
// runs it first did not. A search whose runs all report their transitions
// (sim's Config.Footprint) and that ends has run Classes classes of
// schedules, under the rule that operations on different objects commute.
//
// On every scenario measured it runs every class Tree runs at the same
// bound (cmd/weft's TestDPORRunsEveryClassThePlainSearchRuns: the zoo's
// fixed twins at bounds 2 and 3, two senders on one channel, sleeping
// workers whose runs cross clock advances and timer ties, unbounded), in
// no more runs. That is a measurement, not a proof: the placement rules
// for a bound are the paper's idea carried to a cost model (FIFO defaults,
// free holds) it was not proven for. The rule holds for processes that
// share plain variables only under a primitive or in transitions that
// touch no object (which conflict with each other, see Transition.plain);
// a variable one process writes in a transition that also touches an
// object, and another reads with no primitive between, is a data race the
// search may run in one order only: Tree runs both.
//
// Usage: as Tree, with RecordRun in place of RecordHolds.
type DPOR struct {
	bound   int
	pending []dporNode
	current dporNode
	started bool
	// states maps the hash of the decisions before a Schedule decision to
	// the processes done or scheduled there.
	states map[uint64][]int
	// sleep maps the hash of a state to the processes asleep there; ran,
	// to the processes run there, in the order they first ran, with the
	// transition each ran.
	sleep, ran map[uint64][]sleeper
	classes    map[uint64]bool
}

type dporNode struct {
	prefix []Decision
}

// NewDPOR returns a search with partial-order reduction over logs of at
// most bound non-default decisions.
func NewDPOR(bound int) *DPOR {
	if bound < 0 {
		panic("scheduler: NewDPOR: negative bound")
	}
	return &DPOR{bound: bound, states: map[uint64][]int{}, sleep: map[uint64][]sleeper{}, ran: map[uint64][]sleeper{}, classes: map[uint64]bool{}}
}

// Next returns the next log to run, and false when the search is over.
func (t *DPOR) Next() ([]Decision, bool) {
	if !t.started {
		t.started = true
		return nil, true
	}
	if len(t.pending) == 0 {
		return nil, false
	}
	t.current = t.pending[len(t.pending)-1]
	t.pending = t.pending[:len(t.pending)-1]
	return t.current.prefix, true
}

// Pending is the number of logs known and not yet run.
func (t *DPOR) Pending() int { return len(t.pending) }

// Classes is the number of distinct classes of schedules (Mazurkiewicz
// traces: runs equal up to the order of commuting transitions) that the
// runs recorded so far belong to.
func (t *DPOR) Classes() int { return len(t.classes) }

// RecordRun takes what the run of the last log recorded: its decisions,
// its holds (sim's Result.Holds: the bound counts changes as Tree's
// RecordHolds does) and its transitions, and adds the logs the races and
// the other decisions call for.
func (t *DPOR) RecordRun(recorded []Decision, holds []int, ts []Transition) {
	cur := t.current
	// hashes[i] identifies the state before decision i; spent[i] counts
	// the changes before it, as the bound counts them.
	hashes := make([]uint64, len(recorded)+1)
	spent := make([]int, len(recorded)+1)
	isHold := make([]bool, len(recorded))
	for _, i := range holds {
		if i >= 0 && i < len(recorded) {
			isHold[i] = true
		}
	}
	h := uint64(14695981039346656037)
	hashes[0] = h
	for i, d := range recorded {
		h = (h ^ uint64(d.Kind)<<32 ^ uint64(d.Choice)) * 1099511628211
		hashes[i+1] = h
		spent[i+1] = spent[i] + changeCost(d, d.Choice, isHold[i])
	}
	// options[i] are the processes Schedule decision i chose among.
	options := make([][]int, len(recorded))
	for _, tr := range ts {
		if tr.Decision >= 0 && tr.Decision < len(recorded) {
			t.mark(hashes[tr.Decision], tr.Proc)
			options[tr.Decision] = tr.Options
		}
	}
	t.classes[classOf(ts)] = true
	blocked := t.sleepSets(cur, recorded, hashes, spent, ts)

	var children []dporNode
	// add schedules option choice at decision i, if the bound allows it.
	add := func(i int, choice uint32) bool {
		d := recorded[i]
		if spent[i]+changeCost(d, choice, isHold[i]) > t.bound {
			return false
		}
		p := make([]Decision, i+1)
		copy(p, recorded[:i])
		p[i] = Decision{Kind: d.Kind, N: d.N, Choice: choice}
		children = append(children, dporNode{prefix: p})
		return true
	}
	// schedule runs one of procs at decision i: the first that can run
	// there, unless one is done or scheduled there already. It reports
	// false when none of them can run there, or when the bound refuses it.
	schedule := func(i int, procs []int) bool {
		key := hashes[i]
		if slices.ContainsFunc(procs, func(p int) bool { return slices.Contains(t.states[key], p) }) {
			return true
		}
		for _, q := range procs {
			if opt := slices.Index(options[i], q); opt >= 0 {
				if asleep(t.sleep[key], q) {
					// What q starts there, a run that ran q there first
					// has run (sleep sets, Godefroid).
					t.mark(key, q)
					return true
				}
				if !add(i, uint32(opt)) {
					return false
				}
				t.mark(key, q)
				return true
			}
		}
		return false
	}
	// Other kinds: every other option past the prefix, as Tree, up to
	// where the run repeats a class.
	end := len(recorded)
	if blocked < len(ts) && ts[blocked].Decision >= 0 {
		end = ts[blocked].Decision
	}
	for i := len(cur.prefix); i < end; i++ {
		if d := recorded[i]; d.Kind != Schedule {
			for c := uint32(0); c < d.N; c++ {
				if c != d.Choice {
					add(i, c)
				}
			}
		}
	}
	if blocked < len(ts) {
		// The run ran a sleeping process: what follows repeats a class
		// run before. Run instead what a search guided by the sleep set
		// would have: the first process there that is awake.
		if i := ts[blocked].Decision; i >= 0 {
			for opt, q := range options[i] {
				if !asleep(t.sleep[hashes[i]], q) && !slices.Contains(t.states[hashes[i]], q) {
					if add(i, uint32(opt)) {
						t.mark(hashes[i], q)
					}
					break
				}
			}
		}
	}
	// Schedule decisions: where races say.
	for _, r := range races(ts) {
		if r.k >= blocked {
			continue // in the part that repeats a class
		}
		i := ts[r.j].Decision
		if i < 0 || i >= len(recorded) {
			continue // nothing else could run there
		}
		if schedule(i, r.initials) {
			// Bounded, the place of the reversal matters: running an
			// initial as early as it can run leaves the others' order in
			// the run queue as it was, which the bound may need. Not when
			// the bound leaves a change for every decision the run has
			// after the reversal (an unbounded search).
			if t.bound-spent[i] > len(recorded)-i {
				continue
			}
			for n, q := range r.initials {
				// and where it costs nothing: continuing a hold
				for m := r.earliest[n]; m < r.j; m++ {
					if d := ts[m].Decision; d >= 0 && d < i && isHold[d] && len(options[d]) > 1 && options[d][1] == q {
						schedule(d, []int{q})
					}
				}
				for m := r.earliest[n]; m < r.j; m++ {
					if d := ts[m].Decision; d >= 0 && d < i && slices.Contains(options[d], q) {
						schedule(d, []int{q})
						break
					}
				}
			}
			continue
		}
		if slices.ContainsFunc(r.initials, func(q int) bool { return slices.Contains(options[i], q) }) {
			// The bound refuses the reversal here. Bounded partial-order
			// reduction (Coons, Musuvathi and McKinley, OOPSLA'13): run
			// one of the initials at the latest earlier point where the
			// bound allows it, so that a schedule of the reversed race's
			// class that spends its changes elsewhere is still reached.
			for m := i - 1; m >= 0; m-- {
				if t.affordable(options[m], r.initials, spent[m], recorded[m], isHold[m]) && schedule(m, r.initials) {
					break
				}
			}
			continue
		}
		// None of them could run there: every process that could, as the
		// first DPOR does.
		for opt, q := range options[i] {
			if !slices.Contains(t.states[hashes[i]], q) && add(i, uint32(opt)) {
				t.mark(hashes[i], q)
			}
		}
	}
	// Run the earliest change first, as Tree does.
	slices.SortStableFunc(children, func(a, b dporNode) int { return len(b.prefix) - len(a.prefix) })
	t.pending = append(t.pending, children...)
}

// A sleeper is a process asleep at a state, with the transition it runs
// from there: a schedule that runs it before anything it conflicts with
// runs a class that the schedules that ran it there first have run.
type sleeper struct {
	proc int
	tr   Transition
	// free is set when the bound left the run that first ran proc there a
	// change for every decision after it: the search from there was not
	// cut by the bound, so it stands for every schedule that runs proc
	// there first. Only such a process may sleep: within a bound, the
	// schedule of a class that runs it later may fit where the one that
	// runs it first did not.
	free bool
}

func asleep(set []sleeper, proc int) bool {
	return slices.ContainsFunc(set, func(s sleeper) bool { return s.proc == proc })
}

// sleepSets follows the sleep set along the part of the run past its
// prefix (Godefroid's sleep sets, as Abdulla et al. use them with source
// sets), keeping the set of each state it reaches, and returns the index
// of the first transition of a sleeping process: the run repeats a class
// from there (len(ts) when it does not). The set where the prefix's last
// Schedule decision chose another process holds the processes run there
// before, in the order they were first run, and those asleep there, that
// commute with the transition now run; one transition wakes the sleepers
// it conflicts with. A prefix that ends in another kind of decision starts
// with no sleeper (fewer sleepers only prune less).
func (t *DPOR) sleepSets(cur dporNode, recorded []Decision, hashes []uint64, spent []int, ts []Transition) int {
	b := len(cur.prefix) - 1 // the decision the prefix changed; -1: the calm run
	branch := b >= 0 && recorded[b].Kind == Schedule
	var set []sleeper
	following := b < 0
	for x := range ts {
		tr := &ts[x]
		if !following {
			switch {
			case branch && tr.Decision == b:
				key := hashes[b]
				set = slices.Clone(t.sleep[key])
				for _, s := range t.ran[key] {
					if s.proc == tr.Proc {
						break
					}
					if s.free && !asleep(set, s.proc) {
						set = append(set, s)
					}
				}
				following = true
			case !branch && tr.Decision > b:
				following = true
			default:
				continue
			}
		}
		if tr.Decision >= 0 {
			key := hashes[tr.Decision]
			if _, ok := t.sleep[key]; !ok && len(set) > 0 {
				t.sleep[key] = slices.Clone(set)
			}
			if !slices.ContainsFunc(t.ran[key], func(s sleeper) bool { return s.proc == tr.Proc }) {
				free := t.bound-spent[tr.Decision+1] >= len(recorded)-tr.Decision-1
				t.ran[key] = append(t.ran[key], sleeper{tr.Proc, *tr, free})
			}
		}
		if asleep(set, tr.Proc) {
			return x
		}
		set = slices.DeleteFunc(set, func(s sleeper) bool { return s.tr.conflicts(tr) })
	}
	return len(ts)
}

// affordable reports whether the first of procs that is among the options
// of a decision d can be chosen there within the bound, spent changes made
// before it.
func (t *DPOR) affordable(options, procs []int, spent int, d Decision, hold bool) bool {
	for _, q := range procs {
		if opt := slices.Index(options, q); opt >= 0 {
			return spent+changeCost(d, uint32(opt), hold) <= t.bound
		}
	}
	return false
}

// changeCost is what choosing option c at decision d costs against the
// bound: nothing for the default, or for a preemption that goes on with a
// hold (d is one), one otherwise (Changes, except that a draw costs one, as
// in Tree, so that the search stays finite).
func changeCost(d Decision, c uint32, hold bool) int {
	if c == 0 || hold && d.Kind == Schedule && c == 1 {
		return 0
	}
	return 1
}

func (t *DPOR) mark(key uint64, proc int) {
	if !slices.Contains(t.states[key], proc) {
		t.states[key] = append(t.states[key], proc)
	}
}

// race is a pair of transitions j < k that conflict with nothing between
// them ordering them, with the processes that could start the reversed
// pair at the state before j: those whose first transition after j is
// ordered after nothing else after j, in order, k's process among them when
// it qualifies.
type race struct {
	j, k     int
	initials []int
	// earliest[i] is the first transition before which initials[i] could
	// run instead: the one after the last that happens before its first
	// transition after j.
	earliest []int
}

// races finds the races of a run, the latest for each transition, with
// vector clocks of the
// happens-before order: a process's transitions in order, a spawn before
// the spawned process's first transition, conflicting transitions in the
// order they ran, and the world's clock advancing (Proc -1) after
// everything before it and before everything after.
func races(ts []Transition) []race {
	procs := 0
	for _, tr := range ts {
		procs = max(procs, tr.Proc+1)
		for _, s := range tr.Spawned {
			procs = max(procs, s+1)
		}
	}
	// clock[k][p] is the last transition of process p that happens before
	// transition k (or is k), -1 for none.
	clock := make([][]int, len(ts))
	last := make([]int, procs)    // last transition of each process so far
	spawner := make([]int, procs) // the transition that made each process
	for p := range procs {
		last[p], spawner[p] = -1, -1
	}
	join := func(c, d []int) {
		for i := range c {
			c[i] = max(c[i], d[i])
		}
	}
	hb := func(j, k int) bool { // j happens before k (clock[k] is complete up to here)
		p := ts[j].Proc
		return p < 0 || clock[k][p] >= j
	}
	var out []race
	for k := range ts {
		c := make([]int, procs)
		for i := range c {
			c[i] = -1
		}
		p := ts[k].Proc
		if p >= 0 {
			if last[p] >= 0 {
				join(c, clock[last[p]])
			} else if spawner[p] >= 0 {
				join(c, clock[spawner[p]])
			}
			c[p] = k
		}
		clock[k] = c
		raced := false
		for j := k - 1; j >= 0; j-- {
			tj := &ts[j]
			if p < 0 {
				// The clock advances after everything.
				if tj.Proc >= 0 {
					c[tj.Proc] = max(c[tj.Proc], j)
				}
				continue
			}
			if tj.Proc == p || !tj.conflicts(&ts[k]) {
				continue
			}
			if tj.Proc < 0 {
				join(c, clock[j])
				break // everything before the clock's advance is before it
			}
			if !raced && !hb(j, k) {
				// The latest race of k is the one to reverse: reversing
				// it reaches the earlier ones' reversals in turn, as in
				// Flanagan and Godefroid's DPOR.
				out = append(out, race{j: j, k: k})
				raced = true
			}
			join(c, clock[j])
		}
		if p >= 0 {
			last[p] = k
			for _, s := range ts[k].Spawned {
				if s < procs {
					spawner[s] = k
				}
			}
		}
	}
	for i := range out {
		out[i].initials, out[i].earliest = initialsBetween(ts, clock, out[i].j, out[i].k)
	}
	return out
}

// initialsBetween returns the processes that can run first in the part of
// the run after j that does not happen after j, then k: the processes of
// its transitions that happen after none of its earlier ones.
func initialsBetween(ts []Transition, clock [][]int, j, k int) (out, earliest []int) {
	var v []int // transitions after j, not after j, then k
	for m := j + 1; m < k; m++ {
		if ts[m].Proc >= 0 && !(clock[m][ts[j].Proc] >= j) {
			v = append(v, m)
		}
	}
	v = append(v, k)
	for i, m := range v {
		first := true
		for _, e := range v[:i] {
			if p := ts[e].Proc; clock[m][p] >= e {
				first = false
				break
			}
		}
		if first && !slices.Contains(out, ts[m].Proc) {
			out = append(out, ts[m].Proc)
			earliest = append(earliest, earliestBefore(ts, j, m))
		}
	}
	return out, earliest
}

// earliestBefore returns the first transition of the run before which
// transition f, which happens after none of the transitions after j but
// (when f is k) j itself, could run instead: the one after the last that
// f's process ran, that made it, or that conflicts with it.
func earliestBefore(ts []Transition, j, f int) int {
	q := ts[f].Proc
	for e := j - 1; e >= 0; e-- {
		if ts[e].Proc == q || ts[e].Proc < 0 || slices.Contains(ts[e].Spawned, q) || ts[e].conflicts(&ts[f]) {
			return e + 1
		}
	}
	return 0
}

// Class fingerprints the class of schedules a run belongs to, from its
// transitions: two runs with the same fingerprint are equal up to the
// order of commuting transitions (barring a hash collision), so counting
// the fingerprints of a search's runs counts the classes it ran.
func Class(ts []Transition) uint64 { return classOf(ts) }

// classOf fingerprints the class of a run: for each transition, its
// process and objects and, process by process, the latest transition of
// that process before it that it conflicts with (with program order these
// generate happens-before), named by its index in its process. Runs that
// differ only in the order of commuting transitions have the same
// fingerprint; the predecessors are folded in by process, not in the
// order the run met them, which the order of commuting transitions
// decides (folding them in that order made one class several).
func classOf(ts []Transition) uint64 {
	// Count each process's transitions, and give each transition its
	// (process, index) name; fold them in a canonical order: by process,
	// then index, with the names of their predecessors.
	type name struct{ proc, n int }
	procs := 0
	for _, tr := range ts {
		procs = max(procs, tr.Proc+2)
	}
	count := make([]int, procs)
	names := make([]name, len(ts))
	for k, tr := range ts {
		names[k] = name{tr.Proc, count[tr.Proc+1]}
		count[tr.Proc+1]++
	}
	// Predecessors: the last conflicting earlier transition of each other
	// process, which with program order generates happens-before.
	per := make([]uint64, len(ts))
	for k := range ts {
		h := uint64(14695981039346656037)
		mixIn := func(x int) { h = (h ^ uint64(x)) * 1099511628211 }
		mixIn(names[k].proc)
		mixIn(names[k].n)
		for _, o := range ts[k].Objects {
			mixIn(o)
		}
		if ts[k].Global {
			mixIn(-7)
		}
		// by process, so that the order the scan meets them in (which
		// the order of commuting transitions decides) drops out
		pred := make([]int, procs) // 1 + the index in its process, 0 for none
		for j := k - 1; j >= 0; j-- {
			pj := ts[j].Proc + 1
			if ts[j].Proc == ts[k].Proc || pred[pj] > 0 || !(ts[j].conflicts(&ts[k]) || ts[j].Proc < 0 || ts[k].Proc < 0) {
				continue
			}
			pred[pj] = names[j].n + 1
		}
		for _, n := range pred {
			mixIn(n)
		}
		per[k] = h
	}
	// Sum the per-transition hashes: the order they ran in drops out.
	var sum uint64
	for _, h := range per {
		sum += h * 0x9e3779b97f4a7c15
	}
	return sum
}
