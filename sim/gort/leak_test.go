package gort

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/weftsim/weft/sim"
)

// TestLeakReasons: processes left blocked on each kind of primitive are
// reported with Go's wait reasons, named after their functions, proven, with
// where they were started.
func TestLeakReasons(t *testing.T) {
	var line int
	scenario := func(w *sim.World) {
		Bind(w)
		ch, ch2, ch3 := Make[*Chan[int]](0), Make[*Chan[int]](0), Make[*Chan[int]](0)
		var nilCh *Chan[int]
		var mu Mutex
		var rw RWMutex
		var wg WaitGroup
		var cmu Mutex
		cond := NewCond(&cmu)
		mu.Lock()
		rw.Lock()
		wg.Add(1)
		_, _, base, _ := runtime.Caller(0) // the Go of site t.go:N is on line base+1+N
		line = base + 1
		Go("main.T.func1", "t.go:1", func() { ch.Send(1) })
		Go("main.T.func2", "t.go:2", func() { ch2.Recv() })
		Go("main.T.func3", "t.go:3", func() { nilCh.Send(1) })
		Go("main.T.func4", "t.go:4", func() { Select() })
		Go("main.T.func5", "t.go:5", func() { Select(RecvCase(ch3), SendCase(ch3, 2)) })
		Go("main.T.func6", "t.go:6", func() { mu.Lock() })
		Go("main.T.func7", "t.go:7", func() { rw.RLock() })
		Go("main.T.func8", "t.go:8", func() { wg.Wait() })
		Go("main.(*T).m", "t.go:9", func() { cmu.Lock(); cond.Wait() })
		Go("main.T.func10", "t.go:10", func() { Sleep(1) })
		Sleep(2)
	}
	r := sim.Run(sim.Config{Seed: 1, AllowLeaks: true, KeepTrace: true}, scenario)
	var sites []string
	for _, l := range Leaks(r) {
		if !l.Proven || l.Origin.Site == "" {
			t.Errorf("%+v", l)
		}
		sites = append(sites, l.Site())
	}
	want := []string{
		"(*T).m() [sync.Cond.Wait]",
		"T.func1() [chan send]",
		"T.func2() [chan receive]",
		"T.func3() [chan send (nil chan)]",
		"T.func4() [select (no cases)]",
		"T.func5() [select]",
		"T.func6() [sync.Mutex.Lock]",
		"T.func7() [sync.RWMutex.RLock]",
		"T.func8() [sync.WaitGroup.Wait]",
	}
	slices.Sort(sites)
	if !slices.Equal(sites, want) {
		t.Fatalf("leak sites:\n%s\nwant:\n%s", strings.Join(sites, "\n"), strings.Join(want, "\n"))
	}
	l := Leaks(r)[0]
	if s := l.String(); !strings.HasPrefix(s, "goroutine 1 [chan send (leaked)]:\ngithub.com/weftsim/weft/sim/gort.TestLeakReasons.func1.1()\n\t") || !strings.Contains(s, "created by main in goroutine 0\n\tt.go:1") {
		t.Errorf("not Go's format:\n%s", s)
	}
	// Where each waits is the line of its blocking call, here, with the
	// world's own frames left out.
	for _, l := range Leaks(r) {
		if len(l.Stack) == 0 || !strings.HasSuffix(l.Stack[0].File, "/leak_test.go") || l.Stack[0].Line != line+origin(l) {
			t.Errorf("%s waits at %v, want leak_test.go:%d", l.Func, l.Stack, line+origin(l))
		}
	}
}

// origin is N of a test process started at site t.go:N.
func origin(l Leak) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(l.Origin.Site, "t.go:"))
	return n
}

// TestRangeIsDeterministic: map iteration visits every key once, in an order
// that the seed decides, the same for the same seed.
func TestRangeIsDeterministic(t *testing.T) {
	order := func(seed uint64) string {
		var got []string
		sim.Run(sim.Config{Seed: seed}, func(w *sim.World) {
			Bind(w)
			for k := range Range(map[string]int{"a": 1, "b": 2, "c": 3, "d": 4}) {
				got = append(got, k)
			}
		})
		return strings.Join(got, "")
	}
	seen := map[string]bool{}
	for seed := range uint64(20) {
		o := order(seed)
		if o != order(seed) {
			t.Fatalf("seed %d: two orders", seed)
		}
		if b := []byte(o); len(b) != 4 || !slices.Equal(slices.Sorted(slices.Values(b)), []byte("abcd")) {
			t.Fatalf("seed %d: visited %q", seed, o)
		}
		seen[o] = true
	}
	if len(seen) < 2 {
		t.Fatalf("every seed visits in one order: %v", seen)
	}
}
