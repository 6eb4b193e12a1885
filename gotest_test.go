package weft

// Tests of the go test integration. Method: the machinery behind Test
// (runTest) runs against a tbRecorder standing in for *testing.T, in a
// throwaway module, so that a failing scenario can fail without failing this
// test; the report is UX, so it is matched with regular expressions: it must
// name the seed, where the log was saved and the commands that replay it.
// End to end, TestEndToEnd re-runs this test binary on helper tests and
// follows the printed commands as a developer would.

import (
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// tbRecorder is a tb that keeps what a test said. Its Fatalf does not stop
// the caller; runTest returns after every Fatalf.
type tbRecorder struct {
	name               string
	logs, errs, fatals []string
	skips              []string
}

func (r *tbRecorder) Helper()                      {}
func (r *tbRecorder) Name() string                 { return r.name }
func (r *tbRecorder) Log(args ...any)              { r.logs = append(r.logs, fmt.Sprint(args...)) }
func (r *tbRecorder) Logf(f string, args ...any)   { r.logs = append(r.logs, fmt.Sprintf(f, args...)) }
func (r *tbRecorder) Errorf(f string, args ...any) { r.errs = append(r.errs, fmt.Sprintf(f, args...)) }
func (r *tbRecorder) Fatalf(f string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(f, args...))
}
func (r *tbRecorder) Skipf(f string, args ...any) {
	r.skips = append(r.skips, fmt.Sprintf(f, args...))
}
func (r *tbRecorder) Failed() bool { return len(r.errs)+len(r.fatals) > 0 }
func (r *tbRecorder) all() string {
	return strings.Join(r.logs, "\n") + "\n" + strings.Join(r.errs, "\n") + "\n" + strings.Join(r.fatals, "\n") + "\n" + strings.Join(r.skips, "\n")
}

func writeFileT(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o666); err != nil {
		t.Fatal(err)
	}
}

func mkdirT(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o777); err != nil {
		t.Fatal(err)
	}
}

// tempModule makes a module root with a package directory "pkg" in it.
func tempModule(t *testing.T) (root, pkg string) {
	root = t.TempDir()
	writeFileT(t, filepath.Join(root, "go.mod"), "module example.com/m\n")
	pkg = filepath.Join(root, "pkg")
	mkdirT(t, pkg)
	return root, pkg
}

// fixedUpdate is lostUpdate without the race: the workers do not yield
// between their read and their write.
func fixedUpdate(w *sim.World) {
	n := 0
	done := sim.NewChan[int](w, 2)
	for range 2 {
		w.Go("worker", func() {
			n++
			done.Send(0)
		})
	}
	done.Recv()
	done.Recv()
	if n != 2 {
		w.Fatalf("lost an update: n = %d", n)
	}
}

func mustMatchAll(t *testing.T, what, text string, patterns ...string) []string {
	t.Helper()
	var first []string
	for i, p := range patterns {
		m := regexp.MustCompile(p).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("%s lacks %s:\n%s", what, p, text)
		}
		if i == 0 {
			first = m
		}
	}
	return first
}

func TestFindSaveReplay(t *testing.T) {
	root, pkg := tempModule(t)

	// 1. Exploring finds the lost update, saves the shrunk log and reports.
	rec := &tbRecorder{name: "TestLost"}
	if runTest(rec, pkg, flagValues{}, lostUpdate, []Option{Runs(300)}) || len(rec.fatals) != 1 {
		t.Fatalf("passed, or not exactly one fatal:\n%s", rec.all())
	}
	report := rec.fatals[0]
	m := mustMatchAll(t, "report", report,
		`Saved the shrunk log as pkg/testdata/weft/TestLost/([0-9a-f]{16}); Test replays it first from now on\.`,
		`(?m)^weft: process p0 "main": lost an update: n = 1 \(step \d+, virtual time 0s\)$`,
		`(?m)^  scenario TestLost, seed \d+, strategy [a-z0-9:+]+ \(the member of portfolio:\d+ that seed \d+ runs\)`,
		`(?m)^  preemptions: \d+ before shrinking, \d+ after \(\d+ replays\); the log has \d+ decisions$`,
		`(?m)^To replay it \(from the module root `+regexp.QuoteMeta(root)+`\):$`,
		`(?m)^    go test ./pkg -run '\^TestLost\$' -weft\.replay=pkg/testdata/weft/TestLost/[0-9a-f]{16}$`,
		`(?m)^    go test ./pkg -run '\^TestLost\$' -weft\.replay=weft1z?-[A-Za-z0-9_-]+$`,
		`(?m)^    go test ./pkg -run '\^TestLost\$' -weft\.seed=\d+ -weft\.strategy=[a-z0-9:+]+ -weft\.runs=1$`,
		`(?m)^timeline of the shrunk run`,
	)
	saved := filepath.Join(pkg, "testdata", "weft", "TestLost", m[1])
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	l, err := scheduler.DecodeLog(data)
	if err != nil {
		t.Fatalf("saved file: %v", err)
	}
	if l.Scenario != "TestLost" || scheduler.Preemptions(l.Decisions) < 1 || !regexp.MustCompile(fmt.Sprintf(`, %d after `, scheduler.Preemptions(l.Decisions))).MatchString(report) {
		t.Fatalf("saved log %+v", l)
	}
	seedArgs := regexp.MustCompile(`-weft\.seed=(\d+) -weft\.strategy=(\S+)`).FindStringSubmatch(report)
	seed, strategy := seedArgs[1], seedArgs[2]

	// 2. The next Test replays the saved log before exploring, and fails on
	// it even when exploring would not reach the bug (one calm seed).
	rec = &tbRecorder{name: "TestLost"}
	if runTest(rec, pkg, flagValues{}, lostUpdate, []Option{Runs(1), Strategy("pct:1")}) {
		t.Fatal("passed with a failing saved log")
	}
	mustMatchAll(t, "replay report", strings.Join(rec.fatals, "\n"),
		`(?m)^weft: replayed pkg/testdata/weft/TestLost/`+m[1]+`: it fails$`,
		`(?m)^    go test ./pkg -run '\^TestLost\$' -weft\.replay=pkg/testdata/weft/TestLost/`+m[1]+`$`)

	// 3. Once the bug is fixed, the saved log replays and passes.
	rec = &tbRecorder{name: "TestLost"}
	if !runTest(rec, pkg, flagValues{verbose: true}, fixedUpdate, []Option{Runs(50)}) {
		t.Fatalf("fixed scenario failed:\n%s", rec.all())
	}
	mustMatchAll(t, "logs", rec.all(), `weft: replayed pkg/testdata/weft/TestLost/`+m[1]+`: passes now`, `weft: 50 runs, \d+ steps`)

	// 4. -weft.replay with the path as printed (relative to the module
	// root, while the test runs in its package directory) runs only that log.
	rec = &tbRecorder{name: "TestLost"}
	if runTest(rec, pkg, flagValues{replay: "pkg/testdata/weft/TestLost/" + m[1]}, lostUpdate, nil) {
		t.Fatal("replay passed")
	}
	mustMatchAll(t, "replay", rec.all(), `weft: replayed pkg/testdata/weft/TestLost/`+m[1]+`: it fails`)

	// 5. So does the seed form, in a package without saved logs.
	_, other := tempModule(t)
	rec = &tbRecorder{name: "TestLost"}
	if runTest(rec, other, flagValues{seed: seed, strategy: strategy, runs: "1"}, lostUpdate, nil) {
		t.Fatal("the seed form passed")
	}
	mustMatchAll(t, "seed form", rec.all(), `(?m)^  scenario TestLost, seed `+seed+`, strategy `+regexp.QuoteMeta(strategy)+`$`)
}

func TestReplayTextForm(t *testing.T) {
	_, pkg := tempModule(t)
	f := Explore(Options{Name: "TestLost", Runs: 300}, lostUpdate).Failure
	if f == nil {
		t.Fatal("no failure")
	}
	rec := &tbRecorder{name: "TestLost"}
	if runTest(rec, pkg, flagValues{replay: f.Log.String()}, lostUpdate, nil) {
		t.Fatal("replay of a failing log passed")
	}
	mustMatchAll(t, "report", rec.all(), `(?m)^weft: replayed the log: it fails$`, `lost an update: n = 1`,
		`-weft\.replay=weft1`)
	if _, err := os.Stat(filepath.Join(pkg, "testdata")); err == nil {
		t.Fatal("a replay saved something")
	}

	// A passing log has its timeline logged.
	calm := &scheduler.Log{Scenario: "TestLost"}
	rec = &tbRecorder{name: "TestLost"}
	if !runTest(rec, pkg, flagValues{replay: calm.String()}, fixedUpdate, nil) {
		t.Fatalf("calm replay failed:\n%s", rec.all())
	}
	mustMatchAll(t, "logs", rec.all(), `weft: replayed the log: passed, \d+ steps`, `(?m)^    step time \| clock +\| p0 main`)

	// A log text that claims a billion decisions, with a checksum that matches.
	lying := binary.AppendUvarint([]byte{'w', 'e', 'f', 't', 1, 0, 0, 0, 0, 0}, 1<<30)
	lying = binary.LittleEndian.AppendUint32(lying, crc32.ChecksumIEEE(lying))
	for _, tc := range []struct{ arg, want string }{
		{"weft1-" + base64.RawURLEncoding.EncodeToString(lying), `weft: -weft.replay: scheduler: log claims 1073741824 decisions, more than the 16777216 a log may hold`},
		{"weft1-AAAA", `weft: -weft.replay: scheduler: not a weft decision log`},
		{"weft1-%%%", `weft: -weft.replay: scheduler: log text is not valid base64url`},
		{"weft2-AAAA", `weft: -weft.replay: scheduler: log of unknown format version "weft2-"`},
		{"nosuchfile", `weft: -weft.replay: nosuchfile: no such file`},
	} {
		rec = &tbRecorder{name: "TestLost"}
		if runTest(rec, pkg, flagValues{replay: tc.arg}, fixedUpdate, nil) || len(rec.fatals) != 1 {
			t.Fatalf("-weft.replay=%s did not fail once:\n%s", tc.arg, rec.all())
		}
		mustMatchAll(t, "error", rec.fatals[0], regexp.QuoteMeta(tc.want))
	}
}

// A saved file that cannot be read fails the test with a message that says
// which file and why; it never crashes Test. Subdirectories (subtests'
// corpora) and files with a dot in their names are left alone.
func TestMalformedSavedLogs(t *testing.T) {
	_, pkg := tempModule(t)
	dir := filepath.Join(pkg, "testdata", "weft", "TestX")
	good, err := (&scheduler.Log{Scenario: "TestX"}).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	newer := append([]byte("weft"), 9)
	// A log that claims a billion decisions, with a checksum that matches.
	lying := binary.AppendUvarint([]byte{'w', 'e', 'f', 't', 1, 0, 0, 0, 0, 0}, 1<<30)
	lying = binary.LittleEndian.AppendUint32(lying, crc32.ChecksumIEEE(lying))
	writeFileT(t, filepath.Join(dir, "0garbage"), "this is not a log")
	writeFileT(t, filepath.Join(dir, "1truncated"), string(good[:len(good)-3]))
	writeFileT(t, filepath.Join(dir, "2newer"), string(newer))
	writeFileT(t, filepath.Join(dir, "3good"), string(good))
	writeFileT(t, filepath.Join(dir, "4newertext"), "weft2-AAAA\n")
	writeFileT(t, filepath.Join(dir, "5lying"), string(lying))
	writeFileT(t, filepath.Join(dir, "README.md"), "provenance")
	writeFileT(t, filepath.Join(dir, "sub", "junk"), "junk")

	rec := &tbRecorder{name: "TestX"}
	if runTest(rec, pkg, flagValues{}, fixedUpdate, []Option{Runs(10)}) {
		t.Fatal("passed with malformed saved logs")
	}
	if len(rec.errs) != 5 || len(rec.fatals) != 1 {
		t.Fatalf("want 5 errors and 1 fatal:\n%s", rec.all())
	}
	mustMatchAll(t, "errors", strings.Join(rec.errs, "\n"),
		`saved log pkg/testdata/weft/TestX/0garbage cannot be replayed: scheduler: not a weft decision log`,
		`saved log pkg/testdata/weft/TestX/1truncated cannot be replayed: scheduler: log truncated`,
		`saved log pkg/testdata/weft/TestX/2newer cannot be replayed: scheduler: log format version 9 is newer than this weft`,
		`saved log pkg/testdata/weft/TestX/4newertext cannot be replayed: scheduler: log of unknown format version "weft2-", newer than this weft`,
		`saved log pkg/testdata/weft/TestX/5lying cannot be replayed: scheduler: log claims 1073741824 decisions, more than the 16777216 a log may hold`,
		`delete it if the failure it recorded no longer matters`)
	mustMatchAll(t, "fatal", rec.fatals[0], `weft: 5 saved logs under pkg/testdata/weft/TestX could not be replayed`)
}

func TestBadFlagsAndOptions(t *testing.T) {
	_, pkg := tempModule(t)
	for _, tc := range []struct {
		fv   flagValues
		opts []Option
		want string
	}{
		{flagValues{strategy: "bfs"}, nil, `weft: -weft.strategy=bfs: scheduler: unknown strategy "bfs"`},
		{flagValues{}, []Option{Strategy("pct:0")}, `weft: bad strategy: scheduler: strategy "pct:0": depth "0" is not a whole number of at least 1`},
		{flagValues{shard: "2/2"}, nil, `weft: -weft.shard=2/2: i is 2, want 0 <= i < 2`},
		{flagValues{shard: "1"}, nil, `weft: -weft.shard=1: want i/n`},
		{flagValues{shard: "0/0"}, nil, `weft: -weft.shard=0/0: n is 0, want at least 1`},
		{flagValues{seed: "-1"}, nil, `weft: -weft.seed=-1: not an unsigned 64-bit integer`},
		{flagValues{runs: "0"}, nil, `weft: -weft.runs=0: not a whole number of at least 1`},
		{flagValues{budget: "soon"}, nil, `weft: -weft.budget=soon: not a positive duration`},
		{flagValues{shrinkRuns: "x"}, nil, `weft: -weft.shrink-runs=x: not a whole number`},
		{flagValues{}, []Option{Runs(-3)}, `weft: runs -3 is negative`},
	} {
		rec := &tbRecorder{name: "TestX"}
		if runTest(rec, pkg, tc.fv, fixedUpdate, tc.opts) || len(rec.fatals) != 1 || !strings.Contains(rec.fatals[0], tc.want) {
			t.Errorf("flags %+v: want one fatal containing %q, got:\n%s", tc.fv, tc.want, rec.all())
		}
	}
}

func TestFlagsOverrideOptions(t *testing.T) {
	s, err := newSettings("T", flagValues{seed: "7", runs: "9", strategy: "pct:2", shard: "1/3", checkDeterminism: "false", shrinkRuns: "5"},
		[]Option{Runs(5), Seed(3), Strategy("random"), CheckDeterminism(), Budget(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Name: "T", Seed: 7, Runs: 9, Budget: time.Hour, Spec: scheduler.Spec{Name: "pct", Depth: 2}, Shard: 1, Shards: 3, ShrinkRuns: 5}
	if got := s.explore; got.Seed != want.Seed || got.Runs != want.Runs || got.Budget != want.Budget || got.Spec != want.Spec ||
		got.Shard != want.Shard || got.Shards != want.Shards || got.CheckDeterminism || got.ShrinkRuns != 5 || got.Name != "T" {
		t.Fatalf("settings %+v", got)
	}
	// Options alone, and a time budget from the command line, which lifts
	// the code's run count.
	s, err = newSettings("T", flagValues{budget: "2s"}, []Option{Runs(5), Seed(3), CheckDeterminism(), WithConfig(func(c *sim.Config) { c.MaxSteps = 77 })})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.explore; got.Seed != 3 || got.Runs != 0 || got.Budget != 2*time.Second || !got.CheckDeterminism || got.Config.MaxSteps != 77 {
		t.Fatalf("settings %+v", got)
	}
	// Any func(*Options) is an option; a flag replaces a strategy that did
	// not parse, and the spec of a later Strategy replaces an earlier one's
	// error.
	s, err = newSettings("T", flagValues{strategy: "pct:4"}, []Option{Strategy("bfs"), func(o *Options) { o.ShrinkTime = time.Minute }})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.explore; got.Spec.String() != "pct:4" || got.ShrinkTime != time.Minute {
		t.Fatalf("settings %+v", got)
	}
	if _, err := newSettings("T", flagValues{}, []Option{Strategy("bfs"), Strategy("dfs:2")}); err != nil {
		t.Fatal(err)
	}
}

// Every flag the package registers is written in the package documentation
// and in the README's table, under the name the flag set knows.
func TestFlagsAreDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	flag.VisitAll(func(f *flag.Flag) {
		if !strings.HasPrefix(f.Name, "weft.") {
			return
		}
		n++
		if !regexp.MustCompile(`(?m)^//\s+-` + regexp.QuoteMeta(f.Name) + `\b`).Match(doc) {
			t.Errorf("doc.go's # Flags does not describe -%s", f.Name)
		}
		if !regexp.MustCompile("(?m)^\\| `-" + regexp.QuoteMeta(f.Name) + "[ `]").Match(readme) {
			t.Errorf("README.md's flags table has no row for -%s", f.Name)
		}
	})
	if n != 12 {
		t.Errorf("%d weft flags registered; this test expects 12: update it, the doc and the README together", n)
	}
}

// Test itself, as a test uses it: subtests, in parallel, each with its own
// worlds. The scenarios pass, so this test's own outcome is the check.
func TestSimTestSubtestsInParallel(t *testing.T) {
	for _, name := range []string{"echo", "ping/pong", "fixed"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			Test(t, func(w *sim.World) {
				if name == "fixed" {
					fixedUpdate(w)
					return
				}
				c := sim.NewChan[int](w, 0)
				w.Go("echo", func() { c.Send(c.Recv() + 1) })
				c.Send(1)
				if got := c.Recv(); got != 2 {
					w.Fatalf("echo %d", got)
				}
			}, Runs(200), CheckDeterminism())
		})
	}
}

// The corpus directory of a subtest nests under its parent's.
func TestCorpusDir(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"TestX", "d/testdata/weft/TestX"},
		{"TestX/sub/case#01", "d/testdata/weft/TestX/sub/case#01"},
		{"TestX/../..", "d/testdata/weft/TestX/_/_"},
	} {
		if got := filepath.ToSlash(corpusDir("d", tc.name)); got != tc.want {
			t.Errorf("corpusDir(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Helper tests for TestEndToEnd: they run only when it re-runs this binary.
const helperEnv = "WEFT_HELPER"

func TestWeftHelperBuggy(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by TestEndToEnd")
	}
	t.Run("sub", func(t *testing.T) {
		Test(t, lostUpdate, Runs(300))
	})
}

func TestWeftHelperPanics(t *testing.T) {
	if os.Getenv(helperEnv) == "" {
		t.Skip("run by TestEndToEnd")
	}
	Test(t, func(w *sim.World) {
		w.Go("boom", func() { panic("kaboom") })
		w.Sleep(time.Second)
	}, Runs(5))
}

func FuzzWeftHelperBuggy(f *testing.F) {
	if os.Getenv(helperEnv) == "" {
		f.Skip("run by TestEndToEnd")
	}
	Fuzz(f, lostUpdate)
}

// runHelperBinary re-runs this test binary in dir on the helper test run, with the
// helpers enabled, and returns its output. The helpers fail, so the exit
// status is not checked; a crash (a panic escaping the test) is.
func runHelperBinary(t *testing.T, dir, run string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=" + run, "-test.count=1"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "panic: ") || strings.Contains(string(out), "goroutine ") {
		t.Fatalf("the test binary crashed:\n%s", out)
	}
	return string(out)
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	root, pkg := tempModule(t)

	out := runHelperBinary(t, pkg, "^TestWeftHelperBuggy$")
	m := mustMatchAll(t, "output", out,
		`(?m)^\s+go test ./pkg -run ('\^TestWeftHelperBuggy\$/\^sub\$') -weft\.replay=(pkg/testdata/weft/TestWeftHelperBuggy/sub/([0-9a-f]{16}))$`,
		`--- FAIL: TestWeftHelperBuggy/sub`,
		`lost an update: n = 1`,
		`(?m)^\s+go test ./pkg -run '\^TestWeftHelperBuggy\$/\^sub\$' -weft\.seed=\d+ -weft\.strategy=[a-z0-9:+]+ -weft\.runs=1$`)
	if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(m[2]))); err != nil {
		t.Fatalf("saved log: %v", err)
	}
	// Follow the printed command: the pattern selects the subtest and the
	// path is relative to the module root.
	pattern := strings.Trim(m[1], "'")
	out = runHelperBinary(t, pkg, pattern, "-weft.replay="+m[2])
	mustMatchAll(t, "replay output", out, `weft: replayed `+regexp.QuoteMeta(m[2])+`: it fails`, `--- FAIL: TestWeftHelperBuggy/sub`)
	// Without the flag, the saved log is replayed before anything else.
	out = runHelperBinary(t, pkg, pattern, "-weft.runs=1")
	mustMatchAll(t, "second run", out, `weft: replayed `+regexp.QuoteMeta(m[2])+`: it fails`)

	// A panicking process fails the test; it does not crash the binary.
	out = runHelperBinary(t, pkg, "^TestWeftHelperPanics$")
	mustMatchAll(t, "panic output", out, `--- FAIL: TestWeftHelperPanics`, `weft: process p1 "boom" panicked: kaboom`,
		`(?m)^\s+github.com/weftsim/weft.TestWeftHelperPanics.func1.1$`)

	// Fuzz runs its seed corpus; a failing entry names itself and the log.
	out = runHelperBinary(t, pkg, "^FuzzWeftHelperBuggy$")
	m = mustMatchAll(t, "fuzz output", out,
		`(?m)-weft\.replay=(weft1z?-[A-Za-z0-9_-]+)$`,
		`--- FAIL: FuzzWeftHelperBuggy/seed#\d`,
		`(?m)^\s+go test ./pkg -run '\^FuzzWeftHelperBuggy\$/\^seed#\d\$'$`,
		`lost an update: n = 1`)
	out = runHelperBinary(t, pkg, "^FuzzWeftHelperBuggy$", "-weft.replay="+m[1])
	mustMatchAll(t, "fuzz replay", out, `weft: replayed the log: it fails`, `--- FAIL: FuzzWeftHelperBuggy`)
}

// A fuzz target over schedules, run here on its seed corpus.
func FuzzEcho(f *testing.F) {
	Fuzz(f, func(w *sim.World) {
		c := sim.NewChan[int](w, 0)
		w.Go("echo", func() { c.Send(c.Recv() + 1) })
		w.Go("noise", func() { w.Yield() })
		c.Send(1)
		if got := c.Recv(); got != 2 {
			w.Fatalf("echo %d", got)
		}
	})
}

// A process blocked outside the world is reported by the watchdog with the
// seed to run again; no log is saved, since the run's decisions could not be
// read back from the stuck run.
func TestWatchdogFinding(t *testing.T) {
	_, pkg := tempModule(t)
	real := make(chan struct{})
	defer close(real) // frees the abandoned run's goroutine
	rec := &tbRecorder{name: "TestStuck"}
	if runTest(rec, pkg, flagValues{}, func(w *sim.World) {
		w.Go("stuck", func() { <-real })
		w.Yield()
	}, []Option{Runs(3), WithConfig(func(c *sim.Config) { c.Watchdog, c.RealBlock = 50*time.Millisecond, -1 })}) {
		t.Fatal("passed")
	}
	mustMatchAll(t, "report", rec.all(),
		`(?m)^weft: watchdog: process p1 "stuck" did not reach a scheduling point for 50ms of real time`,
		`(?m)^\s+go test ./pkg -run '\^TestStuck\$' -weft\.seed=0 -weft\.strategy=[a-z0-9:+]+ -weft\.runs=1$`)
	if strings.Contains(rec.all(), "Saved") {
		t.Fatalf("saved a log of a watchdog run:\n%s", rec.all())
	}
	if _, err := os.Stat(filepath.Join(pkg, "testdata")); err == nil {
		t.Fatal("testdata written")
	}
}

// A log saved by an earlier run, checked in: the regression corpus as a user
// has it. Test replays it before exploring; the bug it recorded is fixed in
// fixedUpdate, so it passes. The file must still decode (the format is
// stable), and replayed on the buggy scenario it must still fail for as long
// as the code makes the decisions it records.
func TestSavedLogStaysFixed(t *testing.T) {
	const saved = "testdata/weft/TestSavedLogStaysFixed/a29563ded635c149"
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	l, err := scheduler.DecodeLog(data)
	if err != nil {
		t.Fatalf("%s no longer decodes: %v", saved, err)
	}
	if l.Scenario != t.Name() || l.Seed != 1 || l.Spec != "random" {
		t.Fatalf("header %+v", l)
	}
	r, st := replayWith(sim.Config{}, l, lostUpdate)
	switch {
	case st.Diverged() > 0:
		t.Errorf("%s: %d decisions no longer fit lostUpdate; the scheduler or the world changed the points it asks: save the log again", saved, st.Diverged())
	case r.Failure.Signature() != lostUpdateSignature:
		t.Fatalf("%s follows lostUpdate exactly but no longer loses the update: %v", saved, r.Failure)
	}
	Test(t, fixedUpdate, Runs(20))
}
