package longpoll

import (
	"testing"

	"github.com/weftsim/weft/sim"
)

// BenchmarkRun measures one whole run of each variant in each
// configuration the verdicts use: what a verdict's runs cost (see the
// package doc, Verdicts). The calm runs judge nothing, so that a violation
// does not cut them short (P4's end-of-run check still runs); the faulty
// runs judge P3, which only judges at the end. Compare variants against
// original in the same run.
func BenchmarkRun(b *testing.B) {
	for _, g := range []struct {
		name  string
		props []Property
	}{{"calm", calm}, {"faults", faulty}} {
		for _, v := range Variants() {
			b.Run(g.name+"/"+string(v), func(b *testing.B) {
				cfg := configOf(g.props, 0)
				cfg.DiscardLog = true
				var judged propSet // none
				if g.name == "faults" {
					judged = setOf(g.props)
				}
				sc := scenarioOf(v, judged, nil)
				var steps int64
				for i := 0; i < b.N; i++ {
					cfg.Seed = uint64(i + 1)
					steps += sim.Run(cfg, sc).Steps
				}
				b.ReportMetric(float64(steps)/float64(b.N), "steps/run")
			})
		}
	}
}
