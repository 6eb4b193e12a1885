package kv

// Directed tests of the server's parts, on the calm schedule (every decision
// its default) and without faults: the protocol's exact answers, and the
// table outliving the store.

import (
	"testing"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// runCalm runs scenario once on the calm schedule and fails t if the run
// failed.
func runCalm(t *testing.T, scenario func(w *sim.World)) *sim.Result {
	t.Helper()
	r := sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, scenario)
	if r.Failure != nil {
		t.Fatalf("%v", r.Failure)
	}
	return r
}

func TestProtocol(t *testing.T) {
	for _, v := range Variants() {
		t.Run(v.String(), func(t *testing.T) {
			r := runCalm(t, func(w *sim.World) {
				h := net.NewHost(w, "kv")
				srv, err := StartServer(w, h, port, v)
				if err != nil {
					t.Errorf("StartServer: %v", err)
					return
				}
				ids := 0
				c := newClient(w, net.NewHost(w, "c"), "kv", port, &ids)
				c.do(model.KVInput{Op: model.Get, Key: "x"})
				c.do(model.KVInput{Op: model.Put, Key: "x", Value: 7})
				c.do(model.KVInput{Op: model.Get, Key: "x"})
				c.do(model.KVInput{Op: model.Put, Key: "x", Value: 8})
				c.do(model.KVInput{Op: model.Get, Key: "x"})
				c.do(model.KVInput{Op: model.Get, Key: "y"})
				c.disconnect()
				srv.Stop()
			})
			want := []model.KVOutput{{}, {FoundUnknown: true}, {Found: true, Value: 7}, {FoundUnknown: true}, {Found: true, Value: 8}, {}}
			if len(r.History) != len(want) {
				t.Fatalf("history has %d operations, want %d", len(r.History), len(want))
			}
			for i, op := range r.History {
				if op.Open() || op.Output != want[i] || op.Client != 1 {
					t.Errorf("operation %d: %v by client %d -> %+v (open %v), want %+v by client 1", i, op.Input, op.Client, op.Output, op.Open(), want[i])
				}
			}
			for _, p := range r.Processes {
				if !p.Done {
					t.Errorf("process %s still alive at the end", p.Name)
				}
			}
		})
	}
}

// TestTableOutlivesTheStore: the application master owns the table, so a
// store killed and restarted serves what its predecessor wrote.
func TestTableOutlivesTheStore(t *testing.T) {
	r := runCalm(t, func(w *sim.World) {
		h := net.NewHost(w, "kv")
		srv, err := StartServer(w, h, port, WriteThrough)
		if err != nil {
			t.Errorf("StartServer: %v", err)
			return
		}
		info, err := srv.table.Info()
		if err != nil || info.Owner != srv.app.Master() {
			t.Errorf("table owner %v (err %v), want the application master %v", info.Owner, err, srv.app.Master())
		}
		ids := 0
		c := newClient(w, net.NewHost(w, "c"), "kv", port, &ids)
		c.do(model.KVInput{Op: model.Put, Key: "x", Value: 7})
		old := srv.store
		w.Kill(old)
		w.Sleep(time.Millisecond) // the supervisor restarts the store
		if srv.store == old || !srv.store.Alive() {
			t.Errorf("the store %v was not restarted (now %v)", old, srv.store)
		}
		c.do(model.KVInput{Op: model.Get, Key: "x"})
		c.disconnect()
		srv.Stop()
	})
	if len(r.History) != 2 {
		t.Fatalf("history has %d operations, want 2", len(r.History))
	}
	if got, want := r.History[1].Output, (model.KVOutput{Found: true, Value: 7}); got != want {
		t.Fatalf("get after the store's restart: %+v, want %+v", got, want)
	}
}
