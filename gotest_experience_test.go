package weft

// The go test experience (issue 12): the commands weft prints, and go
// test's own conventions, as a new user meets them. Method: each defect is
// reproduced the way the issue met it and shown fixed, first in process
// (runTest against a tbRecorder, with the command line built by hand, in a
// throwaway module); then TestPrintedCommandsFromAFreshShell makes a module
// of its own that uses weft through a replace line to this checkout, runs
// go test there with a clean GOFLAGS, and pastes every command weft prints
// into sh as it is printed, checking that each does what it says.

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// echoThree passes under every schedule; its points differ from
// lostUpdate's, so a log of lostUpdate does not fit it.
func echoThree(w *sim.World) {
	for i := range 3 {
		c := sim.NewChan[int](w, 0)
		w.Go("echo", func() { c.Send(c.Recv() + 1) })
		c.Send(i)
		if got := c.Recv(); got != i+1 {
			w.Fatalf("echo %d", got)
		}
	}
}

// Defect: -weft.replay without -run was applied to every test of the
// package, and a test given another test's log failed with "decisions no
// longer fit the code: it has changed". Now a log goes to the test it names;
// the others skip, saying whose log it is; a test that -run selects alone
// replays it with a warning, and divergence is put down to the log being
// foreign, never to changed code.
func TestReplayGoesToItsOwnTest(t *testing.T) {
	_, pkg := tempModule(t)
	f := Explore(Options{Name: "TestLost", Runs: 300}, lostUpdate).Failure
	if f == nil || len(f.Log.Decisions) == 0 {
		t.Fatalf("no failure with decisions to replay: %+v", f)
	}
	text := f.Log.String()

	for _, run := range []string{"", "Test", "^TestLost$|^TestEcho$"} {
		rec := &tbRecorder{name: "TestEcho"}
		if !runTest(rec, pkg, flagValues{replay: text, run: run}, echoThree, nil) || len(rec.skips) != 1 || len(rec.fatals) != 0 {
			t.Fatalf("-run=%q: another test's log was not skipped:\n%s", run, rec.all())
		}
		mustMatchAll(t, "skip", rec.skips[0], `^weft: -weft\.replay=the log is a log of TestLost, not of TestEcho: skipped`)
	}

	rec := &tbRecorder{name: "TestEcho"}
	if !runTest(rec, pkg, flagValues{replay: text, run: "^TestEcho$"}, echoThree, nil) {
		t.Fatalf("echo failed under a foreign log:\n%s", rec.all())
	}
	mustMatchAll(t, "foreign replay", rec.all(),
		`weft: warning: -weft\.replay=the log was recorded for TestLost, not for TestEcho; replaying it here because -run selects this test`,
		`weft: replayed the log: passed \(\d+ of its \d+ decisions do not fit TestEcho, which is not the test the log was recorded for: TestLost\)`)
	if strings.Contains(rec.all(), "changed") {
		t.Fatalf("a foreign log blamed changed code:\n%s", rec.all())
	}

	// A log of TestLost saved under TestEcho's name (copied, or kept
	// through a rename) is replayed there, with the same warning, and its
	// divergence is not put down to changed code either.
	writeFileT(t, filepath.Join(pkg, "testdata", "weft", "TestEcho", "0copied"), text+"\n")
	rec = &tbRecorder{name: "TestEcho"}
	if !runTest(rec, pkg, flagValues{}, echoThree, []Option{Runs(1)}) {
		t.Fatalf("echo failed under a copied log:\n%s", rec.all())
	}
	mustMatchAll(t, "copied log", rec.all(),
		`weft: warning: saved log pkg/testdata/weft/TestEcho/0copied was recorded for TestLost, not for TestEcho`,
		`weft: replayed pkg/testdata/weft/TestEcho/0copied: passes now \(\d+ of its \d+ decisions do not fit TestEcho, which is not the test the log was recorded for: TestLost\)`)
	if strings.Contains(rec.all(), "changed") {
		t.Fatalf("a copied log blamed changed code:\n%s", rec.all())
	}

	// The log's own test replays it, with no warning, whatever -run says.
	for _, run := range []string{"", "^TestLost$"} {
		rec = &tbRecorder{name: "TestLost"}
		if runTest(rec, pkg, flagValues{replay: text, run: run}, lostUpdate, nil) || len(rec.fatals) != 1 {
			t.Fatalf("-run=%q: the log's own test did not fail on it:\n%s", run, rec.all())
		}
		if strings.Contains(rec.all(), "warning") || len(rec.skips) > 0 {
			t.Fatalf("-run=%q: the log's own test warned or skipped:\n%s", run, rec.all())
		}
	}
}

// runSelects follows go test's -run, so that "the test -run selects" means
// what go test means by it.
func TestRunSelects(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"", "TestX", true},
		{"^TestX$", "TestX", true},
		{"^TestX$", "TestXFixed", false},
		{"TestX", "TestXFixed", true},
		{"^TestX$", "TestX/sub", true},
		{"^TestX$/^sub$", "TestX/sub", true},
		{"^TestX$/^sub$", "TestX/other", false},
		{"^TestX$/^sub$", "TestX", true}, // its body runs the subtest
		{"TestA|TestB", "TestB", true},
		{"TestA|TestB", "TestC", false},
		{"^Test(A|B)$", "TestB", true},
		{"^Test[/]X$", "Test/X", false}, // a '/' in brackets does not split
		{"^with space$", "with_space", true},
		{"FuzzLost/seed#2", "FuzzLostFixed/seed#2", true},
		{"FuzzLost/seed#2", "FuzzLost/seed#20", true},
		{"^FuzzLost$/^seed#2$", "FuzzLostFixed/seed#2", false},
		{"^FuzzLost$/^seed#2$", "FuzzLost/seed#20", false},
		{"(", "TestX", true}, // go test refuses it before any test runs
	} {
		if got := runSelects(tc.pattern, tc.name); got != tc.want {
			t.Errorf("runSelects(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

// Defect: a saved log that was replayed first and passed said nothing, so
// a fixed bug did not look fixed. Now go test -v shows one line for it.
func TestSavedLogSaysPassesNow(t *testing.T) {
	_, pkg := tempModule(t)
	rec := &tbRecorder{name: "TestLost"}
	if runTest(rec, pkg, flagValues{}, lostUpdate, []Option{Runs(300)}) {
		t.Fatal("the lost update was not found")
	}
	id := mustMatchAll(t, "report", rec.fatals[0], `Saved the shrunk log as pkg/testdata/weft/TestLost/([0-9a-f]{16})`)[1]

	rec = &tbRecorder{name: "TestLost"}
	if !runTest(rec, pkg, flagValues{}, fixedUpdate, []Option{Runs(20)}) {
		t.Fatalf("the fixed scenario failed:\n%s", rec.all())
	}
	if len(rec.logs) != 2 {
		t.Fatalf("want the saved log's line and the exploration's:\n%s", rec.all())
	}
	mustMatchAll(t, "saved log's line", rec.logs[0],
		`^weft: replayed pkg/testdata/weft/TestLost/`+id+`: passes now( \(\d+ of its \d+ decisions no longer fit the code: it has changed since the log was saved\))?$`)
}

// Defect: saved logs were binary files, a blob in a pull request. Now they
// are lines of text (scheduler's file form) that say what they recorded;
// a binary file saved before still replays, and a damaged text says where.
func TestSavedLogsAreText(t *testing.T) {
	_, pkg := tempModule(t)
	rec := &tbRecorder{name: "TestLost"}
	runTest(rec, pkg, flagValues{}, lostUpdate, []Option{Runs(300)})
	rel := mustMatchAll(t, "report", rec.all(), `Saved the shrunk log as (pkg/testdata/weft/TestLost/[0-9a-f]{16})`)[1]
	path := filepath.Join(filepath.Dir(pkg), rel)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mustMatchAll(t, "saved file", string(data),
		`\Aweft log v1\n# TestLost: process p0 "main": lost an update: n = 1 \(step \d+, virtual time 0s\)\n`,
		`(?m)^# Found by seed \d+ \(strategy random\); \d+ preemptions? after shrinking\. go test replays this file$`,
		`(?m)^#     go test ./pkg -run '\^TestLost\$' -weft\.replay=`+regexp.QuoteMeta(rel)+`$`,
		`(?m)^scenario "TestLost"\nseed \d+\nstrategy "random"\nweft "[^"]*"\ngo "go[^"]*"\ndecisions \d+\n`,
		`(?m)^schedule \d+/\d+( x\d+)?$`)
	l, err := scheduler.DecodeLog(data)
	if err != nil || l.Scenario != "TestLost" {
		t.Fatalf("the saved file does not decode: %v", err)
	}
	// Saving the same log again leaves the file as it is.
	again, err := saveLog(filepath.Dir(path), l, func(string) string { return "# another note\n" })
	if got, _ := os.ReadFile(path); err != nil || again != path || !bytes.Equal(got, data) {
		t.Fatalf("saving the same log again: %s, %v", again, err)
	}

	// The same log in the binary form, as weft saved logs before, still
	// replays first, and still fails.
	bin, err := l.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	writeFileT(t, filepath.Join(filepath.Dir(path), "0binary"), string(bin))
	rec = &tbRecorder{name: "TestLost"}
	if runTest(rec, pkg, flagValues{}, lostUpdate, []Option{Runs(1), Strategy("pct:1")}) {
		t.Fatal("the old binary log passed")
	}
	mustMatchAll(t, "binary replay", rec.all(), `weft: replayed pkg/testdata/weft/TestLost/0binary: it fails`)

	// A text file damaged in review says which line.
	_, pkg = tempModule(t)
	writeFileT(t, filepath.Join(pkg, "testdata", "weft", "TestX", "0bad"), "weft log v1\nscenario \"TestX\"\nseed three\n")
	rec = &tbRecorder{name: "TestX"}
	if runTest(rec, pkg, flagValues{}, fixedUpdate, []Option{Runs(1)}) {
		t.Fatal("passed with a damaged log file")
	}
	mustMatchAll(t, "damaged", rec.all(), `saved log pkg/testdata/weft/TestX/0bad cannot be replayed: scheduler: log file line 3: seed "three": not a decimal number`)
}

// Defect: -short did not cut anything. Now it cuts the runs (and a budget)
// the code set to a tenth, and says so; a -weft.* flag given stays.
func TestShortCutsRuns(t *testing.T) {
	for _, tc := range []struct {
		fv     flagValues
		opts   []Option
		runs   int
		budget time.Duration
		note   string
	}{
		{flagValues{short: true}, nil, 100, 0, "-short: 100 runs of 1000"},
		{flagValues{short: true}, []Option{Runs(5000)}, 500, 0, "-short: 500 runs of 5000"},
		{flagValues{short: true}, []Option{Runs(5)}, 1, 0, "-short: 1 runs of 5"},
		{flagValues{short: true, runs: "50"}, nil, 50, 0, ""},
		{flagValues{short: true}, []Option{Budget(10 * time.Second)}, 0, time.Second, "-short: a budget of 1s of 10s"},
		{flagValues{short: true, budget: "10s"}, []Option{Runs(300)}, 0, 10 * time.Second, ""}, // the flag's budget alone sets the runs
		{flagValues{short: true, budget: "10s", runs: "300"}, nil, 300, 10 * time.Second, ""},
		{flagValues{}, nil, 0, 0, ""},
	} {
		s, err := newSettings("T", tc.fv, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if s.explore.Runs != tc.runs || s.explore.Budget != tc.budget || s.short != tc.note {
			t.Errorf("%+v: runs %d, budget %v, note %q; want %d, %v, %q", tc.fv, s.explore.Runs, s.explore.Budget, s.short, tc.runs, tc.budget, tc.note)
		}
	}
	_, pkg := tempModule(t)
	rec := &tbRecorder{name: "TestFixed"}
	if !runTest(rec, pkg, flagValues{short: true}, fixedUpdate, nil) {
		t.Fatalf("failed:\n%s", rec.all())
	}
	mustMatchAll(t, "report", rec.all(), `(?m)^weft: 100 runs, \d+ steps in .*: no failure \(-short: 100 runs of 1000\)$`)
}

// deadlineRecorder is a tbRecorder with a deadline, as *testing.T has one
// when go test runs with -timeout.
type deadlineRecorder struct {
	tbRecorder
	deadline time.Time
}

func (r *deadlineRecorder) Deadline() (time.Time, bool) { return r.deadline, true }

// Defect: go test -timeout did not bound an exploration: a long one ran
// into the timeout, which kills the binary with a goroutine dump. Now it
// stops at 8 tenths of the time t.Deadline leaves, and says how far it got;
// shrinking a failure gets a tenth.
func TestTimeoutBoundsExploration(t *testing.T) {
	s := &settings{}
	if note := s.fitDeadline(10 * time.Second); s.explore.Budget != 8*time.Second || s.explore.ShrinkTime != time.Second || s.explore.Runs != defaultRuns || note == "" {
		t.Fatalf("fitDeadline(10s): %+v, %q", s.explore, note)
	}
	s = &settings{}
	if s.fitDeadline(-time.Second); s.explore.Budget != time.Nanosecond || s.explore.ShrinkTime != time.Millisecond {
		t.Fatalf("fitDeadline of a deadline past: %+v; want a bound of one seed, never none", s.explore)
	}
	s = &settings{explore: Options{Budget: time.Second, ShrinkTime: time.Millisecond}}
	if note := s.fitDeadline(time.Minute); s.explore.Budget != time.Second || s.explore.ShrinkTime != time.Millisecond || s.explore.Runs != 0 || note != "" {
		t.Fatalf("a tighter budget of the code's own was changed: %+v, %q", s.explore, note)
	}

	_, pkg := tempModule(t)
	rec := &deadlineRecorder{tbRecorder{name: "TestLong"}, time.Now().Add(500 * time.Millisecond)}
	start := time.Now()
	if !runTest(rec, pkg, flagValues{}, fixedUpdate, []Option{Runs(1 << 30)}) {
		t.Fatalf("failed:\n%s", rec.all())
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the exploration took %v with half a second left before the timeout", took)
	}
	mustMatchAll(t, "report", rec.all(),
		`(?m)^weft: \d+ runs, \d+ steps in [^:]*: no failure \(\d+ of the 1073741824 runs asked did not run: stopped at \d+(\.\d+)?ms, 8 tenths of the \d+(\.\d+)?ms that go test's -timeout left \(t\.Deadline\); only the runs that ran passed\)$`)

	// A budget alone, longer than the time left, is cut to fit and says so.
	rec = &deadlineRecorder{tbRecorder{name: "TestLong"}, time.Now().Add(300 * time.Millisecond)}
	if !runTest(rec, pkg, flagValues{}, fixedUpdate, []Option{Budget(time.Hour)}) {
		t.Fatalf("failed:\n%s", rec.all())
	}
	mustMatchAll(t, "report", rec.all(), `(?m)^weft: \d+ runs, .*: no failure \(stopped at \d+(\.\d+)?ms, 8 tenths of the \d+(\.\d+)?ms that go test's -timeout left \(t\.Deadline\)\)$`)
}

// Defect: -weft.shard counted from 0 without saying so, and took no other
// form, so a CI matrix index (counted from 1) could not be passed as it is.
// Now it says so, takes kofn counted from 1, and $WEFT_SHARD; ParseShard is
// the one parser, which the weft command uses too.
func TestShardForms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		i, n int
		err  string
	}{
		{"0/2", 0, 2, ""},
		{"1/2", 1, 2, ""},
		{"1of2", 0, 2, ""},
		{"2of2", 1, 2, ""},
		{"1of1", 0, 1, ""},
		{"2/2", 0, 0, "i is 2, want 0 <= i < 2: i/n counts from 0 (kofn counts from 1)"},
		{"0of2", 0, 0, "k is 0, want 1 <= k <= 2: kofn counts from 1 (i/n counts from 0)"},
		{"3of2", 0, 0, "k is 3, want 1 <= k <= 2"},
		{"1 of 2", 0, 0, "with whole numbers"},
		{"2", 0, 0, "want i/n counted from 0 (0/4 to 3/4) or kofn counted from 1 (1of4 to 4of4)"},
		{"1of0", 0, 0, "n is 0, want at least 1"},
	} {
		i, n, err := ParseShard(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q) = %d, %d, %v; want an error with %q", tc.in, i, n, err, tc.err)
			}
			continue
		}
		if err != nil || i != tc.i || n != tc.n {
			t.Errorf("ParseShard(%q) = %d, %d, %v; want %d, %d", tc.in, i, n, err, tc.i, tc.n)
		}
	}
	if usage := flag.Lookup("weft.shard").Usage; !strings.Contains(usage, "counted from 0") || !strings.Contains(usage, "1of2") || !strings.Contains(usage, "WEFT_SHARD") {
		t.Errorf("-weft.shard's text does not say how it counts: %q", usage)
	}

	// The environment, through an injected lookup; the flag wins.
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) { return v, k == shardEnv }
	}
	for _, tc := range []struct {
		fv      flagValues
		i, n    int
		problem string
	}{
		{commandLine(env("2of3")), 1, 3, ""},
		{flagValues{shardEnv: "2of3", shard: "0/2"}, 0, 2, ""},
		{flagValues{shardEnv: "0of3"}, 0, 0, "weft: WEFT_SHARD=0of3: k is 0"},
	} {
		s, err := newSettings("T", tc.fv, nil)
		switch {
		case tc.problem != "":
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Errorf("%+v: err = %v, want %q", tc.fv, err, tc.problem)
			}
		case err != nil || s.explore.Shard != tc.i || s.explore.Shards != tc.n:
			t.Errorf("%+v: shard %d/%d, %v; want %d/%d", tc.fv, s.explore.Shard, s.explore.Shards, err, tc.i, tc.n)
		}
	}

	// A sharded run names its shard both ways, and the seed command of a
	// failure in it runs that seed even with $WEFT_SHARD still set.
	_, pkg := tempModule(t)
	rec := &tbRecorder{name: "TestFixed"}
	runTest(rec, pkg, flagValues{shardEnv: "2of2"}, fixedUpdate, []Option{Runs(10)})
	mustMatchAll(t, "report", rec.all(), `(?m)^weft: 5 runs, .*: no failure \(shard 1/2, that is 2of2\)$`)
	rec = &tbRecorder{name: "TestLost"}
	runTest(rec, pkg, flagValues{shardEnv: "2of2"}, lostUpdate, []Option{Runs(300)})
	m := mustMatchAll(t, "report", rec.all(), `(?m)^    go test ./pkg -run '\^TestLost\$' -weft\.seed=(\d+) -weft\.strategy=random -weft\.runs=1 -weft\.shard=0/1$`)
	os.RemoveAll(filepath.Join(pkg, "testdata"))
	rec = &tbRecorder{name: "TestLost"}
	if runTest(rec, pkg, flagValues{shardEnv: "2of2", seed: m[1], strategy: "random", runs: "1", shard: "0/1"}, lostUpdate, nil) {
		t.Fatalf("the seed command passed:\n%s", rec.all())
	}
}

// Defect: a failing seed-corpus entry of a Fuzz target printed
// -run=FuzzX/<id>, unanchored, which also runs FuzzXFixed and seed#20, and
// was reported in weft's fuzz.go. Now the pattern is anchored per element
// (TestPrintedCommandsFromAFreshShell runs it and checks where the failure
// is reported).
func TestFuzzCommandIsAnchored(t *testing.T) {
	root, pkg := tempModule(t)
	loc := locatePackage(pkg)
	busy := fuzzSeeds[2] // the lost update's race happens under it
	msg := fuzzOne(sim.Config{}, os.TempDir, "FuzzLost", "FuzzLost/seed#2", loc, busy, lostUpdate)
	mustMatchAll(t, "seed entry", msg,
		`(?m)^To re-run this input \(from the module root `+regexp.QuoteMeta(root)+`\):\n    go test ./pkg -run '\^FuzzLost\$/\^seed#2\$'$`,
		`(?m)^    go test ./pkg -run '\^FuzzLost\$' -weft\.replay=weft1z?-[A-Za-z0-9_-]+$`)
	if strings.Contains(msg, "-run=FuzzLost/") {
		t.Fatalf("an unanchored pattern:\n%s", msg)
	}
	// While fuzzing, the entry is the corpus file Go writes.
	msg = fuzzOne(sim.Config{}, os.TempDir, "FuzzLost", "FuzzLost", loc, busy, lostUpdate)
	mustMatchAll(t, "fuzzing", msg, `(?m)^    go test ./pkg -run '\^FuzzLost\$/\^`+corpusID(busy)+`\$'$`)
}

// freshShell runs command with sh in dir, as a developer pastes it into a
// new terminal: GOFLAGS empty, no workspace, none of weft's variables.
func freshShell(t *testing.T, dir, command string) string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOFLAGS", "GOWORK", shardEnv, helperEnv:
			continue
		}
		env = append(env, kv)
	}
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = append(env, "GOFLAGS=", "GOWORK=off")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("%v: %s", time.Since(start).Round(10*time.Millisecond), command)
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("%s: %v", command, err)
	}
	if bytes.Contains(out, []byte("panic: ")) {
		t.Fatalf("%s crashed:\n%s", command, out)
	}
	return string(out)
}

// newcomerSource is the test file of the fresh module: a lost update that
// Test and Fuzz find (until fixed is true), a test that passes, and a Fuzz
// target whose name extends the failing one's.
const newcomerSource = `package newcomer

import (
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
)

const fixed = false

func lost(w *sim.World) {
	n := 0
	done := sim.NewChan[int](w, 2)
	for range 2 {
		w.Go("worker", func() {
			v := n
			if !fixed {
				w.Yield()
			}
			n = v + 1
			done.Send(0)
		})
	}
	done.Recv()
	done.Recv()
	if n != 2 {
		w.Fatalf("lost an update: n = %d", n)
	}
}

func TestLost(t *testing.T) {
	weft.Test(t, lost)
}

func TestOther(t *testing.T) {
	weft.Test(t, func(w *sim.World) { w.Yield() })
}

func FuzzLost(f *testing.F) {
	weft.Fuzz(f, lost)
}

func FuzzLostFixed(f *testing.F) {
	weft.Fuzz(f, func(w *sim.World) { w.Yield() })
}
`

// newcomerModule writes a module that uses this checkout of weft through a
// replace line, as the README's Install section says, and returns its root.
func newcomerModule(t *testing.T) string {
	t.Helper()
	self, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	// weft's own requirements, so that the module lists every module that
	// provides a package its tests import, as go test wants.
	_, requires, _ := strings.Cut(string(gomod), "\nrequire")
	root := t.TempDir()
	writeFileT(t, filepath.Join(root, "go.mod"), "module example.com/newcomer\n\ngo 1.26\n\nrequire github.com/weftsim/weft v0.0.0\n\nrequire"+requires+
		"\nreplace github.com/weftsim/weft => "+self+"\n")
	writeFileT(t, filepath.Join(root, "go.sum"), string(sum))
	writeFileT(t, filepath.Join(root, "newcomer_test.go"), newcomerSource)
	return root
}

// printedCommands returns the go test commands in out, as weft prints
// them: indented, each on its own line.
func printedCommands(out string) []string {
	var cmds []string
	for _, m := range regexp.MustCompile(`(?m)^\s+(go test \S+ -run .*)$`).FindAllStringSubmatch(out, -1) {
		cmds = append(cmds, m[1])
	}
	return cmds
}

// site is where package testing reports a failure at the line of
// newcomerSource that holds call: newcomer_test.go:<line>.
func site(call string) string {
	before, _, _ := strings.Cut(newcomerSource, call)
	return "newcomer_test.go:" + strconv.Itoa(strings.Count(before, "\n")+1)
}

// Every command weft prints, pasted into a fresh shell, does what it says:
// Test's replay and seed commands and a saved log's replay command fail the
// same way, and once the bug is fixed the saved-log command passes; Fuzz's
// command re-runs exactly the failing entry, reported at the user's line.
// It also follows the defects that only a real go test shows: -weft.replay
// without -run, a saved log that passes now under -v, and go test -timeout.
// Nine go test runs in one module, which compiles weft once and the test
// twice, and one waits out a 2 s -timeout: about 8 s, so -short skips it.
func TestPrintedCommandsFromAFreshShell(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test nine times (about 8 s)")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command:", err)
	}
	root := newcomerModule(t)
	testSite, fuzzSite := regexp.QuoteMeta(site("weft.Test(t, lost)")), regexp.QuoteMeta(site("weft.Fuzz(f, lost)"))
	out := freshShell(t, root, "go test -count=1 .")
	m := mustMatchAll(t, "first run", out,
		`Saved the shrunk log as (testdata/weft/TestLost/[0-9a-f]{16}); Test replays it first from now on\.`,
		`--- FAIL: TestLost`,
		`(?m)^\s+`+testSite+`: weft: process p0 "main": lost an update: n = 1`,
		`--- FAIL: FuzzLost/seed#\d`)
	saved := m[1]
	if data, err := os.ReadFile(filepath.Join(root, saved)); err != nil || !bytes.HasPrefix(data, []byte("weft log v1\n")) {
		t.Fatalf("the saved log is not a text file: %v\n%s", err, data)
	}
	if strings.Contains(out, "--- FAIL: FuzzLostFixed") || strings.Contains(out, "--- FAIL: TestOther") {
		t.Fatalf("a passing test failed:\n%s", out)
	}

	// Test's three commands: the saved file, the log's text, the seed.
	var testCmds, fuzzCmds []string
	for _, c := range printedCommands(out) {
		switch {
		case strings.Contains(c, "'^TestLost$'"):
			testCmds = append(testCmds, c)
		case strings.Contains(c, "'^FuzzLost$/^seed#"):
			fuzzCmds = append(fuzzCmds, c)
		}
	}
	if len(testCmds) != 3 || len(fuzzCmds) == 0 {
		t.Fatalf("want 3 commands of TestLost and some of FuzzLost's entries, got %q and %q in:\n%s", testCmds, fuzzCmds, out)
	}
	for _, c := range testCmds {
		out := freshShell(t, root, c)
		mustMatchAll(t, c, out, `--- FAIL: TestLost`, `(?m)^\s+`+testSite+`: weft: `, `lost an update: n = 1`)
		if strings.Contains(out, "TestOther") || strings.Contains(out, "FuzzLost") {
			t.Fatalf("%s ran more than TestLost:\n%s", c, out)
		}
	}

	// Fuzz's command runs exactly the failing entry of FuzzLost, not
	// FuzzLostFixed's nor seed#20's, and reports it at the line that
	// called weft.Fuzz.
	c := fuzzCmds[len(fuzzCmds)-1]
	entry := regexp.MustCompile(`seed#\d+`).FindString(c)
	out = freshShell(t, root, c+" -v")
	ran := regexp.MustCompile(`(?m)^=== RUN\s+(\S+)$`).FindAllStringSubmatch(out, -1)
	if len(ran) != 2 || ran[0][1] != "FuzzLost" || ran[1][1] != "FuzzLost/"+entry {
		t.Fatalf("%s (with -v) ran %q, want FuzzLost and FuzzLost/%s alone:\n%s", c, ran, entry, out)
	}
	mustMatchAll(t, c, out, `--- FAIL: FuzzLost/`+entry, `(?m)^\s+`+fuzzSite+`: weft: process p0 "main": lost an update: n = 1`)

	// -weft.replay without -run: the log's own test replays it, every other
	// test skips and says why, and nothing blames changed code.
	out = freshShell(t, root, "go test -count=1 -v . -weft.replay="+saved)
	mustMatchAll(t, "replay without -run", out,
		`weft: replayed `+regexp.QuoteMeta(saved)+`: it fails`,
		`--- SKIP: TestOther`, `--- SKIP: FuzzLostFixed`,
		`weft: -weft\.replay=`+regexp.QuoteMeta(saved)+` is a log of TestLost, not of TestOther: skipped`)
	if strings.Contains(out, "changed") {
		t.Fatalf("a foreign log blamed changed code:\n%s", out)
	}

	// The next go test replays the saved log first, fails on it, and prints
	// its command, the same as Test's first (run above). With -timeout, an
	// exploration that would not end in time (TestOther's, of a billion
	// runs) stops cleanly at t.Deadline and says how far it got.
	out = freshShell(t, root, "go test -count=1 -v -timeout=2s . -weft.runs=1000000000")
	m = mustMatchAll(t, "second run", out, `(?m)^\s+(go test \. -run '\^TestLost\$' -weft\.replay=`+regexp.QuoteMeta(saved)+`)$`,
		`weft: replayed `+regexp.QuoteMeta(saved)+`: it fails`,
		`--- PASS: TestOther`, `of the 1000000000 runs asked did not run: stopped at .* that go test's -timeout left \(t\.Deadline\)`)
	savedCmd := m[1]
	if savedCmd != testCmds[0] {
		t.Fatalf("the saved log's command %q is not Test's %q, which ran above", savedCmd, testCmds[0])
	}

	// Fix the bug: the saved log passes now, and go test -v says so; the
	// saved log's command passes too.
	writeFileT(t, filepath.Join(root, "newcomer_test.go"), strings.Replace(newcomerSource, "const fixed = false", "const fixed = true", 1))
	out = freshShell(t, root, "go test -count=1 -v -run '^TestLost$' .")
	mustMatchAll(t, "after the fix", out, `--- PASS: TestLost`, `(?m)^\s+`+testSite+`: weft: replayed `+regexp.QuoteMeta(saved)+`: passes now`)
	mustMatchAll(t, savedCmd+" after the fix", freshShell(t, root, savedCmd), `(?m)^ok\s`)
}

// An input whose run was abandoned (here: blocked in a real sleep) prints
// only the command that re-runs the input: its decisions were never read
// back, so a -weft.replay of them would replay another run.
func TestFuzzAbandonedInputHasNoReplay(t *testing.T) {
	root, pkg := tempModule(t)
	loc := locatePackage(pkg)
	release := make(chan struct{})
	defer close(release)
	cfg := sim.Config{RealBlock: 5 * time.Millisecond}
	msg := fuzzOne(cfg, os.TempDir, "FuzzStuck", "FuzzStuck/seed#0", loc, nil, func(w *sim.World) {
		w.Go("sleeper", func() { <-release })
		w.Sleep(time.Second)
	})
	if !strings.Contains(msg, "go test ./pkg -run '^FuzzStuck$/^seed#0$'") || !strings.Contains(msg, root) {
		t.Fatalf("no command to re-run the input:\n%s", msg)
	}
	if strings.Contains(msg, "-weft.replay") {
		t.Fatalf("a replay of decisions nobody read back:\n%s", msg)
	}
}

// A -weft.replay log of a test the package does not have fails the first
// test that sees it, instead of every test skipping and go test passing
// with nothing replayed.
func TestReplayOfAnotherPackagesLog(t *testing.T) {
	_, pkg := tempModule(t)
	writeFileT(t, filepath.Join(pkg, "echo_test.go"), "package pkg\n\nimport \"testing\"\n\nfunc TestEcho(t *testing.T) {}\n")
	f := Explore(Options{Name: "TestLost", Runs: 300}, lostUpdate).Failure
	if f == nil {
		t.Fatal("no failure to replay")
	}
	orphanLog = sync.Once{}
	rec := &tbRecorder{name: "TestEcho"}
	if runTest(rec, pkg, flagValues{replay: f.Log.String()}, echoThree, nil) || len(rec.fatals) != 1 {
		t.Fatalf("a log of a test the package lacks did not fail:\n%s", rec.all())
	}
	mustMatchAll(t, "orphan", rec.fatals[0], `is a log of TestLost, and this package has no test of that name`)
	rec = &tbRecorder{name: "TestEcho"}
	if !runTest(rec, pkg, flagValues{replay: f.Log.String()}, echoThree, nil) || len(rec.fatals) != 0 || len(rec.skips) != 1 {
		t.Fatalf("reported twice, or the next test did not skip:\n%s", rec.all())
	}

	writeFileT(t, filepath.Join(pkg, "lost_test.go"), "package pkg\n\nimport \"testing\"\n\nfunc TestLost(t *testing.T) {}\n")
	orphanLog = sync.Once{}
	rec = &tbRecorder{name: "TestEcho"}
	if !runTest(rec, pkg, flagValues{replay: f.Log.String()}, echoThree, nil) || len(rec.skips) != 1 {
		t.Fatalf("the log's own test is here: this one should skip:\n%s", rec.all())
	}
}
