package verdict

// Tests of the harness: the VERDICT lines' fixed format, and that Judge
// explores under every strategy, so that a defect only PCT reaches fails its
// verdict and names PCT.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
)

// The VERDICT lines are read by people and scripts: their format is fixed.
func TestString(t *testing.T) {
	const line = "weft1-d2VmdAEjcmVnaXN0cnkvb3JpZ2luYWwvUDUtbm8tc2lsZW50LWxvc3MBBnJhbmRvbQZ2MC4xLjAIZ28xLjI2LjgMOwMLAAsCCwALAQgLAgsBCwAbAkeRUNQ"
	l, err := scheduler.ParseLog(line)
	if err != nil {
		t.Fatal(err)
	}
	pass := Verdict{System: "health", Variant: "owned", Property: "P1-no-panic", Strategies: []string{"random", "pct:3"}, Runs: 100_000}
	if got, want := pass.String(), "VERDICT health owned P1-no-panic PASS runs=100000 strategies=random,pct:3"; got != want {
		t.Errorf("pass:\n got %s\nwant %s", got, want)
	}
	fail := pass
	fail.Runs = 3
	fail.Finding = &weft.Finding{Seed: 3, Spec: "random", PreemptionsAfter: 2, Log: l}
	want := "VERDICT health owned P1-no-panic FAIL runs=3 seed=3 strategy=random preemptions=2 replay=go run ./cmd/weft replay health/owned/P1-no-panic " + l.String()
	if got := fail.String(); got != want {
		t.Errorf("fail:\n got %s\nwant %s", got, want)
	}
	if got, want := fail.Entry(), "health/owned/P1-no-panic"; got != want {
		t.Errorf("Entry() = %q, want %q", got, want)
	}
}

func TestStrategies(t *testing.T) {
	var got []string
	for _, s := range Strategies() {
		got = append(got, s.String())
	}
	if want := []string{"portfolio", "random", "pct:3"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Strategies() = %v, want %v", got, want)
	}
}

// starving is a system whose one variant fails its first property only
// when a process is starved for a long stretch: a reader must run before a
// writer's yieldsCount yields are over. The random walk lets the reader run
// at almost every point (it fails with odds of about 2^-yieldsCount); PCT
// gives the writer the higher priority in about half of its runs, and then
// runs it to the end. Its second property never fails.
func starving() systems.System {
	const yieldsCount = 40
	return systems.System{
		Name:       "starving",
		Variants:   []systems.Variant{{Name: "race"}},
		Properties: []systems.Property{{Name: "P1-reader-first", Group: "g"}, {Name: "P2-holds", Group: "g"}},
		Scenario: func(v string, props ...string) func(*sim.World) {
			judge := len(props) == 0 || strings.Contains(strings.Join(props, " "), "P1-reader-first")
			return func(w *sim.World) {
				done := false
				wg := sim.NewWaitGroup(w)
				wg.Go("writer", func() {
					for range yieldsCount {
						w.Yield()
					}
					done = true
				})
				wg.Go("reader", func() {
					if done && judge {
						w.Fatalf("P1-reader-first: the reader ran only after the writer's %d yields", yieldsCount)
					}
				})
				wg.Wait()
			}
		},
		Violated: func(f *sim.Failure) (string, bool) {
			if f == nil || f.Kind != sim.Fatal || !strings.HasPrefix(fmt.Sprint(f.Value), "P1-reader-first: ") {
				return "", false
			}
			return "P1-reader-first", true
		},
		Fails: func(v, p string) bool { return p == "P1-reader-first" },
	}
}

// TestJudgeStrategies judges starving under the random walk and then PCT:
// its P1 passes every random run and fails under PCT, reported with PCT's
// seed and spec and a log that names PCT; its P2 passes the runs of both
// strategies. Then under Strategies: the portfolio finds P1 first, and
// names the member that did.
func TestJudgeStrategies(t *testing.T) {
	sys := starving()
	const runs = 300
	randomThenPCT := Strategies()[1:]
	vds := Judge(t, sys, "race", []string{"P1-reader-first", "P2-holds"}, randomThenPCT, runs, nil)
	if len(vds) != 2 {
		t.Fatalf("got %d verdicts, want 2: %v", len(vds), vds)
	}
	p1, p2 := vds[0], vds[1]
	if p1.Finding == nil {
		t.Fatalf("P1 passed %d runs under %v; PCT should starve the reader", p1.Runs, p1.Strategies)
	}
	if p1.Finding.Spec != "pct:3" || fmt.Sprint(p1.Strategies) != "[random pct:3]" {
		t.Errorf("P1 failed under %q after %v, want pct:3 after random", p1.Finding.Spec, p1.Strategies)
	}
	if !strings.Contains(p1.String(), fmt.Sprintf(" seed=%d strategy=pct:3 ", p1.Finding.Seed)) || p1.Runs != int(p1.Finding.Seed) {
		t.Errorf("P1's line does not name PCT's seed and runs: %s", p1)
	}
	if l, err := scheduler.ParseLog(p1.Finding.Log.String()); err != nil || l.Spec != "pct:3" || l.Seed != p1.Finding.Seed {
		t.Errorf("P1's log: %v; want one that names pct:3 and seed %d", err, p1.Finding.Seed)
	}
	if p2.Finding != nil || p2.Runs != 2*runs || fmt.Sprint(p2.Strategies) != "[random pct:3]" {
		t.Errorf("P2: %s; want a pass on %d runs under random and pct:3", p2, 2*runs)
	}
	// Alone, the random walk passes P1: it is PCT that finds it.
	if vds := Judge(t, sys, "race", []string{"P1-reader-first"}, randomThenPCT[:1], runs, nil); len(vds) != 1 || vds[0].Finding != nil {
		t.Errorf("the random walk alone: %v, want a pass", vds)
	}

	// The portfolio, first of Strategies, finds it with a member that
	// starves the reader, and the verdict and the log name that member.
	vds = Judge(t, sys, "race", []string{"P1-reader-first", "P2-holds"}, Strategies(), runs, nil)
	p1, p2 = vds[0], vds[1]
	if p1.Finding == nil || fmt.Sprint(p1.Strategies) != "[portfolio]" || p1.Finding.Portfolio == "" {
		t.Fatalf("P1 under Strategies: %v after %v, want a failure the portfolio finds", p1, p1.Strategies)
	}
	if m := p1.Finding.Spec; m == "random" || !strings.Contains(p1.String(), " strategy="+m+" ") || p1.Finding.Log.Spec != m {
		t.Errorf("P1 failed under member %q: %s (log names %q)", m, p1, p1.Finding.Log.Spec)
	}
	if p2.Finding != nil || p2.Runs != 3*runs {
		t.Errorf("P2: %s; want a pass on %d runs", p2, 3*runs)
	}
}
