//go:build race

package disk_test

// raceEnabled: the race detector slows a run about tenfold, so the long
// explorations run fewer seeds.
const raceEnabled = true
