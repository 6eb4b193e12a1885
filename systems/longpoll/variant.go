package longpoll

import "fmt"

// Variant names a version of the transport.
type Variant string

// The variants: Phoenix as it was, each of its two fixes alone, the two
// together (what Phoenix shipped in February 2023), and the sequenced
// design (see the package doc).
const (
	Original        Variant = "original"
	JoinRef         Variant = "joinref"
	Batching        Variant = "batching"
	JoinRefBatching Variant = "joinref+batching"
	Sequenced       Variant = "sequenced"
)

// String is the variant's name.
func (v Variant) String() string { return string(v) }

// Variants lists every variant, in the order of the verdict table.
func Variants() []Variant { return []Variant{Original, JoinRef, Batching, JoinRefBatching, Sequenced} }

func (v Variant) valid() bool {
	switch v {
	case Original, JoinRef, Batching, JoinRefBatching, Sequenced:
		return true
	}
	return false
}

func (v Variant) mustValid() {
	if !v.valid() {
		panic(fmt.Sprintf("longpoll: unknown variant %q (have %v)", v, Variants()))
	}
}

// What each variant's code does differently, each the diff of one change:
//
//   - leaveJoinRef: the socket ignores a phx_leave whose join_ref is not
//     the current channel's (Phoenix PR 5281).
//   - batching: the client queues the pushes of one tick into one ndjson
//     POST, with one batch in flight, later pushes buffered until its ack;
//     the server dispatches a batch's messages in order (Phoenix PR 5283).
//   - sequenced: the sequenced design, which has its own client transport,
//     session and checks (sequenced.go).
func (v Variant) leaveJoinRef() bool { return v == JoinRef || v == JoinRefBatching || v == Sequenced }
func (v Variant) batching() bool     { return v == Batching || v == JoinRefBatching }
func (v Variant) sequenced() bool    { return v == Sequenced }
