package runpage

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// maxEvents bounds the events a page draws: the last ones, where the run
// failed. A run at the step limit has millions; a browser draws 100,000.
const maxEvents = 100_000

// data is the run as the page's script draws it, sent as JSON.
type data struct {
	Lanes     []lane     `json:"lanes"`
	Events    []event    `json:"events"`
	Cols      int        `json:"cols"`
	Times     []tick     `json:"times"` // where virtual time changes
	Arrows    []arrow    `json:"arrows"`
	Bars      []bar      `json:"bars"`
	Decisions []decision `json:"decisions"`
	Fail      int        `json:"fail"`    // the failing event's index, -1 for none
	Dropped   int        `json:"dropped"` // events left out before the first one drawn
}

// lane is a process (or the clock, Proc -1).
type lane struct {
	Proc int    `json:"p"`
	Name string `json:"name"`
	End  string `json:"end"` // how it ended: normal, killed, crashed, exit ..., alive
}

// event is one trace event placed in a column.
type event struct {
	Col    int    `json:"c"`
	Step   int64  `json:"s"`
	Time   string `json:"t"`
	Proc   int    `json:"p"`
	Kind   string `json:"k"`
	Detail string `json:"d,omitempty"`
}

type tick struct {
	Col  int    `json:"c"`
	Time string `json:"t"`
}

// arrow joins two events of different (or the same) lanes: a message or
// value from its send to its receive (msg), a close to a receive that saw
// it (close), a wake-up (wake), a spawn to the child's first event (spawn).
type arrow struct {
	From int    `json:"f"`
	To   int    `json:"t"`
	Kind string `json:"k"`
}

// bar is a span of a lane: blocked (block) or sleeping (sleep) from
// column From to column To; Open says it lasted to the end of the run.
type bar struct {
	Proc   int    `json:"p"`
	From   int    `json:"f"`
	To     int    `json:"t"`
	Kind   string `json:"k"`
	Detail string `json:"d,omitempty"`
	Open   bool   `json:"open,omitempty"`
}

// decision is a decision that was not the default, or an essential one.
type decision struct {
	Index     int    `json:"i"`
	Col       int    `json:"c"`
	Proc      int    `json:"p"`    // the lane it shows on
	From      int    `json:"from"` // the process it preempted (-1: none)
	Kind      string `json:"k"`
	Essential bool   `json:"e,omitempty"`
	Text      string `json:"text"`
}

// build lays out p's run.
func build(p Page) *data {
	r := p.Run
	d := &data{Fail: -1}
	trace := r.Trace
	if len(trace) > maxEvents {
		d.Dropped = len(trace) - maxEvents
		trace = trace[d.Dropped:]
	}

	// Lanes: the clock first when it did anything, then every process.
	clock := false
	for _, e := range trace {
		if e.Proc < 0 {
			clock = true
			break
		}
	}
	if clock {
		d.Lanes = append(d.Lanes, lane{Proc: -1, Name: "clock"})
	}
	top := len(r.Procs) - 1
	for _, e := range trace {
		top = max(top, e.Proc)
	}
	for id := 0; id <= top; id++ {
		l := lane{Proc: id, Name: fmt.Sprintf("p%d", id)}
		if id < len(r.Procs) {
			l.Name = fmt.Sprintf("p%d %s", id, r.Procs[id])
		}
		if id < len(r.Processes) {
			l.End = ending(r.Processes[id])
		}
		d.Lanes = append(d.Lanes, l)
	}

	// Columns: a new one for each step, each change of virtual time, and
	// each event of a process already in the current column.
	col := -1
	var step int64 = -1
	var at string
	used := map[int]bool{}
	for _, e := range trace {
		t := timeText(e.Time)
		if col < 0 || e.Step != step || t != at || used[e.Proc] {
			col++
			clear(used)
			if t != at {
				d.Times = append(d.Times, tick{Col: col, Time: t})
			}
			step, at = e.Step, t
		}
		used[e.Proc] = true
		d.Events = append(d.Events, event{Col: col, Step: e.Step, Time: t, Proc: e.Proc, Kind: e.Kind.String(), Detail: e.Detail})
	}
	d.Cols = col + 1

	d.Arrows = arrows(trace)
	d.Bars = bars(trace, d.Events, d.Cols)
	d.Fail = failing(trace, r.Failure)
	d.Decisions = decisions(p, trace, d.Events, d.Cols)
	// The script reads every list: none may be null.
	d.Lanes, d.Events, d.Times = nonNil(d.Lanes), nonNil(d.Events), nonNil(d.Times)
	d.Arrows, d.Bars, d.Decisions = nonNil(d.Arrows), nonNil(d.Bars), nonNil(d.Decisions)
	return d
}

// nonNil is s, or an empty slice for nil, which JSON writes as null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ending says how a process ended, for its lane's label.
func ending(pi sim.ProcInfo) string {
	switch {
	case !pi.Done:
		return "alive"
	case pi.Reason == nil || pi.Reason == sim.Normal:
		return "normal"
	case pi.Reason == sim.Killed:
		return "killed"
	}
	if _, ok := pi.Reason.(*sim.Crash); ok {
		return "crashed"
	}
	return "exit " + fmt.Sprint(pi.Reason)
}

// objectPrefix matches the rendering of an object at the head of an
// event's detail, as sim.Object renders it (chan#6 "healthChan"), after
// a receive's arrow.
var objectPrefix = regexp.MustCompile(`^(?:<- )?[a-z]+#\d+(?: "(?:[^"\\]|\\.)*")?`)

// payload is what an event carried: the value of a channel's send
// (chan#6 <- v) or receive (<- chan#6 = v), the bytes of a socket's
// (conn#3 "a->b" "bytes"), a message (p3 ! m, receive m).
func payload(e sim.Event) string {
	s := e.Detail
	if e.Obj == 0 {
		if _, m, ok := strings.Cut(s, " ! "); ok && e.Kind == sim.EventSend {
			return m
		}
		return strings.TrimPrefix(s, "receive ")
	}
	s = objectPrefix.ReplaceAllString(s, "")
	for _, sep := range []string{" <- ", " = ", " "} {
		if strings.HasPrefix(s, sep) {
			return s[len(sep):]
		}
	}
	return s
}

// arrows pairs the events of a trace that pass something from one process
// to another. A channel's receives pair with its sends in order, as a
// channel hands values over (a receive takes the first unpaired send that
// carried the same value, else the first unpaired one); a send logged after
// its receive (a sender that blocked, then was taken from) is drawn from
// where it blocked. A socket's receive (any receive not in a channel's
// form) takes the first earlier unpaired send by another process that
// carried the same bytes, on any object: each end of a connection is an
// object of its own. A receive that saw its object closed comes from the
// close, by another process, of that object. A message to a mailbox goes to that
// process's receive of the same message. A wake-up goes to the woken
// process's next event, a spawn to the child's first.
func arrows(trace []sim.Event) []arrow {
	var out []arrow
	type send struct {
		idx  int
		what string
		done bool
	}
	sends := map[int][]*send{}  // by object
	mail := map[int64][]*send{} // by receiving process
	var anySend []*send         // every object's, for sockets
	var recvs []int             // receives of a value, in order
	closes := map[int][]int{}   // object -> its closes
	for i, e := range trace {
		switch {
		case e.Kind == sim.EventSend && e.Obj == 0 && strings.Contains(e.Detail, " ! "):
			mail[e.Arg] = append(mail[e.Arg], &send{idx: i, what: payload(e)})
		case e.Kind == sim.EventSend && e.Obj != 0:
			s := &send{idx: i, what: payload(e)}
			sends[e.Obj] = append(sends[e.Obj], s)
			anySend = append(anySend, s)
		case e.Kind == sim.EventClose && e.Obj != 0:
			closes[e.Obj] = append(closes[e.Obj], i)
		case e.Kind == sim.EventRecv:
			recvs = append(recvs, i)
		}
	}
	first := func(list []*send, ok func(*send) bool) *send {
		for _, s := range list {
			if !s.done && ok(s) {
				return s
			}
		}
		return nil
	}
	for _, i := range recvs {
		e := trace[i]
		if e.Obj == 0 {
			if !strings.HasPrefix(e.Detail, "receive ") {
				continue
			}
			what := payload(e)
			if s := first(mail[int64(e.Proc)], func(s *send) bool { return s.idx < i && s.what == what }); s != nil {
				s.done = true
				out = append(out, arrow{From: s.idx, To: i, Kind: "msg"})
			}
			continue
		}
		if strings.HasSuffix(e.Detail, "(closed)") || strings.HasSuffix(e.Detail, ": EOF") {
			c := -1
			for _, k := range closes[e.Obj] {
				if k < i && trace[k].Proc != e.Proc {
					c = k
				}
			}
			if c < 0 {
				c = peerClose(trace, i)
			}
			if c >= 0 {
				out = append(out, arrow{From: c, To: i, Kind: "close"})
			}
			continue
		}
		what := payload(e)
		var s *send
		if strings.HasPrefix(e.Detail, "<- ") {
			// A channel's: its own sends, in order.
			s = first(sends[e.Obj], func(s *send) bool { return s.what == what })
			if s == nil {
				s = first(sends[e.Obj], func(*send) bool { return true })
			}
		} else {
			// A socket's, or another library's: what the other end sent
			// is on another object, so only the same bytes tell.
			s = first(anySend, func(s *send) bool { return s.idx < i && s.what == what && trace[s.idx].Proc != e.Proc })
		}
		if s == nil {
			continue
		}
		s.done = true
		from := s.idx
		if from > i {
			// Logged after the receive: the sender blocked with the value
			// and was taken from. Draw it from where it blocked.
			for j := i - 1; j >= 0; j-- {
				if trace[j].Proc == trace[from].Proc {
					if trace[j].Kind == sim.EventBlock {
						from = j
					}
					break
				}
			}
		}
		out = append(out, arrow{From: from, To: i, Kind: "msg"})
	}
	nextOf := nexts(trace)
	for i, e := range trace {
		switch {
		case e.Kind == sim.EventWake:
			if j := nextOf(int(e.Arg), i); j >= 0 {
				out = append(out, arrow{From: i, To: j, Kind: "wake"})
			}
		case e.Kind == sim.EventSpawn && e.Proc >= 0:
			if j := nextOf(int(e.Arg), i); j >= 0 {
				out = append(out, arrow{From: i, To: j, Kind: "spawn"})
			}
		}
	}
	return out
}

// connName matches a connection's end as sim/net names it:
// conn#13 "kv:7000->client1:32768".
var connName = regexp.MustCompile(`^[a-z]+#\d+ "([^"]*)->([^"]*)"`)

// peerClose finds the close of the other end of the connection whose end
// saw end of stream at event i: the last close, before i, of an object
// named the other way round ("b->a" for "a->b"); -1 for none.
func peerClose(trace []sim.Event, i int) int {
	m := connName.FindStringSubmatch(trace[i].Detail)
	if m == nil {
		return -1
	}
	peer := `"` + m[2] + "->" + m[1] + `"`
	for k := i - 1; k >= 0; k-- {
		if trace[k].Kind == sim.EventClose && trace[k].Proc != trace[i].Proc && strings.Contains(trace[k].Detail, peer) {
			return k
		}
	}
	return -1
}

// nexts returns a function that finds proc's first event after index
// after (-1: none), in logarithmic time.
func nexts(trace []sim.Event) func(proc, after int) int {
	byProc := map[int][]int{}
	for i, e := range trace {
		byProc[e.Proc] = append(byProc[e.Proc], i)
	}
	return func(proc, after int) int {
		list := byProc[proc]
		k := sort.SearchInts(list, after+1)
		if k == len(list) {
			return -1
		}
		return list[k]
	}
}

// bars marks each process's blocked and sleeping spans: from its block or
// sleep event to its next event, or to the end of the run.
func bars(trace []sim.Event, events []event, cols int) []bar {
	var out []bar
	open := map[int]int{} // process -> index into out of its open bar
	for i, e := range trace {
		if k, ok := open[e.Proc]; ok && e.Kind != sim.EventBlock {
			out[k].To = events[i].Col
			delete(open, e.Proc)
		}
		if e.Kind == sim.EventBlock || e.Kind == sim.EventSleep {
			if _, ok := open[e.Proc]; ok {
				continue // a block right after a sleep, say: one bar
			}
			kind := "block"
			if e.Kind == sim.EventSleep {
				kind = "sleep"
			}
			open[e.Proc] = len(out)
			out = append(out, bar{Proc: e.Proc, From: events[i].Col, Kind: kind, Detail: e.Kind.String() + " " + e.Detail})
		}
	}
	for _, k := range open {
		out[k].To, out[k].Open = cols, true
	}
	return out
}

// failing finds the event where f shows in the trace: the crash, else the
// failing process's last event (the note of its Fatalf, say), else the
// last event (a deadlock's, or the end a property judged); -1 for a run
// that passed.
func failing(trace []sim.Event, f *sim.Failure) int {
	if f == nil || len(trace) == 0 {
		return -1
	}
	for i := len(trace) - 1; i >= 0; i-- {
		if trace[i].Kind == sim.EventCrash {
			return i
		}
	}
	if f.Proc >= 0 {
		for i := len(trace) - 1; i >= 0; i-- {
			if trace[i].Proc == f.Proc {
				return i
			}
		}
	}
	return len(trace) - 1
}

// decisions places on the timeline every preemption and fault, and every
// essential decision: at the first event, at or after the
// decision's step, of the process it ran (a schedule) or made it (the
// others).
func decisions(p Page, trace []sim.Event, events []event, cols int) []decision {
	r := p.Run
	essential := map[int]bool{}
	for _, i := range p.Essential {
		essential[i] = true
	}
	var out []decision
	start := 0 // decision points come in step order
	for i, dc := range r.Decisions {
		if i >= len(r.DecisionPoints) {
			break
		}
		// Preemptions and faults shape the run; a random draw that is not
		// 0 is data, shown only when it is essential.
		if !essential[i] && (dc.Choice == 0 || (dc.Kind != scheduler.Schedule && dc.Kind != scheduler.Fault)) {
			continue
		}
		at := r.DecisionPoints[i]
		lane := at.Proc
		if dc.Kind == scheduler.Schedule {
			lane = at.Ran
		}
		for start < len(trace) && trace[start].Step < at.Step {
			start++
		}
		col := -1
		for j := start; j < len(trace); j++ {
			if trace[j].Proc == lane {
				col = events[j].Col
				break
			}
		}
		if col < 0 && start < len(trace) {
			col = events[start].Col
		}
		if col < 0 {
			col = cols - 1
		}
		from := -1
		if dc.Kind == scheduler.Schedule && at.Proc != at.Ran {
			from = at.Proc
		}
		out = append(out, decision{
			Index: i, Col: col, Proc: lane, From: from, Kind: dc.Kind.String(),
			Essential: essential[i], Text: describe(dc, at, r.Procs),
		})
	}
	return out
}
