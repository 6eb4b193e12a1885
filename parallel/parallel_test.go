package parallel_test

// The derived model on its own (outputs, Post, open operations, its
// words), the workload Draw makes, the scenario's history and its
// determinism, and a machine given wrong.

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/weftsim/weft/internal/paralleltest"
	"github.com/weftsim/weft/internal/testmain"
	"github.com/weftsim/weft/parallel"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/atomic"
)

// TestMain keeps the pages of failing runs (the example's) out of the
// shared temp folder.
func TestMain(m *testing.M) { os.Exit(testmain.PrivateTemp(m)) }

// counter is a machine of an atomic counter: add returns the new value,
// except that read may lag (Post allows a read of the value before the
// last add, to exercise Post).
func counter() parallel.Machine[int64, *atomic.Int64] {
	return parallel.Machine[int64, *atomic.Int64]{
		Name: "the counter",
		Init: func() int64 { return 0 },
		New:  func(w *sim.World) *atomic.Int64 { return atomic.NewInt64(w) },
		Commands: []parallel.Command[int64, *atomic.Int64]{
			{
				Name:  "add",
				Input: func(t *rapid.T) any { return rapid.Int64Range(1, 3).Draw(t, "delta") },
				Run:   func(_ *sim.World, x *atomic.Int64, in any) any { return x.Add(in.(int64)) },
				Model: func(s int64, in any) (int64, any) { return s + in.(int64), s + in.(int64) },
			},
			{
				Name:  "read",
				Run:   func(_ *sim.World, x *atomic.Int64, _ any) any { return x.Load() },
				Model: func(s int64, _ any) (int64, any) { return s, s },
				Post:  func(s int64, _, want, got any) bool { return got.(int64) == want.(int64) },
			},
		},
	}
}

func TestModel(t *testing.T) {
	m := counter().Model()
	add := func(d int64) parallel.Invocation { return parallel.Invocation{Command: 0, Name: "add", Input: d} }
	read := parallel.Invocation{Command: 1, Name: "read"}
	run := func(wl parallel.Workload) *sim.Result {
		return sim.Run(sim.Config{}, counter().Scenario(wl))
	}
	r := run(parallel.Workload{Prefix: []parallel.Invocation{add(2)}, Clients: [][]parallel.Invocation{{add(1), read}, {add(3)}}})
	require.Nil(t, r.Failure)
	require.Len(t, r.History, 4)
	require.Equal(t, 0, r.History[0].Client, "the prefix is client 0")
	var ops []porcupine.Operation
	for _, op := range r.History {
		ops = append(ops, porcupine.Operation{ClientId: op.Client, Input: op.Input, Output: op.Output, Call: op.Call, Return: op.Return})
	}
	require.True(t, porcupine.CheckOperations(m, ops))
	require.Equal(t, "add(2) -> 2", m.DescribeOperation(r.History[0].Input, r.History[0].Output))
	require.Equal(t, "read() -> (no answer)", m.DescribeOperation(read, nil))
	require.Equal(t, "6", m.DescribeState(int64(6)))

	// A made-up output does not linearize; an open operation may or may
	// not have happened.
	bad := append([]porcupine.Operation(nil), ops...)
	bad[0].Output = ops[1].Output
	require.False(t, porcupine.CheckOperations(m, bad))
	open := append([]porcupine.Operation(nil), ops[0])
	open = append(open, porcupine.Operation{ClientId: 1, Input: add(5), Output: nil, Call: 3, Return: 1 << 62})
	require.True(t, porcupine.CheckOperations(m, open))
}

func TestDrawAndDeterminism(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		wl := parallel.Draw(t, counter(), parallel.Options{Clients: 3, MaxPrefix: -1, MaxPerClient: 2})
		require.Empty(t, wl.Prefix)
		require.Len(t, wl.Clients, 3)
		for _, cs := range wl.Clients {
			require.True(t, len(cs) >= 1 && len(cs) <= 2)
		}
		require.Contains(t, wl.String(), "client 3: ")
		for seed := uint64(0); seed < 3; seed++ {
			cfg := sim.Config{Seed: seed, Properties: []sim.Property{counter().Property(0)}}
			r := sim.Run(cfg, counter().Scenario(wl))
			require.Nil(t, r.Failure, "an atomic counter is linearizable")
			require.Equal(t, r.Hash, sim.Run(cfg, counter().Scenario(wl)).Hash, "same seed, same run")
		}
	})
}

func TestCheckPasses(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { parallel.Check(t, counter(), parallel.Options{}) })
}

func TestMachineGivenWrong(t *testing.T) {
	m := counter()
	m.Commands = append(m.Commands, m.Commands[0])
	require.PanicsWithValue(t, `parallel: Machine has two commands named "add"`, func() { m.Model() })
	m = counter()
	m.Init = nil
	require.Panics(t, func() { m.Scenario(parallel.Workload{}) })
	require.PanicsWithValue(t, "parallel: Options with -1 clients of at most 3 commands: both must be at least 1", func() {
		parallel.Draw(nil, counter(), parallel.Options{Clients: -1}) // panics before it draws
	})
	require.PanicsWithValue(t, "parallel: Options with Bound -1 and ShrinkRuns 200000: neither may be negative", func() {
		parallel.Shrink(counter(), parallel.Workload{}, parallel.Options{Bound: -1})
	})
}

// lostUpdate is a counter whose increment is a load and then a store, and
// returns the value it stored: two increments at once can both return 1.
func lostUpdate() parallel.Machine[int64, *atomic.Int64] {
	return parallel.Machine[int64, *atomic.Int64]{
		Name: "the counter",
		Init: func() int64 { return 0 },
		New:  func(w *sim.World) *atomic.Int64 { return atomic.NewInt64(w) },
		Commands: []parallel.Command[int64, *atomic.Int64]{
			{
				Name: "incr",
				Run: func(_ *sim.World, x *atomic.Int64, _ any) any {
					v := x.Load()
					x.Store(v + 1)
					return v + 1
				},
				Model: func(s int64, _ any) (int64, any) { return s + 1, s + 1 },
			},
			{
				Name:  "read",
				Run:   func(_ *sim.World, x *atomic.Int64, _ any) any { return x.Load() },
				Model: func(s int64, _ any) (int64, any) { return s, s },
			},
		},
	}
}

// The lost update's smallest workload is two increments from two clients:
// Test reports exactly that, whatever rapid shrank to, and proves it
// minimal (each command alone passes every schedule within 3 changes);
// the same rapid seed gives the same shrunk run.
func TestShrinksTheLostUpdateToTwoCommands(t *testing.T) {
	paralleltest.RapidFlags(t, map[string]string{"rapid.seed": "1", "rapid.checks": "100", "rapid.nofailfile": "true"})
	opts := parallel.Options{Clients: 3, Config: sim.Config{ReportDir: t.TempDir()}}
	rep, msg := paralleltest.Recorded(t, lostUpdate(), opts)
	require.NotNil(t, rep, "parallel.Test passed a counter that loses updates")
	t.Logf("what parallel.Test reported:\n%s", msg)
	incr := parallel.Invocation{Command: 0, Name: "incr"}
	require.Equal(t, parallel.Workload{Clients: [][]parallel.Invocation{{incr}, {incr}}}, rep.Shrunk.Workload)
	require.Equal(t, 1, rep.Shrunk.Finding.PreemptionsAfter)
	require.Contains(t, msg, "2 commands in 2 processes, 1 preemption\n")
	require.Regexp(t, `as rapid shrank it: \d+ commands in \d+ processes, \d+ preemptions?\n`, msg)
	require.Regexp(t, `(?m)^    go test \./parallel -run '\^TestShrinksTheLostUpdateToTwoCommands\$' -rapid\.seed=\d+$`, msg)
	paralleltest.RequireMinimal(t, lostUpdate(), rep.Shrunk.Workload, rep.Shrunk.Bound+1)
	paralleltest.RequireNoneFails(t, lostUpdate(), paralleltest.AllWorkloads([]parallel.Invocation{incr, {Command: 1, Name: "read"}}, 1), rep.Shrunk.Bound+1)

	again, _ := paralleltest.Recorded(t, lostUpdate(), opts)
	require.Equal(t, rep.Shrunk.Finding.Shrunk.Hash, again.Shrunk.Finding.Shrunk.Hash, "same seed, same run")
}

// Shrink on its own: a workload that does not fail within the bound is
// given back as it is, without a finding.
func TestShrinkOfAPassingWorkload(t *testing.T) {
	add := parallel.Invocation{Command: 0, Name: "add", Input: int64(1)}
	wl := parallel.Workload{Clients: [][]parallel.Invocation{{add}, {add}}}
	s := parallel.Shrink(counter(), wl, parallel.Options{})
	require.Nil(t, s.Finding)
	require.Equal(t, wl, s.Workload)
	require.Equal(t, 1, s.Tried)
	require.False(t, s.Cut)
	require.Equal(t, parallel.Size{Commands: 2, Processes: 2}, wl.Size())

	// A report of a failure that needs a schedule beyond the bound says so.
	r := sim.Run(sim.Config{}, func(w *sim.World) { w.Fatalf("beyond the bound") })
	rep := &parallel.Report{Rapid: "[rapid] failed after 3 tests: ...", Found: wl, Run: r, Shrunk: s, Commands: []string{"go test . -rapid.seed=7"}}
	require.Equal(t, `parallel: rapid found a failing workload after 3 tests and shrank it; Shrink shrank it further
as rapid shrank it: 2 commands in 2 processes, 0 preemptions
    client 1: add(1)
    client 2: add(1)
not shrunk further: no schedule within 2 changes of the calm one fails it (56 runs)
rapid's run: `+r.Failure.Error()+`
To reproduce, from the module root (rapid finds the failure again, and Shrink shrinks it the same):
    go test . -rapid.seed=7
`, rep.String())
}

// Check alone, inside a rapid.Check of one's own: rapid finds the lost
// update and shrinks it, and only the reported failure's page is left
// (weft.RunRapid's), the one the failure names.
func TestCheckFindsTheLostUpdate(t *testing.T) {
	paralleltest.RapidFlags(t, map[string]string{"rapid.seed": "1", "rapid.checks": "100", "rapid.nofailfile": "true"})
	dir := t.TempDir()
	opts := parallel.Options{Config: sim.Config{ReportDir: dir}}
	failed, msg := paralleltest.Checked(t, func(rt *rapid.T) { parallel.Check(rt, lostUpdate(), opts) })
	require.True(t, failed, "Check passed a counter that loses updates")
	require.Contains(t, msg, "the counter is not linearizable against its state machine")
	require.Contains(t, msg, "workload:")
	pages, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	require.Len(t, pages, 1)
	require.Contains(t, msg, "see "+pages[0])
}
