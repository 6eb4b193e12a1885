package main

import (
	"fmt"

	"github.com/weftsim/weft/systems/health"
)

// healthVariants says what each variant of the health broadcaster is.
var healthVariants = map[health.Variant]string{
	health.Original: "arke's health broadcaster",
	health.PR115:    "arke with PR 115 (non-blocking, recovering sendHealthCode; notifier buffer 1)",
	health.Owned:    "the owned design (handler-owned subscriptions, latest state, sticky GOAWAY)",
}

// healthEntries lists the health broadcaster (systems/health): every variant
// judged by every property, as "health/<variant>/P<k>-<name>". Buggy is the
// verdict the simulation is expected to give (health.ExpectFail).
func healthEntries() []entry {
	var out []entry
	for _, v := range health.Variants() {
		for _, p := range health.Properties() {
			out = append(out, entry{
				Name:     fmt.Sprintf("health/%s/%v", v, p),
				About:    fmt.Sprintf("%s: %s", healthVariants[v], p.About()),
				Buggy:    health.ExpectFail(v, p),
				Scenario: health.Scenario(v, p),
			})
		}
	}
	return out
}
