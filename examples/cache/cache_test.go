package cache_test

// Method: the same commands (get, put) and the same model (a map), run
// three ways. Sequentially, with rapid's T.Repeat and real locks, both
// caches pass: that is the evidence that a sequential state-machine test
// does not see the bug; so does the parallel machine with one client. In parallel, under package parallel, the cache with
// the lost invalidation fails with a linearizability violation and the
// versioned cache passes. A fixed workload under weft.Explore fails the
// same way, and its seed gives the same run twice.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/examples/cache"
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
	withRapidFlags(t, map[string]string{"rapid.seed": "1", "rapid.checks": "1000"})
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

// withRapidFlags sets rapid's flags for the rest of the test: a fixed
// seed, so that what the test finds does not depend on the clock.
func withRapidFlags(t *testing.T, values map[string]string) {
	for name, v := range values {
		f := flag.Lookup(name)
		require.NotNil(t, f, name)
		old := f.Value.String()
		require.NoError(t, f.Value.Set(v))
		t.Cleanup(func() { f.Value.Set(old) })
	}
}

func TestParallelFindsTheLostInvalidation(t *testing.T) {
	withRapidFlags(t, map[string]string{"rapid.seed": "1", "rapid.checks": "1000"})
	opts := parallel.Options{Config: sim.Config{ReportDir: t.TempDir()}}
	rec := checkRecorded(t, func(t *rapid.T) { parallel.Check(t, cache.Buggy, opts) })
	require.True(t, rec.failed, "parallel.Check passed the cache with the lost invalidation")
	require.Contains(t, rec.msg, "the cache is not linearizable against its state machine")
	require.Contains(t, rec.msg, "workload:")
	require.Contains(t, rec.msg, "To reproduce, specify -run=", "rapid's replay instructions")
	// The workload rapid shrank to holds what a lost invalidation needs:
	// gets and a put of one key.
	wl := rec.msg[strings.LastIndex(rec.msg, "workload:"):]
	wl = wl[:strings.Index(wl, "[rapid]")]
	require.Regexp(t, `put\((a|b), \d\)`, wl)
	require.Contains(t, wl, "get(")
	t.Logf("what rapid reported:\n%s", rec.msg)

	// The seed rapid printed replays the failure by itself: the command's
	// flags, set here in the test's own process.
	seed := regexp.MustCompile(`-rapid\.seed=(\d+)`).FindStringSubmatch(rec.msg)
	require.NotNil(t, seed, rec.msg)
	withRapidFlags(t, map[string]string{"rapid.seed": seed[1], "rapid.checks": "5"}) // -short runs a fifth: one
	again := checkRecorded(t, func(t *rapid.T) { parallel.Check(t, cache.Buggy, opts) })
	require.True(t, again.failed, "-rapid.seed=%s did not replay the failure", seed[1])
	require.Contains(t, again.msg, "not linearizable")
}

func TestParallelPassesTheFix(t *testing.T) {
	withRapidFlags(t, map[string]string{"rapid.seed": "1", "rapid.checks": "1000"})
	rapid.Check(t, func(t *rapid.T) { parallel.Check(t, cache.Fixed, parallel.Options{}) })
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

// checkRecorded runs rapid.Check on a recorder, so that the test can read
// what it found, without a fail file left behind.
func checkRecorded(t *testing.T, prop func(*rapid.T)) *failRecorder {
	t.Helper()
	if f := flag.Lookup("rapid.nofailfile"); f != nil {
		old := f.Value.String()
		f.Value.Set("true")
		defer f.Value.Set(old)
	}
	rec := &failRecorder{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil && r != errRecorderStop {
				panic(r)
			}
		}()
		rapid.Check(rec, prop)
	}()
	return rec
}

type failRecorder struct {
	testing.TB
	failed bool
	msg    string
}

var errRecorderStop = errors.New("recorder: FailNow")

func (r *failRecorder) Helper()           {}
func (r *failRecorder) Error(args ...any) { r.failed = true; r.msg += fmt.Sprintln(args...) }
func (r *failRecorder) Errorf(f string, a ...any) {
	r.failed = true
	r.msg += fmt.Sprintf(f, a...) + "\n"
}
func (r *failRecorder) Fatal(args ...any)         { r.Error(args...); r.FailNow() }
func (r *failRecorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.FailNow() }
func (r *failRecorder) Fail()                     { r.failed = true }
func (r *failRecorder) FailNow()                  { r.failed = true; panic(errRecorderStop) }
func (r *failRecorder) Failed() bool              { return r.failed }
func (r *failRecorder) Log(args ...any)           { r.msg += fmt.Sprintln(args...) }
func (r *failRecorder) Logf(f string, a ...any)   { r.msg += fmt.Sprintf(f, a...) + "\n" }
