package acceptor

import (
	"fmt"
	"strings"
)

// Fix is a set of the review's fixes, one bit per review item.
type Fix uint16

// The review's items, in its order, each named by its fix.
const (
	// FixAccept (item 1): the accept loop retries an accept error with a
	// backoff instead of returning.
	FixAccept Fix = 1 << iota
	// FixPending (item 2): incomplete requests time out, each connection's
	// buffer has a maximum size, and so does the number of connections with
	// an incomplete request.
	FixPending
	// FixWebSocket (item 3): the upgrade's headers are validated before the
	// WebSocket process starts.
	FixWebSocket
	// FixLink (item 4): connection and WebSocket processes are linked to
	// the server, which traps exits and cleans up after them.
	FixLink
	// FixUpdate (item 5): `=>` instead of `:=` when a handler's first
	// answer is noreply.
	FixUpdate
	// FixUnmask (item 6): the unmask works on the binary in chunks, and
	// yields between them.
	FixUnmask
	// FixAtoms (item 7): query keys stay binaries (list_to_binary/1).
	FixAtoms
	// FixLimit (item 8): a maximum number of connections.
	FixLimit

	// AllFixes is every fix of the review: the reviewed server.
	AllFixes = FixAccept | FixPending | FixWebSocket | FixLink | FixUpdate | FixUnmask | FixAtoms | FixLimit
)

var fixNames = []struct {
	f    Fix
	name string
}{
	{FixAccept, "accept"}, {FixPending, "pending"}, {FixWebSocket, "ws"}, {FixLink, "link"},
	{FixUpdate, "update"}, {FixUnmask, "unmask"}, {FixAtoms, "atoms"}, {FixLimit, "limit"},
}

func (f Fix) String() string {
	var parts []string
	for _, fn := range fixNames {
		if f&fn.f != 0 {
			parts = append(parts, fn.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// Pattern is how the accept loop hands a connection to its handler: the
// listener patterns of the fast-packet-loss write-up.
type Pattern uint8

const (
	// Handoff: an active listener; the acceptor spawns the handler and hands
	// it the socket with controlling_process (the review's server does so).
	Handoff Pattern = iota
	// Idiomatic: an active listener; the acceptor spawns the handler and
	// passes it the socket, nothing more.
	Idiomatic
	// Shunt98: a passive listener; the handler starts in a shunt that tries
	// controlling_process on itself (which only the owner may call, so it
	// fails) and sets the real active mode (ScUtil version 98).
	Shunt98
	// Shunt: a passive listener; the acceptor hands the socket to the
	// handler, whose shunt then sets the real active mode (the patched
	// ScUtil).
	Shunt
	// AcceptPool: a pool of acceptors that each block in accept, handle the
	// connection they accepted themselves, and have a replacement started,
	// as in the write-up's first comment and Ranch's acceptor pool.
	AcceptPool
)

var patternNames = [...]string{Handoff: "handoff", Idiomatic: "idiomatic", Shunt98: "shunt98", Shunt: "shunt", AcceptPool: "acceptpool"}

func (p Pattern) String() string {
	if int(p) < len(patternNames) {
		return patternNames[p]
	}
	return fmt.Sprintf("Pattern(%d)", int(p))
}

// transfers reports whether the pattern makes the connection's handler the
// socket's owner (controlling process): the handoff and the shunt do it by
// controlling_process from the acceptor, the pool by accepting in the
// handler; the idiomatic listener and ScUtil 98's shunt never do.
func (p Pattern) transfers() bool { return p != Idiomatic && p != Shunt98 }

// Variant is a version of the server: the review's fixes it has, its
// listener pattern, and whether its accept loop ends when the listener
// closes.
type Variant struct {
	name  string
	about string
	fixes Fix
	pat   Pattern
	// spin: the accept loop treats {error, closed} as any other accept
	// error (ScUtil before Steve Vinoski's patch). Only with FixAccept: the
	// loop of the review's server ends on every error.
	spin bool
}

// String is the variant's name.
func (v Variant) String() string { return v.name }

// About says what the variant is, in a line.
func (v Variant) About() string { return v.about }

// Fixes is the set of the review's fixes the variant has.
func (v Variant) Fixes() Fix { return v.fixes }

// Pattern is the variant's listener pattern.
func (v Variant) Pattern() Pattern { return v.pat }

// Spins reports whether the variant's accept loop treats a closed listener
// as any other accept error.
func (v Variant) Spins() bool { return v.spin }

func (v Variant) has(f Fix) bool { return v.fixes&f == f }

// The variants, in the order of the verdict table: the review's server as
// it was, with each of its fixes alone, and with all of them; then the
// reviewed server with each listener pattern of the fast-packet-loss
// write-up, its closed-listener handling fixed and not.
var (
	Original    = Variant{name: "original", about: "the reviewed gen_tcp_server and httpd as they were", pat: Handoff}
	FixedAccept = Variant{name: "fix-accept", about: "original, with only item 1 fixed: the accept loop retries accept errors with a backoff", fixes: FixAccept, pat: Handoff}
	FixedPend   = Variant{name: "fix-pending", about: "original, with only item 2 fixed: timeouts and limits for incomplete requests", fixes: FixPending, pat: Handoff}
	FixedWS     = Variant{name: "fix-ws", about: "original, with only item 3 fixed: upgrade headers validated before the WebSocket process starts", fixes: FixWebSocket, pat: Handoff}
	FixedLink   = Variant{name: "fix-link", about: "original, with only item 4 fixed: connection and WebSocket processes linked to the server", fixes: FixLink, pat: Handoff}
	FixedUpdate = Variant{name: "fix-update", about: "original, with only item 5 fixed: => instead of := for a first noreply", fixes: FixUpdate, pat: Handoff}
	FixedUnmask = Variant{name: "fix-unmask", about: "original, with only item 6 fixed: the unmask works in chunks and yields", fixes: FixUnmask, pat: Handoff}
	FixedAtoms  = Variant{name: "fix-atoms", about: "original, with only item 7 fixed: query keys stay binaries", fixes: FixAtoms, pat: Handoff}
	FixedLimit  = Variant{name: "fix-limit", about: "original, with only item 8 fixed: a maximum number of connections", fixes: FixLimit, pat: Handoff}
	Reviewed    = Variant{name: "reviewed", about: "every fix of the review; the acceptor hands each socket over (controlling_process)", fixes: AllFixes, pat: Handoff}

	ReviewedIdiomatic  = Variant{name: "reviewed+idiomatic", about: "reviewed, with the idiomatic listener: the handler is passed the socket and never made its owner", fixes: AllFixes, pat: Idiomatic}
	ReviewedShunt98    = Variant{name: "reviewed+shunt98", about: "reviewed, with ScUtil 98's shunt: a passive listener, the handler sets the active mode but never gets control", fixes: AllFixes, pat: Shunt98}
	ReviewedShunt      = Variant{name: "reviewed+shunt", about: "reviewed, with the patched shunt: a passive listener, control handed over, then the handler sets the active mode", fixes: AllFixes, pat: Shunt}
	ReviewedAcceptPool = Variant{name: "reviewed+acceptpool", about: "reviewed, with a pool of acceptors that handle what they accept and have a replacement started", fixes: AllFixes, pat: AcceptPool}

	ReviewedSpin           = Variant{name: "reviewed-spin", about: "reviewed, its accept loop treating a closed listener as any other accept error", fixes: AllFixes, pat: Handoff, spin: true}
	ReviewedIdiomaticSpin  = Variant{name: "reviewed+idiomatic-spin", about: "reviewed+idiomatic, its accept loop treating a closed listener as any other accept error", fixes: AllFixes, pat: Idiomatic, spin: true}
	ReviewedShunt98Spin    = Variant{name: "reviewed+shunt98-spin", about: "reviewed+shunt98, its accept loop treating a closed listener as any other accept error (ScUtil 98 had both)", fixes: AllFixes, pat: Shunt98, spin: true}
	ReviewedShuntSpin      = Variant{name: "reviewed+shunt-spin", about: "reviewed+shunt, its accept loop treating a closed listener as any other accept error", fixes: AllFixes, pat: Shunt, spin: true}
	ReviewedAcceptPoolSpin = Variant{name: "reviewed+acceptpool-spin", about: "reviewed+acceptpool, its acceptors treating a closed listener as any other accept error", fixes: AllFixes, pat: AcceptPool, spin: true}
)

// Variants lists every variant, in the order of the verdict table.
func Variants() []Variant {
	return []Variant{
		Original, FixedAccept, FixedPend, FixedWS, FixedLink, FixedUpdate, FixedUnmask, FixedAtoms, FixedLimit, Reviewed,
		ReviewedIdiomatic, ReviewedShunt98, ReviewedShunt, ReviewedAcceptPool,
		ReviewedSpin, ReviewedIdiomaticSpin, ReviewedShunt98Spin, ReviewedShuntSpin, ReviewedAcceptPoolSpin,
	}
}
