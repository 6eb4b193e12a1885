package main

import (
	"fmt"

	"github.com/weftsim/weft/systems/registry"
)

// registryVariants says what each variant of the registry owner system is.
var registryVariants = map[registry.Variant]string{
	registry.Original:   "the streaming HTTP client whose ref table belongs to whichever short-lived caller created it",
	registry.Holder:     "PR 66's first commit (a bare holder process owns the table; try/catch on every access)",
	registry.AppOwned:   "PR 66's merged commit as written (an OTP application owns the tables; streams are still spawned unlinked, and nothing watches them)",
	registry.Supervised: "our design: PR 66's merged application plus a stream manager that links to each stream and reports its crash, and a waiting side that watches the application",
}

// registryEntries lists the registry owner system (systems/registry): every
// variant judged by every property, as "registry/<variant>/P<k>-<name>",
// each with the run configuration its property needs (kill faults for P4
// and P5, the end-of-run linearizability check for P3). Buggy is the
// verdict the simulation is expected to give (registry.ExpectFail).
func registryEntries() []entry {
	var out []entry
	for _, v := range registry.Variants() {
		for _, p := range registry.Properties() {
			out = append(out, entry{
				Name:     fmt.Sprintf("registry/%s/%v", v, p),
				About:    fmt.Sprintf("%s: %s", registryVariants[v], p.About()),
				Buggy:    registry.ExpectFail(v, p),
				Scenario: registry.Scenario(v, p),
				Config:   registry.Configure(p),
			})
		}
	}
	return out
}
