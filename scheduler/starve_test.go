package scheduler

import "testing"

// Method: drive Starve with processes that are always runnable and check,
// from its drawn window, that the victim never runs inside the window and
// that the windows' lengths spread over short and long.

func TestStarveHoldsTheVictimBack(t *testing.T) {
	procs := ids{3, 7, 1, 4}
	for seed := range uint64(200) {
		s := Starve(seed, 50).(*starve)
		start, length := s.start, s.length
		if start < 1 || start > 50 || length < 1 || length > 512 {
			t.Fatalf("seed %d: window at %d for %d, want in [1, 50] for [1, 512]", seed, start, length)
		}
		victim := -1
		for step := 1; step <= 600; step++ {
			ran := procs[s.Choose(Point{Kind: Schedule, N: len(procs), Procs: procs})]
			if step == start {
				victim = s.victim
				if ran == victim {
					t.Fatalf("seed %d: the victim %d ran at the window's first point", seed, victim)
				}
			}
			if step > start && step < start+length && ran == victim {
				t.Fatalf("seed %d: victim %d ran at point %d, inside the window [%d, %d)", seed, victim, step, start, start+length)
			}
		}
	}
}

func TestStarveWindowsAreLogUniform(t *testing.T) {
	short, long := 0, 0
	for seed := range uint64(2000) {
		switch l := Starve(seed, 512).(*starve).length; {
		case l < 8:
			short++
		case l >= 256:
			long++
		}
	}
	// The 11 bit lengths of [1, 1024] are equally likely: lengths below 8
	// take 3 of them, and so do 256 and above (256..511, 512..1023, 1024):
	// about 545 each.
	if short < 440 || short > 650 || long < 440 || long > 650 {
		t.Fatalf("of 2000 windows, %d shorter than 8 and %d of 256 or more", short, long)
	}
}
