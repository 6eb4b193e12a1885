package cache_test

// Method: the same commands (get, put) and the same model (a map), run
// three ways. Sequentially, with rapid's T.Repeat and real locks, both
// caches pass: that is the evidence that a sequential state-machine test
// does not see the bug; so does the parallel machine with one client. In
// parallel, under package parallel, the cache with the lost invalidation
// fails with a linearizability violation, shrunk to its smallest workload,
// and the versioned cache passes. A fixed workload under weft.Explore fails
// the same way, and its seed gives the same run twice.

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/examples/cache"
	"github.com/weftsim/weft/internal/paralleltest"
	"github.com/weftsim/weft/internal/testmain"
	"github.com/weftsim/weft/parallel"
	"github.com/weftsim/weft/sim"
)

func TestMain(m *testing.M) { os.Exit(testmain.PrivateTemp(m)) }

func realLock() sync.Locker { return &sync.Mutex{} }

// sequential is the state-machine test a user writes with rapid today: one
// command at a time, each output checked against a map.
func sequential(t *rapid.T, get func(string) (int, bool), put func(string, int)) {
	model := map[string]int{}
	t.Repeat(map[string]func(*rapid.T){
		"get": func(t *rapid.T) {
			k := rapid.SampledFrom(cache.Keys).Draw(t, "key")
			v, found := get(k)
			want, ok := model[k]
			if found != ok || v != want {
				t.Fatalf("get(%s) = %d, %v; want %d, %v", k, v, found, want, ok)
			}
		},
		"put": func(t *rapid.T) {
			k := rapid.SampledFrom(cache.Keys).Draw(t, "key")
			v := rapid.IntRange(1, 9).Draw(t, "value")
			put(k, v)
			model[k] = v
		},
	})
}

func TestSequential(t *testing.T) {
	paralleltest.RapidFlags(t, map[string]string{"rapid.seed": "1", "rapid.checks": "1000"})
	t.Run("cache", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			c := cache.New(cache.NewStore(realLock), realLock)
			sequential(t, c.Get, c.Put)
		})
	})
	// The same machine that finds the bug, with one client: commands one
	// at a time, in a world, under rapid's schedules. It passes too.
	t.Run("machine with one client", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			parallel.Check(t, cache.Buggy, parallel.Options{Clients: 1, MaxPerClient: 8})
		})
	})
	t.Run("versioned", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			c := cache.NewVersioned(cache.NewStore(realLock), realLock)
			sequential(t, c.Get, c.Put)
		})
	})
}

// rapid finds the lost invalidation and shrinks it to 5 commands; Shrink
// takes it to 3 (a get, a put of the same key from another client, a get),
// and proves that no smaller workload fails: each one-command removal
// passes every schedule within 3 changes, and every workload of two
// commands every schedule within Shrink's bound, 2. The report says both sizes and the command that
// reproduces it, which replays the same shrunk run (same trace hash).
func TestParallelFindsTheLostInvalidation(t *testing.T) {
	paralleltest.RapidFlags(t, map[string]string{"rapid.seed": "1", "rapid.checks": "1000", "rapid.nofailfile": "true"})
	opts := parallel.Options{Config: sim.Config{ReportDir: t.TempDir()}}
	rep, msg := paralleltest.Recorded(t, cache.Buggy, opts)
	require.NotNil(t, rep, "parallel.Test passed the cache with the lost invalidation")
	t.Logf("what parallel.Test reported:\n%s", msg)
	require.Contains(t, msg, "the cache is not linearizable against its state machine")
	require.Equal(t, parallel.Size{Commands: 5, Processes: 2}, rep.Found.Size(), "rapid's shrinking, with seed 1")
	require.Contains(t, msg, "as rapid shrank it: 5 commands in 2 processes, ")
	require.Equal(t, parallel.Size{Commands: 3, Processes: 2}, rep.Shrunk.Workload.Size(), "Shrink's")
	require.Contains(t, msg, "3 commands in 2 processes, 1 preemption\n")
	require.False(t, rep.Shrunk.Cut)
	require.Equal(t, 1, rep.Shrunk.Finding.PreemptionsAfter)
	require.Regexp(t, `put\(a, \d\)`, rep.Shrunk.Workload.String())
	require.Equal(t, 2, strings.Count(rep.Shrunk.Workload.String(), "get(a)"))
	// A bound beyond Shrink's for the one-command removals, which are few.
	paralleltest.RequireMinimal(t, cache.Buggy, rep.Shrunk.Workload, rep.Shrunk.Bound+1)
	paralleltest.RequireNoneFails(t, cache.Buggy, paralleltest.AllWorkloads(cacheInvocations, 2), rep.Shrunk.Bound)

	// The printed command replays it: its -run selects this test, and its
	// rapid flags, set here in the test's own process, give the same
	// shrunk run.
	cmd := regexp.MustCompile(`(?m)go test \./examples/cache -run '\^TestParallelFindsTheLostInvalidation\$' (-rapid\.seed=(\d+))$`).FindStringSubmatch(msg)
	require.NotNil(t, cmd, "no replay command in:\n%s", msg)
	paralleltest.RapidFlags(t, map[string]string{"rapid.seed": cmd[2], "rapid.checks": "5"}) // -short runs a fifth: one
	again, _ := paralleltest.Recorded(t, cache.Buggy, opts)
	require.NotNil(t, again, "%s did not replay the failure", cmd[0])
	require.Equal(t, rep.Shrunk.Workload.String(), again.Shrunk.Workload.String())
	require.Equal(t, rep.Shrunk.Finding.Shrunk.Hash, again.Shrunk.Finding.Shrunk.Hash, "same seed, same run")

	// And pasted into a shell at the module root, as printed (-v to see
	// the report this test logs): the same shrunk run. The command runs
	// this test, which then runs no command.
	if testing.Short() || os.Getenv("WEFT_CACHE_PRINTED") != "" {
		return
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command:", err)
	}
	shell := exec.Command("sh", "-c", cmd[0]+" -count=1 -v")
	shell.Dir = "../.."
	shell.Env = append(os.Environ(), "WEFT_CACHE_PRINTED=1")
	out, err := shell.CombinedOutput()
	require.NoError(t, err, "%s:\n%s", cmd[0], out)
	require.Contains(t, string(out), fmt.Sprintf("trace hash %016x\n", rep.Shrunk.Finding.Shrunk.Hash), "%s:\n%s", cmd[0], out)
}

// cacheInvocations are the commands of the cache's machine, with two values.
var cacheInvocations = []parallel.Invocation{
	{Command: 0, Name: "get", Input: "a"},
	{Command: 0, Name: "get", Input: "b"},
	{Command: 1, Name: "put", Input: cache.PutInput{Key: "a", V: 1}},
	{Command: 1, Name: "put", Input: cache.PutInput{Key: "a", V: 2}},
	{Command: 1, Name: "put", Input: cache.PutInput{Key: "b", V: 1}},
}

func TestParallelPassesTheFix(t *testing.T) {
	paralleltest.RapidFlags(t, map[string]string{"rapid.seed": "1", "rapid.checks": "1000", "rapid.nofailfile": "true"})
	rep, msg := paralleltest.Recorded(t, cache.Fixed, parallel.Options{Config: sim.Config{ReportDir: t.TempDir()}})
	require.Nil(t, rep, msg)
}

// lostInvalidation is the smallest workload that can lose one: a get of a
// key put before, then a put of it from another client, then a get.
var lostInvalidation = parallel.Workload{
	Prefix: []parallel.Invocation{{Command: 1, Name: "put", Input: cache.PutInput{Key: "a", V: 1}}},
	Clients: [][]parallel.Invocation{
		{{Command: 0, Name: "get", Input: "a"}, {Command: 0, Name: "get", Input: "a"}},
		{{Command: 1, Name: "put", Input: cache.PutInput{Key: "a", V: 2}}},
	},
}

func TestWorkloadUnderExplore(t *testing.T) {
	cfg := sim.Config{Properties: []sim.Property{cache.Buggy.Property(0)}}
	rep := weft.Explore(weft.Options{Runs: 500, CheckDeterminism: true, Config: cfg}, cache.Buggy.Scenario(lostInvalidation))
	require.NotNil(t, rep.Failure, "Explore missed the lost invalidation")
	msg := rep.Failure.Shrunk.Failure.Error()
	require.Contains(t, msg, "not linearizable")
	// The stale read: a get of a that returned 1 after the put of 2 had
	// returned.
	var putReturned int64 = -1
	stale := false
	for _, op := range rep.Failure.Shrunk.History {
		if in := op.Input.(parallel.Invocation); in.Name == "put" && in.Input == (cache.PutInput{Key: "a", V: 2}) {
			putReturned = op.Return
		}
	}
	for _, op := range rep.Failure.Shrunk.History {
		if in := op.Input.(parallel.Invocation); in.Name == "get" && putReturned >= 0 && op.Call > putReturned {
			stale = stale || strings.Contains(fmt.Sprint(op.Output), "1")
		}
	}
	require.True(t, stale, "no get after the put returned the old value: %v", rep.Failure.Shrunk.History)

	cfg = sim.Config{Properties: []sim.Property{cache.Fixed.Property(0)}}
	fixed := weft.Explore(weft.Options{Runs: 500, CheckDeterminism: true, Config: cfg}, cache.Fixed.Scenario(lostInvalidation))
	require.Nil(t, fixed.Failure)

	seed := rep.Failure.Seed
	first := sim.Run(sim.Config{Seed: seed, Spec: rep.Failure.Spec, Properties: []sim.Property{cache.Buggy.Property(0)}}, cache.Buggy.Scenario(lostInvalidation))
	again := sim.Run(sim.Config{Seed: seed, Spec: rep.Failure.Spec, Properties: []sim.Property{cache.Buggy.Property(0)}}, cache.Buggy.Scenario(lostInvalidation))
	require.NotNil(t, first.Failure)
	require.Equal(t, first.Hash, again.Hash, "same seed, same run")
}

// What shrinking costs, with rapid's seed 1: Test (rapid finds the lost
// invalidation and shrinks it to 5 commands, then Shrink takes it to 3),
// and Shrink alone from rapid's 5 commands.
func BenchmarkShrink(b *testing.B) {
	opts := parallel.Options{Config: sim.Config{ReportDir: b.TempDir()}}
	var found parallel.Workload
	b.Run("Test", func(b *testing.B) {
		paralleltest.RapidFlags(b, map[string]string{"rapid.seed": "1", "rapid.checks": "1000", "rapid.nofailfile": "true"})
		for b.Loop() {
			rep, msg := paralleltest.Recorded(b, cache.Buggy, opts)
			if rep == nil || rep.Shrunk.Workload.Size().Commands != 3 {
				b.Fatalf("not the failure expected:\n%s", msg)
			}
			found = rep.Found
		}
	})
	b.Run("Shrink", func(b *testing.B) {
		for b.Loop() {
			if s := parallel.Shrink(cache.Buggy, found, opts); s.Workload.Size().Commands != 3 {
				b.Fatalf("shrunk to\n%s", s.Workload)
			}
		}
	})
}
