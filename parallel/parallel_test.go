package parallel_test

// The derived model on its own (outputs, Post, open operations, its
// words), the workload Draw makes, the scenario's history and its
// determinism, and a machine given wrong.

import (
	"os"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

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
}
