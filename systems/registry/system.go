package registry

import (
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
)

// System describes the registry owner system to weft's tools (package
// systems): its four variants, judged by its five properties in two run
// configurations, P1 to P3 without faults and P4 and P5 under process-kill
// faults (see Configure).
func System() systems.System {
	s := systems.System{
		Name: "registry",
		Variants: []systems.Variant{
			{Name: string(Original), About: "the streaming HTTP client whose ref table belongs to whichever short-lived caller created it"},
			{Name: string(Holder), About: "PR 66's first commit (a bare holder process owns the table; try/catch on every access)"},
			{Name: string(AppOwned), About: "PR 66's merged commit as written (an OTP application owns the tables; streams are still spawned unlinked, and nothing watches them)"},
			{Name: string(Supervised), About: "our design: PR 66's merged application plus a stream manager that links to each stream and reports its crash, and a waiting side that watches the application"},
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
			group = "kills"
		}
		s.Properties = append(s.Properties, systems.Property{Name: p.String(), About: p.About(), Group: group})
	}
	return s
}

// ShrinkRuns bounds the replays spent shrinking one failure: decision logs
// with kill faults in them shrink slowly, and a replay costs a tenth of a
// millisecond.
const ShrinkRuns = 20_000

// Violated returns the property a failed run violated: a Fatal failure
// whose message starts with the property's name, or P3's end-of-run check.
func Violated(f *sim.Failure) (Property, bool) {
	if f == nil {
		return 0, false
	}
	if f.Kind == sim.PropertyViolated {
		return LinearizableRefs, f.Property == LinearizableRefs.String()
	}
	return systems.Reported(f, Properties())
}

func variantNamed(name string) Variant { return systems.Named("registry", Variants(), name)[0] }

func propertiesNamed(names []string) []Property {
	return systems.Named("registry", Properties(), names...)
}
