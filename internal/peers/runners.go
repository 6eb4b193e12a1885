package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/internal/progress"
	"github.com/weftsim/weft/rewrite"
)

// A runner runs one workload's campaign: from the base seed (where it has
// seeds), until the first failure or a budget.
type runner interface {
	name() string
	seeded() bool // whether a campaign's runs depend on its base seed
	campaign(w workload, base uint64, runs int, budget time.Duration) (outcome, error)
}

// outcome is what a campaign did.
type outcome struct {
	runs    int     // runs done (gosim does all it is given, failing or not)
	seconds float64 // the real time they took, as the runner's binary measured it
	first   int     // the run that failed first, counted from 1; 0 for none
	toFirst float64 // the real time to that failure (gosim: in proportion to its runs)
	message string  // the first failure's, or why the campaign stopped
}

func newRunner(name, repo, work string) (runner, error) {
	switch name {
	case "goroutines", "synctest":
		bin, err := buildGoroutines(repo, work)
		if err != nil {
			return nil, err
		}
		test := "TestPlain"
		if name == "synctest" {
			test = "TestSynctest"
		}
		return &goroutineRunner{runnerName: name, bin: bin, test: test}, nil
	case "weft":
		bin, err := buildWeft(repo, work)
		if err != nil {
			return nil, err
		}
		return &weftRunner{bin: bin, scratch: work}, nil
	case "gosim":
		return newGosim(repo), nil
	}
	return nil, fmt.Errorf("no runner %q (have goroutines, synctest, weft, gosim)", name)
}

// weftpeers is the module, of its own, that the goroutines, synctest and weft
// runners build: testdata/work and testdata/goroutines, with weft replaced by
// the checkout the command runs in (as weft goker builds the kernels).
func weftpeers(repo, work string) (string, error) {
	mod := filepath.Join(work, "weftpeers")
	if _, err := os.Stat(filepath.Join(mod, "go.mod")); err == nil {
		return mod, nil
	}
	if err := copyPackage(repo, "work", filepath.Join(mod, "work"), true); err != nil {
		return "", err
	}
	if err := copyPackage(repo, "goroutines", filepath.Join(mod, "goroutines"), true); err != nil {
		return "", err
	}
	gomod := fmt.Sprintf("module weftpeers\n\ngo 1.26\n\nrequire github.com/weftsim/weft v0.0.0\n\nreplace github.com/weftsim/weft => %s\n", repo)
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644); err != nil {
		return "", err
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		return "", err
	}
	return mod, os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644)
}

func goTestC(dir, out string, args ...string) error {
	cmd := exec.Command("go", append([]string{"test", "-c", "-o", out}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go test -c %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

func buildGoroutines(repo, work string) (string, error) {
	bin := filepath.Join(work, "goroutines.test")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	mod, err := weftpeers(repo, work)
	if err != nil {
		return "", err
	}
	return bin, goTestC(mod, bin, "./goroutines")
}

// buildWeft rewrites testdata/work as weft overlay does and builds its tests
// with the overlay: go test -overlay $(weft overlay ./work) ./work.
func buildWeft(repo, work string) (string, error) {
	mod, err := weftpeers(repo, work)
	if err != nil {
		return "", err
	}
	res, err := rewrite.Package(mod, "./work", filepath.Join(work, "rewritten"))
	if err != nil {
		return "", err
	}
	if len(res.Problems) > 0 {
		return "", fmt.Errorf("the rewrite could not carry: %v", res.Problems)
	}
	overlay, err := res.WriteOverlay()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(work, "weft.test")
	return bin, goTestC(mod, bin, "-overlay", overlay, "./work")
}

// goroutineRunner runs testdata/goroutines's TestPlain or TestSynctest,
// which print their outcome on a line of their own.
type goroutineRunner struct {
	runnerName, bin, test string
}

func (r *goroutineRunner) name() string { return r.runnerName }
func (r *goroutineRunner) seeded() bool { return false }

func (r *goroutineRunner) campaign(w workload, _ uint64, runs int, budget time.Duration) (outcome, error) {
	out, err := exec.Command(r.bin, "-test.run=^"+r.test+"$", "-peers.workload="+w.name, "-peers.runs="+strconv.Itoa(runs), "-peers.budget="+budget.String()).CombinedOutput()
	for line := range strings.Lines(string(out)) {
		rest, ok := strings.CutPrefix(line, "PEERS ")
		if !ok {
			continue
		}
		var res struct {
			Runs    int
			Seconds float64
			Failed  bool
			Message string
		}
		if err := json.Unmarshal([]byte(rest), &res); err != nil {
			return outcome{}, fmt.Errorf("%s: %v: %s", r.test, err, rest)
		}
		o := outcome{runs: res.Runs, seconds: res.Seconds, message: res.Message}
		if res.Failed {
			o.first, o.toFirst = res.Runs, res.Seconds
		}
		return o, nil
	}
	return outcome{}, fmt.Errorf("%s printed no outcome (%v):\n%s", r.test, err, out)
}

// weftRunner runs the rewritten tests of testdata/work, one world a seed,
// each campaign in a directory of its own (a failure saves its shrunk log
// under testdata/weft, and a later campaign would replay it first).
type weftRunner struct {
	bin, scratch string
}

func (r *weftRunner) name() string { return "weft" }
func (r *weftRunner) seeded() bool { return true }

var (
	weftPassed = regexp.MustCompile(`weft: (\d+) runs, \d+ steps in ([^,]+),`)
	testTime   = regexp.MustCompile(`--- (?:PASS|FAIL): \S+ \(([\d.]+)s\)`)
)

func (r *weftRunner) weftTest(w workload, args ...string) (string, error) {
	dir, err := os.MkdirTemp(r.scratch, "campaign-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command(r.bin, append([]string{"-test.run=^" + w.test + "$", "-test.v"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (r *weftRunner) campaign(w workload, base uint64, runs int, budget time.Duration) (outcome, error) {
	out, err := r.weftTest(w, fmt.Sprintf("-weft.seed=%d", base), fmt.Sprintf("-weft.runs=%d", runs), "-weft.budget="+budget.String(), "-weft.progress")
	t := testTime.FindStringSubmatch(out)
	if t == nil {
		return outcome{}, fmt.Errorf("weft %s: no test result (%v):\n%s", w.test, err, out)
	}
	o := outcome{}
	o.seconds, _ = strconv.ParseFloat(t[1], 64)
	if m := weftPassed.FindStringSubmatch(out); m != nil && err == nil {
		o.runs, _ = strconv.Atoi(m[1])
		if d, err := time.ParseDuration(m[2]); err == nil {
			o.seconds = d.Seconds() // finer than go test's hundredths
		}
		return o, nil
	}
	// The last progress line says which seed failed, after how long (the
	// time go test reports includes the failure's re-run, shrinking and
	// report).
	l, ok := doneLine(out)
	if !ok || l.Failure == nil {
		return outcome{}, fmt.Errorf("weft %s failed with no seed (%v):\n%s", w.test, err, out)
	}
	o.runs = int(l.Failure.Seed-base) + 1
	o.first, o.seconds, o.toFirst = o.runs, l.Elapsed, l.Elapsed
	o.message = l.Failure.Headline
	return o, nil
}

// determinism says whether a seed gives one run, two ways. Across two
// processes: seeds from 1 run twice, each time by a test binary of its own
// (other addresses, another start), to the first failure or through all of
// them, must give the same trace hashes (the progress line's sketch of
// them), steps and failing seed. Within one: -weft.check-determinism runs
// each seed twice and compares the trace hash and the data hash (the values
// sent, as a timeline prints them).
func (r *weftRunner) determinism(w workload, runs int) string {
	var lines [2]progress.Line
	for i := range lines {
		out, _ := r.weftTest(w, "-weft.seed=1", fmt.Sprintf("-weft.runs=%d", runs), "-weft.progress")
		l, ok := doneLine(out)
		if !ok {
			return "unknown: no progress line"
		}
		if l.Failure != nil {
			l.Runs = int(l.Failure.Seed) // from seed 1: the runs to the failure, that one included
		}
		lines[i] = l
	}
	a, b := lines[0], lines[1]
	seeds := fmt.Sprintf("seeds 1-%d", a.Runs)
	if a.Runs != b.Runs || a.Steps != b.Steps || a.Sketch != b.Sketch {
		return fmt.Sprintf("differs across processes: %d runs, %d steps against %d, %d", a.Runs, a.Steps, b.Runs, b.Steps)
	}
	across := "same across two processes (" + seeds + ")"
	out, err := r.weftTest(w, "-weft.seed=1", fmt.Sprintf("-weft.runs=%d", runs), "-weft.check-determinism")
	switch {
	case strings.Contains(out, "nondeterminism") && addressesOnly(out):
		return across + "; -weft.check-determinism: the data hash differs, in an address only (a value sent holds a pointer)"
	case strings.Contains(out, "nondeterminism"):
		return across + "; -weft.check-determinism: " + firstLine(out, "nondeterminism")
	case err == nil || strings.Contains(out, "--- FAIL"):
		return across + " and within one (-weft.check-determinism)"
	}
	return across + fmt.Sprintf("; -weft.check-determinism: %v", err)
}

// doneLine is the last progress line of a weft test's output.
func doneLine(out string) (progress.Line, bool) {
	for line := range strings.Lines(out) {
		if l, ok := progress.Parse(line); ok && l.Done {
			return l, true
		}
	}
	return progress.Line{}, false
}

// addressesOnly says whether the two ways a nondeterminism report shows
// one event ran differ only in hexadecimal addresses.
func addressesOnly(out string) bool {
	var events []string
	for line := range strings.Lines(out) {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "step ") {
			events = append(events, address.ReplaceAllString(t, "0x?"))
		}
		if len(events) == 2 {
			return events[0] == events[1]
		}
	}
	return false
}

var address = regexp.MustCompile(`0x[0-9a-f]+`)

func firstLine(out, containing string) string {
	for line := range strings.Lines(out) {
		if strings.Contains(line, containing) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// gosimRunner runs testdata/work translated by gosim, with testdata/gosim's
// tests (one package a workload, holding its test alone), in a module of its own under the user's cache directory (gosim's
// translation of the standard library, a minute or two, is kept there).
type gosimRunner struct {
	repo, mod, bin string
	err            error // why gosim cannot run here, once known
}

const (
	gosimToolchain = "go1.23.4"
	// The module proxy lists no version of gosim; this is its newest commit
	// (2024-12-10, "README: show off -simtrace=syscall") as a pseudo-version.
	gosimVersion = "v0.0.0-20241210235308-ffd3a6135426"
	gosimModule  = "github.com/jellevandenhooff/gosim"
)

func newGosim(repo string) *gosimRunner {
	r := &gosimRunner{repo: repo}
	r.err = r.prepare()
	return r
}

func (r *gosimRunner) name() string { return "gosim" }
func (r *gosimRunner) seeded() bool { return true }

func (r *gosimRunner) gosimCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = r.mod
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+gosimToolchain, "GOFLAGS=")
	return cmd
}

func (r *gosimRunner) prepare() error {
	cache, err := os.UserCacheDir()
	if err != nil {
		return err
	}
	r.mod = filepath.Join(cache, "weft-peers-gosim")
	r.bin = filepath.Join(r.mod, "gosim")
	// One package a workload, with that workload's test alone: gosim test
	// sets up a simulation for every test of a package at every seed.
	for _, w := range workloads {
		dir := filepath.Join(r.mod, w.name)
		if err := copyPackage(r.repo, "work", dir, false); err != nil {
			return err
		}
		if err := copyFile(filepath.Join(r.repo, "internal/peers/testdata/gosim", w.name+"_test.go"), dir); err != nil {
			return err
		}
	}
	gomod, _ := os.ReadFile(filepath.Join(r.mod, "go.mod"))
	if !bytes.Contains(gomod, []byte(gosimModule+" "+gosimVersion)) {
		if err := os.WriteFile(filepath.Join(r.mod, "go.mod"), []byte("module weftpeersgosim\n\ngo 1.23.4\n"), 0o644); err != nil {
			return err
		}
		if out, err := r.gosimCmd("go", "get", gosimModule+"@"+gosimVersion).CombinedOutput(); err != nil {
			return fmt.Errorf("GOTOOLCHAIN=%s go get %s@%s: %v: %s", gosimToolchain, gosimModule, gosimVersion, err, lastLine(out))
		}
	}
	if _, err := os.Stat(r.bin); err == nil {
		return nil
	}
	// The first gosim test after this translates the standard library
	// (minutes, once); the times gosim test reports leave it out.
	if out, err := r.gosimCmd("go", "build", "-o", r.bin, gosimModule+"/cmd/gosim").CombinedOutput(); err != nil {
		return fmt.Errorf("GOTOOLCHAIN=%s go build %s/cmd/gosim: %v: %s", gosimToolchain, gosimModule, err, lastLine(out))
	}
	return nil
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

var (
	ansi       = regexp.MustCompile("\x1b\\[[0-9;]*m")
	gosimRun   = regexp.MustCompile(`^=== RUN\s+\S+ \(seed (\d+)\)`)
	gosimTotal = regexp.MustCompile(`^(?:ok|FAIL)\s+\S+\s+([\d.]+)s`)
)

// campaign runs seeds base to base+runs-1: gosim test runs every seed it is
// given, failing or not, so a campaign has no real-time budget of its own.
func (r *gosimRunner) campaign(w workload, base uint64, runs int, _ time.Duration) (outcome, error) {
	if r.err != nil {
		return outcome{}, r.err
	}
	out, _ := r.gosimCmd(r.bin, "test", "-v", fmt.Sprintf("-seeds=%d-%d", base, base+uint64(runs)-1), "-run=^"+w.test+"$", "./"+w.name).CombinedOutput()
	o := outcome{}
	seed, seen := uint64(0), 0
	for line := range strings.Lines(ansi.ReplaceAllString(string(out), "")) {
		if m := gosimRun.FindStringSubmatch(line); m != nil {
			seed, _ = strconv.ParseUint(m[1], 10, 64)
			seen++
		}
		if strings.HasPrefix(line, "--- FAIL") && o.first == 0 {
			o.first = int(seed-base) + 1
		}
		if o.first != 0 && o.message == "" && strings.Contains(line, "ERR") {
			o.message = strings.TrimSpace(line)
		}
		if m := gosimTotal.FindStringSubmatch(line); m != nil {
			o.seconds, _ = strconv.ParseFloat(m[1], 64)
		}
	}
	if seen != runs || o.seconds == 0 {
		return outcome{}, fmt.Errorf("gosim test %s: %d seeds of %d ran:\n%s", w.test, seen, runs, out)
	}
	o.runs = runs
	if o.first > 0 {
		o.toFirst = o.seconds * float64(o.first) / float64(runs)
	}
	return o, nil
}
