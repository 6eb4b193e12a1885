package work

import "testing"

func TestRing(t *testing.T) {
	if got := Ring(); got != RingPasses {
		t.Errorf("the token counted %d passes, want %d", got, RingPasses)
	}
}
