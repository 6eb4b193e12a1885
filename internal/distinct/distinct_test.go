package distinct

// Method: count streams of known cardinality, with repeats, and compare the
// estimate with the truth; merge sketches of overlapping streams and
// compare with the sketch of their union; round-trip the text form.

import (
	"math"
	"testing"
)

func TestCount(t *testing.T) {
	for _, n := range []int{0, 1, 10, 100, 1000, 10_000, 200_000} {
		var s Sketch
		for rep := 0; rep < 3; rep++ { // each value three times: counted once
			for i := 0; i < n; i++ {
				s.Add(uint64(i) * 1099511628211)
			}
		}
		got := s.Count()
		tolerance := 0.0
		switch {
		case n <= 100:
			tolerance = 0.02 // linear counting: nearly exact
		default:
			tolerance = 0.1 // three standard errors
		}
		if math.Abs(float64(got-n)) > tolerance*float64(n)+0.5 {
			t.Errorf("%d distinct values counted as %d", n, got)
		}
	}
}

func TestMergeIsUnion(t *testing.T) {
	var a, b, union Sketch
	for i := uint64(0); i < 6000; i++ {
		union.Add(i)
		if i < 4000 {
			a.Add(i)
		}
		if i >= 2000 {
			b.Add(i)
		}
	}
	a.Merge(&b)
	if a != union {
		t.Fatalf("merge of two overlapping sketches is not the sketch of their union")
	}
	if got := a.Count(); math.Abs(float64(got-6000)) > 600 {
		t.Fatalf("union of 6000 counted as %d", got)
	}
}

func TestText(t *testing.T) {
	var s Sketch
	for i := uint64(0); i < 500; i++ {
		s.Add(i)
	}
	back, err := Parse(s.String())
	if err != nil || *back != s {
		t.Fatalf("Parse(String()) = %v, %v", back, err)
	}
	if empty, err := Parse(""); err != nil || empty.Count() != 0 {
		t.Fatalf(`Parse("") = %v, %v; want the empty sketch`, empty, err)
	}
	for _, bad := range []string{"!!", "AAAA", s.String()[:100]} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted a malformed sketch", bad)
		}
	}
}

// What counting costs each run of an exploration (one Add per run).
func BenchmarkAdd(b *testing.B) {
	var s Sketch
	for i := range b.N {
		s.Add(uint64(i))
	}
}

// What a progress line's count costs (four times a second per exploration).
func BenchmarkCount(b *testing.B) {
	var s Sketch
	for i := range 100_000 {
		s.Add(uint64(i))
	}
	b.ResetTimer()
	for range b.N {
		s.Count()
	}
}
