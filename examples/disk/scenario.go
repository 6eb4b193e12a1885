package disk

import (
	"fmt"
	"strings"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/sim"
)

// The scenario's shape: clients clients doing opsPerClient operations each
// on a few keys, then an audit that reads every key.
const (
	clients      = 3
	opsPerClient = 5
)

// keys are the keys clients use: few, so that their operations collide.
var keys = [...]string{"x", "y"}

// The fault plan's rates: per scheduling point of the node for kills, per
// write that was not durable at a crash for lost and torn writes.
const (
	killRate = 1.0 / 32
	lostRate = 1.0 / 4
	tornRate = 1.0 / 4
)

// Scenario is one run: the machine "wal/machine" boots the store's node on
// the disk "node1", and three clients (on processes of their own) do puts
// and gets through the node's mailbox, the workload (which key, put or get)
// drawn from the run's decisions; then an audit reads every key, so that a
// write lost at the end shows too; then the machine stops, and the node
// unmounts the disk cleanly. The clients record their operations in the
// history; judge it with Durable (Configure does).
func Scenario(v Variant) func(*sim.World) {
	if v != AckBeforeSync && v != SyncBeforeAck {
		panic(fmt.Sprintf("disk: Scenario: %v is not a variant", v))
	}
	return func(w *sim.World) {
		m := &machine{w: w, variant: v, disk: New(w, "node1", Options{})}
		mp, mref := w.SpawnMonitor(machineName, m.run)
		ids := 0
		wg := sim.NewWaitGroup(w)
		for i := range clients {
			c := newClient(w, m, &ids)
			wg.Go(fmt.Sprintf("client%d", i+1), func() {
				for k := range opsPerClient {
					key := keys[w.Intn(len(keys))]
					if w.Bool() {
						// Values are unique, so a read names the write it saw.
						c.do(model.KVInput{Op: model.Put, Key: key, Value: 100*(i+1) + k + 1})
					} else {
						c.do(model.KVInput{Op: model.Get, Key: key})
					}
				}
			})
		}
		wg.Wait()
		audit := newClient(w, m, &ids)
		wg.Go("audit", func() {
			for _, key := range keys {
				audit.do(model.KVInput{Op: model.Get, Key: key})
			}
		})
		wg.Wait()
		w.Send(mp, stopReq{})
		w.Receive(func(msg any) bool { d, ok := msg.(sim.Down); return ok && d.Ref == mref }, sim.Infinity)
	}
}

// Faults is the fault plan the scenario is judged under: kills of the node
// (the machine losing power, which crashes the disk), and lost and torn
// writes at those crashes.
func Faults() sim.FaultPlan {
	return sim.FaultPlan{Killable: Killable}.
		With(sim.FaultKill, killRate).
		With(FaultLostWrite, lostRate).
		With(FaultTornWrite, tornRate)
}

// Killable says which processes a kill fault may end: the node only. The
// machine that boots it stands for the hardware, and the clients are the
// observers.
func Killable(p *sim.Proc) bool { return p.Name() == nodeName }

// Configure sets cfg up as the scenario is judged: under Faults, checked
// with Durable.
func Configure(cfg *sim.Config) {
	cfg.Faults = Faults()
	cfg.Properties = append(cfg.Properties, Durable())
}

// Durable is the property the scenario is checked with: every read returns
// the latest acknowledged write to its key, or a write not known to be
// older. A GET of key k breaks it when it returns nothing, or the value of
// PUT p, while some PUT q of k was acknowledged before the GET began, and
// (for a value) q began after p was acknowledged. Any linearizable history
// passes it; it reads the history the clients recorded (values are unique,
// so a read names the write it saw). Its message tells the story: the
// read, the acknowledged write it missed, and what the run's crashes did to
// the writes that were not durable.
func Durable() sim.Property {
	return sim.Property{Name: "durable", Check: func(r *sim.Result) error {
		err := checkDurable(r)
		if err == nil {
			return nil
		}
		return fmt.Errorf("%s; %s", err, crashStory(Crashes(r)))
	}}
}

// checkDurable checks the history of r against Durable.
func checkDurable(r *sim.Result) error {
	who := func(op *sim.Operation) string {
		if op.Proc >= 0 && op.Proc < len(r.Procs) {
			return r.Procs[op.Proc]
		}
		return fmt.Sprintf("client %d", op.Client)
	}
	acked := func(op *sim.Operation) string {
		return fmt.Sprintf("PUT %s=%v by %s, acknowledged at %v (step %d)", op.Input.(model.KVInput).Key, op.Input.(model.KVInput).Value, who(op), op.ReturnTime, op.ReturnStep)
	}
	h := r.History
	for i := range h {
		g := &h[i]
		in := g.Input.(model.KVInput)
		if in.Op != model.Get || g.Open() {
			continue
		}
		out := g.Output.(model.KVOutput)
		read := fmt.Sprintf("%s's GET %s at %v (step %d)", who(g), in.Key, g.ReturnTime, g.ReturnStep)
		var wrote *sim.Operation // the put of the value read, if one was read
		for j := range h {
			p := &h[j]
			if pin := p.Input.(model.KVInput); out.Found && pin.Op == model.Put && pin.Key == in.Key && pin.Value == out.Value {
				wrote = p
			}
		}
		switch {
		case out.Found && wrote == nil:
			return fmt.Errorf("%s returned %v, a value no PUT of %s wrote", read, out.Value, in.Key)
		case out.Found && wrote.Call > g.Return:
			return fmt.Errorf("%s returned %v, written by a PUT that began after it", read, out.Value)
		}
		for j := range h {
			q := &h[j]
			qin := q.Input.(model.KVInput)
			if qin.Op != model.Put || qin.Key != in.Key || q.Open() || q.Return > g.Call || q == wrote {
				continue
			}
			// q was acknowledged before the GET began.
			if !out.Found {
				return fmt.Errorf("%s found nothing, but %s, before the GET began: an acknowledged write was lost", read, acked(q))
			}
			if wrote.Return < q.Call {
				return fmt.Errorf("%s returned %v, the value of %s; but %s, after that and before the GET began: an acknowledged write was lost",
					read, out.Value, acked(wrote), acked(q))
			}
		}
	}
	return nil
}

// maxCrashes bounds the crashes a story lists.
const maxCrashes = 4

// crashStory says what the run's crashes did to the writes that were not
// durable: the crashes that lost or tore a write, in order.
func crashStory(crashes []CrashReport) string {
	var out []string
	calm := 0
	for _, c := range crashes {
		harmed := false
		for _, u := range c.Writes {
			harmed = harmed || u.Fate != Kept
		}
		switch {
		case !harmed:
			calm++
		case len(out) < maxCrashes:
			out = append(out, c.String())
		}
	}
	switch {
	case len(crashes) == 0:
		return "the disk never crashed"
	case len(out) == 0:
		return fmt.Sprintf("the disk crashed %d times, and kept every write each time", len(crashes))
	}
	s := strings.Join(out, "; ")
	if calm > 0 {
		s += fmt.Sprintf(" (and %d crashes that kept every write)", calm)
	}
	return s
}
