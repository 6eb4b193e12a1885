package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/weftsim/weft/examples/zoo"
	"github.com/weftsim/weft/sim"
)

// entry is a catalogued scenario.
type entry struct {
	// Name is "<group>/<scenario>", e.g. "zoo/lost-update".
	Name  string
	About string
	// Buggy says the scenario has a defect weft should find; a fixed twin
	// should pass every run.
	Buggy    bool
	Scenario func(*sim.World)
	// Config adjusts the run configuration (nil: the defaults).
	Config func(*sim.Config)
	// Quiet entries are in the catalogue for replay and explore by name,
	// but weft demo, its pins and weft report leave them out
	// (systems.System.Shown).
	Quiet bool
}

func (e entry) expect() string {
	if e.Buggy {
		return "fails"
	}
	return "passes"
}

func (e entry) config() sim.Config {
	cfg := sim.Config{Name: e.Name}
	if e.Config != nil {
		e.Config(&cfg)
	}
	return cfg
}

// lookup finds a catalogued scenario by name.
func lookup(name string) (entry, error) {
	var names []string
	for _, e := range catalog() {
		if e.Name == name {
			return e, nil
		}
		names = append(names, e.Name)
	}
	sort.Strings(names)
	return entry{}, fmt.Errorf("%w: no scenario %q (have: %s)", errUsage, name, strings.Join(names, ", "))
}

// catalog lists every scenario the command knows: the zoo, the reference
// systems (from their descriptions), then the examples; buggy ones next to
// their fixes.
func catalog() []entry {
	out := append(zooEntries(), systemEntries()...)
	out = append(out, kvEntries()...)
	return append(out, diskEntries()...)
}

func zooEntries() []entry {
	return []entry{
		{Name: "zoo/lost-update", About: "read-modify-write of a shared counter across a scheduling point", Buggy: true, Scenario: zoo.LostUpdate},
		{Name: "zoo/lost-update-fixed", About: "the same, under a mutex", Scenario: zoo.LostUpdateFixed},
		{Name: "zoo/deadlock", About: "two tellers lock two accounts in opposite orders (AB-BA)", Buggy: true, Scenario: zoo.Deadlock},
		{Name: "zoo/deadlock-fixed", About: "the same, locks taken in one global order", Scenario: zoo.DeadlockFixed},
		{Name: "zoo/send-on-closed", About: "shutdown closes a job queue between a client's stopped-check and its send", Buggy: true, Scenario: zoo.SendOnClosed},
		{Name: "zoo/send-on-closed-fixed", About: "the same, stopping closes a separate done channel that clients select on", Scenario: zoo.SendOnClosedFixed},
		{Name: "zoo/waitgroup-reuse", About: "a WaitGroup reused for the next batch before a waiter returned", Buggy: true, Scenario: zoo.WaitGroupReuse},
		{Name: "zoo/waitgroup-reuse-fixed", About: "the same, a WaitGroup per batch", Scenario: zoo.WaitGroupReuseFixed},
		{Name: "zoo/leak", About: "a backend's reply on an unbuffered channel outlives the caller's timeout", Buggy: true, Scenario: zoo.Leak},
		{Name: "zoo/leak-fixed", About: "the same, the reply channel has room for the reply", Scenario: zoo.LeakFixed},
	}
}
