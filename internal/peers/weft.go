package main

import (
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
