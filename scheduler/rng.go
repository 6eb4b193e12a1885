package scheduler

import "math/bits"

// rng is wyrand (Wang Yi, public domain): one add and one 64x64->128 multiply
// per value, period 2^64, and it passes BigCrush and PractRand. It is the only
// source of randomness in this package; every strategy owns one, seeded from
// its construction arguments, so two strategies never share a stream.
type rng struct{ state uint64 }

func (r *rng) next() uint64 {
	r.state += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.state, r.state^0xe7037ed1a0b428db)
	return hi ^ lo
}

// below returns a uniform value in [0, n) for n >= 1, by Lemire's
// multiply-high method ("Fast Random Integer Generation in an Interval",
// ACM TOMACS 2019). The division in the rejection branch runs with
// probability n/2^64, so in practice a call costs one next and one multiply
// (about 3 ns through the Strategy interface; see BenchmarkRandomChoose).
func (r *rng) below(n uint64) uint64 {
	hi, lo := bits.Mul64(r.next(), n)
	if lo < n {
		threshold := -n % n // 2^64 mod n
		for lo < threshold {
			hi, lo = bits.Mul64(r.next(), n)
		}
	}
	return hi
}
