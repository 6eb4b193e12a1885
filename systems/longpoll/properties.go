package longpoll

import (
	"fmt"
	"strings"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/properties"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
)

// Property is one of the five properties every variant is judged by.
type Property int

// The properties, numbered as in the issue.
const (
	// NavigationSurvives (P1): after a live navigation (leave the page's
	// channel, join a new one on the same topic, in one tick), the new
	// channel stays joined until the page itself leaves it. Judged without
	// faults, the moment the page's channel closes or errors, and at the
	// end of the run.
	NavigationSurvives Property = 1 + iota
	// PushOrder (P2): each channel's pushes are applied by the server in
	// the order the page made them. Judged without faults, as each push is
	// applied.
	PushOrder
	// ExactlyOnce (P3): every push the page makes is applied exactly once,
	// whatever times out, fails or is retried. Judged under faults
	// (FaultStall, FaultDropResponse, FaultPartition, FaultRestart,
	// and sim/node's FaultNetsplit on the relay hop), at the end of the
	// run, once the page is idle.
	ExactlyOnce
	// LinearizableMembership (P4): what the page saw of its channels (each
	// join's answer, each push accepted or refused) is linearizable against
	// model.Membership (topic to current join_ref), partitioned by topic.
	// An end-of-run check: use Configure. Judged without faults.
	LinearizableMembership
	// OneRoundTrip (P5): a live navigation costs one trip, not two: the
	// server handles the new channel's join one request's transit after
	// the click, which is to say that the request carrying the join leaves
	// the browser at the click's virtual instant, without waiting for any
	// answer (the write-up's two trips: the join waiting for the leave's
	// answer). Judged without faults, as the join is handled.
	OneRoundTrip
)

var propertyNames = [...]string{
	NavigationSurvives:     "navigation-survives",
	PushOrder:              "push-order",
	ExactlyOnce:            "exactly-once",
	LinearizableMembership: "linearizable-membership",
	OneRoundTrip:           "one-round-trip",
}

// Properties lists the five properties in order.
func Properties() []Property {
	return []Property{NavigationSurvives, PushOrder, ExactlyOnce, LinearizableMembership, OneRoundTrip}
}

// String is the property's short name, "P1-navigation-survives".
func (p Property) String() string {
	if p < NavigationSurvives || p > OneRoundTrip {
		return fmt.Sprintf("Property(%d)", int(p))
	}
	return fmt.Sprintf("P%d-%s", int(p), propertyNames[p])
}

// About says in a line what the property demands.
func (p Property) About() string {
	switch p {
	case NavigationSurvives:
		return "after a live navigation (leave and join on the same topic) the new channel stays joined until the page leaves it"
	case PushOrder:
		return "each channel's pushes are applied by the server in the order the page made them"
	case ExactlyOnce:
		return "under request timeouts, lost answers, server restarts and relay failures, every push is applied exactly once"
	case LinearizableMembership:
		return "the page's joins, leaves and accepted pushes are linearizable against topic -> current join_ref"
	case OneRoundTrip:
		return "the server handles a navigation's join one request's transit after the click: the join waits for no answer"
	}
	return p.String()
}

// Faulty reports whether p is judged under faults (P3): Configure turns
// them on for it.
func (p Property) Faulty() bool { return p == ExactlyOnce }

// ExpectFail is the verdict the simulation is expected to give: true when
// variant v violates property p. Who set each is written beside it: the
// issue (from the write-up), or the simulation, for the pairs the issue
// left open or got wrong (see the package doc, "Verdicts").
func ExpectFail(v Variant, p Property) bool {
	switch v {
	case Original:
		switch p {
		case NavigationSurvives, PushOrder: // the issue
			return true
		case ExactlyOnce: // the simulation
			return true
		}
		// P4, the simulation: what the page saw stays linearizable, because
		// phoenix.js drops what names another instance and the stale
		// leave's phx_close reaches the page before any answer that would
		// contradict its join. P5, the simulation: two POSTs at once cost
		// one trip.
		return false
	case JoinRef:
		switch p {
		case NavigationSurvives: // the issue: the join_ref check repairs it
			return false
		case PushOrder: // the issue
			return true
		case ExactlyOnce: // the simulation
			return true
		}
		return false // P4, P5: the simulation
	case Batching, JoinRefBatching:
		switch p {
		case ExactlyOnce: // the simulation: the shipped design loses pushes, with faults and without
			return true
		case OneRoundTrip: // the simulation, against the issue: a navigation waits for the batch in flight
			return true
		}
		return false // P1, P2, P4: the issue
	}
	return false // sequenced passes everything: the issue asks it of the best design
}

// propSet is the set of properties a run judges.
type propSet = systems.PropSet[Property]

// setOf is the set of props, or every property when props is empty.
func setOf(props []Property) propSet { return systems.SetOf("longpoll", Properties(), props) }

// fail fails the run for p, if this run judges p. The story names pages,
// pushes, requests and processes, never steps or times of the schedule
// (the timeline has those), so that a failure keeps its signature while
// the shrinker simplifies its run.
func (r *run) fail(p Property, format string, args ...any) {
	if !r.props.Has(p) {
		return
	}
	r.w.Fatalf("%v: %s", p, fmt.Sprintf(format, args...))
}

// P1.

// channelLost: the page's channel ch closed or errored without the page
// leaving it.
func (r *run) channelLost(ch *channel, why string) {
	nav := ch.nav
	if nav == nil {
		return
	}
	r.fail(NavigationSurvives, "navigation %d broke: the page left %s and joined %s on %s in one tick, and %s then got %s from the server, though the page never left it: %s",
		nav.n, nav.from.name, ch.name, ch.topic, ch.name, why, r.navStory(nav))
}

// navStory tells what the server did with a navigation's leave and join.
func (r *run) navStory(nav *navigation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the leave (join_ref #%d) went in %s and the join (#%d) in %s", nav.leave.joinRef, nav.leaveReq(), nav.join.ref, nav.joinReq())
	l, j := nav.leaveSeen, nav.joinSeen
	switch {
	case l != nil && j != nil && j.order < l.order:
		fmt.Fprintf(&b, "; the session handled the join first (relayed by %s) and the leave after it (relayed by %s)", j.proc, l.proc)
		if r.v.leaveJoinRef() {
			b.WriteString("; the socket ignored the stale leave")
		}
	case l != nil && j != nil:
		fmt.Fprintf(&b, "; the session handled the leave (relayed by %s) before the join (relayed by %s)", l.proc, j.proc)
	case j != nil && l == nil:
		fmt.Fprintf(&b, "; the session handled the join (relayed by %s), and never the leave", j.proc)
	}
	if nav.dupClosed {
		fmt.Fprintf(&b, "; the join found %s still on the topic, closed it as a duplicate (phx_close for #%d, which %s dropped as outdated) and started %s",
			nav.from.name, nav.leave.joinRef, nav.to.name, nav.to.name)
	}
	if nav.leaveHit != "" {
		fmt.Fprintf(&b, "; the leave, which names #%d, reached %s, the topic's channel by then, which stopped as the page's own leave would stop it, so the server sent phx_close for #%d",
			nav.leave.joinRef, nav.leaveHit, nav.join.ref)
	}
	return b.String()
}

// judgeNavigations is P1 at the end of the run: every navigation's channel
// that the page did not leave is joined.
func (r *run) judgeNavigations() {
	for _, nav := range r.navs {
		ch := nav.to
		if ch.leftByPage || ch.state == chJoined {
			continue
		}
		r.fail(NavigationSurvives, "navigation %d never completed: %s, which the page joined in place of %s, is %s at the end of the run: %s",
			nav.n, ch.name, nav.from.name, ch.state, r.navStory(nav))
	}
}

// P2.

// checkOrder judges P2 as channel process c applies push p.
func (r *run) checkOrder(c *srvChannel, p *push) {
	for _, q := range p.ch.pushes[p.seqOnChannel:] {
		if r.appliedCount[q.id] == 0 {
			continue
		}
		r.fail(PushOrder, "%s's pushes were applied out of order: %s (its push %d) after %s (its push %d): %s went in %s and %s in %s, and the session handled %s first",
			p.ch.name, p.label(), p.seqOnChannel, q.label(), q.seqOnChannel, q.label(), r.postOf(q), p.label(), r.postOf(p), r.handledBy(q))
		return
	}
}

// postOf names the POST that carried p last, and how it went.
func (r *run) postOf(p *push) string {
	if p.post == nil {
		return "no POST"
	}
	return p.post.name
}

// handledBy says which request process relayed p to the session.
func (r *run) handledBy(p *push) string {
	if p.seen == nil {
		return p.label() + "'s POST"
	}
	return fmt.Sprintf("%s's POST (relayed by %s)", p.label(), p.seen.proc)
}

// P3.

// judgeExactlyOnce is P3, at the end of the run.
func (r *run) judgeExactlyOnce() {
	for _, p := range r.pushes {
		story := strings.Join(p.story, "; ")
		if x := p.post; x != nil && x.outcome != "" {
			fate := "ended: " + x.outcome
			if x.outcome == "aborted" {
				fate = "was aborted when the transport closed"
			}
			story += fmt.Sprintf("; %s, the last POST that carried it, %s", x.name, fate)
		}
		switch n := r.appliedCount[p.id]; {
		case n == 1:
		case n == 0:
			r.fail(ExactlyOnce, "%s, pushed on %s, was never applied (%s). Faults: %s", p.label(), p.ch.name, story, r.faultStory())
			return
		default:
			r.fail(ExactlyOnce, "%s, pushed on %s, was applied %d times (%s). Faults: %s", p.label(), p.ch.name, n, story, r.faultStory())
			return
		}
	}
}

func (r *run) faultStory() string {
	const most = 6
	switch n := len(r.faults); {
	case n == 0:
		return "none"
	case n > most:
		return strings.Join(r.faults[:most], "; ") + fmt.Sprintf("; and %d more", n-most)
	}
	return strings.Join(r.faults, "; ")
}

// P4.

// checkTimeout bounds one run's linearizability check; a check that runs
// out is a failure (inconclusive), never a pass.
const checkTimeout = 10 * time.Second

// Linearizable is P4 as an end-of-run check: the page's membership
// operations, which it records in the run's history (a join from its send
// to its answer; a push, a check, from its send to its answer, accepted or
// refused; a leave from its send, never answered to the page), must be
// linearizable against model.Membership.
func Linearizable() sim.Property {
	return properties.Linearizable(properties.Linearizability{
		Name:    LinearizableMembership.String(),
		Model:   model.Membership,
		Timeout: checkTimeout,
		History: func(history []sim.Operation) []sim.Operation {
			out := make([]sim.Operation, 0, len(history))
			for _, op := range history {
				if _, ok := op.Input.(model.MembershipInput); ok {
					out = append(out, op)
				}
			}
			return out
		},
		Message: "the page's view of its channels is not linearizable against topic -> current join_ref",
	})
}

// P5.

// checkRoundTrip judges P5 as the session handles nav's join. The
// navigation costs one trip when the POST that carries its join leaves the
// browser at the click's virtual instant (in its tick, or the next one, as
// PR 5283's setTimeout(0) sends it): the server then has the join one
// request's transit after the click, whatever that transit is. Any virtual
// time between the click and that POST is time the join waited in the
// browser for an answer to come back: a second trip.
func (r *run) checkRoundTrip(nav *navigation) {
	x := nav.join.post
	if x == nil {
		return // the join came without a POST: it cannot have, in a calm run
	}
	waited := x.startedAt - nav.clickAt
	if waited <= 0 {
		return
	}
	took := r.w.Elapsed() - nav.clickAt
	r.fail(OneRoundTrip, "navigation %d took more than one trip: the join of %s reached the server %v after the click, of which it waited %v in the browser for an answer before %s could carry it, and its own trip took %v: %s",
		nav.n, nav.to.name, took, waited, x.name, took-waited, strings.Join(nav.join.story, "; "))
}
