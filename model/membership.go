package model

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// MembershipOp is what a membership operation does.
type MembershipOp uint8

const (
	// Join makes Ref the member of Key, in place of any other: a key has
	// one member at a time, so a second join replaces the first (a channel
	// topic, joined again on the same connection, closes the channel that
	// had it). Output.OK says whether the join took effect; a refused join
	// changes nothing.
	Join MembershipOp = iota + 1
	// Leave ends Ref's membership of Key if Ref is the member; a leave that
	// names an earlier member changes nothing. Its output is not checked:
	// a server may answer a stale leave or not answer it at all.
	Leave
	// Check asks whether Ref is the member of Key now: Output.OK says it
	// was accepted as the member (a push that a channel accepted, a write
	// under a lease).
	Check
)

var membershipOpNames = [...]string{Join: "join", Leave: "leave", Check: "check"}

func (o MembershipOp) String() string {
	if int(o) < len(membershipOpNames) && membershipOpNames[o] != "" {
		return membershipOpNames[o]
	}
	return fmt.Sprintf("MembershipOp(%d)", uint8(o))
}

// MembershipInput is a membership operation's input. Ref names one
// membership (a channel instance's join_ref, a lease's id); it is never 0,
// which stands for "no member".
type MembershipInput struct {
	Op  MembershipOp
	Key string
	Ref int
}

// MembershipOutput is a membership operation's output.
type MembershipOutput struct {
	OK bool
}

// Membership is a registry of one member per key, partitioned by key: a
// history is linearizable if and only if the operations on each key are.
// Inputs are MembershipInput and outputs MembershipOutput; an operation
// that never returned (no output) may take effect at any point after its
// call, or never.
//
// It is the specification of a multiplexed connection's channels: a topic
// is joined by one channel instance at a time, the newest join wins, a
// leave ends only the instance it names, and a push is accepted exactly
// when its instance is the topic's member.
var Membership = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string]int{} // looked up, never ranged over
		var parts [][]porcupine.Operation
		for _, op := range history {
			k := op.Input.(MembershipInput).Key
			i, ok := byKey[k]
			if !ok {
				i = len(parts)
				byKey[k] = i
				parts = append(parts, nil)
			}
			parts[i] = append(parts[i], op)
		}
		return parts
	},
	Init: func() any { return 0 },
	Step: func(state, input, output any) (bool, any) {
		member := state.(int)
		in := input.(MembershipInput)
		out, returned := output.(MembershipOutput)
		switch in.Op {
		case Join:
			if returned && !out.OK {
				return true, member
			}
			return true, in.Ref
		case Leave:
			if member == in.Ref {
				return true, 0
			}
			return true, member
		case Check:
			return !returned || out.OK == (member == in.Ref), member
		}
		return false, member
	},
	Equal: func(a, b any) bool { return a.(int) == b.(int) },
	DescribeOperation: func(input, output any) string {
		in := input.(MembershipInput)
		out, returned := output.(MembershipOutput)
		call := fmt.Sprintf("%s(%q, #%d)", in.Op, in.Key, in.Ref)
		switch {
		case !returned:
			return call + " -> (no answer)"
		case in.Op == Leave:
			return call
		case in.Op == Check && out.OK:
			return call + " -> accepted"
		case in.Op == Check:
			return call + " -> refused"
		case out.OK:
			return call + " -> ok"
		}
		return call + " -> refused"
	},
	DescribeState: func(state any) string {
		if state.(int) == 0 {
			return "(no member)"
		}
		return fmt.Sprintf("#%d", state.(int))
	},
}
