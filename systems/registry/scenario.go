package registry

import (
	"fmt"
	"strings"
	"time"

	"github.com/weftsim/weft/sim"
)

// Variant names a version of the library.
type Variant string

// The variants: the library as it was, PR 66's first commit (a holder
// process and try/catch everywhere), its merged commit exactly as written
// (an OTP application owns the tables; streams are still spawned unlinked),
// and our design (the merged application, plus a stream manager that links
// to every stream process and reports its crash, and a waiting side that
// watches the application).
const (
	Original   Variant = "original"
	Holder     Variant = "holder"
	AppOwned   Variant = "appowned"
	Supervised Variant = "supervised"
)

// String is the variant's name.
func (v Variant) String() string { return string(v) }

// Variants lists every variant, in the order of the verdict table.
func Variants() []Variant { return []Variant{Original, Holder, AppOwned, Supervised} }

func (v Variant) valid() bool {
	return v == Original || v == Holder || v == AppOwned || v == Supervised
}

// KillRate is the probability, per scheduling point of a killable process,
// that a process-kill fault ends it, in the runs that judge P4 and P5.
const KillRate = 1.0 / 64

// Scenario returns the scenario that runs variant v under a workload drawn
// from the world's decisions and fails the run when one of props is
// violated (every property when props is empty). P1, P2, P4 and P5 are
// judged inside the run, the moment a violation shows; P3 is judged on the
// finished run and P4 and P5 need process-kill faults, so the run's
// configuration must come from Configure with the same properties. The
// workload and every observation are the same whatever props says; only
// which violations fail the run differs. It panics on an unknown variant
// or property.
func Scenario(v Variant, props ...Property) func(*sim.World) {
	if !v.valid() {
		panic(fmt.Sprintf("registry: unknown variant %q (have %v)", v, Variants()))
	}
	set := setOf(props)
	return func(w *sim.World) { newRun(w, v, set).main() }
}

// Configure returns what the runs judging props need (every property when
// props is empty): process-kill faults at KillRate when one of them is P4 or
// P5, and P3's end-of-run check when it is among them. The issue judges P1
// to P3 without faults and P4 and P5 with them; judge those groups apart.
func Configure(props ...Property) func(*sim.Config) {
	set := setOf(props)
	return func(cfg *sim.Config) {
		if set.Has(NothingMasked) || set.Has(NoSilentLoss) {
			cfg.Faults = sim.FaultPlan{Killable: Killable}.With(sim.FaultKill, KillRate)
		}
		if set.Has(LinearizableRefs) {
			cfg.Properties = append(cfg.Properties, Linearizable())
		}
	}
}

// Killable says which processes a kill fault may end: any but the harness
// (the main process) and the waiting sides, whose point of view the
// properties take.
func Killable(p *sim.Proc) bool {
	return p.ID() != 0 && !strings.HasPrefix(p.Name(), "waiter ")
}

// run is one run of the scenario: the library, the workload, and what the
// properties observe.
type run struct {
	w        *sim.World
	v        Variant
	props    propSet
	lib      library // nil when the application could not be started
	shim     *shim
	mainProc *sim.Proc

	streams []*stream
	tables  []*tableRecord // every table the library created, in creation order
	procs   []*sim.Proc    // the library's processes, for the final cleanup
	nextRef int

	// workload, when set, replaces drawWorkload (tests pin a workload).
	workload func(r *run) []launch
	// unwatched, set by tests, keeps the waiting side from watching the
	// application even where the variant's does (supervised), to show that
	// the monitor is needed.
	unwatched bool
}

// tableRecord is the harness's note of one table the library created.
type tableRecord struct {
	name        string
	creator     *sim.Proc
	creatorName string
	owner       *sim.Proc // after GiveAway, the holder
	// lostHolder is the holder the creator failed to give the table to (it
	// had been killed), so the creator kept it.
	lostHolder *sim.Proc
}

func newRun(w *sim.World, v Variant, props propSet) *run {
	r := &run{w: w, v: v, props: props}
	r.shim = &shim{r: r, lazy: v == Original || v == Holder, guarded: v == Holder}
	return r
}

// created notes that the running process just created a table named name.
func (r *run) created(name string) *tableRecord {
	self := r.w.Self()
	t := &tableRecord{name: name, creator: self, creatorName: self.Name(), owner: self}
	r.tables = append(r.tables, t)
	return t
}

// current is the newest table named name the library created, or nil.
func (r *run) current(name string) *tableRecord {
	for i := len(r.tables) - 1; i >= 0; i-- {
		if r.tables[i].name == name {
			return r.tables[i]
		}
	}
	return nil
}

// track notes a process of the library, for the final cleanup.
func (r *run) track(p *sim.Proc) *sim.Proc {
	r.procs = append(r.procs, p)
	return p
}

// masked notes that the holder variant's try/catch absorbed a badarg in fn.
func (r *run) masked(st *stream, fn string, err error) {
	if fn == "maybe_decompress_stream_chunk" {
		st.missed = fmt.Sprintf("maybe_decompress_stream_chunk's lookup of its zlib context raised badarg (%s), and its try/catch returned the raw data", r.tableStory(st.lastTable))
	}
	if fn == "maybe_store_stream_zlib" {
		st.zlibLost = fmt.Sprintf("maybe_store_stream_zlib's insert of its zlib context raised badarg (%s), and its try/catch went on without it", r.tableStory(st.lastTable))
	}
}

// zlibMissing notes that maybe_decompress_stream_chunk found no zlib
// context for st and passed the data on as it came.
func (r *run) zlibMissing(st *stream) {
	switch {
	case !st.resp.gzip:
		st.missed = ""
	case st.zlibLost != "":
		st.missed = "maybe_decompress_stream_chunk found no zlib context and returned the data as it came: " + st.zlibLost
	case st.zlibIn != nil && st.zlibIn != st.lastTable:
		now := "no one"
		if st.lastTable != nil {
			now = st.lastTable.creatorName
		}
		st.missed = fmt.Sprintf("maybe_decompress_stream_chunk found no zlib context and returned the data as it came: the context was stored in a table %q that %s created, which went when its owner, %s, %s; the table of that name now, which %s created, started empty",
			ZlibTable, st.zlibIn.creatorName, st.zlibIn.owner.Name(), exitVerb(st.zlibIn.owner.Reason()), now)
	default:
		st.missed = "maybe_decompress_stream_chunk found no zlib context and returned the data as it came"
	}
}

// waiterDone is a waiting side telling main that it stopped waiting.
type waiterDone struct{ st *stream }

func (d waiterDone) String() string { return fmt.Sprintf("done(%s)", d.st) }

// main is the scenario: boot the library, draw the workload, launch its
// streams (each: a waiting side, then a short-lived caller that starts the
// stream and hands off), judge P2 as callers end, wait for every waiting
// side, and clean up.
func (r *run) main() {
	w := r.w
	r.mainProc = w.Self()
	switch r.v {
	case AppOwned:
		r.lib = r.bootMerged()
	case Supervised:
		r.lib = r.bootSupervised()
	default:
		r.lib = lazyLib{r}
	}
	if r.lib == nil {
		return // the node could not boot the library: nothing to judge
	}
	draw := (*run).drawWorkload
	if r.workload != nil {
		draw = r.workload
	}
	plan := draw(r)
	callers := make(map[sim.MonitorRef]*stream) // looked up, never ranged over
	launched, done := 0, 0
	for done < len(plan) {
		for launched < len(plan) && plan[launched].ready(w.Elapsed()) {
			st := plan[launched].st
			st.launchedAt = w.Elapsed()
			st.waiter = w.Spawn("waiter "+st.name, func() { r.wait(st) })
			var ref sim.MonitorRef
			st.caller, ref = w.SpawnMonitor("caller "+st.name, func() { r.call(st) })
			r.track(st.caller)
			callers[ref] = st
			launched++
		}
		timeout := sim.Infinity
		if launched < len(plan) && plan[launched].after == nil {
			timeout = plan[launched].at - w.Elapsed()
		}
		m, ok := w.Receive(func(m any) bool {
			switch m.(type) {
			case waiterDone, sim.Down:
				return true
			}
			return false
		}, timeout)
		if !ok {
			continue
		}
		switch m := m.(type) {
		case waiterDone:
			m.st.done = true
			done++
		case sim.Down:
			if st := callers[m.Ref]; st != nil {
				r.judgeCaller(st, m.Reason)
			}
		}
	}
	// A caller's end may still wait in the mailbox.
	for {
		m, ok := w.Receive(func(m any) bool { _, ok := m.(sim.Down); return ok }, 0)
		if !ok {
			break
		}
		if st := callers[m.(sim.Down).Ref]; st != nil {
			r.judgeCaller(st, m.(sim.Down).Reason)
		}
	}
	r.cleanup()
}

// call is a caller: start the stream, hand off to the waiting side, and
// exit (after lingering, if the workload says so).
func (r *run) call(st *stream) {
	w := r.w
	err := r.lib.startStream(st)
	w.Send(st.waiter, handoff{st: st, err: err})
	if st.linger > 0 {
		w.Sleep(st.linger)
	}
}

// wait is the waiting side of st: it takes st's callbacks until one ends
// the stream, the application running the library dies (supervised only:
// it watches the master), or MonitorTimeout passes; then it judges P1 and
// P5 and tells main.
func (r *run) wait(st *stream) {
	w := r.w
	var appRef sim.MonitorRef
	watching := false
	if app := r.lib.watched(); app != nil && !r.unwatched {
		appRef, watching = w.Monitor(app.Master()), true
	}
	deadline := w.Elapsed() + MonitorTimeout
	mine := func(m any) bool {
		switch m := m.(type) {
		case evStart:
			return m.st == st
		case evChunk:
			return m.st == st
		case evEnd:
			return m.st == st
		case evError:
			return m.st == st
		case handoff:
			return m.st == st
		case sim.Down:
			return watching && m.Ref == appRef
		}
		return false
	}
	for st.outcome == waiting {
		left := deadline - w.Elapsed()
		if left <= 0 {
			st.outcome = gaveUp
			break
		}
		m, ok := w.Receive(mine, left)
		if !ok {
			st.outcome = gaveUp
			break
		}
		switch m := m.(type) {
		case evChunk:
			st.chunks++
			r.checkChunk(st, st.chunks, m.data)
		case evEnd:
			st.outcome = gotEnd
		case evError:
			st.outcome, st.failure = gotError, m.failure
		case handoff:
			if m.err != nil {
				// start_stream failed (supervised: the application is
				// down): the caller's error reaches the waiting side.
				st.outcome, st.failure = gotError, "start_stream: "+m.err.Error()
			}
		case sim.Down:
			st.outcome = sawAppDie
		}
	}
	st.endedAt = w.Elapsed()
	r.judgeEnd(st)
	w.Send(r.mainProc, waiterDone{st})
}

// cleanup stops what the library left running (holders wait forever, the
// application runs until stopped), once every waiting side has finished and
// the run is judged, so that the run ends quiescent.
func (r *run) cleanup() {
	w := r.w
	if r.lib != nil {
		r.lib.stop()
	}
	for _, p := range r.procs {
		if p.Alive() {
			w.Kill(p)
		}
	}
}

// launch is one stream of the workload and when to start it: at a virtual
// time, or once another stream's waiting side is done.
type launch struct {
	st    *stream
	at    time.Duration
	after *stream
}

func (l launch) ready(now time.Duration) bool {
	if l.after != nil {
		return l.after.done
	}
	return now >= l.at
}
