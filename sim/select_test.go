package sim_test

// Select. Method: (1) differential against reflect.Select, which runs the
// runtime's own selectgo: rapid draws a few channels in some state (nil,
// closed, empty, partly or wholly full) and a select over them; the set of
// outcomes real Go produces in 200 trials must equal the set the world
// produces when its Select decision is forced to each option in turn.
// (2) Processes: a blocked select wakes on exactly one case, withdraws the
// rest, and a stress scenario conserves every value over 500 seeds.

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// selectChoice is a strategy that takes option k (mod N) at every Select
// decision and the default everywhere else.
type selectChoice struct{ k int }

func (s selectChoice) Choose(p scheduler.Point) int {
	if p.Kind == scheduler.Select {
		return s.k % p.N
	}
	return 0
}

type chanSpec struct {
	isNil  bool
	cap    int
	fill   int
	closed bool
}

type caseSpec struct {
	ch   int
	send bool
	val  int
}

type selectSpec struct {
	chans []chanSpec
	cases []caseSpec
	dflt  int // index of the default among the cases, or -1
}

func (s selectSpec) String() string {
	var b strings.Builder
	for i, c := range s.chans {
		switch {
		case c.isNil:
			fmt.Fprintf(&b, "c%d=nil ", i)
		default:
			fmt.Fprintf(&b, "c%d=make(%d)+%d", i, c.cap, c.fill)
			if c.closed {
				b.WriteString("+closed")
			}
			b.WriteString(" ")
		}
	}
	b.WriteString("select{")
	for i := range s.nCases() {
		if i == s.dflt {
			b.WriteString(" default;")
			continue
		}
		cs := s.caseAt(i)
		if cs.send {
			fmt.Fprintf(&b, " c%d<-%d;", cs.ch, cs.val)
		} else {
			fmt.Fprintf(&b, " <-c%d;", cs.ch)
		}
	}
	return b.String() + " }"
}

func (s selectSpec) nCases() int {
	if s.dflt >= 0 {
		return len(s.cases) + 1
	}
	return len(s.cases)
}

// caseAt returns the channel case written at position i (not the default).
func (s selectSpec) caseAt(i int) caseSpec {
	if s.dflt >= 0 && i > s.dflt {
		return s.cases[i-1]
	}
	return s.cases[i]
}

func drawSelect(t *rapid.T) selectSpec {
	var s selectSpec
	n := rapid.IntRange(1, 3).Draw(t, "chans")
	for i := range n {
		var c chanSpec
		c.isNil = rapid.IntRange(0, 5).Draw(t, fmt.Sprintf("nil%d", i)) == 0
		if !c.isNil {
			c.cap = rapid.IntRange(0, 2).Draw(t, fmt.Sprintf("cap%d", i))
			c.fill = rapid.IntRange(0, c.cap).Draw(t, fmt.Sprintf("fill%d", i))
			c.closed = rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("closed%d", i)) == 0
		}
		s.chans = append(s.chans, c)
	}
	k := rapid.IntRange(0, 4).Draw(t, "cases")
	for i := range k {
		s.cases = append(s.cases, caseSpec{
			ch:   rapid.IntRange(0, n-1).Draw(t, fmt.Sprintf("ch%d", i)),
			send: rapid.Bool().Draw(t, fmt.Sprintf("send%d", i)),
			val:  100 + i,
		})
	}
	s.dflt = -1
	if k == 0 || rapid.Bool().Draw(t, "hasDefault") {
		s.dflt = rapid.IntRange(0, k).Draw(t, "defaultAt")
	}
	return s
}

// selectOutcome renders what a select did and the channels' contents after:
// the chosen case, the received value and ok, or the panic; then each
// channel's remaining values. "blocks" means no case could proceed.
func selectOutcome(chosen int, recv string, panicked any, rest []string) string {
	if panicked != nil {
		return fmt.Sprintf("panic %v", panicked)
	}
	return fmt.Sprintf("case %d%s | %s", chosen, recv, strings.Join(rest, " "))
}

// realSelect runs spec once on real channels with reflect.Select.
func realSelect(spec selectSpec, extraDefault bool) (out string) {
	chans := make([]reflect.Value, len(spec.chans))
	for i, c := range spec.chans {
		if c.isNil {
			chans[i] = reflect.Zero(reflect.TypeFor[chan int]())
			continue
		}
		ch := make(chan int, c.cap)
		for j := range c.fill {
			ch <- 10*i + j
		}
		if c.closed {
			close(ch)
		}
		chans[i] = reflect.ValueOf(ch)
	}
	var cases []reflect.SelectCase
	for i := range spec.nCases() {
		if i == spec.dflt {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectDefault})
			continue
		}
		cs := spec.caseAt(i)
		if cs.send {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectSend, Chan: chans[cs.ch], Send: reflect.ValueOf(cs.val)})
		} else {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: chans[cs.ch]})
		}
	}
	if extraDefault {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectDefault})
	}
	defer func() {
		if r := recover(); r != nil {
			out = selectOutcome(0, "", r, nil)
		}
	}()
	chosen, v, ok := reflect.Select(cases)
	if extraDefault && chosen == len(cases)-1 {
		return "blocks"
	}
	recv := ""
	if chosen != spec.dflt && !spec.caseAt(chosen).send {
		recv = fmt.Sprintf(" got %d %v", v.Interface(), ok)
	}
	return selectOutcome(chosen, recv, nil, drainReal(chans))
}

func drainReal(chans []reflect.Value) []string {
	var rest []string
	for i, ch := range chans {
		if ch.IsNil() {
			rest = append(rest, fmt.Sprintf("c%d:nil", i))
			continue
		}
		var vals []int
		for ch.Len() > 0 {
			v, _ := ch.Recv()
			vals = append(vals, int(v.Int()))
		}
		rest = append(rest, fmt.Sprintf("c%d:%v", i, vals))
	}
	return rest
}

// simSelect runs spec once in a world whose Select decision takes option k.
func simSelect(spec selectSpec, k int) string {
	var out string
	r := sim.Run(sim.Config{Strategy: selectChoice{k}}, func(w *sim.World) {
		chans := make([]*sim.Chan[int], len(spec.chans))
		for i, c := range spec.chans {
			if c.isNil {
				continue
			}
			chans[i] = sim.NewChan[int](w, c.cap)
			for j := range c.fill {
				chans[i].Send(10*i + j)
			}
			if c.closed {
				chans[i].Close()
			}
		}
		var cases []sim.Case
		var got int
		var gotOK bool
		for i := range spec.nCases() {
			if i == spec.dflt {
				cases = append(cases, sim.DefaultCase())
				continue
			}
			cs := spec.caseAt(i)
			if cs.send {
				cases = append(cases, chans[cs.ch].SendCase(cs.val))
			} else {
				cases = append(cases, chans[cs.ch].RecvCase(&got, &gotOK))
			}
		}
		chosen := w.Select(cases...)
		recv := ""
		if chosen != spec.dflt && !spec.caseAt(chosen).send {
			recv = fmt.Sprintf(" got %d %v", got, gotOK)
		}
		var rest []string
		for i, ch := range chans {
			if ch == nil {
				rest = append(rest, fmt.Sprintf("c%d:nil", i))
				continue
			}
			var vals []int
			for ch.Len() > 0 {
				vals = append(vals, ch.Recv())
			}
			rest = append(rest, fmt.Sprintf("c%d:%v", i, vals))
		}
		out = selectOutcome(chosen, recv, nil, rest)
	})
	switch f := r.Failure; {
	case f == nil:
		return out
	case f.Kind == sim.Panic:
		if !isRuntimeError(f.Value) {
			return fmt.Sprintf("panic %v (not a runtime.Error)", f.Value)
		}
		return selectOutcome(0, "", f.Value, nil)
	case f.Kind == sim.Deadlock && len(f.Blocked) == 1 && f.Blocked[0].In == "select":
		return "blocks"
	default:
		return "failure: " + f.Error()
	}
}

func outcomeSet(outs []string) []string {
	slices.Sort(outs)
	return slices.Compact(outs)
}

func TestSelectDifferential(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := drawSelect(t)
		var want []string
		if spec.dflt < 0 && realSelect(spec, true) == "blocks" {
			want = []string{"blocks"}
		} else {
			for range 200 {
				want = append(want, realSelect(spec, false))
			}
		}
		want = outcomeSet(want)
		var got []string
		for k := range max(spec.nCases(), 1) {
			got = append(got, simSelect(spec, k))
		}
		got = outcomeSet(got)
		if !slices.Equal(got, want) {
			t.Fatalf("%v\nsim outcomes:\n\t%s\nreal outcomes:\n\t%s", spec, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
		}
	})
}

// With several cases ready, every one is taken under some seed, option 0 is
// the first ready case in written order, and a run's decisions replay to the
// same choice.
func TestSelectExploresReadyCases(t *testing.T) {
	scenario := func(chosen *int) func(w *sim.World) {
		return func(w *sim.World) {
			a, b, c, d := sim.NewChan[int](w, 1), sim.NewChan[int](w, 0), sim.NewChan[int](w, 0), sim.NewChan[int](w, 1)
			a.Send(1) // a: a value to receive
			w.Go("sender", func() { c.Send(3) })
			w.Yield() // the sender blocks on c
			// case 0 not ready (b has no sender), 1, 2 and 3 ready.
			*chosen = w.Select(b.RecvCase(nil, nil), a.RecvCase(nil, nil), c.RecvCase(nil, nil), d.SendCase(4), sim.DefaultCase())
			if *chosen != 2 {
				c.Recv()
			}
		}
	}
	var calm int
	if r := sim.Run(sim.Config{Strategy: scheduler.Replay(nil)}, scenario(&calm)); r.Failure != nil || calm != 1 {
		t.Fatalf("calm schedule chose %d (failure %v), want the first ready case 1", calm, r.Failure)
	}
	seen := map[int]int{}
	for seed := range uint64(200) {
		var chosen int
		r := sim.Run(sim.Config{Seed: seed}, scenario(&chosen))
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		seen[chosen]++
		var again int
		r2 := sim.Run(sim.Config{Strategy: scheduler.Replay(r.Decisions)}, scenario(&again))
		if again != chosen || r2.Hash != r.Hash {
			t.Fatalf("seed %d: replay chose %d (hash %x), recorded %d (hash %x)", seed, again, r2.Hash, chosen, r.Hash)
		}
	}
	if len(seen) != 3 || seen[1] == 0 || seen[2] == 0 || seen[3] == 0 {
		t.Fatalf("cases chosen over 200 seeds: %v, want each of 1, 2 and 3 and nothing else", seen)
	}
}

// The default runs only when nothing is ready, whatever the seed.
func TestSelectDefaultOnlyWhenNothingReady(t *testing.T) {
	for seed := range uint64(100) {
		r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
			a, b := sim.NewChan[int](w, 1), sim.NewChan[int](w, 0)
			if i := w.Select(a.RecvCase(nil, nil), b.RecvCase(nil, nil), sim.DefaultCase()); i != 2 {
				w.Fatalf("nothing ready, took case %d", i)
			}
			a.Send(1)
			if i := w.Select(sim.DefaultCase(), b.RecvCase(nil, nil), a.RecvCase(nil, nil)); i != 2 {
				w.Fatalf("a ready, took case %d", i)
			}
			if i := w.Select(b.SendCase(1), sim.DefaultCase()); i != 1 {
				w.Fatalf("unbuffered send with no receiver, took case %d", i)
			}
			if i := w.Select(a.SendCase(1), sim.DefaultCase()); i != 0 {
				w.Fatalf("buffered send with room, took case %d", i)
			}
			if i := w.Select(a.SendCase(2), sim.DefaultCase()); i != 1 {
				w.Fatalf("buffered send, buffer full, took case %d", i)
			}
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
	}
}

// A select blocked on several channels is completed by exactly one of them;
// its waiters on the others are withdrawn, so a later sender on those finds
// no receiver, and no value is lost or delivered twice.
func TestSelectWakesOnExactlyOne(t *testing.T) {
	bothOrders := map[int]bool{}
	for seed := range uint64(200) {
		r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
			a, b := sim.NewChan[int](w, 0), sim.NewChan[int](w, 0)
			var v int
			w.Go("sendA", func() { a.Send(1) })
			w.Go("sendB", func() { b.Send(2) })
			first := w.Select(a.RecvCase(&v, nil), b.RecvCase(&v, nil))
			if v != first+1 {
				w.Fatalf("case %d delivered %d", first, v)
			}
			bothOrders[first] = true
			w.Sleep(time.Second) // every sender has run and, but one, blocked
			second := w.Select(a.RecvCase(&v, nil), b.RecvCase(&v, nil), sim.DefaultCase())
			if second != 1-first || v != second+1 {
				w.Fatalf("second select took %d (%d) after first %d", second, v, first)
			}
			if third := w.Select(a.RecvCase(&v, nil), b.RecvCase(&v, nil), sim.DefaultCase()); third != 2 {
				w.Fatalf("third select took %d: a value was delivered twice", third)
			}
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
	}
	if !bothOrders[0] || !bothOrders[1] {
		t.Fatalf("first select took only %v over 200 seeds", bothOrders)
	}
}

// A select blocked with a send case and a receive case is completed by the
// receiver only: the value offered on the other channel is not sent.
func TestSelectWithdrawsSendCase(t *testing.T) {
	for seed := range uint64(100) {
		r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
			in, out := sim.NewChan[int](w, 0), sim.NewChan[int](w, 0)
			w.Go("feeder", func() {
				w.Sleep(time.Second)
				in.Send(7)
			})
			var got int
			if i := w.Select(out.SendCase(5), in.RecvCase(&got, nil)); i != 1 || got != 7 {
				w.Fatalf("select took %d with %d", i, got)
			}
			// out has no receiver, and its withdrawn offer must not pair
			// with a receiver that comes later.
			if i := w.Select(out.RecvCase(nil, nil), sim.DefaultCase()); i != 1 {
				w.Fatalf("withdrawn send of 5 was still offered")
			}
			w.Go("late receiver", func() { out.Recv() })
			w.Sleep(time.Second)
			out.Send(6) // pairs with the late receiver, not with the old select
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
	}
}

// A send case blocked on a channel that another process closes panics, as
// in Go; a receive case gets the zero value and false.
func TestSelectCloseWhileBlocked(t *testing.T) {
	for seed := range uint64(50) {
		r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
			c, never := sim.NewChan[int](w, 0), sim.NewChan[int](w, 0)
			w.Go("closer", func() {
				w.Sleep(time.Second)
				c.Close()
			})
			v, ok := -1, true
			if i := w.Select(never.RecvCase(nil, nil), c.RecvCase(&v, &ok)); i != 1 || v != 0 || ok {
				w.Fatalf("got case %d %d %v, want case 1 0 false", i, v, ok)
			}
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: receive case: %v", seed, r.Failure)
		}
		r = sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
			c, never := sim.NewChan[int](w, 0), sim.NewChan[int](w, 0)
			w.Go("closer", func() {
				w.Sleep(time.Second)
				c.Close()
			})
			w.Select(never.RecvCase(nil, nil), c.SendCase(1))
			w.Fatalf("select returned")
		})
		f := r.Failure
		if f == nil || f.Kind != sim.Panic || f.ProcName != "main" || fmt.Sprint(f.Value) != "send on closed channel" || !isRuntimeError(f.Value) {
			t.Fatalf("seed %d: send case: failure %v, want main to panic with send on closed channel", seed, f)
		}
	}
	// A select in real Go panics with the same value (runtime/select.go,
	// sclose), whether the channel was closed before or while it waited.
	v := recoverReal(func() {
		c := make(chan int)
		close(c)
		select {
		case c <- 1:
		case <-make(chan int):
		}
	})
	if fmt.Sprint(v) != "send on closed channel" || !isRuntimeError(v) {
		t.Fatalf("real Go panicked with %v", v)
	}
}

// Cases on nil channels never proceed: with a default the default runs, and
// without one the select blocks forever, which the world reports as a
// deadlock naming the process and its select.
func TestSelectNilChannels(t *testing.T) {
	var nilc *sim.Chan[int]
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		if i := w.Select(nilc.RecvCase(nil, nil), nilc.SendCase(1), sim.DefaultCase()); i != 2 {
			w.Fatalf("took case %d, want the default", i)
		}
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	for name, cases := range map[string][]sim.Case{
		"nil channels": {nilc.RecvCase(nil, nil), nilc.SendCase(1)},
		"no cases":     nil,
	} {
		r = sim.Run(sim.Config{}, func(w *sim.World) {
			w.Go("selector", func() { w.Select(cases...) })
			w.Select(cases...)
		})
		f := r.Failure
		if f == nil || f.Kind != sim.Deadlock || len(f.Blocked) != 2 {
			t.Fatalf("%s: failure %v, want a deadlock of two processes", name, f)
		}
		for i, want := range []string{"main", "selector"} {
			b := f.Blocked[i]
			if b.Proc != i || b.Name != want || b.In != "select" || len(b.On) != 0 || !b.Proven {
				t.Fatalf("%s: blocked[%d] = %+v", name, i, b)
			}
		}
	}
}

// A Select with two defaults is a misuse, reported as a panic that says so.
func TestSelectTwoDefaults(t *testing.T) {
	r := sim.Run(sim.Config{}, func(w *sim.World) { w.Select(sim.DefaultCase(), sim.DefaultCase()) })
	if f := r.Failure; f == nil || f.Kind != sim.Panic || fmt.Sprint(f.Value) != "sim: Select with more than one DefaultCase" {
		t.Fatalf("failure %v", f)
	}
}

// A ready unbuffered case needs a blocked partner: a select with a blocked
// sender on one channel and a blocked receiver on another takes either.
func TestSelectPairsWithBlockedPartners(t *testing.T) {
	seen := map[int]bool{}
	for seed := range uint64(100) {
		r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
			in, out := sim.NewChan[int](w, 0), sim.NewChan[int](w, 0)
			var got []int
			w.Go("sender", func() { in.Send(1) })
			w.Go("receiver", func() { got = append(got, out.Recv()) })
			w.Sleep(time.Second) // both partners are blocked now
			var v int
			i := w.Select(in.RecvCase(&v, nil), out.SendCase(2))
			seen[i] = true
			if i == 0 {
				out.Send(2)
			} else {
				v = in.Recv()
			}
			w.Sleep(time.Second)
			if v != 1 || !slices.Equal(got, []int{2}) {
				w.Fatalf("case %d: received %d, receiver got %v", i, v, got)
			}
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
	}
	if !seen[0] || !seen[1] {
		t.Fatalf("cases taken %v, want both", seen)
	}
}

// selectStress runs producers that offer each value on three channels at
// once, consumers that take from all three, and a relay whose select both
// receives and sends (its send case on a nil channel while it holds
// nothing). Every value must come out exactly once.
func selectStress(w *sim.World, out *[]int) {
	const producers, perProducer = 3, 8
	a, b, c := sim.NewChan[int](w, 0), sim.NewChan[int](w, 1), sim.NewChan[int](w, 2)
	relayOut := sim.NewChan[int](w, 0)
	done := sim.NewChan[int](w, producers+2)
	for p := range producers {
		w.Go(fmt.Sprintf("producer%d", p), func() {
			for i := range perProducer {
				v := p*100 + i
				w.Select(a.SendCase(v), b.SendCase(v), c.SendCase(v))
				if w.Intn(3) == 0 {
					w.Yield()
				}
			}
			done.Send(-1)
		})
	}
	// The relay takes from a and b and passes on to relayOut, holding any
	// number of values in between.
	w.Go("relay", func() {
		var pending []int
		ain, bin := a, b
		for ain != nil || bin != nil || len(pending) > 0 {
			var send *sim.Chan[int]
			head := 0
			if len(pending) > 0 {
				send, head = relayOut, pending[0]
			}
			var v int
			var ok bool
			switch w.Select(ain.RecvCase(&v, &ok), bin.RecvCase(&v, &ok), send.SendCase(head)) {
			case 0:
				if !ok {
					ain = nil
					continue
				}
				pending = append(pending, v)
			case 1:
				if !ok {
					bin = nil
					continue
				}
				pending = append(pending, v)
			case 2:
				pending = pending[1:]
			}
		}
		relayOut.Close()
	})
	for k := range 2 {
		w.Go(fmt.Sprintf("consumer%d", k), func() {
			rin, cin := relayOut, c
			for rin != nil || cin != nil {
				var v int
				var ok bool
				i := w.Select(rin.RecvCase(&v, &ok), cin.RecvCase(&v, &ok))
				switch {
				case !ok && i == 0:
					rin = nil
				case !ok && i == 1:
					cin = nil
				default:
					*out = append(*out, v)
				}
			}
			done.Send(-2)
		})
	}
	for range producers {
		done.Recv()
	}
	a.Close()
	b.Close()
	c.Close()
	for range 2 {
		done.Recv()
	}
}

func TestSelectStressConservesValues(t *testing.T) {
	var want []int
	for p := range 3 {
		for i := range 8 {
			want = append(want, p*100+i)
		}
	}
	hashes := map[uint64]bool{}
	for seed := range uint64(500) {
		var got []int
		r := sim.Run(sim.Config{Seed: seed}, func(w *sim.World) { selectStress(w, &got) })
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		sort.Ints(got)
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: values out %v\nwant %v", seed, got, want)
		}
		hashes[r.Hash] = true
	}
	if len(hashes) < 400 {
		t.Fatalf("only %d distinct runs in 500 seeds", len(hashes))
	}
}
