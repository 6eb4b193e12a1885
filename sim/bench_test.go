package sim_test

// Core benchmarks: the cost of a scheduling step against bare coroutines,
// and the cost of a whole small run against real goroutines. Method: each
// world benchmark has a baseline twin that does the same work with nothing
// of weft (BenchmarkStep/BenchmarkStepBare, BenchmarkRing/
// BenchmarkRingGoroutines), so BENCHMARKS.md can state ratios measured in
// one run of
//
//	go test -run='^$' -bench='Step|Ring' -cpu=1 -count=5 ./sim
//
// rather than absolute numbers that depend on the machine.

import (
	"fmt"
	"iter"
	"math/bits"
	"runtime"
	"testing"
	"time"

	"github.com/weftsim/weft/sim"
)

// stepsPerWorld is how many steps one world of BenchmarkStep takes: long
// enough that spawning and tearing down N coroutines is a few percent of the
// run even at N = 1000, short enough that the decision log (12 bytes a step)
// stays in cache-friendly sizes, as in real runs.
const stepsPerWorld = 1 << 16

var stepSizes = []int{2, 10, 100, 1000}

// BenchmarkStep measures one scheduling step: N processes loop on w.Yield
// under the random strategy, so every step is a pick among N runnable
// processes, a recorded decision, a trace-hash update and a coroutine switch.
// ns/step is the elapsed time over the steps the worlds report, spawning and
// teardown included (amortised over stepsPerWorld steps per world).
//
// The seeds of an exploration run without recording their decision logs
// (Explore re-runs a failing seed to record it), so that is what
// BenchmarkStep measures; BenchmarkStepRecorded is the same with the log.
func BenchmarkStep(b *testing.B) { benchStep(b, false) }

// BenchmarkStepRecorded is BenchmarkStep with the decision log recorded, as
// a failing seed's re-run and every replay do.
func BenchmarkStepRecorded(b *testing.B) { benchStep(b, true) }

func benchStep(b *testing.B, recordLog bool) {
	for _, n := range stepSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			yields := max(1, stepsPerWorld/n)
			var steps int64
			seed := uint64(0)
			b.ReportAllocs()
			b.ResetTimer()
			for steps < int64(b.N) {
				seed++
				r := sim.Run(sim.Config{Seed: seed, MaxSteps: 1 << 40, AfterMainSteps: 1 << 40, DiscardLog: !recordLog}, func(w *sim.World) {
					loop := func() {
						for range yields {
							w.Yield()
						}
					}
					for i := 1; i < n; i++ {
						w.Go("yielder", loop)
					}
					loop()
				})
				if r.Failure != nil {
					b.Fatal(r.Failure)
				}
				steps += r.Steps
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps), "ns/step")
		})
	}
}

// BenchmarkStepBare is BenchmarkStep's baseline: the same pick-and-resume
// loop over plain iter.Pull coroutines, picking with the same generator
// (wyrand with Lemire's bound, as scheduler.RandomWalk does) and resuming,
// nothing else. Coroutine creation and teardown are included, as they are in
// BenchmarkStep.
func BenchmarkStepBare(b *testing.B) {
	for _, n := range stepSizes {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			yields := max(1, stepsPerWorld/n)
			var steps int64
			r := wyrand{state: 1}
			b.ReportAllocs()
			b.ResetTimer()
			for steps < int64(b.N) {
				steps += bareWorld(n, yields, &r)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps), "ns/step")
		})
	}
}

// bareWorld runs n coroutines that each yield yields times, resuming a
// uniformly chosen live one at every step, and returns the number of steps.
func bareWorld(n, yields int, r *wyrand) int64 {
	type co struct {
		next func() (struct{}, bool)
		stop func()
	}
	body := func(yield func(struct{}) bool) {
		for range yields {
			if !yield(struct{}{}) {
				return
			}
		}
	}
	live := make([]co, n)
	for i := range live {
		live[i].next, live[i].stop = iter.Pull(body)
	}
	var steps int64
	for len(live) > 0 {
		i := r.below(uint64(len(live)))
		steps++
		if _, ok := live[i].next(); !ok {
			live[i].stop()
			live[i] = live[len(live)-1]
			live = live[:len(live)-1]
		}
	}
	return steps
}

// wyrand is scheduler's generator, copied: the baseline must pay for a pick
// exactly what RandomWalk pays, and no more.
type wyrand struct{ state uint64 }

func (r *wyrand) next() uint64 {
	r.state += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.state, r.state^0xe7037ed1a0b428db)
	return hi ^ lo
}

func (r *wyrand) below(n uint64) uint64 {
	hi, lo := bits.Mul64(r.next(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(r.next(), n)
		}
	}
	return hi
}

// Ring: four processes pass a token round a ring of unbuffered channels,
// ringPasses sends in all (25 laps). Process 0 is the main process: it sends
// first and receives the token last.
const (
	ringProcs  = 4
	ringPasses = 100
)

// ringScenario is the ring as a world scenario; it fails the run if the
// token arrives with the wrong count.
func ringScenario(w *sim.World) {
	var ch [ringProcs]*sim.Chan[int]
	for i := range ch {
		ch[i] = sim.NewChan[int](w, 0)
	}
	laps := ringPasses / ringProcs
	for i := 1; i < ringProcs; i++ {
		in, out := ch[i], ch[(i+1)%ringProcs]
		w.Go("relay", func() {
			for range laps {
				out.Send(in.Recv() + 1)
			}
		})
	}
	ch[1].Send(1)
	for range laps - 1 {
		ch[1].Send(ch[0].Recv() + 1)
	}
	if got := ch[0].Recv(); got != ringPasses {
		w.Fatalf("token counted %d passes, want %d", got, ringPasses)
	}
}

// BenchmarkRing measures a whole small run, world setup and teardown
// included: one op is one sim.Run of ringScenario.
func BenchmarkRing(b *testing.B) {
	b.ReportAllocs()
	seed := uint64(0)
	for b.Loop() {
		seed++
		r := sim.Run(sim.Config{Seed: seed}, ringScenario)
		if r.Failure != nil {
			b.Fatal(r.Failure)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

// BenchmarkRingGoroutines is BenchmarkRing's baseline: the same ring on real
// goroutines and channels, the benchmark's goroutine playing process 0.
func BenchmarkRingGoroutines(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if got := ringGoroutines(); got != ringPasses {
			b.Fatalf("token counted %d passes, want %d", got, ringPasses)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

func ringGoroutines() int {
	var ch [ringProcs]chan int
	for i := range ch {
		ch[i] = make(chan int)
	}
	laps := ringPasses / ringProcs
	for i := 1; i < ringProcs; i++ {
		in, out := ch[i], ch[(i+1)%ringProcs]
		go func() {
			for range laps {
				out <- (<-in + 1)
			}
		}()
	}
	ch[1] <- 1
	for range laps - 1 {
		ch[1] <- (<-ch[0] + 1)
	}
	return <-ch[0]
}

// TestRingMatchesGoroutines checks that the benchmarked scenario does what
// its goroutine twin does, on many schedules, deterministically.
func TestRingMatchesGoroutines(t *testing.T) {
	if got := ringGoroutines(); got != ringPasses {
		t.Fatalf("goroutine ring counted %d, want %d", got, ringPasses)
	}
	for seed := range uint64(200) {
		r := sim.Run(sim.Config{Seed: seed}, ringScenario)
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		if again := sim.Run(sim.Config{Seed: seed}, ringScenario); again.Hash != r.Hash {
			t.Fatalf("seed %d: hash %x then %x", seed, r.Hash, again.Hash)
		}
	}
}

// TestNoGoroutineSurvivesRun runs passing and failing worlds (a panic, a
// Fatalf mid-way, a deadlock, a leak, Goexit, a step limit) and checks that
// the number of goroutines comes back to where it was: every coroutine and
// the loop's goroutine end with their run.
func TestNoGoroutineSurvivesRun(t *testing.T) {
	scenarios := []struct {
		name string
		f    func(w *sim.World)
		fail bool
	}{
		{"ring", ringScenario, false},
		{"panic", func(w *sim.World) {
			c := sim.NewChan[int](w, 0)
			for range 3 {
				w.Go("waiter", func() { c.Recv() })
			}
			w.Go("panicker", func() { w.Yield(); panic("boom") })
			c.Send(1)
			w.Sleep(time.Second)
		}, true},
		{"fatal", func(w *sim.World) {
			c := sim.NewChan[int](w, 0)
			w.Go("blocked", func() { c.Recv() })
			w.Go("yielder", func() {
				for {
					w.Yield()
				}
			})
			w.Yield()
			w.Fatalf("stop mid-way")
		}, true},
		{"deadlock", func(w *sim.World) {
			a, b := sim.NewChan[int](w, 0), sim.NewChan[int](w, 0)
			w.Go("other", func() { b.Send(a.Recv()) })
			a.Send(b.Recv())
		}, true},
		{"leak", func(w *sim.World) {
			c := sim.NewChan[int](w, 0)
			w.Go("loser", func() { c.Send(1) })
		}, true},
		{"goexit", func(w *sim.World) {
			w.Go("exiter", func() { runtime.Goexit() })
			w.Sleep(time.Second)
		}, true},
		{"step limit", func(w *sim.World) {
			w.Go("spinner", func() {
				for {
					w.Yield()
				}
			})
			for {
				w.Yield()
			}
		}, true},
	}
	before := runtime.NumGoroutine()
	for i := range 100 {
		sc := scenarios[i%len(scenarios)]
		r := sim.Run(sim.Config{Seed: uint64(i), MaxSteps: 5000}, sc.f)
		if (r.Failure != nil) != sc.fail {
			t.Fatalf("%s, seed %d: failure %v, want failing=%v", sc.name, i, r.Failure, sc.fail)
		}
	}
	// A finished run's goroutines are on their way out, not necessarily
	// gone: give them a moment.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before 100 runs, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
