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
	want := []string{"random", "pct:1:40", "pct:2:40", "pct:3:40", "pos", "starve:40"}
	if !slices.Equal(got, want) {
		t.Fatalf("Members() = %v, want %v", got, want)
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
	if len(count) != portfolioMembers {
		t.Fatalf("members drawn: %v", count)
	}
	for m, n := range count {
		// Each gets 1/6: 1000 expected, a standard deviation of about 29.
		if n < 850 || n > 1150 {
			t.Fatalf("member %s ran %d of %d seeds: %v", m, n, seeds, count)
		}
	}
	if (Spec{Name: "pct", Depth: 2}).Member(5) != (Spec{Name: "pct", Depth: 2}) {
		t.Fatal("Member of a spec that is not a portfolio is not the spec")
	}
}
