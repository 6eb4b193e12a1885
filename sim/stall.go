package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A stalled main process: blocked for good behind a ticker or a polling loop
// that keeps the world alive. Such a world is never quiescent, so without
// this it runs to the step limit or the horizon (a million steps, seconds of
// real time, and for the traced replay of a report, hundreds of megabytes
// of events), and its report says "step limit" instead of naming the wait.
//
// The detection. While the main process stays blocked, the world counts,
// for each process, the times an alarm (a Sleep ending, a tick, a timer, a
// receive timeout) woke it; the counts start again whenever the main
// process runs. When nothing can run and virtual time must advance, the run
// ends as a suspected deadlock if
//
//   - the main process is blocked, and no pending timer can wake it
//     directly: it is not asleep, has no receive timeout pending, and waits
//     on no Timer's or Ticker's channel that will fire;
//   - every pending timer is one whose going off can only make runnable a
//     process other than main: the sleep or receive timeout of another
//     process, or a Timer's or Ticker's channel. A timer whose effect the
//     world cannot bound (an AfterFunc, a context's deadline, a library's
//     alarm) may wake main, and the run goes on;
//   - and every process one of those timers would wake has already been
//     woken by the clock Config.MainStallWakes times since the main process
//     last ran.
//
// What that proves, at the moment the run ends: every live process is
// blocked; the main process can run again only if a process the clock wakes
// (or one that process wakes in turn) wakes it; and every such process has
// been woken that many times already without doing so. A process that
// sleeps once, for long, on its way to wake main (a source that broadcasts
// after an hour) keeps the run going, however often a poller beside it
// wakes: it has not been woken that many times.
//
// What it only suspects: that none of them ever will. A process that counts
// ticks and acts on the ten-thousandth looks the same, until then, as one
// that polls forever; that is why the bound is a count, why the report says
// "suspected" and marks every blocked process as not Proven, and why a
// scenario that waits that long on purpose raises the bound.
//
// The cost is off the per-step path: a look at the ready queue after each
// alarm goes off, a counter per advance of the clock, and past the bound a
// look at the pending timers and the processes. The detection adds no event
// and no decision: a run that it does not end has the trace and the decision
// log it had without it.

// alarmReach says which processes an alarm's Fire can make runnable.
type alarmReach uint8

const (
	reachAny  alarmReach = iota // anyone: Fire's effect is not known
	reachProc                   // only Alarm.proc
	reachObj                    // only processes waiting on Alarm.Obj
)

// stall is what the world knows of the main process's current wait.
type stall struct {
	mark     int64         // the main process's resumedAt when the wait began (-1: none yet)
	advances int           // advances of the clock since
	since    time.Duration // the virtual time of the first of them
}

// stallNow returns the current stall, begun anew if the main process ran
// since the last look. The main process is blocked.
func (w *World) stallNow() *stall {
	s := &w.stall
	if m := w.procs[0]; s.mark != m.resumedAt {
		*s = stall{mark: m.resumedAt, since: w.now}
	}
	return s
}

// countClockWakes counts a wake by the clock for each process an alarm just
// made runnable while the main process is blocked: the ready queue's
// processes from index from on.
func (w *World) countClockWakes(from int) {
	s := w.stallNow()
	for i := from; i < w.ready.n; i++ {
		p := w.ready.at(i)
		if p.clockMark != s.mark {
			p.clockMark, p.clockWakes = s.mark, 0
		}
		p.clockWakes++
	}
}

// mainStalled counts an advance of the clock while the main process is
// blocked, and reports whether the run should end as a suspected deadlock.
func (w *World) mainStalled() bool {
	s := w.stallNow()
	s.advances++
	// Each of the processes below must have been woken MainStallWakes
	// times, one advance at least for each.
	return s.advances > w.cfg.MainStallWakes && w.onlyPollersLeft(s)
}

// onlyPollersLeft reports whether every pending alarm can only wake
// processes other than main, each already woken by the clock
// MainStallWakes times in this stall.
func (w *World) onlyPollersLeft(s *stall) bool {
	m := w.procs[0]
	polled := func(p *Proc) bool { return p.clockMark == s.mark && p.clockWakes >= w.cfg.MainStallWakes }
	var objs []*Object
	for _, a := range w.timers {
		switch a.reach {
		case reachProc:
			if a.proc == m || !polled(a.proc) {
				return false
			}
		case reachObj:
			if waitsOn(m, a.Obj) {
				return false
			}
			objs = append(objs, a.Obj)
		default:
			return false
		}
	}
	for _, p := range w.procs[1:] {
		if p.state != stateBlocked || polled(p) {
			continue
		}
		for _, o := range p.waitOn {
			if slices.Contains(objs, o) {
				return false // a tick or a timer would wake it, not yet polled enough
			}
		}
	}
	return true
}

// endStalled ends the run as a suspected deadlock of the main process.
func (w *World) endStalled() {
	m := w.procs[0]
	var pollers []string
	for _, p := range w.procs[1:] {
		if p.state != stateDone && p.clockMark == w.stall.mark && p.clockWakes >= w.cfg.MainStallWakes {
			pollers = append(pollers, "p"+strconv.Itoa(p.id)+" "+strconv.Quote(p.name))
		}
	}
	blocked := w.blockedList(false)
	w.leaked = blocked
	w.fail(&Failure{Kind: Deadlock, Proc: -1, Blocked: blocked, Value: fmt.Sprintf(
		"the main process has waited in %s since virtual time %v while only the clock kept the world going: "+
			"every process it wakes (%s) has woken at least %d times since, and none woke main; "+
			"no pending timer (%s) can wake main itself, though a process one wakes could, later "+
			"(Config.MainStallWakes bounds the wait)",
		m.waitIn, w.stall.since, strings.Join(pollers, ", "), w.cfg.MainStallWakes, w.pendingAlarms())})
}

// pendingAlarms names the pending timers, the soonest first, a few of them.
func (w *World) pendingAlarms() string {
	const most = 4
	timers := slices.Clone(w.timers)
	slices.SortFunc(timers, func(a, b *Alarm) int {
		if a.when != b.when {
			return cmp.Compare(a.when, b.when)
		}
		return cmp.Compare(a.seq, b.seq)
	})
	var names []string
	for i, a := range timers {
		if i == most {
			names = append(names, fmt.Sprintf("and %d more", len(timers)-most))
			break
		}
		var name string
		switch {
		case a.reach == reachProc && a == &a.proc.sleep.t:
			name = "the sleep of p" + strconv.Itoa(a.proc.id) + " " + strconv.Quote(a.proc.name)
		case a.reach == reachProc:
			name = "the receive timeout of p" + strconv.Itoa(a.proc.id) + " " + strconv.Quote(a.proc.name)
		default:
			name = a.Obj.String()
		}
		names = append(names, fmt.Sprintf("%s at %v", name, a.when))
	}
	return strings.Join(names, ", ")
}

// waitsOn reports whether p waits on o.
func waitsOn(p *Proc, o *Object) bool { return slices.Contains(p.waitOn, o) }
