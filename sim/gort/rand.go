package gort

import (
	"math/rand"
	randv2 "math/rand/v2"
)

// The top-level functions of math/rand and math/rand/v2: in a world, every
// draw is a Random decision, so it replays and shrinks; outside one, the
// real ones.

func draw(n int) (int, bool) {
	if w := inWorld(); w != nil {
		return w.Intn(n), true
	}
	return 0, false
}

// Intn is rand.Intn and rand/v2.IntN.
func Intn(n int) int {
	if n <= 0 {
		panic("invalid argument to Intn")
	}
	if v, ok := draw(n); ok {
		return v
	}
	return rand.Intn(n)
}

// Int63n is rand.Int63n and rand/v2.Int64N.
func Int63n(n int64) int64 {
	if n <= 0 {
		panic("invalid argument to Int63n")
	}
	if n <= 1<<30 {
		return int64(Intn(int(n)))
	}
	hi, lo := Int63n(n>>30+1), Intn(1<<30)
	return (hi<<30 | int64(lo)) % n
}

// Int31n is rand.Int31n and rand/v2.Int32N.
func Int31n(n int32) int32 { return int32(Int63n(int64(n))) }

// Int63 is rand.Int63 and rand/v2.Int64.
func Int63() int64 {
	if inWorld() == nil {
		return rand.Int63()
	}
	return int64(Intn(1<<31))<<32 | int64(Intn(1<<31))<<1 | int64(Intn(2))
}

// Int is rand.Int and rand/v2.Int.
func Int() int { return int(Int63()) }

// Int31 is rand.Int31 and rand/v2.Int32.
func Int31() int32 { return int32(Int63() >> 32) }

// Uint32 is rand.Uint32.
func Uint32() uint32 { return uint32(Int63() >> 31) }

// Float64 is rand.Float64.
func Float64() float64 { return float64(Int63n(1<<53)) / (1 << 53) }

// Perm is rand.Perm.
func Perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	Shuffle(n, func(i, j int) { p[i], p[j] = p[j], p[i] })
	return p
}

// Shuffle is rand.Shuffle.
func Shuffle(n int, swap func(i, j int)) {
	if inWorld() == nil {
		rand.Shuffle(n, swap)
		return
	}
	for i := n - 1; i > 0; i-- {
		swap(i, Intn(i+1))
	}
}

// N is rand/v2.N.
func N[Int ~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr](n Int) Int {
	if inWorld() == nil {
		return randv2.N(n)
	}
	return Int(Int63n(int64(n)))
}
