// Package systems is the contract every reference system meets, so that the
// tools that judge and list them (the verdict tables of each system's tests,
// cmd/weft's catalogue and demo) work on any of them alike.
//
// A reference system models one real incident (see each system's package
// doc): the code as it was, the fixes that were tried, and the best fix we
// could build are its variants; what the incident's users needed is its
// properties. Every variant is judged by every property, under the same
// workload, so the verdict table shows what each fix repairs and what it
// leaves behind. A system exports one System value that says all this.
//
// The systems: health (the health broadcaster), registry (the registry
// owner), longpoll (the long-poll transport) and acceptor (a gen_tcp
// server's accept loop and listener patterns), in the directories below
// this one.
package systems

import (
	"fmt"
	"slices"
	"strings"

	"github.com/weftsim/weft/sim"
)

// System describes a reference system to the tools that judge it.
type System struct {
	// Name names the system: the first word of its catalogue entries
	// ("<name>/<variant>/<property>") and of its VERDICT lines.
	Name string
	// Variants are the system's versions, in the order of the verdict
	// table: the code as it was first.
	Variants []Variant
	// Properties are what every variant is judged by, in order.
	Properties []Property
	// Scenario returns the scenario that runs the named variant and fails
	// the run when one of the named properties is violated (every property
	// when none is named). The workload is the same whatever the properties,
	// so a seed runs the same way until a violation ends it. It panics on a
	// name the system does not have.
	Scenario func(variant string, properties ...string) func(*sim.World)
	// Configure adjusts the configuration of runs that judge the named
	// properties (faults some need, end-of-run checks); nil for none. The
	// properties judged together always share a Group, hence a
	// configuration.
	Configure func(cfg *sim.Config, properties ...string)
	// Violated returns the name of the property a failed run violated, or
	// false when it failed some other way (a bug of the harness, a panic
	// nobody judged).
	Violated func(f *sim.Failure) (property string, ok bool)
	// Fails is the verdict the simulation is expected to give: whether the
	// variant violates the property. Each system's package doc says who
	// set each expectation (the incident, or an earlier simulation).
	Fails func(variant, property string) bool
	// ShrinkRuns bounds the replays spent shrinking one failure (0: weft's
	// default), for systems whose logs shrink slowly.
	ShrinkRuns int
	// Shown picks the pairs weft demo runs and its pins record (nil: every
	// pair), for a system whose table is too big to run whole at every
	// make test. Every pair stays in the catalogue, so that each VERDICT
	// line's replay command works; the verdict test judges them all.
	Shown func(variant, property string) bool

	_ struct{} // disallow positional literals, for extensibility
}

// Variant is one version of a system.
type Variant struct {
	Name  string // as in catalogue entries: "original", "pr115", ...
	About string // what the version is, in a line

	_ struct{}
}

// Property is one property a system's variants are judged by.
type Property struct {
	// Name is the property's short name, "P<k>-<name>", as VERDICT lines
	// and failure messages print it.
	Name  string
	About string // what it demands, in a line
	// Group names the run configuration the property is judged under:
	// properties with the same Group are judged by the same runs (see
	// Groups).
	Group string

	_ struct{}
}

// Groups lists the system's properties by Group, groups in the order they
// first appear.
func (s *System) Groups() [][]string {
	var names []string
	var groups [][]string
	for _, p := range s.Properties {
		i := 0
		for i < len(names) && names[i] != p.Group {
			i++
		}
		if i == len(names) {
			names = append(names, p.Group)
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], p.Name)
	}
	return groups
}

// Config is the configuration of runs judging the named properties: the
// scenario's name, and what Configure adds.
func (s *System) Config(name string, properties ...string) sim.Config {
	cfg := sim.Config{Name: name}
	if s.Configure != nil {
		s.Configure(&cfg, properties...)
	}
	return cfg
}

// Entry is the catalogue name of a variant judged by one property:
// "<system>/<variant>/<property>".
func (s *System) Entry(variant, property string) string {
	return s.Name + "/" + variant + "/" + property
}

// Variant returns the variant named name.
func (s *System) Variant(name string) (Variant, bool) {
	for _, v := range s.Variants {
		if v.Name == name {
			return v, true
		}
	}
	return Variant{}, false
}

// Property returns the property named name.
func (s *System) Property(name string) (Property, bool) {
	for _, p := range s.Properties {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// Check reports what is wrong with the description: a missing function, no
// variant or property, a name used twice, or a name with a slash (which
// would break catalogue entries).
func (s *System) Check() error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if s.Name == "" || strings.Contains(s.Name, "/") {
		bad("name %q is empty or has a slash", s.Name)
	}
	if s.Scenario == nil || s.Violated == nil || s.Fails == nil {
		bad("Scenario, Violated and Fails are required")
	}
	if len(s.Variants) == 0 || len(s.Properties) == 0 {
		bad("it has %d variants and %d properties; it needs at least one of each", len(s.Variants), len(s.Properties))
	}
	seen := map[string]bool{} // looked up, never ranged over
	for _, v := range s.Variants {
		if v.Name == "" || strings.Contains(v.Name, "/") || seen["v "+v.Name] {
			bad("variant name %q is empty, has a slash or is used twice", v.Name)
		}
		seen["v "+v.Name] = true
	}
	for _, p := range s.Properties {
		if p.Name == "" || strings.Contains(p.Name, "/") || seen["p "+p.Name] {
			bad("property name %q is empty, has a slash or is used twice", p.Name)
		}
		seen["p "+p.Name] = true
	}
	if len(errs) > 0 {
		return fmt.Errorf("systems: %s: %s", s.Name, strings.Join(errs, "; "))
	}
	return nil
}

// Named returns the members of all that names name, in the order of names,
// matching each by its String; it panics on a name none has, saying which
// system lacks it and what it has. Systems use it to turn the names their
// System takes back into their own typed variants and properties.
func Named[T fmt.Stringer](system string, all []T, names ...string) []T {
	out := make([]T, 0, len(names))
	for _, name := range names {
		i := 0
		for i < len(all) && all[i].String() != name {
			i++
		}
		if i == len(all) {
			panic(fmt.Sprintf("%s: no %q (have %v)", system, name, all))
		}
		out = append(out, all[i])
	}
	return out
}

// Reported returns the property of all whose in-run check failed f: a
// Fatal failure whose message starts with the property's name and ": ",
// the way every reference system words a violation it sees while running.
// It is false for any other failure (a crash, a deadlock, an end-of-run
// property, which each system maps itself).
func Reported[P fmt.Stringer](f *sim.Failure, all []P) (P, bool) {
	var none P
	if f == nil || f.Kind != sim.Fatal {
		return none, false
	}
	msg := fmt.Sprint(f.Value)
	for _, p := range all {
		if strings.HasPrefix(msg, p.String()+": ") {
			return p, true
		}
	}
	return none, false
}

// PropSet is the set of properties a run of a system judges, bit p for
// property p (a system numbers its properties from 0 or 1, below 64).
type PropSet[P ~int] uint64

// SetOf is the set of props among all, or of all when props is empty; it
// panics, naming system, on a property that is not one of all.
func SetOf[P ~int](system string, all, props []P) PropSet[P] {
	if len(props) == 0 {
		props = all
	}
	var s PropSet[P]
	for _, p := range props {
		if !slices.Contains(all, p) || p < 0 || p >= 64 {
			panic(fmt.Sprintf("%s: unknown property %d (have %v)", system, int(p), all))
		}
		s |= 1 << p
	}
	return s
}

// Has reports whether the run judges p.
func (s PropSet[P]) Has(p P) bool { return s&(1<<p) != 0 }
