package work

import "testing"

// The tests gosim runs, in place of testdata/work's: each workload once,
// and checked, one test a package (internal/peers copies each into a
// package of its own, because gosim test sets up a simulation for every
// test of the package at every seed, and skips the ones -run leaves out
// only inside it).

func TestEmpty(t *testing.T) {
	Empty()
}
