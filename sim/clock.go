package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/weftsim/weft/scheduler"
)

// Epoch is the virtual wall-clock time at which every run starts.
var Epoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// An Alarm calls Fire on the world's loop when virtual time reaches the
// instant it was set for (Kernel.SetAlarm): the clock that every timer,
// timeout and network delay of a world runs on. Alarms due at the same
// instant go off in an order a Timer decision picks (option 0: the one set
// first). The zero Alarm is not set; an Alarm must not be copied while it is
// set.
//
// While an alarm set through the Kernel is pending, the world takes it as
// one that may wake any process: a main process blocked behind pollers is
// then not suspected of a deadlock before the alarm goes off (see
// Config.MainStallWakes).
type Alarm struct {
	// Fire runs when the alarm goes off, on the world's loop with no running
	// process (see Kernel.SetAlarm for what it may do). It is read then, so
	// it may change while the alarm is set.
	Fire func()
	// Obj, when set, is the object the alarm belongs to: the EventTimer
	// event of its going off names it.
	Obj *Object

	when time.Duration
	seq  uint64 // set order, which breaks ties by default
	pos  int    // 1 + its index in the heap; 0 when not set

	// reach says which processes Fire can make runnable, for the
	// detection of a stalled main process (stall.go): anyone (the zero
	// value: an alarm of AfterFunc, a context or a library), only proc (a
	// Sleep, a Receive timeout), or only the processes waiting on Obj (the
	// channel of a Timer or Ticker).
	reach alarmReach
	proc  *Proc
}

// timerHeap is a binary min-heap ordered by (when, seq).
type timerHeap []*Alarm

func (h timerHeap) less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when < h[j].when
	}
	return h[i].seq < h[j].seq
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos, h[j].pos = i+1, j+1
}

func (h *timerHeap) push(t *Alarm) {
	*h = append(*h, t)
	t.pos = len(*h)
	h.up(t.pos - 1)
}

func (h *timerHeap) remove(i int) *Alarm {
	old := *h
	n := len(old) - 1
	t := old[i]
	if i != n {
		old.swap(i, n)
	}
	old[n] = nil
	*h = old[:n]
	if i != n {
		if !h.down(i) {
			h.up(i)
		}
	}
	t.pos = 0
	return t
}

func (h timerHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

func (h timerHeap) down(i int) bool {
	start := i
	for {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h.swap(i, m)
		i = m
	}
	return i > start
}

// addTimer schedules fire at virtual time when (clamped to now).
func (w *World) addTimer(t *Alarm, when time.Duration) {
	if when < w.now {
		when = w.now
	}
	w.timerSeq++
	t.when, t.seq = when, w.timerSeq
	w.timers.push(t)
}

// when is the virtual time d from now, saturating instead of overflowing, so
// that a huge d (a "forever" timeout) lies beyond the horizon rather than
// wrapping into the past.
func (w *World) when(d time.Duration) time.Duration {
	if d > math.MaxInt64-w.now {
		return math.MaxInt64
	}
	return w.now + d
}

// stopTimer unschedules t and reports whether it was pending.
func (w *World) stopTimer(t *Alarm) bool {
	if t.pos == 0 {
		return false
	}
	w.timers.remove(t.pos - 1)
	return true
}

// fireDue fires the timers due at or before now. Timers due at the same
// instant fire in an order chosen by Timer decisions (option 0: set first).
func (w *World) fireDue() {
	for len(w.timers) > 0 && w.timers[0].when <= w.now {
		if !w.secondDue() {
			w.fireTimer(w.timers.remove(0))
			continue
		}
		// Gather the tied timers in set order, let the strategy pick one,
		// fire it and look again: firing may stop or add timers.
		tied := w.tiedScratch[:0]
		for _, t := range w.timers {
			if t.when <= w.now {
				tied = append(tied, t)
			}
		}
		sortBySeq(tied)
		w.tiedScratch = tied
		c := w.decide(scheduler.Timer, len(tied), nil)
		w.fireTimer(w.timers.remove(tied[c].pos - 1))
	}
}

// secondDue reports whether a timer other than the heap's first is due; by
// the heap order it is enough to look at the root's children.
func (w *World) secondDue() bool {
	h := w.timers
	return len(h) > 1 && h[1].when <= w.now || len(h) > 2 && h[2].when <= w.now
}

func sortBySeq(ts []*Alarm) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].seq < ts[j-1].seq; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

func (w *World) fireTimer(t *Alarm) {
	w.event(EventTimer, t.Obj, int64(t.seq), nil)
	woken := w.ready.n
	t.Fire()
	if w.ready.n > woken && w.procs[0].state == stateBlocked {
		w.countClockWakes(woken) // while main waits: stall.go
	}
}

// advance moves the clock to the next pending timer and fires what is due.
// It returns false when no timer is pending (the world is quiescent).
func (w *World) advance() bool {
	if len(w.timers) == 0 {
		return false
	}
	if len(w.procs) > 0 && w.procs[0].state == stateBlocked && w.mainStalled() {
		w.endStalled()
		return true
	}
	when := w.timers[0].when
	if when > w.cfg.Horizon {
		if w.mainStep < 0 {
			w.fail(&Failure{Kind: Horizon, Proc: -1, Blocked: w.blockedList(false),
				Value: fmt.Sprintf("virtual time would pass the horizon of %v (next timer at %v)", w.cfg.Horizon, when)})
		} else {
			w.endSuspected()
		}
		return true
	}
	w.now = when
	if w.fp != nil {
		w.fpBarrier()
	}
	w.fireDue()
	return true
}

// Now returns the virtual time: Epoch plus the virtual time elapsed.
func (w *World) Now() time.Time { return Epoch.Add(w.now) }

// Elapsed returns the virtual time since the run started.
func (w *World) Elapsed() time.Duration { return w.now }

// Sleep blocks the calling process for d of virtual time. Sleep(0) and
// negative durations are plain scheduling points, as in Go.
func (w *World) Sleep(d time.Duration) {
	w.point()
	if d <= 0 {
		return
	}
	p := w.cur
	s := &p.sleep
	if s.t.Fire == nil {
		s.w = w
		s.t.Fire = func() { w.wake(p) }
		s.t.reach, s.t.proc = reachProc, p
	}
	w.addTimer(&s.t, w.when(d))
	w.event(EventSleep, nil, int64(d), nil)
	w.block("sleep", s)
}

// sleeping is a process's Sleep timer. It is made once per process (a
// process sleeps once at a time), and an exit signal that ends the sleeper
// stops it, so a dead sleeper does not keep the clock going.
type sleeping struct {
	w *World
	t Alarm
}

func (s *sleeping) Withdraw() { s.w.stopTimer(&s.t) }
