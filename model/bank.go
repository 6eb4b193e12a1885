package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// BankOp is what a bank operation does.
type BankOp uint8

const (
	// BankTransfer moves Input.Amount from Input.From to Input.To, all or
	// nothing: Output.OK says whether it did, and it must not when From
	// holds less than Amount (no overdraft).
	BankTransfer BankOp = iota + 1
	// BankBalance reads one account, Input.From: Output.Balance.
	BankBalance
	// BankAudit reads every account at once, as one snapshot:
	// Output.Balances. It is what catches a transfer seen half done.
	BankAudit
)

var bankOpNames = [...]string{BankTransfer: "transfer", BankBalance: "balance", BankAudit: "audit"}

func (o BankOp) String() string {
	if int(o) < len(bankOpNames) && bankOpNames[o] != "" {
		return bankOpNames[o]
	}
	return fmt.Sprintf("BankOp(%d)", uint8(o))
}

// BankInput is a bank operation's input.
type BankInput struct {
	Op       BankOp
	From, To string // From is the account a Balance reads
	Amount   int64
}

// BankOutput is a bank operation's output.
type BankOutput struct {
	OK       bool             // the transfer happened (Transfer)
	Balance  int64            // one account (Balance)
	Balances map[string]int64 // every account (Audit)
}

// bankState is the balances, in the order of the bank's sorted account
// names. Steps copy it: porcupine's states are values.
type bankState []int64

// Bank is a set of accounts that start with the given balances and that
// transfers move money between. Inputs are BankInput and outputs
// BankOutput; an operation that never returned (no output) may take effect
// at any point after its call, or never (a transfer that would overdraw
// never does). An operation on an account the bank does not have never
// linearizes.
func Bank(initial map[string]int64) porcupine.Model {
	names := make([]string, 0, len(initial))
	for name := range initial {
		names = append(names, name)
	}
	slices.Sort(names) // a fixed order: states and descriptions do not depend on map order
	index := func(name string) int {
		i, found := slices.BinarySearch(names, name)
		if !found {
			return -1
		}
		return i
	}
	return porcupine.Model{
		Init: func() any {
			s := make(bankState, len(names))
			for i, name := range names {
				s[i] = initial[name]
			}
			return s
		},
		Step: func(state, input, output any) (bool, any) {
			s := state.(bankState)
			in := input.(BankInput)
			out, returned := output.(BankOutput)
			switch in.Op {
			case BankTransfer:
				from, to := index(in.From), index(in.To)
				if from < 0 || to < 0 || in.Amount < 0 {
					return false, s
				}
				can := s[from] >= in.Amount
				if returned && out.OK != can {
					return false, s
				}
				if !can {
					return true, s
				}
				next := slices.Clone(s)
				next[from] -= in.Amount
				next[to] += in.Amount
				return true, next
			case BankBalance:
				i := index(in.From)
				return i >= 0 && (!returned || out.Balance == s[i]), s
			case BankAudit:
				if !returned {
					return true, s
				}
				if len(out.Balances) != len(names) {
					return false, s
				}
				for i, name := range names {
					if b, ok := out.Balances[name]; !ok || b != s[i] {
						return false, s
					}
				}
				return true, s
			}
			return false, s
		},
		Equal: func(a, b any) bool { return slices.Equal(a.(bankState), b.(bankState)) },
		DescribeOperation: func(input, output any) string {
			in := input.(BankInput)
			out, returned := output.(BankOutput)
			var call string
			switch in.Op {
			case BankTransfer:
				call = fmt.Sprintf("transfer(%d, %s -> %s)", in.Amount, in.From, in.To)
			case BankBalance:
				call = fmt.Sprintf("balance(%s)", in.From)
			default:
				call = "audit()"
			}
			switch {
			case !returned:
				return call + " -> (no answer)"
			case in.Op == BankTransfer && out.OK:
				return call + " -> done"
			case in.Op == BankTransfer:
				return call + " -> refused"
			case in.Op == BankBalance:
				return fmt.Sprintf("%s -> %d", call, out.Balance)
			}
			parts := make([]string, 0, len(names))
			for _, name := range names {
				if b, ok := out.Balances[name]; ok {
					parts = append(parts, fmt.Sprintf("%s=%d", name, b))
				}
			}
			return call + " -> " + strings.Join(parts, " ")
		},
		DescribeState: func(state any) string {
			s := state.(bankState)
			parts := make([]string, len(names))
			var total int64
			for i, name := range names {
				parts[i] = fmt.Sprintf("%s=%d", name, s[i])
				total += s[i]
			}
			return fmt.Sprintf("%s (total %d)", strings.Join(parts, " "), total)
		},
	}
}
