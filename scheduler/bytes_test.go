package scheduler

import (
	"testing"
)

// Method: feed known bytes and check which bytes each point consumed and
// what it chose, including the ragged end of the input.

func TestBytes(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		ns   []int
		want []int
	}{
		{"one byte each", []byte{0, 1, 2, 3}, []int{2, 2, 3, 256}, []int{0, 1, 2, 3}},
		{"mod n", []byte{7, 255, 10}, []int{3, 256, 4}, []int{1, 255, 2}},
		{"two bytes past 256", []byte{1, 2, 3}, []int{257, 2}, []int{0x0102 % 257, 1}},
		{"four bytes past 65536", []byte{0, 1, 0, 0, 9}, []int{65537, 5}, []int{65536, 4}},
		{"eight bytes past 2^32", []byte{0, 0, 0, 1, 0, 0, 0, 0}, []int{1<<32 + 1}, []int{1 << 32}},
		{"past the end", []byte{1}, []int{2, 2, 1000}, []int{1, 0, 0}},
		{"ragged end", []byte{5, 1}, []int{3, 1000}, []int{2, 1}},
		{"nil", nil, []int{2, 3}, []int{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Bytes(tt.data)
			for i, n := range tt.ns {
				if c := s.Choose(Point{Kind: Schedule, N: n}); c != tt.want[i] {
					t.Fatalf("point %d of %d options: chose %d, want %d", i, n, c, tt.want[i])
				}
			}
		})
	}
}

func TestBytesMutationIsLocal(t *testing.T) {
	// Changing byte 3 changes decision 3 and no other.
	data := []byte{9, 8, 7, 6, 5, 4, 3, 2, 1}
	choose := func(data []byte) []int {
		s := Bytes(data)
		var out []int
		for range data {
			out = append(out, s.Choose(Point{Kind: Schedule, N: 4}))
		}
		return out
	}
	a := choose(data)
	data[3]++
	b := choose(data)
	for i := range a {
		if (a[i] != b[i]) != (i == 3) {
			t.Fatalf("mutating byte 3 changed %v into %v", a, b)
		}
	}
}
