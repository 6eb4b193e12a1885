package longpoll

import (
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
)

// System describes the long-poll transport to weft's tools (package
// systems): its five variants, judged by its five properties in two run
// configurations, P1, P2, P4 and P5 without faults and P3 under faults
// (see Configure).
func System() systems.System {
	s := systems.System{
		Name: "longpoll",
		Variants: []systems.Variant{
			{Name: string(Original), About: "Phoenix's long-poll transport as it was (a POST per push, handled concurrently)"},
			{Name: string(JoinRef), About: "with PR 5281 (the socket ignores a leave whose join_ref is not the topic's channel)"},
			{Name: string(Batching), About: "with PR 5283 alone (one ndjson batch per tick, one batch in flight)"},
			{Name: string(JoinRefBatching), About: "PRs 5281 and 5283, what Phoenix shipped"},
			{Name: string(Sequenced), About: "our design (numbered, pipelined, acknowledged batches both ways; replay on a lost session)"},
		},
		Scenario: func(v string, props ...string) func(*sim.World) {
			return Scenario(variantNamed(v), propertiesNamed(props)...)
		},
		Configure: func(cfg *sim.Config, props ...string) { Configure(propertiesNamed(props)...)(cfg) },
		Violated: func(f *sim.Failure) (string, bool) {
			p, ok := Violated(f)
			return p.String(), ok
		},
		Fails:      func(v, p string) bool { return ExpectFail(variantNamed(v), propertiesNamed([]string{p})[0]) },
		ShrinkRuns: ShrinkRuns,
	}
	for _, p := range Properties() {
		group := "calm"
		if p.Faulty() {
			group = "faults"
		}
		s.Properties = append(s.Properties, systems.Property{Name: p.String(), About: p.About(), Group: group})
	}
	return s
}

// ShrinkRuns bounds the replays spent shrinking one failure.
const ShrinkRuns = 2_000

// Violated returns the property a failed run violated: a Fatal failure
// whose message starts with the property's name, or P4's end-of-run check.
func Violated(f *sim.Failure) (Property, bool) {
	if f == nil {
		return 0, false
	}
	if f.Kind == sim.PropertyViolated {
		return LinearizableMembership, f.Property == LinearizableMembership.String()
	}
	return systems.Reported(f, Properties())
}

func variantNamed(name string) Variant { return systems.Named("longpoll", Variants(), name)[0] }

func propertiesNamed(names []string) []Property {
	return systems.Named("longpoll", Properties(), names...)
}
