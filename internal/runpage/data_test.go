package runpage

// How a trace becomes lanes, arrows and bars, and that the page holds the
// run's strings only as text. Method: hand-made traces in the forms sim and
// sim/net log them, each arrow and bar checked by the events it joins.

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

func ev(step int64, proc int, kind sim.EventKind, obj int, arg int64, detail string) sim.Event {
	return sim.Event{Step: step, Proc: proc, Kind: kind, Obj: obj, Arg: arg, Detail: detail}
}

func TestArrows(t *testing.T) {
	trace := []sim.Event{
		/* 0 */ ev(1, 0, sim.EventSpawn, 0, 1, "p1 worker"),
		/* 1 */ ev(2, 0, sim.EventSend, 3, 0, `chan#3 "jobs" <- a`),
		/* 2 */ ev(3, 0, sim.EventSend, 3, 0, `chan#3 "jobs" <- b`),
		/* 3 */ ev(4, 1, sim.EventRecv, 3, 0, `<- chan#3 "jobs" = a`),
		/* 4 */ ev(5, 1, sim.EventRecv, 3, 0, `<- chan#3 "jobs" = b`),
		// A sender that blocked, taken from: its send is logged last.
		/* 5 */ ev(6, 0, sim.EventBlock, 4, 1, `chan#4 "sync"`),
		/* 6 */ ev(7, 1, sim.EventRecv, 4, 0, `<- chan#4 "sync" = x`),
		/* 7 */ ev(8, 0, sim.EventSend, 4, 0, `chan#4 "sync" <- x`),
		// A close, seen by a receive.
		/* 8 */ ev(9, 0, sim.EventClose, 3, 0, `chan#3 "jobs"`),
		/* 9 */ ev(10, 1, sim.EventRecv, 3, 1, `<- chan#3 "jobs" (closed)`),
		// A message to a mailbox.
		/* 10 */ ev(11, 1, sim.EventSend, 0, 0, `p0 ! {ping}`),
		/* 11 */ ev(12, 0, sim.EventRecv, 0, 0, `receive {ping}`),
		// Socket data: sent on one end, received on the other.
		/* 12 */ ev(13, 0, sim.EventSend, 7, 2, `conn#7 "a->b" "GET"`),
		/* 13 */ ev(14, 1, sim.EventRecv, 8, 3, `conn#8 "b<-a" "GET"`),
		// A wake-up.
		/* 14 */ ev(15, 0, sim.EventWake, 5, 1, `mutex#5 wakes p1 worker`),
		/* 15 */ ev(16, 1, sim.EventLock, 5, 0, `mutex#5`),
		// The other end closes; this end reads end of stream.
		/* 16 */ ev(17, 0, sim.EventClose, 7, 0, `conn#7 "a->b"`),
		/* 17 */ ev(18, 1, sim.EventRecv, 8, -1, `conn#8 "b->a": EOF`),
	}
	got := arrows(trace)
	var s []string
	for _, a := range got {
		s = append(s, fmt.Sprintf("%s %d->%d", a.Kind, a.From, a.To))
	}
	want := []string{"msg 1->3", "msg 2->4", "msg 5->6", "close 8->9", "msg 10->11", "msg 12->13", "spawn 0->3", "wake 14->15", "close 16->17"}
	slices.Sort(s)
	slices.Sort(want)
	if !slices.Equal(s, want) {
		t.Fatalf("arrows\n got %v\nwant %v", s, want)
	}
}

func TestBarsAndColumns(t *testing.T) {
	r := &sim.Result{
		Procs:     []string{"main", "worker"},
		Processes: []sim.ProcInfo{{Name: "main", Done: true}, {Name: "worker"}},
		Trace: []sim.Event{
			ev(1, 0, sim.EventSpawn, 0, 1, "p1 worker"),
			ev(1, 0, sim.EventRandom, 0, 0, ""),
			ev(2, 1, sim.EventBlock, 3, 1, `chan#3`),
			ev(3, 0, sim.EventSleep, 0, 5, ""),
			{Step: 4, Time: 5, Proc: -1, Kind: sim.EventTimer},
			ev(4, 0, sim.EventExit, 0, 0, "normal"),
		},
		Failure: &sim.Failure{Kind: sim.Deadlock, Proc: -1, Step: 4},
	}
	r.Trace[5].Time = 5
	d := build(Page{Run: r})
	cols := []int{}
	for _, e := range d.Events {
		cols = append(cols, e.Col)
	}
	// Two events of main at step 1 take two columns; the timer and the
	// exit share step 4 and its time, in different lanes.
	if want := []int{0, 1, 2, 3, 4, 4}; !slices.Equal(cols, want) {
		t.Fatalf("columns %v, want %v", cols, want)
	}
	if len(d.Times) != 2 || d.Times[1].Col != 4 {
		t.Fatalf("time ticks %v, want 0s at 0 and 5ns at 4", d.Times)
	}
	want := []bar{
		{Proc: 1, From: 2, To: 5, Kind: "block", Detail: "block chan#3", Open: true},
		{Proc: 0, From: 3, To: 4, Kind: "sleep", Detail: "sleep "},
	}
	if !slices.Equal(d.Bars, want) {
		t.Fatalf("bars\n got %+v\nwant %+v", d.Bars, want)
	}
	if d.Lanes[0].Name != "clock" || d.Lanes[2].End != "alive" || d.Lanes[1].End != "normal" {
		t.Fatalf("lanes %+v", d.Lanes)
	}
}

// A decision shows where it was made, on the lane of the process it ran.
func TestDecisionPlaced(t *testing.T) {
	r := &sim.Result{
		Procs: []string{"main", "a", "b"},
		Trace: []sim.Event{
			ev(1, 0, sim.EventSpawn, 0, 1, "p1 a"),
			ev(2, 1, sim.EventYield, 0, 0, ""),
			ev(3, 2, sim.EventYield, 0, 0, ""),
		},
		Decisions:      []scheduler.Decision{{Kind: scheduler.Schedule, N: 2}, {Kind: scheduler.Schedule, N: 3, Choice: 2}},
		DecisionPoints: []sim.DecisionPoint{{Step: 1, Proc: 0, Ran: 0}, {Step: 2, Proc: 1, Ran: 2}},
	}
	d := build(Page{Run: r, Essential: []int{1}})
	if len(d.Decisions) != 1 {
		t.Fatalf("decisions %+v: want only the one that is not the default", d.Decisions)
	}
	got := d.Decisions[0]
	if got.Col != 2 || got.Proc != 2 || got.From != 1 || !got.Essential || !strings.Contains(got.Text, "preempted p1 a to run p2 b at step 2") {
		t.Fatalf("decision %+v", got)
	}
}

// Every string of the run reaches the page as text.
func TestWriteEscapes(t *testing.T) {
	const img, script = `<img src=x onerror=alert(1)>`, `</script><script>alert(2)</script>`
	r := &sim.Result{
		Scenario: "hostile " + script,
		Procs:    []string{img},
		Trace:    []sim.Event{ev(1, 0, sim.EventNote, 0, 0, script)},
		Failure:  &sim.Failure{Kind: sim.Fatal, Proc: 0, ProcName: img, Value: script, Step: 1},
	}
	var b bytes.Buffer
	err := Write(&b, Page{
		Title: r.Scenario, Facts: []string{img}, Failure: r.Failure.Error(), Explanation: img, Commands: []string{script}, Run: r,
		Views: []View{{Name: img, Href: `javascript:alert(3)`, Embed: script}},
	})
	if err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, raw := range []string{img, script, "<img", "<script>alert", `href="javascript:`} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q as it is", raw)
		}
	}
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("%d script elements, want the page's 2", n)
	}
	if !strings.Contains(page, "&lt;img src=x onerror=alert(1)&gt;") || !strings.Contains(page, `\u003cimg src=x onerror=alert(1)\u003e`) {
		t.Errorf("the names are not on the page as text")
	}
}

// A run longer than a page draws keeps its end, and says what it left out.
func TestLongRunKeepsItsEnd(t *testing.T) {
	r := &sim.Result{Procs: []string{"main"}, Failure: &sim.Failure{Kind: sim.Fatal, Step: maxEvents + 9}}
	for i := range maxEvents + 10 {
		r.Trace = append(r.Trace, ev(int64(i), 0, sim.EventYield, 0, 0, ""))
	}
	var b bytes.Buffer
	if err := Write(&b, Page{Run: r, Failure: "it failed"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "leaves out the first 10 events: it draws the last 100000") {
		t.Fatalf("the page does not say what it left out")
	}
	if d := build(Page{Run: r}); d.Events[0].Step != 10 || d.Fail != maxEvents-1 {
		t.Fatalf("first event drawn at step %d, failure at %d", d.Events[0].Step, d.Fail)
	}
}

// A run with no decisions, arrows or bars sends empty lists, not nulls,
// which the script would trip on (the calm run of a WaitGroup's reuse drew
// nothing).
func TestEmptyListsAreLists(t *testing.T) {
	var b bytes.Buffer
	r := &sim.Result{Procs: []string{"main"}, Trace: []sim.Event{ev(1, 0, sim.EventExit, 0, 0, "normal")}}
	if err := Write(&b, Page{Run: r}); err != nil {
		t.Fatal(err)
	}
	_, data, _ := strings.Cut(b.String(), `id="weft-data">`)
	data, _, _ = strings.Cut(data, "</script>")
	if data == "" || strings.Contains(data, "null") {
		t.Fatalf("the page's data holds a null: %s", data)
	}
}
