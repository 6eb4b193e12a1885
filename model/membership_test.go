package model

// Each case is a small history of one key with a known verdict, as a
// channel transport's client would record it: join, leave and push
// (check) of channel instances, one operation per row.

import (
	"testing"

	"github.com/anishathalye/porcupine"
)

type mrow struct {
	in            MembershipInput
	out           any // MembershipOutput, or nil for an operation never answered
	call, return_ int64
}

func mhistory(rows ...mrow) []porcupine.Operation {
	var ops []porcupine.Operation
	for _, r := range rows {
		ops = append(ops, porcupine.Operation{Input: r.in, Output: r.out, Call: r.call, Return: r.return_})
	}
	return ops
}

var ok, refused = MembershipOutput{OK: true}, MembershipOutput{}

func TestMembership(t *testing.T) {
	join := func(ref int) MembershipInput { return MembershipInput{Op: Join, Key: "lv:1", Ref: ref} }
	leave := func(ref int) MembershipInput { return MembershipInput{Op: Leave, Key: "lv:1", Ref: ref} }
	check := func(ref int) MembershipInput { return MembershipInput{Op: Check, Key: "lv:1", Ref: ref} }
	for _, tc := range []struct {
		name string
		ops  []porcupine.Operation
		want bool
	}{
		{"join then push", mhistory(
			mrow{join(1), ok, 1, 2},
			mrow{check(1), ok, 3, 4},
		), true},
		{"navigation: leave and join sent together, then a push to the new instance", mhistory(
			mrow{join(1), ok, 1, 2},
			mrow{leave(1), ok, 3, 6},
			mrow{join(2), ok, 4, 5},
			mrow{check(2), ok, 7, 8},
		), true},
		{"a late leave of the old instance cannot end the new one", mhistory(
			mrow{join(1), ok, 1, 2},
			mrow{leave(1), nil, 3, never},
			mrow{join(2), ok, 4, 5},
			mrow{check(2), refused, 7, 8},
		), false},
		{"a second join replaces the first", mhistory(
			mrow{join(1), ok, 1, 2},
			mrow{join(2), ok, 3, 4},
			mrow{check(1), refused, 5, 6},
			mrow{check(2), ok, 7, 8},
		), true},
		{"the replaced instance's push cannot be accepted", mhistory(
			mrow{join(1), ok, 1, 2},
			mrow{join(2), ok, 3, 4},
			mrow{check(1), ok, 5, 6},
		), false},
		{"a push concurrent with the next join may land before it", mhistory(
			mrow{join(1), ok, 1, 2},
			mrow{check(1), ok, 3, 6},
			mrow{join(2), ok, 4, 5},
		), true},
		{"a refused join changes nothing", mhistory(
			mrow{join(1), ok, 1, 2},
			mrow{join(2), refused, 3, 4},
			mrow{check(1), ok, 5, 6},
		), true},
		{"an unanswered join may or may not have happened", mhistory(
			mrow{join(1), nil, 1, never},
			mrow{check(1), ok, 2, 3},
			mrow{join(2), nil, 4, never},
			mrow{check(1), ok, 5, 6},
		), true},
		{"after a leave, a push is refused", mhistory(
			mrow{join(1), ok, 1, 2},
			mrow{leave(1), ok, 3, 4},
			mrow{check(1), ok, 5, 6},
		), false},
		{"keys are independent", mhistory(
			mrow{join(1), ok, 1, 2},
			mrow{MembershipInput{Op: Join, Key: "room:1", Ref: 2}, ok, 3, 4},
			mrow{check(1), ok, 5, 6},
		), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := porcupine.CheckOperations(Membership, tc.ops); got != tc.want {
				t.Errorf("linearizable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMembershipDescriptions(t *testing.T) {
	for _, tc := range []struct {
		in   MembershipInput
		out  any
		want string
	}{
		{MembershipInput{Op: Join, Key: "lv:1", Ref: 3}, ok, `join("lv:1", #3) -> ok`},
		{MembershipInput{Op: Leave, Key: "lv:1", Ref: 3}, ok, `leave("lv:1", #3)`},
		{MembershipInput{Op: Check, Key: "lv:1", Ref: 3}, refused, `check("lv:1", #3) -> refused`},
		{MembershipInput{Op: Check, Key: "lv:1", Ref: 3}, nil, `check("lv:1", #3) -> (no answer)`},
	} {
		if got := Membership.DescribeOperation(tc.in, tc.out); got != tc.want {
			t.Errorf("describe = %q, want %q", got, tc.want)
		}
	}
	if got := Membership.DescribeState(0); got != "(no member)" {
		t.Errorf("describe state = %q", got)
	}
}
