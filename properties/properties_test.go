package properties

// Each property is run on a world built to break it and on one that keeps
// it, and must tell the two apart with a message that names the culprit.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/sim"
)

func run(p sim.Property, allowLeaks bool, scenario func(w *sim.World)) *sim.Result {
	return sim.Run(sim.Config{Name: "props", Properties: []sim.Property{p}, AllowLeaks: allowLeaks, KeepTrace: true}, scenario)
}

func wantViolation(t *testing.T, r *sim.Result, name, text string) {
	t.Helper()
	if r.Failure == nil || r.Failure.Kind != sim.PropertyViolated {
		t.Fatalf("failure %v, want property %s violated", r.Failure, name)
	}
	if r.Failure.Property != name || !strings.Contains(r.Failure.Error(), text) {
		t.Fatalf("failure %q, want property %s saying %q", r.Failure.Error(), name, text)
	}
}

func TestNoCrash(t *testing.T) {
	crashing := func(w *sim.World) {
		p, _ := w.SpawnMonitor("worker", func() { panic("disk on fire") })
		w.Receive(nil, sim.Infinity)
		_ = p
	}
	wantViolation(t, run(NoCrash(), false, crashing), "no-crash", `p1 "worker" crashed: disk on fire`)
	if r := run(NoCrash(), false, func(w *sim.World) {
		w.SpawnMonitor("worker", func() {})
		w.Receive(nil, sim.Infinity)
	}); r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

func TestMailboxBound(t *testing.T) {
	flood := func(n int) func(w *sim.World) {
		return func(w *sim.World) {
			self := w.Self()
			for i := 0; i < n; i++ {
				w.Send(self, i)
			}
			for i := 0; i < n; i++ {
				w.Receive(nil, 0)
			}
		}
	}
	wantViolation(t, run(MailboxBound(3), false, flood(4)), "mailbox<=3", `p0 "main" had 4 messages waiting`)
	if r := run(MailboxBound(3), false, flood(3)); r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

func TestNoLeaks(t *testing.T) {
	leaky := func(w *sim.World) {
		ch := sim.NewChan[int](w, 0)
		w.Go("stuck", func() { ch.Send(1) })
		w.Sleep(time.Second)
	}
	wantViolation(t, run(NoLeaks(), true, leaky), "no-leaks", `"stuck" blocked in send`)
	if r := run(NoLeaks(), true, func(w *sim.World) {
		ch := sim.NewChan[int](w, 1)
		w.Go("done", func() { ch.Send(1) })
		w.Sleep(time.Second)
	}); r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

func TestLinearizable(t *testing.T) {
	// A register behind a cache that a second client reads without
	// invalidation: the stale read is caught.
	kv := func(stale bool) func(w *sim.World) {
		return func(w *sim.World) {
			cache := map[string]any{"k": "old"}
			put := w.Call(0, model.KVInput{Op: model.Put, Key: "k", Value: "new"})
			if !stale {
				cache["k"] = "new"
			}
			w.Return(put, model.KVOutput{FoundUnknown: true})
			w.Yield()
			get := w.Call(1, model.KVInput{Op: model.Get, Key: "k"})
			w.Return(get, model.KVOutput{Value: cache["k"], Found: true})
		}
	}
	// The history starts with the key absent, so seed it with a put.
	seeded := func(stale bool) func(w *sim.World) {
		return func(w *sim.World) {
			id := w.Call(0, model.KVInput{Op: model.Put, Key: "k", Value: "old"})
			w.Return(id, model.KVOutput{FoundUnknown: true})
			kv(stale)(w)
		}
	}
	kvCheck := Linearizability{Model: model.KV, Timeout: time.Second}
	r := run(Linearizable(kvCheck), false, seeded(true))
	// The story names the key's operations, who made them and when.
	wantViolation(t, r, "linearizable", `not linearizable (3 operations): the first partition that is not linearizable alone (3 operations): put("k", old) by p0 main at step `)
	wantViolation(t, r, "linearizable", `; get("k") -> old by p0 main at step `)
	msg := r.Failure.Value.(string)
	path := msg[strings.Index(msg, "; see ")+len("; see "):]
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("visualization not written: %v", err)
	}
	os.Remove(path)
	// Without a trace (a shrinking candidate), the violation is the same
	// but no file is written.
	untraced := sim.Run(sim.Config{Properties: []sim.Property{Linearizable(kvCheck)}}, seeded(true))
	if untraced.Failure == nil || strings.Contains(untraced.Failure.Error(), "see ") ||
		!strings.Contains(untraced.Failure.Error(), "; replay the run for porcupine's annotated visualization") {
		t.Fatalf("untraced run: %v", untraced.Failure)
	}
	if r := run(Linearizable(kvCheck), false, seeded(false)); r.Failure != nil {
		t.Fatal(r.Failure)
	}
	// The page goes to the run's ReportDir, as weft.Test sets it.
	reports := filepath.Join(t.TempDir(), "reports")
	r = sim.Run(sim.Config{KeepTrace: true, ReportDir: reports, Properties: []sim.Property{Linearizable(kvCheck)}}, seeded(true))
	msg = fmt.Sprint(r.Failure)
	path, ok := strings.CutPrefix(msg[strings.Index(msg, "; see ")+len("; see "):], reports+string(filepath.Separator))
	if !ok || !strings.HasPrefix(path, "weft-") || !strings.HasSuffix(strings.Fields(path)[0], ".html") {
		t.Fatalf("with ReportDir %s: %v", reports, r.Failure)
	}
}

// History picks and maps the operations to check; Name and Message name the
// property and what it judged. A model without Partition tells no story.
func TestLinearizableConfigured(t *testing.T) {
	// The scenario records a stale read on key "k" as strings; History
	// keeps only those and maps them to model.KV's inputs and outputs.
	type rec struct {
		op, val string
	}
	scenario := func(w *sim.World) {
		noise := w.Call(0, "ignored")
		w.Return(noise, nil)
		put := w.Call(0, rec{"put", "new"})
		w.Return(put, nil)
		get := w.Call(1, rec{"get", ""})
		w.Return(get, "old")
	}
	toKV := func(h []sim.Operation) []sim.Operation {
		var out []sim.Operation
		for _, op := range h {
			in, ok := op.Input.(rec)
			if !ok {
				continue
			}
			if in.op == "put" {
				op.Input, op.Output = model.KVInput{Op: model.Put, Key: "k", Value: in.val}, model.KVOutput{FoundUnknown: true}
			} else {
				op.Input, op.Output = model.KVInput{Op: model.Get, Key: "k"}, model.KVOutput{Value: op.Output, Found: true}
			}
			out = append(out, op)
		}
		return out
	}
	p := Linearizable(Linearizability{Name: "cache", Model: model.KV, History: toKV, Message: "the cache is not linearizable"})
	r := sim.Run(sim.Config{Properties: []sim.Property{p}}, scenario)
	wantViolation(t, r, "cache", `the cache is not linearizable (2 operations): the first partition that is not linearizable alone (2 operations): put("k", new) by p0 main at step `)

	whole := model.KV
	whole.Partition = nil
	r = sim.Run(sim.Config{Properties: []sim.Property{Linearizable(Linearizability{Model: whole, History: toKV})}}, scenario)
	wantViolation(t, r, "linearizable", "not linearizable (2 operations); replay the run")
}
