package goker

// harness is the test file added (through the overlay) beside the kernels:
// it runs each kernel named by -goker.kernels, as GoKer's main would, as the
// main process of a world, seed after seed, and writes one JSON line per run
// to -goker.out: the leaks the world found, as Go's leak profile names them
// (the runs keep their traces, which say who holds the locks waited on), and
// whether replaying the first leaking run's decision log gives the same run.
const harness = `package main

import (
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/gort"
)

var (
	gokerKernels = flag.String("goker.kernels", "", "comma-separated kernels to run")
	gokerSeeds   = flag.Int("goker.seeds", 10, "seeds per kernel")
	gokerSeed    = flag.Uint64("goker.seed", 1, "first seed")
	gokerOut     = flag.String("goker.out", "", "where the JSON lines go")
	gokerReplay  = flag.Bool("goker.replay", true, "replay the first run of each kernel that leaks from its decision log")
	gokerSteps   = flag.Int64("goker.maxsteps", 200000, "scheduling points a run may take (sim.Config.MaxSteps)")
	gokerAfter   = flag.Int64("goker.aftermain", 20000, "scheduling points a run may take after its main returned (sim.Config.AfterMainSteps)")
	gokerCost    = flag.Duration("goker.stepcost", time.Microsecond, "virtual time each scheduling point takes (sim.Config.StepCost)")
	gokerDog     = flag.Duration("goker.watchdog", 2*time.Minute, "real time a step may take (sim.Config.Watchdog): kernels of 30,000 goroutines on a loaded machine need long")
)

type gokerLeak struct {
	Site   string
	Proven bool
	Text   string
}

type gokerRun struct {
	Kernel   string
	Seed     uint64
	Steps    int64
	Hash     uint64
	Failure  string ` + "`json:\",omitempty\"`" + `
	Leaks    []gokerLeak
	Replayed string ` + "`json:\",omitempty\"`" + `
	Determinism string ` + "`json:\",omitempty\"`" + `
}

func gokerSites(r *sim.Result) ([]gokerLeak, []string) {
	var out []gokerLeak
	var sites []string
	for _, l := range gort.Leaks(r) {
		out = append(out, gokerLeak{Site: l.Site(), Proven: l.Proven, Text: l.String()})
		sites = append(sites, l.Site())
	}
	return out, sites
}

func TestWeftGoker(t *testing.T) {
	out, err := os.Create(*gokerOut)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	enc := json.NewEncoder(out)
	for _, name := range strings.Split(*gokerKernels, ",") {
		f := cmds[name]
		if f == nil {
			enc.Encode(gokerRun{Kernel: name, Failure: "not registered"})
			continue
		}
		scenario := func(w *sim.World) { gort.Bind(w); f() }
		replayed := false
		for i := 0; i < *gokerSeeds; i++ {
			cfg := sim.Config{Name: name, Seed: *gokerSeed + uint64(i), AllowLeaks: true, KeepTrace: true, MaxSteps: *gokerSteps, AfterMainSteps: *gokerAfter, StepCost: *gokerCost, Watchdog: *gokerDog}
			r := sim.Run(cfg, scenario)
			run := gokerRun{Kernel: name, Seed: cfg.Seed, Steps: r.Steps, Hash: r.Hash}
			if r.Failure != nil {
				run.Failure = r.Failure.Kind.String() + ": " + r.Failure.Error()
			}
			var sites []string
			run.Leaks, sites = gokerSites(r)
			if len(run.Leaks) > 0 && *gokerReplay && !replayed {
				// The first leaking run of each kernel is replayed from its
				// decision log, which must give the same run.
				replayed = true
				again := sim.Replay(cfg, r.Log(), scenario)
				_, sites2 := gokerSites(again)
				switch {
				case again.Hash != r.Hash:
					run.Replayed = "differs: another trace hash"
				case !slices.Equal(sites, sites2):
					run.Replayed = "differs: other leaks"
				default:
					run.Replayed = "same"
				}
			}
			if i == 0 && !r.Abandoned {
				// The determinism check: the first seed twice more, hashing
				// the data too (values sent, names), must give one run.
				hashed := cfg
				hashed.HashData = true
				a, b := sim.Run(hashed, scenario), sim.Run(hashed, scenario)
				run.Determinism = "same"
				if a.Hash != b.Hash || a.DataHash != b.DataHash {
					run.Determinism = "differs"
				}
			}
			enc.Encode(run)
		}
	}
}
`
