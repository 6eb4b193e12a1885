package ets_test

import (
	"errors"
	"fmt"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/ets"
)

// The registry incident in miniature: a short-lived caller creates a named
// public table and starts a stream process that looks references up in it.
// When the caller exits, its table goes with it, and the stream's next
// lookup fails with badarg; the stream crashes (as the Erlang code did), and
// only a monitor sees why.
func ExampleNew() {
	sim.Run(sim.Config{Seed: 1}, func(w *sim.World) {
		var stream *sim.Proc
		_, callerRef := w.SpawnMonitor("caller", func() {
			refs, err := ets.New[string, int](w, ets.Options{Name: "refs", Access: ets.Public})
			if err != nil {
				panic(err)
			}
			refs.Insert("stream-1", 42)
			caller := w.Self()
			stream = w.Spawn("stream", func() {
				refs := ets.ByName[string, int](w, "refs")
				for {
					id, _ := w.Receive(nil, sim.Infinity)
					ref, _, err := refs.Lookup(id.(string))
					if err != nil {
						panic(err) // ets raises badarg
					}
					fmt.Println("stream: found", ref)
					w.Send(caller, "started")
				}
			})
			w.Send(stream, "stream-1")
			w.Receive(nil, sim.Infinity) // "started": the caller's work is done
		})
		w.Receive(func(m any) bool { d, ok := m.(sim.Down); return ok && d.Ref == callerRef }, sim.Infinity)
		ref := w.Monitor(stream)
		w.Send(stream, "stream-1")
		m, _ := w.Receive(func(m any) bool { d, ok := m.(sim.Down); return ok && d.Ref == ref }, sim.Infinity)
		err := m.(sim.Down).Reason.(*sim.Crash).Value.(error)
		fmt.Println("badarg:", errors.Is(err, sim.ErrBadArg))
		fmt.Println(err)
	})
	// Output:
	// stream: found 42
	// badarg: true
	// sim: badarg: p2 "stream" Lookup: no table named "refs" exists (the last one, table#1 "refs", was destroyed at step 11 when its owner p1 "caller" exited with reason normal)
}

// An heir keeps a table alive past its owner: the application-owned fix
// makes a long-lived process the owner; an heir is the other ets way.
func ExampleOptions_heir() {
	sim.Run(sim.Config{Seed: 1}, func(w *sim.World) {
		self := w.Self()
		w.Spawn("creator", func() {
			t, _ := ets.New[string, int](w, ets.Options{Name: "counters", Heir: self, HeirData: "keep it"})
			t.Insert("hits", 1)
		})
		m, _ := w.Receive(nil, sim.Infinity)
		tr := m.(ets.Transfer)
		counters := tr.Table.(*ets.Table[string, int])
		n, _ := counters.UpdateCounter("hits", 1)
		fmt.Printf("inherited %v from %s (%v): hits = %d\n", counters, tr.From.Name(), tr.HeirData, n)
	})
	// Output:
	// inherited table#1 "counters" from creator (keep it): hits = 2
}
