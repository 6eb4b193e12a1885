package weft

// The reports of issue 12's "failure reports that name the culprit", "files
// a run writes for people" and "the terminal timeline", as a developer reads
// them in go test's output. Method: each defect's scenario runs through Test's
// machinery (runTest) against a tbRecorder in a throwaway module, and the
// failure text is matched with regular expressions: a deadlock names who
// holds each lock; a run cut short names every process; a main process
// blocked behind a ticker ends early, as a suspected deadlock; the timeline
// shows the failure's message whole, clips other cells at -weft.width, and
// leaves out WaitGroup Add and Done unless -weft.v; porcupine's page goes to
// the test's artifacts. TestArtifactsEndToEnd re-runs this test binary, as
// go test runs it, with and without -artifacts, and opens the file the
// failure names.

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/properties"
	"github.com/weftsim/weft/sim"
)

// failText runs scenario as test name through runTest in a throwaway
// module with the flags fv and options opts, and returns the failure's text
// and the package directory.
func failText(t *testing.T, name string, fv flagValues, scenario func(*sim.World), opts ...Option) (string, string) {
	t.Helper()
	_, pkg := tempModule(t)
	rec := &tbRecorder{name: name}
	if runTest(rec, pkg, fv, scenario, opts) || len(rec.fatals) != 1 {
		t.Fatalf("want one failure, got:\n%s", rec.all())
	}
	return rec.fatals[0], pkg
}

// Before: "p1 "ab" blocked in lock on mutex#2 "B"", and nothing about who
// had it. After: every lock line names its holder.
func TestReportDeadlockNamesHolders(t *testing.T) {
	text, _ := failText(t, "TestTransfers", flagValues{}, func(w *sim.World) {
		a, b := sim.NewMutex(w).Named("account a"), sim.NewMutex(w).Named("account b")
		wg := sim.NewWaitGroup(w)
		wg.Go("teller a->b", func() { a.Lock(); b.Lock(); b.Unlock(); a.Unlock() })
		wg.Go("teller b->a", func() { b.Lock(); a.Lock(); a.Unlock(); b.Unlock() })
		wg.Wait()
	}, Runs(1000))
	mustMatchAll(t, "report", text,
		`(?m)^weft: deadlock: all processes are blocked`,
		`(?m)^blocked:$`,
		`(?m)^    p1 "teller a->b" blocked in lock on mutex#2 "account b" created at \S+, held by p2 "teller b->a"$`,
		`(?m)^    p2 "teller b->a" blocked in lock on mutex#1 "account a" created at \S+, held by p1 "teller a->b"$`)

	// A holder that returned, and a read lock asked to become a write lock.
	text, _ = failText(t, "TestForgot", flagValues{}, func(w *sim.World) {
		mu := sim.NewMutex(w).Named("state")
		w.Go("worker", func() { mu.Lock() }) // forgets to unlock
		w.Sleep(time.Second)
		mu.Lock()
	}, Runs(1))
	mustMatchAll(t, "report", text, `(?m)^    p0 "main" blocked in lock on mutex#1 "state" created at \S+, held by p1 "worker", which has returned$`)
	text, _ = failText(t, "TestUpgrade", flagValues{}, func(w *sim.World) {
		rw := sim.NewRWMutex(w).Named("table")
		rw.RLock()
		rw.Lock()
	}, Runs(1))
	mustMatchAll(t, "report", text, `(?m)^    p0 "main" blocked in lock on rwmutex#1 "table" created at \S+, read-locked by p0 "main" itself$`)
}

// Before: "step limit: more than 5000 scheduling points", and no process.
// After: the processes alive when the run was cut short.
func TestReportCutShortNamesProcesses(t *testing.T) {
	text, _ := failText(t, "TestSpin", flagValues{}, func(w *sim.World) {
		done := sim.NewChan[int](w, 0).Named("done")
		w.Go("spinner", func() {
			for {
				w.Yield()
			}
		})
		done.Recv()
	}, Runs(1), WithConfig(func(c *sim.Config) { c.MaxSteps = 5000 }))
	mustMatchAll(t, "report", text,
		`(?m)^weft: step limit: more than 5000 scheduling points`,
		`(?m)^processes alive when the run was cut short:$`,
		`(?m)^    p0 "main" blocked in recv on chan#1 "done" created at \S+ \(suspected: the run was cut short\)$`,
		`(?m)^    p1 "spinner" (running|runnable)$`)
}

// The run: a main process blocked for good behind a ticker that
// keeps the world alive. Before: "step limit" after a million steps,
// seconds and hundreds of megabytes, naming nobody. After: a suspected
// deadlock after ten thousand ticks, naming main's wait and the poller.
func TestReportStalledMain(t *testing.T) {
	start := time.Now()
	text, _ := failText(t, "TestMonitor", flagValues{}, func(w *sim.World) {
		tk := w.NewTicker(time.Second)
		w.Go("health poller", func() {
			for range tk.C.Range() {
			}
		})
		sim.NewChan[int](w, 0).Named("done").Recv()
	}, Runs(1))
	took := time.Since(start)
	m := mustMatchAll(t, "report", text,
		`(?m)^weft: deadlock \(suspected\): the main process has waited in recv since virtual time 0s while only the clock kept the world going: every process it wakes \(p1 "health poller"\) has woken at least 10000 times since, and none woke main; .* \(step (\d+), virtual time \S+\)$`,
		`(?m)^blocked:$`,
		`(?m)^    p0 "main" blocked in recv on chan#2 "done" created at \S+ \(suspected: the run was cut short\)$`,
		`(?m)^    p1 "health poller" blocked in recv on ticker#1 created at \S+ \(suspected: the run was cut short\)$`)
	if steps, _ := strconv.Atoi(m[1]); steps > 20_000 {
		t.Fatalf("the run took %d steps", steps)
	}
	t.Logf("found, shrunk and reported in %v", took)
}

// Before: every cell clipped at 28 characters, the failure's message too.
// After: the message shows whole, other cells clip at -weft.width (40 by
// default), and a width below 8 is refused.
func TestReportTimelineWidth(t *testing.T) {
	const msg = "the balance went negative after both withdrawals: balance = -60, and at most one should have succeeded"
	scenario := func(w *sim.World) {
		req := sim.NewChan[string](w, 1).Named("requests")
		req.Send("a request body long enough to be clipped")
		w.Fatalf("%s", msg)
	}
	for _, tc := range []struct {
		width string
		cell  string // the send, as the timeline shows it
	}{
		{"", `send chan#1 "requests" <- a request bod…`},
		{"20", `send chan#1 "reques…`},
		{"200", `send chan#1 "requests" <- a request body long enough to be clipped`},
	} {
		text, _ := failText(t, "TestWithdraw", flagValues{width: tc.width}, scenario, Runs(1))
		mustMatchAll(t, "report with -weft.width="+tc.width, text,
			`(?m)\| note `+regexp.QuoteMeta(msg)+`$`,
			`(?m)\| `+regexp.QuoteMeta(tc.cell)+`( |$)`)
	}
	rec := &tbRecorder{name: "TestX"}
	_, pkg := tempModule(t)
	if runTest(rec, pkg, flagValues{width: "3"}, scenario, nil) || !strings.Contains(rec.all(), "-weft.width=3: not a whole number of at least 8") {
		t.Fatalf("-weft.width=3 accepted:\n%s", rec.all())
	}
}

// Before: a line for every WaitGroup Add and Done (every wg.Go makes one).
// After: left out and counted, unless -weft.v, or unless the failure is the
// WaitGroup's own misuse, whose story they tell.
func TestReportLeavesOutWaitGroupAdds(t *testing.T) {
	scenario := func(w *sim.World) {
		wg := sim.NewWaitGroup(w).Named("workers")
		for range 3 {
			wg.Go("worker", func() { w.Yield() })
		}
		wg.Wait()
		w.Fatalf("checked after the workers")
	}
	text, _ := failText(t, "TestWorkers", flagValues{}, scenario, Runs(1))
	mustMatchAll(t, "report", text, `timeline of the \w+ run \(all \d+ events; 6 WaitGroup Add and Done events left out, -weft.v shows them\)`)
	if strings.Contains(text, "add 1: counter") || strings.Contains(text, "add -1: counter") {
		t.Fatalf("the report shows WaitGroup adds:\n%s", text)
	}
	text, _ = failText(t, "TestWorkers", flagValues{verbose: true}, scenario, Runs(1))
	mustMatchAll(t, "report with -weft.v", text, `waitgroup#1 "workers" add 1: counter 1`, `waitgroup#1 "workers" add -1: counter 0`)
	if strings.Contains(text, "left out") {
		t.Fatalf("-weft.v left events out:\n%s", text)
	}
	text, _ = failText(t, "TestMisuse", flagValues{}, func(w *sim.World) {
		wg := sim.NewWaitGroup(w)
		wg.Add(1)
		wg.Done()
		wg.Done()
	}, Runs(1))
	mustMatchAll(t, "report of a misuse", text, `sync: negative WaitGroup counter`, `add 1: counter 1`, `add -1: counter -1`)
}

// staleRead puts "new" and then reads "old": never linearizable.
func staleRead(w *sim.World) {
	for _, v := range []string{"old", "new"} {
		id := w.Call(0, model.KVInput{Op: model.Put, Key: "k", Value: v})
		w.Return(id, model.KVOutput{FoundUnknown: true})
	}
	w.Yield()
	get := w.Call(1, model.KVInput{Op: model.Get, Key: "k"})
	w.Return(get, model.KVOutput{Value: "old", Found: true})
}

func withLinearizable(c *sim.Config) {
	c.Properties = append(c.Properties, properties.Linearizable(properties.Linearizability{Model: model.KV}))
}

// Before: porcupine's page went to os.TempDir(), where pages of every test
// and every run piled up. After: to the test's reports, beside the package
// (without -artifacts), named by the failure.
func TestReportPageGoesWithTheTest(t *testing.T) {
	text, pkg := failText(t, "TestCache/stale", flagValues{}, staleRead, Runs(1), WithConfig(withLinearizable))
	m := mustMatchAll(t, "report", text, `; see (\S+\.html)`)
	want := filepath.Join(pkg, "weft-reports", "TestCache__stale")
	if filepath.Dir(m[1]) != want {
		t.Fatalf("the page is %s, want it in %s", m[1], want)
	}
	if page, err := os.ReadFile(m[1]); err != nil || !strings.Contains(string(page), "<html") {
		t.Fatalf("the page: %v", err)
	}
	// A ReportDir the test's options set is kept.
	mine := filepath.Join(t.TempDir(), "mine")
	text, _ = failText(t, "TestCache", flagValues{}, staleRead, Runs(1), WithConfig(withLinearizable),
		WithConfig(func(c *sim.Config) { c.ReportDir = mine }))
	if m := mustMatchAll(t, "report", text, `; see (\S+\.html)`); filepath.Dir(m[1]) != mine {
		t.Fatalf("the page is %s, want it in %s", m[1], mine)
	}
}

func TestWeftHelperLinearizable(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by TestArtifactsEndToEnd")
	}
	Test(t, staleRead, Runs(1), WithConfig(withLinearizable))
}

func FuzzWeftHelperLinearizable(f *testing.F) {
	if os.Getenv(helperEnv) == "" {
		f.Skip("run by TestArtifactsEndToEnd")
	}
	Fuzz(f, staleRead, WithConfig(withLinearizable))
}

// As go test runs a package's test binary: in the package directory, and
// with -artifacts, with -test.artifacts and -test.outputdir. The page the
// failure names exists after the test, where Go 1.26 keeps artifacts.
func TestArtifactsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	_, pkg := tempModule(t)
	see := `; see (\S+\.html)`

	out := runHelperBinary(t, pkg, "^TestWeftHelperLinearizable$")
	m := mustMatchAll(t, "output", out, see)
	if want := filepath.Join(pkg, "weft-reports", "TestWeftHelperLinearizable"); filepath.Dir(m[1]) != want {
		t.Fatalf("without -artifacts the page is %s, want it in %s", m[1], want)
	}
	if _, err := os.Stat(m[1]); err != nil {
		t.Fatal(err)
	}
	// A fuzz target's failing input writes beside its subtest's name.
	out = runHelperBinary(t, pkg, "^FuzzWeftHelperLinearizable$")
	m = mustMatchAll(t, "fuzz output", out, see)
	if dir, want := filepath.Dir(m[1]), filepath.Join(pkg, "weft-reports", "FuzzWeftHelperLinearizable__seed#"); !strings.HasPrefix(dir, want) {
		t.Fatalf("a fuzz input's page is %s, want it in %s<n>", m[1], want)
	}
	if _, err := os.Stat(m[1]); err != nil {
		t.Fatal(err)
	}

	reports, _ := os.ReadDir(filepath.Join(pkg, "weft-reports"))
	outdir := t.TempDir()
	out = runHelperBinary(t, pkg, "^TestWeftHelperLinearizable$", "-test.artifacts", "-test.outputdir="+outdir, "-test.v", "-weft.html")
	m = mustMatchAll(t, "output", out, see, `=== ARTIFACTS TestWeftHelperLinearizable (\S+)`)
	// With -weft.html, the failure's own page goes there too.
	page := mustMatchAll(t, "output", out, `HTML page \(lanes, arrows, its essential decisions\): (\S+\.html)`)[1]
	for _, file := range []string{m[1], page} {
		rel, err := filepath.Rel(filepath.Join(outdir, "_artifacts"), file)
		if err != nil || strings.HasPrefix(rel, "..") || !strings.Contains(rel, "TestWeftHelperLinearizable") {
			t.Fatalf("with -artifacts the page is %s, want it under %s", file, filepath.Join(outdir, "_artifacts"))
		}
		if _, err := os.Stat(file); err != nil {
			t.Fatalf("the page is gone after the test: %v", err)
		}
	}
	if after, _ := os.ReadDir(filepath.Join(pkg, "weft-reports")); len(after) != len(reports) {
		t.Fatalf("with -artifacts, weft-reports got %d more entries", len(after)-len(reports))
	}
}
