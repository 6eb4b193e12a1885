package weft

// Essential changes: replaying a failing log with one change undone tells
// whether the failure needs it; the report and the timeline mark those.

import (
	"strings"
	"testing"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// A log that fires behindOneFault's site at its first reach, which does not
// matter, and at its third, which fails the run: one change of two is
// essential.
func TestChangesOfMarksTheEssentialOnes(t *testing.T) {
	calm := sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, behindOneFault)
	var sites []int
	for i, d := range calm.Decisions {
		if d.Kind == scheduler.Fault {
			sites = append(sites, i)
		}
	}
	if len(sites) != 5 {
		t.Fatalf("the calm run reaches the site %d times, want 5", len(sites))
	}
	ds := append([]scheduler.Decision(nil), calm.Decisions...)
	ds[sites[0]].Choice, ds[sites[2]].Choice = 1, 1
	r := sim.Replay(sim.Config{}, &scheduler.Log{Decisions: ds}, behindOneFault)
	if r.Failure == nil {
		t.Fatal("the log does not fail")
	}
	changes := ChangesOf(sim.Config{}, r, behindOneFault)
	if len(changes) != 2 || changes[0].Index != sites[0] || changes[1].Index != sites[2] {
		t.Fatalf("changes %+v, want the two faults", changes)
	}
	if changes[0].Essential || !changes[1].Essential {
		t.Fatalf("essential: %v and %v, want only the second", changes[0].Essential, changes[1].Essential)
	}
	for _, c := range changes {
		if c.Fault != `buggify lose-ack (p0 "main")` || c.Step == 0 {
			t.Fatalf("change %+v: want the site's fault, at its step", c)
		}
	}
	text := TimelineChanges(r.Trace, r.Procs, changes)
	for _, want := range []string{`- change: fault: buggify lose-ack (p0 "main")`, `* essential: fault: buggify lose-ack (p0 "main")`} {
		if !strings.Contains(text, want) {
			t.Fatalf("timeline without %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "- change:") > strings.Index(text, "* essential:") {
		t.Fatalf("the marks are out of order:\n%s", text)
	}
}

// A finding of a kill plus a preemption names both as essential, with the
// processes involved, in its report.
func TestFindingNamesItsEssentialChanges(t *testing.T) {
	o := Options{Spec: dfs(t, 2), Runs: 100_000, Config: sim.Config{Faults: sim.FaultPlan{}.With(sim.FaultKill, 0.05)}}
	f := Explore(o, killAndPreemption).Failure
	if f == nil {
		t.Fatal("no failure")
	}
	ess := f.Essential()
	if len(ess) != 2 || len(f.Changes) != 2 {
		t.Fatalf("essential %+v of changes %+v, want the kill and the preemption", ess, f.Changes)
	}
	var kinds []scheduler.Kind
	for _, c := range ess {
		kinds = append(kinds, c.Decision.Kind)
		if c.Decision != f.Log.Decisions[c.Index] {
			t.Fatalf("change %+v is not decision %d of the log (%v)", c, c.Index, f.Log.Decisions[c.Index])
		}
	}
	if kinds[0]+kinds[1] != scheduler.Schedule+scheduler.Fault {
		t.Fatalf("essential kinds %v", kinds)
	}
	report := f.String()
	for _, want := range []string{"essential: 2 of its 2 changes: ", "ran instead of p", `fault: kill (p1 "worker")`, "shrunk from ", " 1 faults"} {
		if !strings.Contains(report, want) {
			t.Fatalf("report without %q:\n%s", want, report)
		}
	}
}
