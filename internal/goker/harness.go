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

	"github.com/weftsim/weft/scheduler"
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
	gokerSpec    = flag.String("goker.strategy", "portfolio", "the strategy, as scheduler.ParseSpec reads it; a search (dfs, dpor) runs its logs in place of seeds, at most -goker.seeds of them")
)

type gokerLeak struct {
	Site   string
	Proven bool
	Text   string
}

type gokerRun struct {
	Kernel   string
	Seed     uint64
	Spec     string
	Steps    int64
	Hash     uint64
	Failure  string ` + "`json:\",omitempty\"`" + `
	Leaks    []gokerLeak
	Replayed string ` + "`json:\",omitempty\"`" + `
	Determinism string ` + "`json:\",omitempty\"`" + `
	Exhausted bool ` + "`json:\",omitempty\"`" + `
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
		base := sim.Config{Name: name, AllowLeaks: true, KeepTrace: true, MaxSteps: *gokerSteps, AfterMainSteps: *gokerAfter, StepCost: *gokerCost, Watchdog: *gokerDog}
		base.Faults = base.Faults.With(sim.FaultSlow, gort.SlowRate) // as weft test runs rewritten code
		spec, err := scheduler.ParseSpec(*gokerSpec)
		if err != nil {
			t.Fatal(err)
		}
		var tree gokerSearch
		if spec.Reduced() {
			tree = gokerDPOR{scheduler.NewDPOR(spec.Bound())}
			base.Footprint = true
		} else if spec.Exhaustive() {
			tree = gokerTree{scheduler.NewTree(spec.Bound())}
		} else if spec.IsPortfolio() && spec.Steps == 0 {
			spec.Steps = calmSteps(base, scenario)
		}
		replayed := false
		for i := 0; i < *gokerSeeds; i++ {
			cfg := base
			cfg.Seed = *gokerSeed + uint64(i)
			cfg.Spec = spec.Member(cfg.Seed).String()
			if tree != nil {
				// A search: run i replays the tree's next log.
				p, ok := tree.Next()
				if !ok {
					break
				}
				cfg.Seed, cfg.Spec, cfg.Strategy = uint64(i+1), spec.String(), scheduler.Replay(p)
			}
			r := sim.Run(cfg, scenario)
			if tree != nil {
				tree.record(r)
			}
			run := gokerRun{Kernel: name, Seed: cfg.Seed, Spec: cfg.Spec, Steps: r.Steps, Hash: r.Hash}
			if tree != nil && tree.Pending() == 0 {
				run.Exhausted = true
			}
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
			if i == 0 && !r.Abandoned && tree == nil {
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

// gokerSearch is an exhaustive search: scheduler.Tree (dfs), or
// scheduler.DPOR (dpor), which needs the runs' transitions.
type gokerSearch interface {
	Next() ([]scheduler.Decision, bool)
	Pending() int
	record(r *sim.Result)
}

type gokerTree struct{ *scheduler.Tree }

func (t gokerTree) record(r *sim.Result) { t.RecordHolds(r.Decisions, r.Holds) }

type gokerDPOR struct{ *scheduler.DPOR }

func (t gokerDPOR) record(r *sim.Result) { t.RecordRun(r.Decisions, r.Holds, r.Transitions) }

// calmSteps counts the Schedule points of the kernel's calm run (every
// decision the default): the length of its runs, as a portfolio's PCT and
// starvation members need it (weft.Explore estimates it the same way).
func calmSteps(base sim.Config, scenario func(*sim.World)) int {
	cfg := base
	cfg.Strategy = scheduler.Replay(nil)
	cfg.KeepTrace = false
	r := sim.Run(cfg, scenario)
	n := 0
	for _, d := range r.Decisions {
		if d.Kind == scheduler.Schedule {
			n++
		}
	}
	return max(n, 2)
}
`
