package sim

import (
	"github.com/weftsim/weft/scheduler"
)

// Intn returns a value in [0, n) drawn through a Random decision, so it
// replays and shrinks (toward 0) with the schedule. n must be in [1, 2^32).
func (w *World) Intn(n int) int {
	w.checkAlive()
	if n <= 0 || uint64(n) > 1<<32-1 {
		panic("sim: Intn argument out of range")
	}
	v := 0
	if n > 1 {
		v = w.decide(scheduler.Random, n, nil)
	}
	w.event(EventRandom, nil, int64(v), nil)
	return v
}

// Bool returns a random boolean; false is the default.
func (w *World) Bool() bool { return w.Intn(2) == 1 }

// Buggify reports whether the fault site named site fires now, in the manner
// of FoundationDB's BUGGIFY: the first time a run reaches a site, a Random
// draw switches the site on for the whole run with probability 1/4; each
// time an enabled site is reached, a Fault decision fires it with
// probability 1/4. The draw's default is on and the fault's is off, so the
// calm run reaches every site without firing it, and firing a site at any
// reach is one change from the calm run, which shrinking removes when it
// does not matter. Buggify is not a scheduling point.
func (w *World) Buggify(site string) bool {
	w.checkAlive()
	if w.faults.sites == nil {
		w.faults.sites = make(map[string]bool)
	}
	on, seen := w.faults.sites[site]
	if !seen {
		on = w.decide(scheduler.Random, 4, nil) == 0
		w.faults.sites[site] = on
	}
	fire := on && w.decideFault(0.25)
	if fire {
		w.event(EventFault, nil, 1, func() string { return "buggify " + site })
	}
	return fire
}
