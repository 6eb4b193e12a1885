package parallel

import (
	"fmt"
	"slices"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Size measures a workload as a person reads its failure: the commands it
// runs, and the processes that run them (the main process when the prefix
// has commands, and each client that has some).
type Size struct {
	Commands, Processes int
}

func (s Size) String() string {
	return fmt.Sprintf("%d commands in %d processes", s.Commands, s.Processes)
}

// less orders sizes as Shrink does: fewer commands, then fewer processes.
func (s Size) less(o Size) bool {
	return s.Commands < o.Commands || s.Commands == o.Commands && s.Processes < o.Processes
}

// Size returns wl's size.
func (wl Workload) Size() Size {
	var s Size
	for _, cs := range wl.processes() {
		s.Commands += len(cs)
		if len(cs) > 0 {
			s.Processes++
		}
	}
	return s
}

// processes returns the prefix, then each client: the command sequences of
// wl, by the process that runs them.
func (wl Workload) processes() [][]Invocation {
	return append([][]Invocation{wl.Prefix}, wl.Clients...)
}

// workloadOf is the workload whose processes (prefix first) are ps,
// without the clients left with no command.
func workloadOf(ps [][]Invocation) Workload {
	wl := Workload{Prefix: ps[0]}
	for _, cs := range ps[1:] {
		if len(cs) > 0 {
			wl.Clients = append(wl.Clients, cs)
		}
	}
	return wl
}

// Shrunk is what Shrink found: the smallest failing workload it reached
// and its failure.
type Shrunk struct {
	// Workload is the smallest workload found that fails as the one
	// given did: no workload one step smaller (see Shrink) fails so within
	// the bound. It is the workload given when none smaller fails.
	Workload Workload
	// Finding is Workload's failure: the first failing schedule of the
	// bounded search, shrunk as weft.Explore shrinks any failure (to the
	// fewest preemptions and faults), with its trace. Nil when the
	// workload given does not fail within the bound; then nothing shrank.
	Finding *weft.Finding
	// Bound is the changes from the calm schedule within which each
	// workload's schedules were searched (Options.Bound).
	Bound int
	// Tried counts the workloads searched, the one given included, and
	// Runs the runs their searches took.
	Tried, Runs int
	// Cut is set when the runs ran out (Options.ShrinkRuns) before a
	// fixpoint: a smaller workload may still fail.
	Cut bool
}

// Shrink looks for the smallest workload that fails as wl does: a bounded
// search of workloads, each judged by an exhaustive bounded search of its
// schedules, so that what it keeps does not depend on where a schedule
// happened to put its preemptions (as rapid's shrinking does, whose
// schedule draws shift when a command goes).
//
// wl's schedules are searched first, depth first within opts.Bound changes
// from the calm one (scheduler.Tree, weft's dfs); the first failing one's
// failure is the one to keep (its sim.Failure.Signature), and a smaller
// workload counts as failing so when the first failing schedule of its
// search fails that way, as weft.Explore would report it. Then, from the
// smallest workload failing so, Shrink tries in order: dropping a
// process's tail (the whole process first), dropping one command, and
// moving the command of a process that has only one into another process
// at any place; it takes the first smaller one (fewer commands, then fewer
// processes) whose search fails the same way, and starts over, until no
// such step fails (a fixpoint) or opts.ShrinkRuns runs are spent. Last, the
// workload it keeps is explored once more by weft.Explore under the same
// search, which shrinks its schedule and replays it with a trace: that is
// Finding. The same machine, workload and options give the same result.
func Shrink[S, Sys any](m Machine[S, Sys], wl Workload, opts Options) *Shrunk {
	m.validate()
	opts = opts.withDefaults()
	cfg := opts.Config
	cfg.Properties = append(append([]sim.Property(nil), cfg.Properties...), m.Property(opts.Timeout))
	s := &shrinker[S, Sys]{m: m, cfg: cfg, bound: opts.Bound, left: opts.ShrinkRuns, tried: map[string]bool{}}
	out := &Shrunk{Workload: wl, Bound: opts.Bound}
	defer func() { out.Tried, out.Runs = len(s.tried), opts.ShrinkRuns-s.left }()
	first := s.search(wl)
	if first == nil {
		out.Cut = s.left <= 0
		return out
	}
	s.signature = first.Signature()
	best := wl
	for improved := true; improved && s.left > 0; {
		improved = false
		for _, c := range smaller(best) {
			if f := s.search(c); f != nil && f.Signature() == s.signature {
				best, improved = c, true
				break
			}
			if s.left <= 0 {
				break
			}
		}
	}
	out.Workload, out.Cut = best, s.left <= 0
	rep := weft.Explore(weft.Options{
		Name:   m.name(),
		Runs:   max(s.left, 1000),
		Spec:   scheduler.Spec{Name: "dfs", Depth: opts.Bound},
		Config: cfg,
	}, m.Scenario(best))
	out.Finding = rep.Failure
	s.left -= rep.Runs
	return out
}

// shrinker searches the schedules of workloads of one machine.
type shrinker[S, Sys any] struct {
	m         Machine[S, Sys]
	cfg       sim.Config
	bound     int
	left      int             // runs left
	tried     map[string]bool // the workloads searched, by their text
	signature string          // of the failure to keep
}

// search runs wl's schedules within the bound, depth first, and returns
// the failure of the first that fails, or nil when none does or the runs
// ran out. A workload searched before is not searched again (nil).
func (s *shrinker[S, Sys]) search(wl Workload) *sim.Failure {
	key := wl.String()
	if s.tried[key] {
		return nil
	}
	s.tried[key] = true
	scenario := s.m.Scenario(wl)
	tree := scheduler.NewTree(s.bound)
	for p, ok := tree.Next(); ok && s.left > 0; p, ok = tree.Next() {
		cfg := s.cfg
		cfg.Strategy, cfg.Spec = scheduler.Replay(p), "dfs"
		r := sim.Run(cfg, scenario)
		s.left--
		if r.Failure != nil {
			return r.Failure
		}
		tree.RecordHolds(r.Decisions, r.Holds)
	}
	return nil
}

// smaller returns the workloads one step smaller than wl, in the order
// Shrink tries them: each process's tail dropped, from its first command
// (the whole process) to its last; each command dropped; and each command
// that is its process's only one moved to every place in another process.
func smaller(wl Workload) []Workload {
	ps := wl.processes()
	with := func(p int, cs []Invocation) Workload {
		qs := slices.Clone(ps)
		qs[p] = cs
		return workloadOf(qs)
	}
	var out []Workload
	for p, cs := range ps {
		for i := range cs {
			out = append(out, with(p, cs[:i:i]))
		}
	}
	for p, cs := range ps {
		for i := 0; i < len(cs)-1; i++ { // the last one is a tail
			out = append(out, with(p, slices.Delete(slices.Clone(cs), i, i+1)))
		}
	}
	for p, cs := range ps {
		if len(cs) != 1 {
			continue
		}
		for q, ds := range ps {
			if q == p || len(ds) == 0 && q > 0 {
				continue // into an empty client is no merge
			}
			for i := 0; i <= len(ds); i++ {
				qs := slices.Clone(ps)
				qs[p] = nil
				qs[q] = slices.Insert(slices.Clone(ds), i, cs[0])
				out = append(out, workloadOf(qs))
			}
		}
	}
	size := wl.Size()
	return slices.DeleteFunc(out, func(c Workload) bool { return !c.Size().less(size) })
}

func (m Machine[S, Sys]) name() string {
	if m.Name == "" {
		return "the system"
	}
	return m.Name
}
