package acceptor

import (
	"fmt"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
	"github.com/weftsim/weft/systems"
)

// System describes the acceptor to weft's tools (package systems).
func System() systems.System {
	s := systems.System{
		Name: "acceptor",
		Scenario: func(v string, props ...string) func(*sim.World) {
			return Scenario(variantNamed(v), propertiesNamed(props)...)
		},
		Configure: func(cfg *sim.Config, props ...string) { Configure(cfg) },
		Violated: func(f *sim.Failure) (string, bool) {
			p, ok := Violated(f)
			return p.String(), ok
		},
		Fails:      func(v, p string) bool { return ExpectFail(variantNamed(v), propertiesNamed([]string{p})[0]) },
		ShrinkRuns: ShrinkRuns,
		Shown:      shown,
	}
	for _, v := range Variants() {
		s.Variants = append(s.Variants, systems.Variant{Name: v.name, About: v.about})
	}
	for _, p := range Properties() {
		s.Properties = append(s.Properties, systems.Property{Name: p.String(), About: p.About(), Group: "faults"})
	}
	return s
}

// shown picks the story weft demo tells of the table's 152 pairs: the
// server as it was and both designs that pass everything, whole; each
// listener pattern's lost bytes and the spin of an unfixed closed-listener
// clause; and the single fixes whose own property they turn green.
func shown(variant, property string) bool {
	switch variant {
	case Original.name, ReviewedShunt.name, ReviewedAcceptPool.name:
		return true
	case ReviewedIdiomatic.name, ReviewedShunt98.name:
		return property == NoLostBytes.String()
	case ReviewedSpin.name:
		return property == NoSpin.String()
	case FixedAccept.name:
		return property == AcceptResumes.String()
	case FixedPend.name:
		return property == BoundedMemory.String()
	case FixedUpdate.name:
		return property == NoReplyFirst.String()
	case FixedUnmask.name:
		return property == NoStall.String()
	}
	return false
}

// ShrinkRuns bounds the replays spent shrinking one failure.
const ShrinkRuns = 500

// Fault rates of every run.
const (
	// KillRate: per scheduling point of a server worker process.
	KillRate = 1.0 / 512
	// EMFILERate: per accept with a connection pending.
	EMFILERate = 1.0 / 16
	// NetFaultRate: per packet, for drops and for delays.
	NetFaultRate = 1.0 / 128
)

// Configure sets the faults every run has: kills of the server's workers,
// emfile at accept, packet drops and delays.
func Configure(cfg *sim.Config) {
	cfg.Faults = sim.FaultPlan{Killable: Killable}.
		With(sim.FaultKill, KillRate).
		With(net.FaultEMFILE, EMFILERate).
		With(net.FaultDrop, NetFaultRate).
		With(net.FaultDelay, NetFaultRate)
}

// Killable says which processes a kill fault may end: the server's
// workers (gen_tcp_server, its accept loops, connection loops and WebSocket
// processes), never the application's master or supervisor, nor the
// harness and the clients.
func Killable(p *sim.Proc) bool {
	switch p.Name() {
	case "gen_tcp_server", "accept_loop", "acceptor", "loop", "ws_handler":
		return true
	}
	return false
}

// Violated returns the property a failed run violated: every property is
// judged inside the run, and its failure's message starts with its name.
func Violated(f *sim.Failure) (Property, bool) {
	return systems.Reported(f, Properties())
}

// ExpectFail is the verdict the simulation is expected to give (the
// package doc says where each expectation comes from): each review item
// fails the property its problem breaks until its fix; P4 needs items 3
// and 4 both fixed, P6 items 7 and 8, for each has two ways to fail; a
// listener pattern that never hands the socket over (idiomatic, shunt98)
// loses bytes in active modes (P1), keeps them in the acceptor's mailbox
// (P3), and leaves a socket open, uncounted, when a handler dies (P6); and
// an accept loop that treats closed as any other error spins (P7).
func ExpectFail(v Variant, p Property) bool {
	stray := !v.pat.transfers()
	switch p {
	case NoLostBytes:
		return stray
	case AcceptResumes:
		return !v.has(FixAccept)
	case BoundedMemory:
		return !v.has(FixPending) || stray
	case NoOrphans:
		return !v.has(FixWebSocket | FixLink)
	case NoReplyFirst:
		return !v.has(FixUpdate)
	case BoundedAtomsConns:
		return !v.has(FixAtoms|FixLimit) || stray
	case NoSpin:
		return v.spin
	case NoStall:
		return !v.has(FixUnmask)
	}
	panic(fmt.Sprintf("acceptor: unknown property %v", p))
}

func variantNamed(name string) Variant { return systems.Named("acceptor", Variants(), name)[0] }

func propertiesNamed(names []string) []Property {
	return systems.Named("acceptor", Properties(), names...)
}
