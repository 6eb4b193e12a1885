package scheduler

import (
	"slices"
	"testing"
)

// Method: a portfolio's run of a seed is its member's run of that seed,
// point for point; members are drawn from the seed alone, each about as
// often as the others; and the members are the ones the doc names.

func TestPortfolioMembers(t *testing.T) {
	sp, err := ParseSpec("portfolio:40")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range sp.Members() {
		got = append(got, m.String())
	}
	want := []string{"random+fair:2000", "pct:1:40+fair:2000", "pct:2:40+fair:2000", "pct:3:40+fair:2000", "pos+fair:2000", "starve:40+fair:2000"}
	if !slices.Equal(got, want) {
		t.Fatalf("Members() = %v, want %v", got, want)
	}
	if m := (Spec{Name: "portfolio", Steps: 600}).Members()[2]; m.String() != "pct:2:600+fair:2400" {
		t.Fatalf("member 2 of portfolio:600 is %v, want pct:2:600+fair:2400", m)
	}
	// A portfolio of fewer steps than a PCT depth needs gives that
	// member the least it takes, so every member is valid.
	for _, m := range (Spec{Name: "portfolio", Steps: 1}).Members() {
		if err := m.Validate(); err != nil {
			t.Fatalf("member %v of portfolio:1: %v", m, err)
		}
	}
}

func TestPortfolioRunIsItsMembersRun(t *testing.T) {
	sp, _ := ParseSpec("portfolio:20")
	for seed := range uint64(60) {
		m := sp.Member(seed)
		if again := sp.Member(seed); again != m {
			t.Fatalf("seed %d: member %v, then %v", seed, m, again)
		}
		a, b := sp.New(seed), m.New(seed)
		for i := range 200 {
			p := Point{Kind: Kind(1 + i%5), N: 2 + i%4}
			if ca, cb := a.Choose(p), b.Choose(p); ca != cb {
				t.Fatalf("seed %d (member %v): point %d: portfolio chose %d, the member %d", seed, m, i, ca, cb)
			}
		}
	}
}

func TestPortfolioSharesSeedsEvenly(t *testing.T) {
	sp, _ := ParseSpec("portfolio:20")
	count := map[string]int{}
	const seeds = 6000
	for seed := range uint64(seeds) {
		count[sp.Member(seed).String()]++
	}
	if len(count) != 6 {
		t.Fatalf("members drawn: %v", count)
	}
	for m, n := range count {
		// Each gets 1/6: 1000 expected, a standard deviation of about 29.
		if n < 850 || n > 1150 {
			t.Fatalf("member %s ran %d of %d seeds: %v", m, n, seeds, count)
		}
	}
	// With fault points, each member runs both ways: twelve, 500 each
	// expected, a standard deviation of about 21.
	withFaults, _ := ParseSpec("portfolio:20+fault:30")
	count = map[string]int{}
	for seed := range uint64(seeds) {
		count[withFaults.Member(seed).String()]++
	}
	if len(count) != 12 || count["random+fault:30+fair:2000"] == 0 || count["random+fair:2000"] == 0 {
		t.Fatalf("members drawn with fault points: %v", count)
	}
	for m, n := range count {
		if n < 400 || n > 600 {
			t.Fatalf("member %s ran %d of %d seeds: %v", m, n, seeds, count)
		}
	}
	if (Spec{Name: "pct", Depth: 2}).Member(5) != (Spec{Name: "pct", Depth: 2}) {
		t.Fatal("Member of a spec that is not a portfolio is not the spec")
	}
}

// Fair runs its strategy for the prefix, then takes the default at every
// Schedule point and declines every fault, and still asks its strategy
// for the other kinds.
func TestFairTurnsCalmAfterItsPrefix(t *testing.T) {
	for seed := range uint64(20) {
		f, inner := Fair(RandomWalk(seed), 30), RandomWalk(seed)
		schedules := 0
		for i := range 400 {
			p := Point{Kind: Kind(1 + i%5), N: 4}
			got := f.Choose(p)
			if p.Kind == Schedule {
				schedules++
			}
			switch {
			case schedules <= 30:
				if want := inner.Choose(p); got != want {
					t.Fatalf("seed %d point %d (in the prefix): %d, want the strategy's %d", seed, i, got, want)
				}
			case p.Kind == Schedule || p.Kind == Fault:
				if got != 0 {
					t.Fatalf("seed %d point %d: %v chose %d after the prefix, want 0", seed, i, p.Kind, got)
				}
			default:
				if want := inner.Choose(p); got != want {
					t.Fatalf("seed %d point %d: %v chose %d, want the strategy's %d", seed, i, p.Kind, got, want)
				}
			}
		}
	}
	sp, _ := ParseSpec("pct:2:10+fair:5")
	a, b := sp.New(3), Fair(PCT(3, 2, 10), 5)
	for i := range 50 {
		p := Point{Kind: Schedule, N: 3}
		if a.Choose(p) != b.Choose(p) {
			t.Fatalf("point %d: pct:2:10+fair:5 is not Fair(PCT(seed, 2, 10), 5)", i)
		}
	}
}

// OneFault fires exactly one fault, at a Fault point within its points,
// drawn from the seed, whatever the rates, and passes every other point
// to its strategy.
func TestOneFaultFiresOnceWithinItsPoints(t *testing.T) {
	at := map[int]int{}
	for seed := range uint64(2000) {
		f, inner := OneFault(RandomWalk(seed), seed, 10), RandomWalk(seed)
		fired := 0
		faults := 0
		for i := range 200 {
			p := Point{Kind: Kind(1 + i%5), N: 2}
			if p.Kind == Fault {
				p.Rate = 0.9
				faults++
				if f.Choose(p) == 1 {
					fired++
					at[faults]++
				}
				continue
			}
			if got, want := f.Choose(p), inner.Choose(p); got != want {
				t.Fatalf("seed %d point %d (%v): %d, want the strategy's %d", seed, i, p.Kind, got, want)
			}
		}
		if fired != 1 {
			t.Fatalf("seed %d: %d faults fired, want 1", seed, fired)
		}
	}
	for k := 1; k <= 10; k++ {
		if n := at[k]; n < 150 || n > 250 { // 200 expected, a deviation of about 13
			t.Fatalf("fault point %d fired in %d of 2000 runs: %v", k, n, at)
		}
	}
	sp, err := ParseSpec("pct:2:10+fault:7+fair:50")
	if err != nil || sp.Faults != 7 || sp.Fair != 50 || sp.String() != "pct:2:10+fault:7+fair:50" {
		t.Fatalf("ParseSpec(pct:2:10+fault:7+fair:50) = %+v, %v", sp, err)
	}
	a, b := sp.New(3), Fair(OneFault(PCT(3, 2, 10), 3, 7), 50)
	for i := range 100 {
		p := Point{Kind: Kind(1 + i%5), N: 3}
		if p.Kind == Fault {
			p.N = 2
		}
		if a.Choose(p) != b.Choose(p) {
			t.Fatalf("point %d: the spec is not Fair(OneFault(PCT))", i)
		}
	}
	for _, bad := range []string{"dfs:2+fault:3", "random+fault:0", "random+fault:x"} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q) accepted it", bad)
		}
	}
}
