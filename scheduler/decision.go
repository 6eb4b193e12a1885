package scheduler

import "fmt"

// Kind says what a decision decides. The kind is recorded with every decision so
// that a log can be read by a person and so that replay can notice when the
// code under test has drifted from the log.
type Kind uint8

const (
	// Schedule picks which runnable process runs next. Option 0 keeps the
	// process that reached the scheduling point running (no preemption), or,
	// when that process blocked, runs the process that has waited longest.
	Schedule Kind = iota + 1
	// Select picks which ready case a select takes. Option 0 is the first ready
	// case in the order the cases were written.
	Select
	// Random is a value drawn from the world's random source. Option 0 is the
	// value 0.
	Random
	// Fault decides whether a fault fires at a fault site: one decision of
	// two options, 0 "no fault" and 1 "fire", whatever the fault's
	// probability, which the Point's Rate carries. So one fault is one
	// change from the calm run, and zeroing it switches it off.
	Fault
	// Timer orders timers that are due at the same virtual instant. Option 0 is
	// the timer that was set first.
	Timer

	kindEnd
)

var kindNames = [...]string{Schedule: "schedule", Select: "select", Random: "random", Fault: "fault", Timer: "timer"}

func (k Kind) String() string {
	if k >= Schedule && k < kindEnd {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Valid reports whether k is one of the kinds above.
func (k Kind) Valid() bool { return k >= Schedule && k < kindEnd }

// Decision is one recorded choice among N options.
//
// Invariant: N >= 2 and Choice < N. Points with a single option are not
// decisions: nothing is asked and nothing is recorded.
type Decision struct {
	Kind   Kind
	N      uint32
	Choice uint32
}

func (d Decision) String() string { return fmt.Sprintf("%s %d/%d", d.Kind, d.Choice, d.N) }

// Point is what a strategy is shown when a decision is due.
type Point struct {
	Kind Kind
	// N is the number of options, at least 2.
	N int
	// Procs names the process each option of a Schedule point would run:
	// Procs.ID(i) for i in [0, N). It is nil for the other kinds. Process ids
	// are small integers given out in creation order, stable across replays.
	Procs Procs
	// Rate is, at a Fault point of two options, the probability that the
	// fault fires (option 1) in a run that draws at random: RandomWalk and
	// PCT take option 1 with this probability. 0 (any other point) means
	// every option is equally likely.
	Rate float64
}

// Procs maps the options of a Schedule point to process ids.
type Procs interface {
	ID(option int) int
}

// Strategy makes the decisions of one run. A strategy is a pure function of
// its construction arguments and of the points it has been shown: it must not
// read the clock, global random state or anything else outside itself, so
// that the same seed always yields the same run.
//
// Choose must return a value in [0, p.N). A strategy value serves one run;
// make a fresh one (see Spec) for every run.
type Strategy interface {
	Choose(p Point) int
}

// mustHaveOptions panics when a strategy is asked to choose among no options:
// the caller broke the Point contract, and returning 0 would hide it.
func mustHaveOptions(p Point) {
	if p.N < 1 {
		panic("scheduler: Choose called with a Point of N < 1")
	}
}

// Preemptions counts the Schedule decisions that did not take the default,
// that is, the context switches the schedule forced. Changes counts them as
// a person does.
func Preemptions(ds []Decision) int {
	n := 0
	for _, d := range ds {
		if d.Kind == Schedule && d.Choice != 0 {
			n++
		}
	}
	return n
}

// Changes counts the changes that a log makes to the calm run, as a person
// counts them: every fault fired, every select case and timer order other
// than the first, and every preemption, except that holding one process
// back for many steps is one change, not one per step it waits.
//
// holds says where a hold goes on: the indexes, in increasing order, of the
// Schedule decisions whose option 0 is the process that an earlier
// preemption held back and that has not run since (sim records them as
// Result.Holds). A preemption at such an index that takes option 1, the
// next process in the default order, continues the hold and costs nothing.
// With nil holds every preemption counts. Random draws are the workload,
// not changes, and never count.
func Changes(ds []Decision, holds []int) int {
	n := 0
	for i, d := range ds {
		if d.Choice == 0 || d.Kind == Random {
			continue
		}
		for len(holds) > 0 && holds[0] < i {
			holds = holds[1:]
		}
		if d.Kind == Schedule && d.Choice == 1 && len(holds) > 0 && holds[0] == i {
			continue
		}
		n++
	}
	return n
}

// Faults counts the faults a log fires: its Fault decisions that are not
// the default.
func Faults(ds []Decision) int {
	n := 0
	for _, d := range ds {
		if d.Kind == Fault && d.Choice != 0 {
			n++
		}
	}
	return n
}
