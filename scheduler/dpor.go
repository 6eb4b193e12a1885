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
// prefix; Schedule decisions only where races say. The bound is Tree's:
// at most bound non-default decisions in a log. A search whose runs all
// report their transitions (sim's Config.Footprint) and that ends has run
// Classes classes of schedules, under the rule that operations on
// different objects commute.
//
// Without a bound it ran every class of the scenarios measured (the 584
// classes of two processes that send three times each on one channel, in
// 8,910 runs where Tree takes 42,042). Within a bound it does not: the
// reversal of a race may cost a non-default decision that the bound
// refuses where another schedule of the same class would not (bounded
// partial-order reduction, Coons, Musuvathi and McKinley, OOPSLA'13, would
// close that), and on runs that cross clock advances it leaves out
// classes even with a larger bound (the zoo's WaitGroup twin: 290 of the
// 733 classes Tree runs at bound 2 are missing from DPOR at bound 5; see
// BENCHMARKS.md). So a pass of a dpor search is weaker evidence than one
// of Tree, which dfs keeps. The rule
// holds for processes that share plain variables only under a primitive or
// in transitions that touch no object (which conflict with each other, see
// Transition.plain); a variable one process writes in a transition that
// also touches an object, and another reads with no primitive between,
// is a data race the search may run in one order only: Tree runs both.
//
// Usage: as Tree, with RecordRun in place of Record.
type DPOR struct {
	bound   int
	pending []dporNode
	current dporNode
	started bool
	// states maps the hash of the decisions before a Schedule decision to
	// the processes done or scheduled there.
	states  map[uint64][]int
	classes map[uint64]bool
}

type dporNode struct {
	prefix  []Decision
	changed int
}

// NewDPOR returns a search with partial-order reduction over logs of at
// most bound non-default decisions.
func NewDPOR(bound int) *DPOR {
	if bound < 0 {
		panic("scheduler: NewDPOR: negative bound")
	}
	return &DPOR{bound: bound, states: map[uint64][]int{}, classes: map[uint64]bool{}}
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

// RecordRun takes what the run of the last log recorded: its decisions and
// its transitions, and adds the logs the races and the other decisions
// call for.
func (t *DPOR) RecordRun(recorded []Decision, ts []Transition) {
	cur := t.current
	// hashes[i] identifies the state before decision i; nonDefault[i]
	// counts the non-default decisions before it.
	hashes := make([]uint64, len(recorded)+1)
	nonDefault := make([]int, len(recorded)+1)
	h := uint64(14695981039346656037)
	hashes[0] = h
	for i, d := range recorded {
		h = (h ^ uint64(d.Kind)<<32 ^ uint64(d.Choice)) * 1099511628211
		hashes[i+1] = h
		nonDefault[i+1] = nonDefault[i]
		if d.Choice != 0 {
			nonDefault[i+1]++
		}
	}
	for _, tr := range ts {
		if tr.Decision >= 0 && tr.Decision < len(recorded) {
			t.mark(hashes[tr.Decision], tr.Proc)
		}
	}
	t.classes[classOf(ts)] = true

	var children []dporNode
	add := func(i int, choice uint32) {
		d := recorded[i]
		changed := nonDefault[i]
		if choice != 0 {
			changed++
		}
		if changed > t.bound {
			return
		}
		p := make([]Decision, i+1)
		copy(p, recorded[:i])
		p[i] = Decision{Kind: d.Kind, N: d.N, Choice: choice}
		children = append(children, dporNode{prefix: p, changed: changed})
	}
	// Other kinds: every other option past the prefix, as Tree.
	if cur.changed < t.bound {
		for i := len(cur.prefix); i < len(recorded); i++ {
			if d := recorded[i]; d.Kind != Schedule {
				for c := uint32(0); c < d.N; c++ {
					if c != d.Choice {
						add(i, c)
					}
				}
			}
		}
	}
	// Schedule decisions: where races say.
	for _, r := range races(ts) {
		tj := &ts[r.j]
		if tj.Decision < 0 || tj.Decision >= len(recorded) {
			continue // nothing else could run there
		}
		key := hashes[tj.Decision]
		done := t.states[key]
		initials := r.initials
		if slices.ContainsFunc(initials, func(p int) bool { return slices.Contains(done, p) }) {
			continue
		}
		added := false
		for _, q := range initials {
			if opt := slices.Index(tj.Options, q); opt >= 0 {
				t.mark(key, q)
				add(tj.Decision, uint32(opt))
				added = true
				break
			}
		}
		if !added {
			// None of them could run there: every process that could,
			// as the first DPOR does.
			for opt, q := range tj.Options {
				if !slices.Contains(t.states[key], q) {
					t.mark(key, q)
					add(tj.Decision, uint32(opt))
				}
			}
		}
	}
	// Run the earliest change first, as Tree does.
	slices.SortStableFunc(children, func(a, b dporNode) int { return len(b.prefix) - len(a.prefix) })
	t.pending = append(t.pending, children...)
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
		out[i].initials = initialsBetween(ts, clock, out[i].j, out[i].k)
	}
	return out
}

// initialsBetween returns the processes that can run first in the part of
// the run after j that does not happen after j, then k: the processes of
// its transitions that happen after none of its earlier ones.
func initialsBetween(ts []Transition, clock [][]int, j, k int) []int {
	var v []int // transitions after j, not after j, then k
	for m := j + 1; m < k; m++ {
		if ts[m].Proc >= 0 && !(clock[m][ts[j].Proc] >= j) {
			v = append(v, m)
		}
	}
	v = append(v, k)
	var out []int
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
		}
	}
	return out
}

// Class fingerprints the class of schedules a run belongs to, from its
// transitions: two runs with the same fingerprint are equal up to the
// order of commuting transitions (barring a hash collision), so counting
// the fingerprints of a search's runs counts the classes it ran.
func Class(ts []Transition) uint64 { return classOf(ts) }

// classOf fingerprints the class of a run: for each transition, its
// process and objects and the latest transition of every process before
// it in the happens-before order, counted per process. Runs that differ
// only in the order of commuting transitions have the same fingerprint.
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
		seen := make([]bool, procs)
		for j := k - 1; j >= 0; j-- {
			pj := ts[j].Proc + 1
			if ts[j].Proc == ts[k].Proc || seen[pj] || !(ts[j].conflicts(&ts[k]) || ts[j].Proc < 0 || ts[k].Proc < 0) {
				continue
			}
			seen[pj] = true
			mixIn(names[j].proc)
			mixIn(names[j].n)
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
