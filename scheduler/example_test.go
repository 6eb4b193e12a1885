package scheduler_test

import (
	"fmt"

	"github.com/weftsim/weft/scheduler"
)

func ExampleLog_String() {
	l := &scheduler.Log{
		Scenario: "counter",
		Seed:     42,
		Spec:     "pct:3",
		Decisions: []scheduler.Decision{
			{Kind: scheduler.Schedule, N: 3, Choice: 0},
			{Kind: scheduler.Schedule, N: 3, Choice: 1},
		},
	}
	text := l.String()
	fmt.Println(text)
	back, err := scheduler.ParseLog(text)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Scenario, back.Seed, back.Spec, back.Decisions)
	_, err = scheduler.ParseLog(text[:len(text)-8])
	fmt.Println(err)
	// Output:
	// weft1-d2VmdAEHY291bnRlcioFcGN0OjMAAAIJAREFb3Y2
	// counter 42 pct:3 [schedule 0/3 schedule 1/3]
	// scheduler: log truncated after 0 of 2 decisions
}

func ExampleParseSpec() {
	for _, s := range []string{"random", "pct", "pct:2:500", "dfs", "bfs"} {
		spec, err := scheduler.ParseSpec(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		st := spec.New(1)
		fmt.Println(spec, st.Choose(scheduler.Point{Kind: scheduler.Select, N: 4}))
	}
	// Output:
	// random 3
	// pct:3 0
	// pct:2:500 1
	// dfs:2 0
	// scheduler: unknown strategy "bfs" (want random, pct, pct:<depth>[:<steps>], pos, starve[:<steps>], portfolio[:<steps>], dfs[:<bound>], dpor[:<bound>]; then +fault:<points> and +fair:<points> after any but a search)
}

func ExampleShrink() {
	// The bug needs a fault at a site and, after it, a preemption to the
	// third process.
	fails := func(c []scheduler.Decision) ([]scheduler.Decision, bool) {
		faulted := false
		for _, d := range c {
			faulted = faulted || d.Kind == scheduler.Fault && d.Choice > 0
			if faulted && d.Kind == scheduler.Schedule && d.Choice == 2 {
				return nil, true
			}
		}
		return nil, false
	}
	var log []scheduler.Decision
	st := scheduler.RandomWalk(7)
	for range 40 {
		for _, k := range []scheduler.Kind{scheduler.Schedule, scheduler.Fault} {
			c := st.Choose(scheduler.Point{Kind: k, N: 4})
			log = append(log, scheduler.Decision{Kind: k, N: 4, Choice: uint32(c)})
		}
	}
	res := scheduler.Shrink(log, fails, 0)
	fmt.Println(res.Decisions)
	fmt.Printf("preemptions %d -> %d\n", res.PreemptionsBefore, res.PreemptionsAfter)
	// Output:
	// [fault 1/4 schedule 2/4]
	// preemptions 34 -> 1
}
