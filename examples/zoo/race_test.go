//go:build race

package zoo_test

// raceEnabled: the race detector slows a run about tenfold, so the long
// explorations run a tenth of their seeds.
const raceEnabled = true
