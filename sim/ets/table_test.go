package ets_test

// Owned tables, rule by rule. Method: each test builds the smallest world
// that exercises one rule of the package doc (the rules of erl_db.c) and checks the
// exact values, messages and error texts, under many seeds, with the same
// seed giving the same hash. There is no Go original to compare with, so the
// iteration order is checked against a plain reference model, the incident's
// creation race is checked to happen under some schedules and not others,
// and recorded histories are checked with porcupine against a key-value
// model that a corrupted history fails.

import (
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/properties"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/ets"
	"github.com/weftsim/weft/sim/internal/simtest"
)

// requireBadArg checks that err wraps ErrBadArg and that its message matches
// the regular expression pattern in full.
func requireBadArg(t *testing.T, err error, pattern string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, sim.ErrBadArg)
	require.Regexp(t, regexp.MustCompile(`^`+pattern+`$`), err.Error())
}

func TestTableDiesWithOwner(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		var unnamed *ets.Table[string, int]
		caller, ref := w.SpawnMonitor("caller", func() {
			refs, err := ets.New[string, int](w, ets.Options{Name: "refs", Access: ets.Public})
			require.NoError(t, err)
			require.NoError(t, refs.Insert("a", 1))
			unnamed, err = ets.New[string, int](w, ets.Options{Access: ets.Public})
			require.NoError(t, err)
			require.Len(t, ets.Tables(w), 2)
		})
		m, _ := w.Receive(nil, sim.Infinity)
		require.Equal(t, sim.Down{Ref: ref, Proc: caller, Reason: sim.Normal}, m)

		refs := ets.ByName[string, int](w, "refs")
		_, _, err := refs.Lookup("a")
		requireBadArg(t, err, `sim: badarg: p0 "main" Lookup: no table named "refs" exists \(the last one, table#1 "refs", was destroyed at step \d+ when its owner p1 "caller" exited with reason normal\)`)
		_, _, err = unnamed.Lookup("a")
		requireBadArg(t, err, `sim: badarg: p0 "main" Lookup: table#2 does not exist \(destroyed at step \d+ when its owner p1 "caller" exited with reason normal\)`)
		for _, op := range []func() error{
			func() error { return refs.Insert("a", 2) },
			func() error { _, err := refs.InsertNew("b", 2); return err },
			func() error { return refs.Delete("a") },
			func() error { _, err := refs.UpdateCounter("a", 1); return err },
			func() error { _, err := refs.SelectAll(); return err },
			func() error { _, err := refs.Size(); return err },
			func() error { _, err := refs.Info(); return err },
			func() error { return refs.GiveAway(caller, nil) },
			func() error { return refs.SetHeir(nil, nil) },
			func() error { return refs.Destroy() },
		} {
			require.ErrorIs(t, op(), sim.ErrBadArg)
		}
		require.False(t, refs.Exists())
		require.False(t, unnamed.Exists())
		require.Empty(t, ets.Tables(w))
		_, _, err = ets.ByName[string, int](w, "never").Lookup("a")
		requireBadArg(t, err, `sim: badarg: p0 "main" Lookup: no table named "never" exists \(none was ever created\)`)
	})
}

// The step in a destroyed table's story is the step of its destruction
// event in the trace.
func TestTableDeathStoryNamesTheStep(t *testing.T) {
	var msg string
	r := sim.Run(sim.Config{Seed: 3, KeepTrace: true}, func(w *sim.World) {
		w.SpawnMonitor("caller", func() {
			_, err := ets.New[string, int](w, ets.Options{Name: "refs"})
			require.NoError(t, err)
		})
		w.Receive(nil, sim.Infinity)
		_, _, err := ets.ByName[string, int](w, "refs").Lookup("a")
		msg = err.Error()
	})
	require.Nil(t, r.Failure)
	var step int64 = -1
	for _, e := range r.Trace {
		if e.Kind == sim.EventDestroy && e.Detail == fmt.Sprintf(`table#1 "refs" destroyed at step %d when its owner p1 "caller" exited with reason normal`, e.Step) {
			step = e.Step
		}
	}
	require.NotEqual(t, int64(-1), step, "no destruction event in the trace")
	require.Contains(t, msg, fmt.Sprintf("destroyed at step %d when", step))
}

func TestTableHeirInherits(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		self := w.Self()
		owner, ref := w.SpawnMonitor("owner", func() {
			refs, err := ets.New[string, int](w, ets.Options{Name: "refs", Heir: self, HeirData: "take care"})
			require.NoError(t, err)
			require.NoError(t, refs.Insert("a", 1))
		})
		// The transfer happens inside the owner's exit, before its monitors
		// fire: the Transfer comes first.
		m, _ := w.Receive(nil, sim.Infinity)
		tr, ok := m.(ets.Transfer)
		require.True(t, ok, "got %v, want a Transfer first", m)
		require.Equal(t, owner, tr.From)
		require.Equal(t, "take care", tr.HeirData)
		m, _ = w.Receive(nil, sim.Infinity)
		require.Equal(t, sim.Down{Ref: ref, Proc: owner, Reason: sim.Normal}, m)

		refs := tr.Table.(*ets.Table[string, int])
		require.Equal(t, "refs", refs.Name())
		v, found, err := refs.Lookup("a")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, 1, v)
		info, err := refs.Info()
		require.NoError(t, err)
		require.Equal(t, self, info.Owner)
		require.Equal(t, self, info.Heir, "the heir setting stays, as in erl_db.c")
		require.Equal(t, 1, info.Size)
		require.NoError(t, refs.Insert("b", 2), "the heir owns the protected table: it may write")
	})
}

// An inherited table keeps its heir, which is now its owner: so it dies
// with its second owner.
func TestTableInheritedDiesWithHeir(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		heir, heirRef := w.SpawnMonitor("heir", func() {
			m, _ := w.Receive(nil, sim.Infinity)
			_ = m.(ets.Transfer)
		})
		w.SpawnMonitor("owner", func() {
			_, err := ets.New[string, int](w, ets.Options{Name: "refs", Access: ets.Public, Heir: heir})
			require.NoError(t, err)
		})
		for {
			m, _ := w.Receive(nil, sim.Infinity)
			if d := m.(sim.Down); d.Ref == heirRef {
				break
			}
		}
		_, _, err := ets.ByName[string, int](w, "refs").Lookup("a")
		requireBadArg(t, err, `sim: badarg: p0 "main" Lookup: no table named "refs" exists \(the last one, table#1 "refs", was destroyed at step \d+ when its owner p1 "heir" exited with reason normal\)`)
	})
}

func TestTableDeadHeirInheritsNothing(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		early, ref := w.SpawnMonitor("early", func() {})
		w.Receive(nil, sim.Infinity) // early's Down
		late, lateRef := w.SpawnMonitor("late", func() { w.Receive(nil, sim.Infinity) })
		self := w.Self()
		_, ownerRef := w.SpawnMonitor("owner", func() {
			a, err := ets.New[string, int](w, ets.Options{Name: "a", Heir: early})
			require.NoError(t, err)
			info, err := a.Info()
			require.NoError(t, err)
			require.Nil(t, info.Heir, "an heir that is not alive is no heir")
			_, err = ets.New[string, int](w, ets.Options{Name: "b", Heir: late})
			require.NoError(t, err)
			w.Send(self, "created")
			w.Receive(nil, sim.Infinity)
		})
		w.Receive(func(m any) bool { return m == "created" }, sim.Infinity)
		info, err := ets.ByName[string, int](w, "b").Info()
		require.NoError(t, err)
		require.Equal(t, late, info.Heir)
		w.Kill(late)
		w.Receive(func(m any) bool { d, ok := m.(sim.Down); return ok && d.Ref == lateRef }, sim.Infinity)
		// The heir died first: the owner's exit destroys the table.
		owner := ets.Tables(w)[0].Owner
		w.Kill(owner)
		m, _ := w.Receive(func(m any) bool { d, ok := m.(sim.Down); return ok && d.Ref == ownerRef }, sim.Infinity)
		require.Equal(t, sim.Killed, m.(sim.Down).Reason)
		_, _, err = ets.ByName[string, int](w, "b").Lookup("a")
		requireBadArg(t, err, `sim: badarg: p0 "main" Lookup: no table named "b" exists \(the last one, table#2 "b", was destroyed at step \d+ when its owner p3 "owner" exited with reason killed\)`)
		_, empty := w.Receive(nil, 0)
		require.False(t, empty, "no Transfer for anyone")
		_ = ref
	})
}

func TestTableGiveAway(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		self := w.Self()
		holder := w.Spawn("holder", func() {
			for {
				m, _ := w.Receive(nil, sim.Infinity)
				if tr, ok := m.(ets.Transfer); ok {
					w.Send(self, tr)
				}
			}
		})
		holderRef := w.Monitor(holder)
		refs, err := ets.New[string, int](w, ets.Options{Name: "refs"})
		require.NoError(t, err)
		require.NoError(t, refs.Insert("a", 1))
		require.NoError(t, refs.GiveAway(holder, "gift"))

		m, _ := w.Receive(nil, sim.Infinity)
		require.Equal(t, ets.Transfer{Table: refs, From: self, HeirData: "gift"}, m)
		info, err := refs.Info()
		require.NoError(t, err)
		require.Equal(t, holder, info.Owner)
		require.Nil(t, info.Heir)

		// No longer the owner: a protected table is read-only to us, and
		// only the owner gives it away.
		v, _, err := refs.Lookup("a")
		require.NoError(t, err)
		require.Equal(t, 1, v)
		requireBadArg(t, refs.Insert("a", 2), `sim: badarg: p0 "main" Insert: table#1 "refs" is protected: only its owner p1 "holder" may write to it`)
		requireBadArg(t, refs.GiveAway(self, nil), `sim: badarg: p0 "main" GiveAway: only the owner of table#1 "refs", p1 "holder", may give it away`)

		mine, err := ets.New[int, int](w, ets.Options{})
		require.NoError(t, err)
		requireBadArg(t, mine.GiveAway(self, nil), `sim: badarg: p0 "main" GiveAway: table#2 to its own owner`)
		requireBadArg(t, mine.GiveAway(nil, nil), `sim: badarg: p0 "main" GiveAway: to a nil process`)
		gone, goneRef := w.SpawnMonitor("gone", func() {})
		w.Receive(func(m any) bool { d, ok := m.(sim.Down); return ok && d.Ref == goneRef }, sim.Infinity)
		requireBadArg(t, mine.GiveAway(gone, nil), `sim: badarg: p0 "main" GiveAway: table#2 to p2 "gone", which is not alive \(it exited with reason normal\)`)

		// The holder variant's weakness: whoever kills the holder kills the
		// table.
		w.Kill(holder)
		w.Receive(func(m any) bool { d, ok := m.(sim.Down); return ok && d.Ref == holderRef }, sim.Infinity)
		_, _, err = refs.Lookup("a")
		requireBadArg(t, err, `sim: badarg: p0 "main" Lookup: no table named "refs" exists \(the last one, table#1 "refs", was destroyed at step \d+ when its owner p1 "holder" exited with reason killed\)`)
	})
}

func TestTableNameClash(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		a, err := ets.New[string, int](w, ets.Options{Name: "refs"})
		require.NoError(t, err)
		_, err = ets.New[string, int](w, ets.Options{Name: "refs"})
		requireBadArg(t, err, `sim: badarg: p0 "main" New: a table named "refs" already exists \(table#1 "refs", owned by p0 "main"\)`)
		_, err = ets.New[int, string](w, ets.Options{Name: "refs"})
		require.ErrorIs(t, err, sim.ErrBadArg, "a name clashes whatever the types")
		for range 2 {
			_, err = ets.New[string, int](w, ets.Options{})
			require.NoError(t, err, "unnamed tables never clash")
		}
		require.NoError(t, a.Insert("x", 1))
		require.NoError(t, a.Destroy())
		b, err := ets.New[string, int](w, ets.Options{Name: "refs"})
		require.NoError(t, err, "a destroyed table's name is free")
		require.Equal(t, `table#4 "refs"`, b.String())
		// The first handle is bound to the name, as ets:new's return value
		// for a named table is: it reaches the new, empty table.
		_, found, err := a.Lookup("x")
		require.NoError(t, err)
		require.False(t, found)
		require.Equal(t, `table#4 "refs"`, a.String())
		require.Len(t, ets.Tables(w), 3)
	})
}

// The incident's secondary race: ensure_ref_mapping_table checks whether the
// table exists and creates it if not; two first callers can both see it
// missing, and the second create fails. Some schedules must crash a caller,
// and some must not.
func ensureScenario(crashes *int) func(w *sim.World) {
	return func(w *sim.World) {
		ensure := func() {
			if ets.ByName[string, int](w, "refs").Exists() {
				return
			}
			if _, err := ets.New[string, int](w, ets.Options{Name: "refs", Access: ets.Public}); err != nil {
				panic(err) // as ets:new raises badarg
			}
		}
		for range 2 {
			w.SpawnMonitor("caller", func() {
				ensure()
				w.Receive(nil, time.Second) // the caller lives on a while
			})
		}
		for range 2 {
			m, _ := w.Receive(nil, sim.Infinity)
			if c, ok := m.(sim.Down).Reason.(*sim.Crash); ok {
				err, _ := c.Value.(error)
				if !errors.Is(err, sim.ErrBadArg) {
					w.Fatalf("caller crashed with %v, want a badarg", c.Value)
				}
				*crashes++
			}
		}
	}
}

func TestTableEnsureRaceIsExplored(t *testing.T) {
	crashedRuns, cleanRuns := 0, 0
	for seed := range uint64(200) {
		crashes := 0
		r := sim.Run(sim.Config{Seed: seed}, ensureScenario(&crashes))
		require.Nil(t, r.Failure, "seed %d", seed)
		if crashes > 0 {
			crashedRuns++
		} else {
			cleanRuns++
		}
	}
	t.Logf("200 seeds: %d crash a caller, %d do not", crashedRuns, cleanRuns)
	require.NotZero(t, crashedRuns, "no schedule interleaved the two checks")
	require.NotZero(t, cleanRuns, "every schedule crashed a caller")

	// The calm schedule (no preemption) runs the callers one after the
	// other: no crash. One preemption, of the first caller between its
	// check and its create, crashes it: main spawns both callers and waits
	// (three calm points, then it blocks and the first caller is picked);
	// the caller checks (calm), and is preempted at New's point.
	crashes := 0
	calm := sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, ensureScenario(&crashes))
	require.Nil(t, calm.Failure)
	require.Zero(t, crashes)
	var ds []scheduler.Decision
	for i, n := range []uint32{2, 3, 3, 2, 2, 2} {
		ds = append(ds, scheduler.Decision{Kind: scheduler.Schedule, N: n, Choice: uint32(i / 5)})
	}
	replay := scheduler.Replay(ds)
	r := sim.Run(sim.Config{Strategy: replay}, ensureScenario(&crashes))
	require.Nil(t, r.Failure)
	require.Zero(t, replay.Diverged(), "the schedule did not fit the scenario")
	require.Equal(t, 1, crashes, "one preemption between check and create crashes a caller")

	rep := weft.Explore(weft.Options{Runs: 200}, func(w *sim.World) {
		n := 0
		ensureScenario(&n)(w)
		if n > 0 {
			w.Fatalf("a first call crashed")
		}
	})
	require.NotNil(t, rep.Failure, "Explore missed the race")
	require.Equal(t, "a first call crashed", rep.Failure.Shrunk.Failure.Value)
	require.Equal(t, 1, rep.Failure.PreemptionsAfter, "the race needs exactly one preemption")
}

func TestTableAccess(t *testing.T) {
	type result map[string]bool // operation -> allowed
	reads := []string{"Lookup", "SelectAll", "Size"}
	writes := []string{"Insert", "InsertNew", "Delete", "UpdateCounter", "Destroy"}
	for _, access := range []ets.Access{ets.Public, ets.Protected, ets.Private} {
		t.Run(access.String(), func(t *testing.T) {
			simtest.RunSeeds(t, 10, func(w *sim.World) {
				tab, err := ets.New[string, int](w, ets.Options{Access: access})
				require.NoError(t, err)
				require.NoError(t, tab.Insert("n", 1), "the owner may always write")
				got := result{}
				done := sim.NewChan[int](w, 0)
				w.Go("other", func() {
					try := func(name string, err error) {
						got[name] = err == nil
						if err != nil {
							require.ErrorIs(t, err, sim.ErrBadArg)
							require.Contains(t, err.Error(), fmt.Sprintf(`p1 "other" %s: table#1 is %v: only its owner p0 "main" may`, name, access))
						}
					}
					_, _, err := tab.Lookup("n")
					try("Lookup", err)
					_, err = tab.SelectAll()
					try("SelectAll", err)
					_, err = tab.Size()
					try("Size", err)
					try("Insert", tab.Insert("m", 2))
					_, err = tab.InsertNew("k", 3)
					try("InsertNew", err)
					try("Delete", tab.Delete("m"))
					_, err = tab.UpdateCounter("n", 1)
					try("UpdateCounter", err)
					_, err = tab.Info()
					require.NoError(t, err, "Info works on any table")
					require.True(t, tab.Exists(), "Exists works on any table")
					try("Destroy", tab.Destroy())
					done.Send(0)
				})
				done.Recv()
				for _, op := range reads {
					require.Equal(t, access != ets.Private, got[op], "%v %s", access, op)
				}
				for _, op := range writes {
					require.Equal(t, access == ets.Public, got[op], "%v %s", access, op)
				}
				require.Equal(t, access != ets.Public, tab.Exists())
			})
		})
	}
}

// orderedRef is the reference for iteration order: a slice of keys in first
// insertion order, searched linearly.
type orderedRef struct {
	keys []int
	vals map[int]int
}

func (r *orderedRef) insert(k, v int) {
	if _, ok := r.vals[k]; !ok {
		r.keys = append(r.keys, k)
	}
	r.vals[k] = v
}

func (r *orderedRef) delete(k int) {
	if _, ok := r.vals[k]; !ok {
		return
	}
	delete(r.vals, k)
	for i, x := range r.keys {
		if x == k {
			r.keys = append(r.keys[:i], r.keys[i+1:]...)
			return
		}
	}
}

func (r *orderedRef) entries() []ets.Entry[int, int] {
	out := []ets.Entry[int, int]{}
	for _, k := range r.keys {
		out = append(out, ets.Entry[int, int]{k, r.vals[k]})
	}
	return out
}

func TestTableIterationOrder(t *testing.T) {
	simtest.RunSeeds(t, 20, func(w *sim.World) {
		tab, err := ets.New[int, int](w, ets.Options{})
		require.NoError(t, err)
		ref := &orderedRef{vals: map[int]int{}}
		for i := range 600 {
			k := w.Intn(40)
			switch w.Intn(3) {
			case 0, 1:
				require.NoError(t, tab.Insert(k, i))
				ref.insert(k, i)
			case 2:
				require.NoError(t, tab.Delete(k))
				ref.delete(k)
			}
			all, err := tab.SelectAll()
			require.NoError(t, err)
			require.Equal(t, ref.entries(), all, "after op %d", i)
			n, err := tab.Size()
			require.NoError(t, err)
			require.Equal(t, len(ref.keys), n)
		}
		// Delete nearly everything: compaction must keep the order.
		for k := range 38 {
			require.NoError(t, tab.Delete(k))
			ref.delete(k)
		}
		all, err := tab.SelectAll()
		require.NoError(t, err)
		require.Equal(t, ref.entries(), all)
	})
}

func TestTableOperations(t *testing.T) {
	simtest.RunSeeds(t, 10, func(w *sim.World) {
		tab, err := ets.New[string, any](w, ets.Options{Name: "t"})
		require.NoError(t, err)
		ok, err := tab.InsertNew("n", 1)
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = tab.InsertNew("n", 5)
		require.NoError(t, err)
		require.False(t, ok)
		n, err := tab.UpdateCounter("n", 41)
		require.NoError(t, err)
		require.Equal(t, 42, n)
		v, found, err := tab.Lookup("n")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, 42, v)
		_, err = tab.UpdateCounter("missing", 1)
		requireBadArg(t, err, `sim: badarg: p0 "main" UpdateCounter: table#1 "t" has no key "missing"`)
		require.NoError(t, tab.Insert("s", "text"))
		_, err = tab.UpdateCounter("s", 1)
		requireBadArg(t, err, `sim: badarg: p0 "main" UpdateCounter: the value of key "s" in table#1 "t" is string, not an int`)
		require.NoError(t, tab.Delete("absent"), "deleting an absent key is fine")

		ints, err := ets.New[int, int](w, ets.Options{})
		require.NoError(t, err)
		require.NoError(t, ints.Insert(7, 0))
		n, err = ints.UpdateCounter(7, -3)
		require.NoError(t, err)
		require.Equal(t, -3, n)

		_, _, err = ets.ByName[string, string](w, "t").Lookup("n")
		requireBadArg(t, err, `sim: badarg: p0 "main" Lookup: table#1 "t" holds keys string and values interface \{\}, not keys string and values string`)
		require.True(t, ets.ByName[int, int](w, "t").Exists(), "Exists does not care about types")

		infos := ets.Tables(w)
		require.Len(t, infos, 2)
		require.Equal(t, "t", infos[0].Name)
		require.Equal(t, 2, infos[0].Size)
		require.Equal(t, w.Self(), infos[0].Owner)
		require.Equal(t, ets.Protected, infos[0].Access)
		require.Equal(t, 1, infos[1].Size)
		require.Same(t, tab, infos[0].Table)
	})
}

// Tables lists the live tables during a run, and TablesLeft those a
// finished run left: here the table of an owner still blocked at the end.
func TestTablesLeft(t *testing.T) {
	r := sim.Run(sim.Config{AllowLeaks: true, KeepTrace: true}, func(w *sim.World) {
		require.Nil(t, ets.Tables(w), "no table yet")
		self := w.Self()
		w.Spawn("keeper", func() {
			_, err := ets.New[string, int](w, ets.Options{Name: "kept", Access: ets.Public})
			require.NoError(t, err)
			w.Send(self, "made")
			w.Receive(nil, sim.Infinity) // never: the table outlives the run
		})
		w.Spawn("passer", func() {
			_, err := ets.New[string, int](w, ets.Options{Name: "gone"})
			require.NoError(t, err)
			w.Send(self, "made")
		})
		w.Receive(nil, sim.Infinity)
		w.Receive(nil, sim.Infinity)
		w.Sleep(time.Second)
		live := ets.Tables(w)
		require.Len(t, live, 1, "the passer's table went with it")
		require.Equal(t, "kept", live[0].Name)
	})
	require.Nil(t, r.Failure)
	left := ets.TablesLeft(r)
	require.Len(t, left, 1)
	require.Equal(t, "kept", left[0].Name)
	require.Equal(t, "keeper", left[0].Owner.Name())
	require.Equal(t, ets.Public, left[0].Access)
	require.Regexp(t, `^ets/table_test.go:\d+$`, left[0].Site)
	require.Nil(t, ets.TablesLeft(sim.Run(sim.Config{}, func(w *sim.World) {})), "a run without tables left none")
}

// A table operation needs a calling process: after the run there is none.
func TestTableOutsideAProcess(t *testing.T) {
	var kept *ets.Table[string, int]
	r := sim.Run(sim.Config{}, func(w *sim.World) { kept = ets.ByName[string, int](w, "t") })
	require.Nil(t, r.Failure)
	require.PanicsWithValue(t,
		"ets: table Lookup called outside a process (from an alarm's Fire, or after the run): table operations need a calling process",
		func() { kept.Lookup("a") })
}

// The registry incident itself: a stream process looks references up in its
// receive loop; the table's creator exits; the next lookup's badarg kills
// the stream, and its monitor sees why.
func TestTableBadArgKillsStream(t *testing.T) {
	simtest.RunSeeds(t, 30, func(w *sim.World) {
		var stream *sim.Proc
		_, callerRef := w.SpawnMonitor("caller", func() {
			refs, err := ets.New[string, int](w, ets.Options{Name: "refs", Access: ets.Public})
			require.NoError(t, err)
			require.NoError(t, refs.Insert("s1", 7))
			stream = w.Spawn("stream", func() {
				refs := ets.ByName[string, int](w, "refs")
				for {
					m, _ := w.Receive(nil, sim.Infinity)
					if _, _, err := refs.Lookup(m.(string)); err != nil {
						panic(err)
					}
				}
			})
		})
		w.Receive(func(m any) bool { d, ok := m.(sim.Down); return ok && d.Ref == callerRef }, sim.Infinity)
		streamRef := w.Monitor(stream)
		w.Send(stream, "s1")
		m, _ := w.Receive(nil, sim.Infinity)
		d := m.(sim.Down)
		require.Equal(t, streamRef, d.Ref)
		crash, ok := d.Reason.(*sim.Crash)
		require.True(t, ok, "reason %v", d.Reason)
		err := crash.Value.(error)
		requireBadArg(t, err, `sim: badarg: p2 "stream" Lookup: no table named "refs" exists \(the last one, table#1 "refs", was destroyed at step \d+ when its owner p1 "caller" exited with reason normal\)`)
	})
}

func TestTableDeterminism(t *testing.T) {
	scenario := func(w *sim.World) {
		self := w.Self()
		heir := w.Spawn("heir", func() {
			m, _ := w.Receive(nil, sim.Infinity)
			tab := m.(ets.Transfer).Table.(*ets.Table[int, int])
			for i := range 5 {
				tab.Insert(i, i)
			}
			w.Send(self, "done")
		})
		for i := range 3 {
			w.Spawn("writer", func() {
				tab, err := ets.New[int, int](w, ets.Options{Name: "shared", Access: ets.Public, Heir: heir})
				if err != nil {
					tab = ets.ByName[int, int](w, "shared")
				}
				for j := range 4 {
					tab.Insert(w.Intn(6), i*10+j)
					tab.Lookup(w.Intn(6))
				}
			})
		}
		w.Receive(func(m any) bool { return m == "done" }, 10*time.Second)
	}
	hashes := map[uint64]bool{}
	for seed := range uint64(30) {
		r := sim.Run(sim.Config{Seed: seed, AllowLeaks: true}, scenario)
		require.Nil(t, r.Failure, "seed %d", seed)
		again := sim.Run(sim.Config{Seed: seed, AllowLeaks: true}, scenario)
		require.Equal(t, r.Hash, again.Hash, "seed %d", seed)
		hashes[r.Hash] = true
	}
	require.Greater(t, len(hashes), 20, "seeds should explore different runs")
}

// kvState is one key's state in kvModel.
type kvState struct {
	present bool
	val     any
}

// kvModel is a key-value store partitioned by key, for recorded table
// operations. An open operation (nil output) may have taken effect or not.
var kvModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		var keys []any
		byKey := map[any][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(ets.Input).Key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return kvState{} },
	Step: func(state, input, output any) (bool, any) {
		s, in := state.(kvState), input.(ets.Input)
		var after kvState
		switch in.Op {
		case ets.Insert:
			after = kvState{true, in.Value}
		case ets.InsertNew:
			after = s
			if !s.present {
				after = kvState{true, in.Value}
			}
		case ets.Delete:
			after = kvState{}
		case ets.UpdateCounter:
			after = s
			if s.present {
				after = kvState{true, s.val.(int) + in.Value.(int)}
			}
		default:
			after = s
		}
		if output == nil {
			return true, after
		}
		out := output.(ets.Output)
		if out.Err != nil {
			return in.Op == ets.UpdateCounter && !s.present, s
		}
		switch in.Op {
		case ets.InsertNew, ets.Lookup:
			return out.Found == s.present && (!s.present || out.Value == s.val), after
		case ets.Delete:
			return out.Found == s.present, after
		case ets.UpdateCounter:
			return s.present && out.Value == after.val, after
		}
		return true, after
	},
	DescribeOperation: func(input, output any) string {
		return fmt.Sprintf("%v -> %v", input, output)
	},
}

// recordedScenario runs clients against a recorded table; a victim, killed
// mid-way, may leave an operation open.
func recordedScenario(w *sim.World) {
	tab, err := ets.New[string, int](w, ets.Options{Access: ets.Public, Record: true})
	if err != nil {
		panic(err)
	}
	keys := []string{"a", "b", "c"}
	wg := sim.NewWaitGroup(w)
	client := func() {
		for range 15 {
			k := keys[w.Intn(len(keys))]
			switch w.Intn(5) {
			case 0:
				tab.Insert(k, w.Intn(3))
			case 1:
				tab.InsertNew(k, w.Intn(3))
			case 2:
				tab.Lookup(k)
			case 3:
				tab.Delete(k)
			case 4:
				tab.UpdateCounter(k, 1)
			}
		}
	}
	for range 3 {
		wg.Go("client", client)
	}
	victim := w.Spawn("victim", func() {
		for {
			tab.Lookup("a")
			tab.UpdateCounter("a", 1)
		}
	})
	w.Yield()
	w.Kill(victim)
	wg.Wait()
}

func TestTableHistoryIsLinearizable(t *testing.T) {
	overlapping, open, corrupted := 0, 0, 0
	for seed := range uint64(40) {
		r := sim.Run(sim.Config{Seed: seed}, recordedScenario)
		require.Nil(t, r.Failure, "seed %d", seed)
		require.NotEmpty(t, r.History)
		res, _ := properties.CheckLinearizable(kvModel, r.History, 5*time.Second)
		require.Equal(t, porcupine.Ok, res, "seed %d", seed)
		for i, a := range r.History {
			if a.Open() {
				open++
			}
			for _, b := range r.History[i+1:] {
				if b.Call < a.Return && a.Proc != b.Proc {
					overlapping++
				}
			}
		}

		// The check can fail: make one lookup that found a value report a
		// value no one wrote.
		for i, op := range r.History {
			out, ok := op.Output.(ets.Output)
			if op.Input.(ets.Input).Op == ets.Lookup && ok && out.Found {
				bad := append([]sim.Operation(nil), r.History...)
				out.Value = 99
				bad[i].Output = out
				res, _ := properties.CheckLinearizable(kvModel, bad, 5*time.Second)
				require.Equal(t, porcupine.Illegal, res, "seed %d: a corrupted history passed", seed)
				corrupted++
				break
			}
		}
	}
	t.Logf("40 seeds: %d overlapping pairs of operations, %d open operations", overlapping, open)
	require.NotZero(t, overlapping, "operations were never concurrent: the history checks nothing")
	require.NotZero(t, open, "the victim was never killed inside an operation")
	require.NotZero(t, corrupted, "no lookup found a value: the corruption check never ran")
}

// A badarg is recorded as the operation's output, including through a name
// whose table has gone.
func TestTableHistoryRecordsBadArg(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		w.SpawnMonitor("owner", func() {
			tab, err := ets.New[string, int](w, ets.Options{Name: "refs", Access: ets.Public, Record: true})
			require.NoError(t, err)
			require.NoError(t, tab.Insert("a", 1))
		})
		w.Receive(nil, sim.Infinity)
		_, _, err := ets.ByName[string, int](w, "refs").Lookup("a")
		require.ErrorIs(t, err, sim.ErrBadArg)
	})
	require.Nil(t, r.Failure)
	require.Len(t, r.History, 2)
	require.Equal(t, ets.Input{Op: ets.Insert, Key: "a", Value: 1}, r.History[0].Input)
	require.Equal(t, ets.Output{Table: 1}, r.History[0].Output)
	require.Equal(t, 1, r.History[0].Client)
	require.Equal(t, ets.Input{Op: ets.Lookup, Key: "a"}, r.History[1].Input)
	out := r.History[1].Output.(ets.Output)
	require.ErrorIs(t, out.Err, sim.ErrBadArg)
	require.Zero(t, out.Table)
	require.Equal(t, 0, r.History[1].Client)
	require.Equal(t, `Lookup("a") -> badarg`, kvModel.DescribeOperation(r.History[1].Input, out))
}

// Benchmarks. Method: BenchmarkTableOp and its baseline BenchmarkChanPair do
// the same shape of work inside one run of one process: two operations per
// iteration (an Insert and a Lookup; a Send and a Recv), each a scheduling
// point and an event, nothing blocking. Issue 3 asks that a table operation
// cost at most 2x a channel send/receive pair: compare ns/tableop with
// ns/pair (and ns/op with ns/op for the pair of table operations), measured
// in one run of
//
//	go test -run='^$' -bench='TableOp|ChanPair' -cpu=1 -count=5 ./sim/ets
func BenchmarkTableOp(b *testing.B) {
	b.ReportAllocs()
	r := sim.Run(sim.Config{MaxSteps: 1 << 40}, func(w *sim.World) {
		tab, err := ets.New[int, int](w, ets.Options{Access: ets.Public})
		if err != nil {
			panic(err)
		}
		b.ResetTimer()
		for i := range b.N {
			tab.Insert(i&1023, i)
			if _, found, _ := tab.Lookup(i & 1023); !found {
				panic("lost a key")
			}
		}
		b.StopTimer()
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/tableop")
	if r.Failure != nil {
		b.Fatal(r.Failure)
	}
}

// BenchmarkChanPair is BenchmarkTableOp's baseline: a send and a receive
// on a buffered channel per iteration.
func BenchmarkChanPair(b *testing.B) {
	b.ReportAllocs()
	r := sim.Run(sim.Config{MaxSteps: 1 << 40}, func(w *sim.World) {
		c := sim.NewChan[int](w, 1)
		b.ResetTimer()
		for i := range b.N {
			c.Send(i)
			if c.Recv() != i {
				panic("lost a value")
			}
		}
		b.StopTimer()
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/pair")
	if r.Failure != nil {
		b.Fatal(r.Failure)
	}
}
