// Package distinct estimates how many distinct values a stream of 64-bit
// hashes holds, in a fixed kilobyte, with sketches that merge: the count of
// distinct schedules (trace hashes) a campaign ran, summed over shards that
// ran on other cores or machines without counting a schedule twice.
//
// A Sketch is a HyperLogLog of 1,024 registers: its standard error is about
// 1.04/sqrt(1024), 3.3%; below a few hundred values it switches to linear
// counting, which is close to exact there.
package distinct

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/bits"
)

const (
	precision = 10 // bits of a hash that pick the register
	registers = 1 << precision
)

// Sketch is a HyperLogLog. Its zero value is an empty sketch, ready to use.
// It is not safe for concurrent use.
type Sketch struct {
	reg [registers]uint8
}

// Add records hash h. Equal hashes count once; h need not be well mixed
// (it is mixed here), but distinct values must have distinct hashes.
func (s *Sketch) Add(h uint64) {
	h = mix(h)
	i := h >> (64 - precision)
	rank := uint8(bits.LeadingZeros64(h<<precision|1<<(precision-1)) + 1)
	if rank > s.reg[i] {
		s.reg[i] = rank
	}
}

// mix is splitmix64's finalizer: FNV-style hashes are weak in their high
// bits, which pick the register.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// Merge adds every value o recorded to s, as if s had seen them.
func (s *Sketch) Merge(o *Sketch) {
	for i, r := range o.reg {
		if r > s.reg[i] {
			s.reg[i] = r
		}
	}
}

// Count estimates how many distinct hashes s has recorded.
func (s *Sketch) Count() int {
	const m = float64(registers)
	sum, zeros := 0.0, 0
	for _, r := range s.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	estimate := 0.7213 / (1 + 1.079/m) * m * m / sum
	if estimate <= 2.5*m && zeros > 0 {
		estimate = m * math.Log(m/float64(zeros)) // linear counting
	}
	return int(math.Round(estimate))
}

// String is the sketch's text form, for a line of JSON: the registers in
// unpadded URL-safe base64.
func (s *Sketch) String() string { return base64.RawURLEncoding.EncodeToString(s.reg[:]) }

// Parse reads the text form of a sketch (String); "" is the empty sketch.
func Parse(text string) (*Sketch, error) {
	s := &Sketch{}
	if text == "" {
		return s, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(b) != registers {
		return nil, fmt.Errorf("distinct: not a sketch (want %d registers in base64)", registers)
	}
	for i, r := range b {
		if r > 64-precision+1 {
			return nil, fmt.Errorf("distinct: not a sketch (register %d holds %d, more than %d)", i, r, 64-precision+1)
		}
	}
	copy(s.reg[:], b)
	return s, nil
}
