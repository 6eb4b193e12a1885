// Package health is weft's reference system for a health broadcaster that
// blocks on slow clients and sends to closed notifiers: arke's Healthz
// service (github.com/sassoftware/arke, server/healthz.go), the incident
// "MonitorHealthChan can stall all health broadcasts and panic on a closed
// notifier" (arke issue 114), the fix proposed for it (PR 115), and a design
// that repairs what that fix leaves behind.
//
// # The system
//
// A gRPC-style health service, modelled line for line on weft's
// Go-semantics primitives (arke.go):
//
//   - healthNotifiers, a string-keyed map (client address to notifier)
//     behind a sync.RWMutex; each Get, Add, Delete and GetList is atomic on
//     its own, nothing holds across two of them (registry.go). Go lists a
//     map's keys in a random order, so GetList draws its order from the
//     world: one Random decision per listing.
//   - Check, the per-client stream handler: it registers a fresh,
//     unbuffered notifier through notifyHealth, then loops: receive a code
//     from the notifier, stream.Send it. When the client goes away a
//     deferred step deletes the address's entry and closes the notifier.
//   - notifyHealth: if the address already has a notifier, close it, delete
//     it, add the new one.
//   - MonitorHealthChan: for each code from the source channel, list the
//     addresses, Get each notifier and send the code to it, one after
//     another, with a plain blocking send.
//
// The clients and the network are modelled too (stream.go, clients.go). A
// stream's Send costs a millisecond of virtual time and completes when the
// client takes the message, so it blocks while the client is busy with the
// previous one; the transport's buffering is folded into that cost. Client
// c1 reads promptly and stays; each other client is drawn prompt, slow (50
// ms, 200 ms or 1 s per message) or stalling (stops reading for 500 ms or 2
// s), connects after a drawn delay, keeps each stream for a drawn span
// (from zero to "until GOAWAY"), and then disconnects, or reconnects from
// the same address, either after a gap or while the old stream is still
// winding down. The source broadcasts two to four codes at drawn intervals,
// then GOAWAY. Every choice is a decision of the world (World.Intn), never a
// fixed interleaving, so the explorer varies the workload and the schedule
// together, and the shrinker simplifies both.
//
// # Variants
//
//   - original: arke as it was.
//   - pr115: PR 115's fix, and nothing else: deliveries go through
//     sendHealthCode, which sends without blocking (a select with a
//     default: the code is dropped when the notifier is not ready) and
//     recovers from a send on a closed channel; the notifier has a buffer of
//     one. original and pr115 share all other code (arke.go), so they differ
//     exactly where the PR's diff does.
//   - owned: the design below (owned.go).
//
// # The owned design
//
// Each stream's handler owns its subscription: it creates it, is the only
// process that waits on it, and unregisters it on the way out. Nothing is
// ever closed, so no close can race a send: the subscription's wake channel
// holds at most one token, the monitor leaves a token with a non-blocking
// send (a full buffer already says "look"), and the channel is garbage when
// its handler is done. One mutex guards the registry and every
// subscription's state, and is never held across a blocking operation.
//
// The monitor does not hand codes over; it records each code as the
// server's current state and posts it as every subscription's latest
// state. The handler sends the latest state each time it changes, so a
// slow client coalesces intermediate states, and neither it nor anything
// else can delay the monitor or the other clients. GOAWAY is sticky: once
// it is the current state no later code replaces it, so a state can be
// coalesced into GOAWAY but GOAWAY is never coalesced away.
//
// Re-registration is safe because a registration carries its stream's
// number, and streams are numbered in the order they open (as HTTP/2
// numbers the streams of a connection): registering replaces the address's
// subscription only with a newer stream, marks the old one replaced (its
// handler returns), and a stale registration that arrives late simply
// returns. Unregistering removes the address's entry only if it is still
// the handler's own. A new subscription starts from the current state, so
// a stream that registers just after a broadcast, GOAWAY included, is not
// missed.
//
// # Properties
//
// Four properties judge every variant (properties.go): P1 no panic, P2 no
// head-of-line blocking (a code reaches every prompt reader within
// PromptBound), P3 GOAWAY delivery (every client connected when GOAWAY is
// broadcast reads it within GoawayPatience, unless it leaves first by
// itself), P4 re-registration (the new stream of an address that registered
// again keeps receiving, within PromptBound plus what the client's own
// reading costs; the old handler ends
// cleanly: no panic, no update nobody broadcast). Each is checked inside the
// run, at its deadline, and fails it with World.Fatalf and the story of the
// failure: which client was slow and how, which close raced which send, whose
// deferred Delete removed whose registration.
//
// Scenario(v, p) runs the same workload and the same observations whatever
// p is; p only says which violations fail the run. A panic of the server
// kills arke's process, and with it everything else: that is P1's finding.
// So when a run that does not judge P1 sees a panic, it stops judging, except
// that P4 counts a panic of a handler whose address registered again as its
// old handler not ending cleanly.
//
// # Verdicts
//
// go test ./systems/health -run TestVerdicts -v explores every pair under
// weft's default portfolio, the random walk and PCT of depth 3 (package
// systems/internal/verdict) and prints one VERDICT line each, with the
// strategy and seed that found a failure and the command that replays it.
// With -verdict.runs=33334 every PASS stands on 100,002 runs, a third under
// each strategy; go test runs 10,000 under each (3,334 with -short). Every
// FAIL is found by the portfolio, which explores first, and weft demo
// -strategy pct:3 finds each of them too. The simulation finds:
//
//	original  P1 FAIL  P2 FAIL  P3 FAIL  P4 FAIL
//	pr115     P1 FAIL  P2 pass  P3 FAIL  P4 FAIL
//	owned     P1 pass  P2 pass  P3 pass  P4 pass
//
// What each failure is, as the shrunk runs tell it:
//
//   - P1, both arke variants: a client reconnects from the same address while
//     its old stream winds down; notifyHealth closes the old notifier, and
//     the old handler's deferred cleanup closes it again ("close of closed
//     channel"). The incident's own panic, MonitorHealthChan's "send on
//     closed channel" when a notifier is closed between the Get and the send
//     (or while the monitor is blocked on it), shows in original too (the
//     first such seed is 37), but the double close comes first.
//   - P2, original: MonitorHealthChan blocks on the notifier of a slow or
//     stalled client whose handler is stuck in stream.Send; the prompt
//     client c1, later in the listing, waits, and so does the source.
//   - P3, pr115: GOAWAY arrives while a stalled client's handler is in Send
//     and the notifier's one slot is taken; sendHealthCode drops it, as PR
//     115's own comment foresaw. original: a reconnecting client's new
//     registration is deleted by the old handler's deferred Delete (same
//     key), or overwritten by the old handler's late notifyHealth, so GOAWAY
//     never reaches it.
//   - P4, both arke variants: the old handler keeps looping on its closed
//     notifier and sends OK #0 (the zero value) to its client, or panics in
//     its cleanup, or the two handlers' notifyHealth calls interleave between
//     Get and Add and the older one's Add overwrites the newer stream's
//     registration.
//
// The issue expected original to fail P1, P2 and P4, pr115 to pass P2 and
// fail P3 and P4, and owned to pass everything, and left two pairs open. The
// simulation settles them: original fails P3 too, through the
// re-registration defects above; and pr115 still fails P1, because its
// recover guards only the monitor's send, while notifyHealth and Check's
// deferred cleanup still both close the same notifier. pr115 passes P2
// because no send of the monitor blocks any more; it gets there by dropping
// codes, which P3 then catches.
//
// # Modelling notes
//
//   - Go picks among ready select cases at random, so case order means
//     nothing to Go; weft's calm choice (what shrinking tends toward) is the
//     first ready case. The handlers list the stream's context first, so that
//     a shrunk schedule ends a handler whose client is gone rather than spin
//     it on a closed notifier.
//   - Update numbers each broadcast, as instrumentation: a client can then
//     say which broadcast it has read, and OK #0 (the zero value, what a
//     closed notifier yields) is recognisably something nobody sent.
//   - The harness's observations (who closed a notifier, what the monitor is
//     sending, whose registration a Delete removed) are bookkeeping only: no
//     scheduling point, no decision, so they never change a run.
package health
