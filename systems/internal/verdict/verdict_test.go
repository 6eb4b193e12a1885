package verdict

import (
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
)

// The VERDICT lines are read by people and scripts: their format is fixed.
func TestString(t *testing.T) {
	const line = "weft1-d2VmdAEjcmVnaXN0cnkvb3JpZ2luYWwvUDUtbm8tc2lsZW50LWxvc3MBBnJhbmRvbQZ2MC4xLjAIZ28xLjI2LjgMOwMLAAsCCwALAQgLAgsBCwAbAkeRUNQ"
	l, err := scheduler.ParseLog(line)
	if err != nil {
		t.Fatal(err)
	}
	pass := Verdict{System: "health", Variant: "owned", Property: "P1-no-panic", Runs: 100_000}
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
