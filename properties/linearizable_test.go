package properties

// Tests of the porcupine helper. Method: a single-register model, histories
// whose verdict is known by hand (linearizable, not, open operations), then
// histories recorded by real runs of a correct register and of one that
// reads a lagging replica; the helper's failure messages are checked through
// a testing.TB that records instead of stopping.

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/weftsim/weft/sim"
)

type regOp struct {
	write bool
	v     int
}

// registerModel is a single integer register, initially 0. A read with a nil
// output (an open read) matches any state.
var registerModel = porcupine.Model{
	Init: func() any { return 0 },
	Step: func(state, input, output any) (bool, any) {
		in := input.(regOp)
		if in.write {
			return true, in.v
		}
		if output == nil {
			return true, state
		}
		return output.(int) == state.(int), state
	},
	DescribeOperation: func(input, output any) string {
		if in := input.(regOp); in.write {
			return fmt.Sprintf("write(%d)", in.v)
		}
		return fmt.Sprintf("read() -> %v", output)
	},
}

func TestCheckLinearizableByHand(t *testing.T) {
	w1 := func(call, ret int64) sim.Operation {
		return sim.Operation{Client: 0, Input: regOp{write: true, v: 1}, Call: call, Return: ret}
	}
	read := func(call, ret int64, v any) sim.Operation {
		return sim.Operation{Client: 1, Input: regOp{}, Output: v, Call: call, Return: ret}
	}
	open := int64(math.MaxInt64)
	for _, tc := range []struct {
		name    string
		history []sim.Operation
		want    porcupine.CheckResult
	}{
		{"read during write sees it", []sim.Operation{w1(1, 4), read(2, 3, 1), read(5, 6, 1)}, porcupine.Ok},
		{"read during write misses it", []sim.Operation{w1(1, 4), read(2, 3, 0), read(5, 6, 1)}, porcupine.Ok},
		{"stale read after write", []sim.Operation{w1(1, 2), read(3, 4, 0)}, porcupine.Illegal},
		{"open write may have happened", []sim.Operation{w1(1, open), read(3, 4, 1)}, porcupine.Ok},
		{"open write may not have happened", []sim.Operation{w1(1, open), read(3, 4, 0)}, porcupine.Ok},
		{"open write cannot undo itself", []sim.Operation{w1(1, open), read(3, 4, 1), read(5, 6, 0)}, porcupine.Illegal},
		{"empty", nil, porcupine.Ok},
	} {
		if got, _ := CheckLinearizable(registerModel, tc.history, 0); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// registerScenario runs a writer and a reader against a register; with lagging, the
// reader reads a replica that a replicator process updates after the write
// has returned, which is not linearizable.
func registerScenario(lagging bool) func(*sim.World) {
	return func(w *sim.World) {
		primary, replica := 0, 0
		repl := sim.NewChan[int](w, 4)
		done := sim.NewChan[int](w, 2)
		w.Go("replicator", func() {
			for v := range repl.Range() {
				replica = v
			}
		})
		w.Go("writer", func() {
			id := w.Call(0, regOp{write: true, v: 1})
			primary = 1
			repl.Send(1)
			w.Return(id, nil)
			done.Send(0)
		})
		w.Go("reader", func() {
			w.Yield()
			id := w.Call(1, regOp{})
			v := primary
			if lagging {
				v = replica
			}
			w.Yield()
			w.Return(id, v)
			done.Send(0)
		})
		done.Recv()
		done.Recv()
		repl.Close()
	}
}

// lintb records Fatalf; the rest of testing.TB is the real test's.
type lintb struct {
	testing.TB
	fatal string
}

func (l *lintb) Helper()                           {}
func (l *lintb) Name() string                      { return "TestLinearizable/fake" }
func (l *lintb) Fatalf(format string, args ...any) { l.fatal = fmt.Sprintf(format, args...) }

func TestAssertLinearizableOnRuns(t *testing.T) {
	illegal := 0
	for seed := range uint64(40) {
		ok := sim.Run(sim.Config{Seed: seed}, registerScenario(false))
		if ok.Failure != nil || len(ok.History) != 2 {
			t.Fatalf("seed %d: %v, %d operations", seed, ok.Failure, len(ok.History))
		}
		fake := &lintb{TB: t}
		AssertLinearizable(fake, registerModel, ok, time.Minute)
		if fake.fatal != "" {
			t.Fatalf("seed %d: correct register reported: %s", seed, fake.fatal)
		}

		reports := t.TempDir()
		bad := sim.Run(sim.Config{Seed: seed, KeepTrace: true, ReportDir: reports}, registerScenario(true))
		if res, _ := CheckLinearizable(registerModel, bad.History, 0); res == porcupine.Ok {
			continue
		}
		illegal++
		fake = &lintb{TB: t}
		AssertLinearizable(fake, registerModel, bad, time.Minute)
		m := regexp.MustCompile(`^properties: history of 2 operations \(seed \d+\) is not linearizable against the model\nvisualization: (.*weft-TestLinearizable_fake-seed\d+-[0-9A-Za-z]+\.html)$`).FindStringSubmatch(fake.fatal)
		if m == nil {
			t.Fatalf("seed %d: message %q", seed, fake.fatal)
		}
		if filepath.Dir(m[1]) != reports {
			t.Fatalf("seed %d: visualization %s, want it in the run's ReportDir %s", seed, m[1], reports)
		}
		html, err := os.ReadFile(m[1])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(html), "<html") || !strings.Contains(string(html), `"Description":"read() -\u003e 0"`) {
			t.Fatalf("visualization %s lacks the history", m[1])
		}
	}
	if illegal == 0 {
		t.Fatal("the lagging register was linearizable under every seed")
	}
}

// A run with no ReportDir (one made outside weft.Test) writes its page
// where the test keeps its artifacts: without go test -artifacts, in
// weft-reports/<test> of the directory the test runs in, its package's.
func TestAssertLinearizableWritesWithTheTest(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for seed := range uint64(40) {
		bad := sim.Run(sim.Config{Seed: seed, KeepTrace: true}, registerScenario(true))
		if res, _ := CheckLinearizable(registerModel, bad.History, 0); res == porcupine.Ok {
			continue
		}
		fake := &lintb{TB: t}
		AssertLinearizable(fake, registerModel, bad, time.Minute)
		m := regexp.MustCompile(`\nvisualization: (.*)$`).FindStringSubmatch(fake.fatal)
		if m == nil {
			t.Fatalf("seed %d: message %q", seed, fake.fatal)
		}
		if want := filepath.Join(dir, "weft-reports", "TestLinearizable__fake"); filepath.Dir(m[1]) != want {
			t.Fatalf("visualization %s, want it in %s", m[1], want)
		}
		if _, err := os.Stat(m[1]); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("the lagging register was linearizable under every seed")
}

// A check that runs out of time is inconclusive, and fails.
func TestAssertLinearizableTimeout(t *testing.T) {
	slow := registerModel
	slow.StepContext = func(ctx context.Context, state, input, output any) (bool, any) {
		<-ctx.Done()
		return false, state
	}
	r := sim.Run(sim.Config{}, registerScenario(false))
	fake := &lintb{TB: t}
	AssertLinearizable(fake, slow, r, 20*time.Millisecond)
	if !strings.Contains(fake.fatal, "inconclusive") || !strings.Contains(fake.fatal, "is not a pass") {
		t.Fatalf("message %q", fake.fatal)
	}
}

// Faults and crashes go on the visualization at the last operation mark made
// at or before their step.
func TestAnnotations(t *testing.T) {
	r := &sim.Result{
		Procs: []string{"main", "server"},
		History: []sim.Operation{
			{Call: 1, Return: 3, CallStep: 2, ReturnStep: 6},
			{Call: 2, Return: math.MaxInt64, CallStep: 4, ReturnStep: -1},
		},
		Trace: []sim.Event{
			{Step: 1, Proc: 1, Kind: sim.EventFault, Detail: "buggify drop"},
			{Step: 5, Proc: 1, Kind: sim.EventCrash, Detail: "boom"},
			{Step: 5, Proc: 1, Kind: sim.EventSend},
			{Step: 9, Proc: -1, Kind: sim.EventFault, Detail: "buggify late"},
			{Step: 9, Proc: 1, Kind: sim.EventExit, Arg: 0, Detail: "normal"},
			{Step: 9, Proc: 1, Kind: sim.EventExit, Arg: 1, Detail: "killed"},
		},
	}
	got := annotations(r)
	want := []struct {
		start int64
		desc  string
	}{{0, "step 1: fault buggify drop"}, {2, "step 5: crash boom"}, {3, "step 9: fault buggify late"}, {3, "step 9: exit killed"}}
	if len(got) != len(want) {
		t.Fatalf("%d annotations, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Start != w.start || got[i].Description != w.desc {
			t.Errorf("annotation %d: start %d %q, want %d %q", i, got[i].Start, got[i].Description, w.start, w.desc)
		}
	}
	if !strings.Contains(got[1].Details, "p1 server") || !strings.Contains(got[2].Details, "the world") {
		t.Errorf("details %q, %q", got[1].Details, got[2].Details)
	}
}
