package registry

import (
	"fmt"
	"time"
)

// Shape is a workload, after the regression tests of PR 66, which are the
// incident's own scenarios.
type Shape int

const (
	// Expired: one or two streams from callers that exit right away
	// (stream_from_expired_caller_completes).
	Expired Shape = iota
	// FastSlow: a fast stream (about a second) and a slow one (about ten
	// seconds) from short-lived callers, concurrently: the exact bug
	// (concurrent_streams_from_expired_callers_both_complete); then, as in
	// production, a trickle of fast requests (none, two or four, evenly
	// spaced) while the slow one runs.
	FastSlow
	// Sequential: two or three streams, each started once the previous one
	// has ended (sequential_streams_after_process_exit).
	Sequential
	// Three: three concurrent streams, started at drawn offsets, so that one
	// may start after another has ended while a third is still running
	// (three_concurrent_streams_all_complete).
	Three
	// Burst: five streams from five short-lived callers, started at the same
	// instant (five_concurrent_streams_from_expired_callers).
	Burst

	shapes
)

var shapeNames = [...]string{Expired: "expired", FastSlow: "fast+slow", Sequential: "sequential", Three: "three", Burst: "burst"}

func (s Shape) String() string {
	if s >= 0 && s < shapes {
		return shapeNames[s]
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// The workload's menus: each run draws from them with World.Intn, option 0
// the calmest, so that shrinking tends toward short, quiet runs.
var (
	fastFirstByte  = []time.Duration{50 * time.Millisecond, 10 * time.Millisecond, 200 * time.Millisecond}
	fastGaps       = []time.Duration{200 * time.Millisecond, 20 * time.Millisecond, 400 * time.Millisecond}
	slowFirstByte  = []time.Duration{2 * time.Second, 500 * time.Millisecond, 3 * time.Second}
	slowGaps       = []time.Duration{2 * time.Second, time.Second, 4 * time.Second}
	lingers        = []time.Duration{0, 10 * time.Millisecond, 2 * time.Second}
	offsets        = []time.Duration{0, 5 * time.Millisecond, 500 * time.Millisecond, 1500 * time.Millisecond}
	followUps      = []time.Duration{1500 * time.Millisecond, 700 * time.Millisecond, 3 * time.Second}
	followUpCounts = []int{0, 3, 6}
)

// drawWorkload draws the run's shape and its streams, and returns them in
// launch order.
func (r *run) drawWorkload() []launch {
	w := r.w
	var plan []launch
	add := func(speed string, at time.Duration, after *stream) *stream {
		st := &stream{r: r, name: fmt.Sprintf("s%d", len(r.streams)+1), speed: speed}
		st.resp = r.drawResponse(st.name, speed)
		st.linger = lingers[w.Intn(len(lingers))]
		r.streams = append(r.streams, st)
		plan = append(plan, launch{st: st, at: at, after: after})
		return st
	}
	speed := func() string {
		if w.Bool() {
			return "slow"
		}
		return "fast"
	}
	switch Shape(w.Intn(int(shapes))) {
	case Expired:
		add(speed(), 0, nil)
		if w.Bool() {
			add(speed(), offsets[w.Intn(len(offsets))], nil)
		}
	case FastSlow:
		first, second := "fast", "slow"
		if w.Bool() {
			first, second = second, first
		}
		add(first, 0, nil)
		add(second, offsets[w.Intn(len(offsets))], nil)
		every := followUps[w.Intn(len(followUps))]
		for i := range followUpCounts[w.Intn(len(followUpCounts))] {
			add("fast", time.Duration(i+1)*every, nil)
		}
	case Sequential:
		prev := add(speed(), 0, nil)
		for n := 2 + w.Intn(2); n > 1; n-- {
			prev = add(speed(), 0, prev)
		}
	case Three:
		for range 3 {
			add(speed(), offsets[w.Intn(len(offsets))], nil)
		}
	case Burst:
		for range 5 {
			add(speed(), 0, nil)
		}
	}
	// Launch in time order (stable: equal times keep their draw order).
	for i := 1; i < len(plan); i++ {
		for j := i; j > 0 && plan[j].after == nil && plan[j-1].after == nil && plan[j].at < plan[j-1].at; j-- {
			plan[j], plan[j-1] = plan[j-1], plan[j]
		}
	}
	return plan
}

// drawResponse draws what the server does for the stream named name.
func (r *run) drawResponse(name, speed string) response {
	w := r.w
	first, gaps := fastFirstByte, fastGaps
	if speed == "slow" {
		first, gaps = slowFirstByte, slowGaps
	}
	resp := response{gzip: w.Bool(), firstByte: first[w.Intn(len(first))]}
	n := 1 + w.Intn(3)
	for i := range n {
		resp.chunks = append(resp.chunks, fmt.Sprintf("%s part %d", name, i+1))
	}
	for range n + 1 {
		resp.gaps = append(resp.gaps, gaps[w.Intn(len(gaps))])
	}
	resp.fail = w.Intn(4) == 3
	return resp
}
