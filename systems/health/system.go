package health

import (
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
)

// System describes the health broadcaster to weft's tools (package
// systems): its three variants, judged by its four properties, all in one
// run configuration.
func System() systems.System {
	s := systems.System{
		Name: "health",
		Variants: []systems.Variant{
			{Name: string(Original), About: "arke's health broadcaster"},
			{Name: string(PR115), About: "arke with PR 115 (non-blocking, recovering sendHealthCode; notifier buffer 1)"},
			{Name: string(Owned), About: "the owned design (handler-owned subscriptions, latest state, sticky GOAWAY)"},
		},
		Scenario: func(v string, props ...string) func(*sim.World) {
			return Scenario(variantNamed(v), propertiesNamed(props)...)
		},
		Fails: func(v, p string) bool { return ExpectFail(variantNamed(v), propertiesNamed([]string{p})[0]) },
	}
	for _, p := range Properties() {
		s.Properties = append(s.Properties, systems.Property{Name: p.String(), About: p.About()})
	}
	s.Violated = func(f *sim.Failure) (string, bool) {
		p, ok := Violated(f)
		return p.String(), ok
	}
	return s
}

// Violated returns the property a failed run violated: every property is
// judged inside the run, and its failure's message starts with the
// property's name.
func Violated(f *sim.Failure) (Property, bool) {
	return systems.Reported(f, Properties())
}

func variantNamed(name string) Variant { return systems.Named("health", Variants(), name)[0] }

func propertiesNamed(names []string) []Property {
	return systems.Named("health", Properties(), names...)
}
