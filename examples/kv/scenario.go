package kv

import (
	"fmt"
	"strings"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/properties"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// The scenario's shape: a server listening on port, clients clients doing
// opsPerClient operations each on a few keys, then an audit that reads
// every key.
const (
	port         = 7000
	clients      = 3
	opsPerClient = 5
)

// keys are the keys clients use: few, so that their operations collide.
var keys = [...]string{"x", "y"}

// The fault plan's rates: per scheduling point of a killable process for
// kills, per packet for delays and drops (which TCP turns into delays).
const (
	killRate  = 1.0 / 64
	delayRate = 1.0 / 64
	dropRate  = 1.0 / 64
)

// checkTimeout bounds one run's linearizability check; a check that runs
// out fails the run as inconclusive, never passes it.
const checkTimeout = 10 * time.Second

// Scenario is one run: the server (variant v) on host "kv", three
// clients on hosts of their own doing puts and gets over TCP, the workload
// (which key, put or get) drawn from the run's decisions; then an audit
// client reads every key, so that a write lost at the end shows too; then
// the server stops. The clients record their operations in the history;
// judge it with Linearizable (Configure does).
func Scenario(v Variant) func(*sim.World) {
	return func(w *sim.World) {
		// A millisecond or two each way: connections overtake each other.
		net.SetDefaultLink(w, net.Link{Latency: time.Millisecond, Jitter: time.Millisecond})
		server := net.NewHost(w, "kv")
		srv, err := StartServer(w, server, port, v)
		if err != nil {
			w.Fatalf("%v", err)
		}
		ids := 0
		wg := sim.NewWaitGroup(w)
		for i := range clients {
			name := fmt.Sprintf("client%d", i+1)
			c := newClient(w, net.NewHost(w, name), server.Addr(), port, &ids)
			wg.Go(name, func() {
				defer c.disconnect()
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
		audit := newClient(w, net.NewHost(w, "audit"), server.Addr(), port, &ids)
		for _, key := range keys {
			audit.do(model.KVInput{Op: model.Get, Key: key})
		}
		audit.disconnect()
		srv.Stop()
	}
}

// Faults is the fault plan the scenario is judged under: kills of the
// server's workers (the store, the acceptor, the connection handlers), and
// delayed and dropped packets. The application master, which owns the
// table, and the supervisor are spared: losing the table's owner loses the
// table in any design (that is the registry incident's story, not this
// one's). Clients are spared too; they are the observers.
func Faults() sim.FaultPlan {
	return sim.FaultPlan{Killable: Killable}.
		With(sim.FaultKill, killRate).
		With(net.FaultDelay, delayRate).
		With(net.FaultDrop, dropRate)
}

// Killable says which processes a kill fault may end: the store, the
// acceptor and the connection handlers.
func Killable(p *sim.Proc) bool {
	n := p.Name()
	return n == storeName || n == acceptorName || strings.HasPrefix(n, handlerName)
}

// Linearizable is the property the scenario is checked with: the clients'
// history, linearizable against model.KV (properties.Linearizable). When a
// run that kept its trace (the replay of a finding) breaks it, the message
// also lists the run's faults, so that the report names the kill that lost
// the write.
func Linearizable() sim.Property {
	p := properties.Linearizable(properties.Linearizability{Model: model.KV, Timeout: checkTimeout})
	check := p.Check
	p.Check = func(r *sim.Result) error {
		err := check(r)
		if err == nil || len(r.Trace) == 0 {
			return err
		}
		return fmt.Errorf("%w; faults: %s", err, faultList(r))
	}
	return p
}

// maxListedFaults bounds the faults a failure's message lists.
const maxListedFaults = 8

// faultList describes the faults of a traced run, in order: what, where
// (the killed process), at which step.
func faultList(r *sim.Result) string {
	var out []string
	n := 0
	for _, e := range r.Trace {
		if e.Kind != sim.EventFault {
			continue
		}
		n++
		if n > maxListedFaults {
			continue
		}
		what := e.Detail
		if e.Proc >= 0 && e.Proc < len(r.Procs) {
			// A kill strikes the process that runs; a packet's fault is
			// only decided while some process runs.
			who := fmt.Sprintf("p%d %q", e.Proc, r.Procs[e.Proc])
			if what == sim.FaultKill.String() {
				what += " of " + who
			} else {
				what += " (" + who + " running)"
			}
		}
		out = append(out, fmt.Sprintf("%s at step %d", what, e.Step))
	}
	switch {
	case n == 0:
		return "none"
	case n > maxListedFaults:
		out = append(out, fmt.Sprintf("and %d more", n-maxListedFaults))
	}
	return strings.Join(out, ", ")
}

// Configure sets cfg up as the scenario is judged: under Faults, checked
// with Linearizable.
func Configure(cfg *sim.Config) {
	cfg.Faults = Faults()
	cfg.Properties = append(cfg.Properties, Linearizable())
}
