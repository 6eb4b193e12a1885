//go:build race

package health

// raceEnabled says whether the race detector is on.
const raceEnabled = true
