package verdict

import (
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

type variant string

type property int

func (p property) String() string { return [...]string{"P0-none", "P1-no-panic"}[p] }

// The VERDICT lines are read by people and scripts: their format is fixed.
func TestString(t *testing.T) {
	const line = "weft1-d2VmdAEjcmVnaXN0cnkvb3JpZ2luYWwvUDUtbm8tc2lsZW50LWxvc3MBBnJhbmRvbQZ2MC4xLjAIZ28xLjI2LjgMOwMLAAsCCwALAQgLAgsBCwAbAkeRUNQ"
	l, err := scheduler.ParseLog(line)
	if err != nil {
		t.Fatal(err)
	}
	pass := Verdict[variant, property]{System: "health", Variant: "owned", Property: 1, Runs: 100_000}
	if got, want := pass.String(), "VERDICT health owned P1-no-panic PASS runs=100000"; got != want {
		t.Errorf("pass:\n got %s\nwant %s", got, want)
	}
	fail := pass
	fail.Runs = 3
	fail.Finding = &weft.Finding{Seed: 3, PreemptionsAfter: 2, Log: l}
	want := "VERDICT health owned P1-no-panic FAIL runs=3 seed=3 preemptions=2 replay=go run ./cmd/weft replay health/owned/P1-no-panic " + l.String()
	if got := fail.String(); got != want {
		t.Errorf("fail:\n got %s\nwant %s", got, want)
	}
	if got, want := fail.Entry(), "health/owned/P1-no-panic"; got != want {
		t.Errorf("Entry() = %q, want %q", got, want)
	}
}

func TestViolated(t *testing.T) {
	props := []property{0, 1}
	for _, c := range []struct {
		f    *sim.Failure
		want property
		ok   bool
	}{
		{nil, 0, false},
		{&sim.Failure{Kind: sim.Fatal, Value: "P1-no-panic: c1#2 panicked"}, 1, true},
		{&sim.Failure{Kind: sim.Fatal, Value: "P1-no-panicked: c1#2"}, 0, false},
		{&sim.Failure{Kind: sim.Panic, Value: "P1-no-panic: c1#2 panicked"}, 0, false},
	} {
		if p, ok := Violated(c.f, props); p != c.want || ok != c.ok {
			t.Errorf("Violated(%v) = %v, %v; want %v, %v", c.f, p, ok, c.want, c.ok)
		}
	}
}
