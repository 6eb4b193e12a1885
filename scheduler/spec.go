package scheduler

import (
	"fmt"
	"strconv"
	"strings"
)

// Spec names a strategy and its parameters, as a flag or a log spells it:
//
//	random              RandomWalk
//	pct                 PCT of depth 3 and the default steps
//	pct:<depth>         PCT of that depth
//	pct:<depth>:<steps> PCT of that depth, for runs of about steps points
//	pos                 POS, partial-order sampling
//	starve              Starve: a random walk with one starvation window
//	starve:<steps>      Starve, for runs of about steps points
//	portfolio           Portfolio: each seed runs one member (see Member)
//	portfolio:<steps>   Portfolio, for runs of about steps points
//	dfs                 bounded exhaustive search (Tree), bound 2
//	dfs:<bound>         bounded exhaustive search, at most bound changes
//	dpor[:<bound>]      the same search with partial-order reduction (DPOR)
//
// and any of them but the searches followed by "+fault:<points>": the strategy
// with exactly one fault, at one of the first points Fault points (see
// OneFault; a portfolio's points are its calm run's, and it runs each member
// with its faults at their rates and each with one fault); then by
// "+fair:<points>": the strategy for
// that many Schedule points, then a fair and calm schedule (see Fair). The
// members of a portfolio are fair after four times its steps, at least
// 2,000, unless it says otherwise ("portfolio:570" runs
// "pct:2:570+fair:2280", say).
//
// A zero field means its default: the zero Spec is random, a pct Spec
// with Depth 0 has depth 3, and Steps 0 means 1000 steps (Explore fills a
// portfolio's steps in from a calm run of the scenario instead).
type Spec struct {
	// Name is "random", "pct", "pos", "starve", "portfolio", "dfs" or
	// "dpor"; "" means "random".
	Name string
	// Depth is the PCT bug depth, from 1 to 10000, or the dfs bound (the
	// most non-default decisions a searched log has); 0 means 3 for pct and
	// 2 for dfs.
	Depth int
	// Steps is the number of Schedule points a run of pct, starve or
	// portfolio is expected to have, at least Depth-1 for pct; 0 means 1000.
	Steps int
	// Fair is the number of Schedule points after which the run turns
	// fair and calm (Fair), 0 for never; a portfolio's 0 means four times
	// its steps, at least 2,000, for its members.
	Fair int
	// Faults is, when not 0, the number of Fault points a run is expected
	// to have: the strategy fires exactly one fault, at one of them (see
	// OneFault), instead of each at its rate. A portfolio's Faults runs
	// every member both ways (see Members).
	Faults int

	_ struct{} // disallow positional literals, for extensibility
}

const pctDefaultDepth = 3

const specForms = "random, pct, pct:<depth>[:<steps>], pos, starve[:<steps>], portfolio[:<steps>], dfs[:<bound>], dpor[:<bound>]; then +fault:<points> and +fair:<points> after any but a search"

// ParseSpec parses the form shown on Spec. Its result's String is canonical
// and parses back to an equal Spec.
func ParseSpec(s string) (Spec, error) {
	base, fairArg, hasFair := strings.Cut(s, "+fair:")
	base, faultArg, hasFault := strings.Cut(base, "+fault:")
	sp, err := parseBase(base, s)
	if err != nil || !hasFair && !hasFault {
		return sp, err
	}
	if sp.Exhaustive() {
		return Spec{}, fmt.Errorf("scheduler: strategy %q: a search (%s) takes no +fault or +fair", s, sp.Name)
	}
	if hasFault {
		if sp.Faults, err = positive(s, "fault points", faultArg); err != nil {
			return Spec{}, err
		}
	}
	if hasFair {
		if sp.Fair, err = positive(s, "fair points", fairArg); err != nil {
			return Spec{}, err
		}
	}
	return sp, nil
}

// parseBase parses a spec without its +fair suffix; full is the whole
// text, for errors.
func parseBase(base, full string) (Spec, error) {
	s := full
	name, args, hasArgs := strings.Cut(base, ":")
	switch name {
	case "random", "pos":
		if hasArgs {
			return Spec{}, fmt.Errorf("scheduler: strategy %q: %s takes no parameters", s, name)
		}
		return Spec{Name: name}, nil
	case "starve", "portfolio":
		sp := Spec{Name: name}
		if !hasArgs {
			return sp, nil
		}
		var err error
		if sp.Steps, err = positive(s, "steps", args); err != nil {
			return Spec{}, err
		}
		return sp, nil
	case "pct":
		sp := Spec{Name: "pct", Depth: pctDefaultDepth}
		if !hasArgs {
			return sp, nil
		}
		depth, steps, hasSteps := strings.Cut(args, ":")
		var err error
		if sp.Depth, err = positive(s, "depth", depth); err != nil {
			return Spec{}, err
		}
		if hasSteps {
			if sp.Steps, err = positive(s, "steps", steps); err != nil {
				return Spec{}, err
			}
		}
		if err := sp.Validate(); err != nil {
			return Spec{}, err
		}
		return sp, nil
	case "dfs", "dpor":
		sp := Spec{Name: name, Depth: dfsDefaultBound}
		if !hasArgs {
			return sp, nil
		}
		var err error
		if sp.Depth, err = positive(s, "bound", args); err != nil {
			return Spec{}, err
		}
		return sp, nil
	}
	return Spec{}, fmt.Errorf("scheduler: unknown strategy %q (want %s)", s, specForms)
}

const dfsDefaultBound = 2

// Exhaustive reports whether the Spec is a search (dfs, dpor) rather than
// a strategy per seed: Explore then runs the logs of NewTree(Bound()) or
// NewDPOR(Bound()) in order instead of seeds.
func (s Spec) Exhaustive() bool { return s.Name == "dfs" || s.Name == "dpor" }

// Reduced reports whether the Spec is the search with partial-order
// reduction (dpor).
func (s Spec) Reduced() bool { return s.Name == "dpor" }

// Bound is the dfs bound, with its default filled in.
func (s Spec) Bound() int {
	if s.Depth == 0 {
		return dfsDefaultBound
	}
	return s.Depth
}

// positive parses a decimal parameter of at least 1.
func positive(spec, what, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("scheduler: strategy %q: %s %q is not a whole number of at least 1", spec, what, s)
	}
	return n, nil
}

// Validate reports a Spec that New would refuse, with the same error. Specs
// from ParseSpec are valid, and so is the zero Spec.
func (s Spec) Validate() error {
	if s.Fair < 0 || s.Fair > 0 && s.Exhaustive() {
		return fmt.Errorf("scheduler: strategy %q: fair points %d: want 0, or at least 1 for a strategy that is not a search", s.Name, s.Fair)
	}
	if s.Faults < 0 || s.Faults > 0 && s.Exhaustive() {
		return fmt.Errorf("scheduler: strategy %q: fault points %d: want 0, or at least 1 for a strategy that is not a search", s.Name, s.Faults)
	}
	switch s.Name {
	case "", "random":
		if s.Depth != 0 || s.Steps != 0 {
			return fmt.Errorf("scheduler: random strategy takes no depth or steps (got %d, %d)", s.Depth, s.Steps)
		}
		return nil
	case "pct":
		depth, steps := s.params()
		if s.Depth < 0 || s.Steps < 0 {
			return fmt.Errorf("scheduler: strategy %q: negative depth or steps", s.String())
		}
		if depth > pctMaxDepth {
			return fmt.Errorf("scheduler: strategy %q: depth %d is above the most PCT allows (%d)", s.String(), depth, pctMaxDepth)
		}
		if depth-1 > steps {
			return fmt.Errorf("scheduler: strategy %q: depth %d needs at least %d steps for its change points", s.String(), depth, depth-1)
		}
		return nil
	case "dfs", "dpor":
		if s.Depth < 0 || s.Steps != 0 {
			return fmt.Errorf("scheduler: strategy %q: %s takes one bound of at least 1", s.String(), s.Name)
		}
		return nil
	case "pos":
		if s.Depth != 0 || s.Steps != 0 {
			return fmt.Errorf("scheduler: pos strategy takes no depth or steps (got %d, %d)", s.Depth, s.Steps)
		}
		return nil
	case "starve", "portfolio":
		if s.Depth != 0 || s.Steps < 0 {
			return fmt.Errorf("scheduler: strategy %q takes only steps, at least 1 (got depth %d, steps %d)", s.Name, s.Depth, s.Steps)
		}
		return nil
	}
	return fmt.Errorf("scheduler: unknown strategy %q (want %s)", s.Name, specForms)
}

// params returns the PCT depth and steps with the defaults filled in.
func (s Spec) params() (depth, steps int) {
	depth, steps = s.Depth, s.Steps
	if depth == 0 {
		depth = pctDefaultDepth
	}
	if steps == 0 {
		steps = pctDefaultSteps
	}
	return depth, steps
}

// New returns a fresh strategy for one run with the given seed. It panics
// when Validate reports an error: validate a Spec built by hand once, up front.
func (s Spec) New(seed uint64) Strategy {
	if err := s.Validate(); err != nil {
		panic(err.Error())
	}
	if s.Fair > 0 && s.Name != "portfolio" {
		fair := s.Fair
		s.Fair = 0
		return Fair(s.New(seed), fair)
	}
	if s.Faults > 0 && s.Name != "portfolio" {
		points := s.Faults
		s.Faults = 0
		return OneFault(s.New(seed), seed, points)
	}
	switch s.Name {
	case "pct":
		depth, steps := s.params()
		return PCT(seed, depth, steps)
	case "dfs", "dpor":
		// A search is not a strategy per seed (see Exhaustive); alone, its
		// first run is the calm one.
		return Replay(nil)
	case "pos":
		return POS(seed)
	case "starve":
		return Starve(seed, s.Steps)
	case "portfolio":
		return s.Member(seed).New(seed)
	}
	return RandomWalk(seed)
}

// String returns the canonical form: "random", "pct:<depth>",
// "pct:<depth>:<steps>" when Steps is set, "pos", "starve" or
// "starve:<steps>", "portfolio" or "portfolio:<steps>", "dfs:<bound>" or
// "dpor:<bound>";
// then "+fault:<points>" when Faults is set, and "+fair:<points>" when Fair
// is set.
func (s Spec) String() string {
	if s.Fair != 0 {
		f := s
		f.Fair = 0
		return f.String() + "+fair:" + strconv.Itoa(s.Fair)
	}
	if s.Faults != 0 {
		f := s
		f.Faults = 0
		return f.String() + "+fault:" + strconv.Itoa(s.Faults)
	}
	switch s.Name {
	case "", "random":
		return "random"
	case "pos":
		return "pos"
	case "starve", "portfolio":
		if s.Steps == 0 {
			return s.Name
		}
		return s.Name + ":" + strconv.Itoa(s.Steps)
	case "pct":
		depth, _ := s.params()
		if s.Steps == 0 {
			return "pct:" + strconv.Itoa(depth)
		}
		return "pct:" + strconv.Itoa(depth) + ":" + strconv.Itoa(s.Steps)
	case "dfs", "dpor":
		return s.Name + ":" + strconv.Itoa(s.Bound())
	}
	return fmt.Sprintf("Spec(%q)", s.Name)
}
