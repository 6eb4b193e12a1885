package health

// The verdict table. Method: for each variant, explore the scenario that
// judges every property not yet settled, from seed 1 under the random walk
// (as weft demo does). A failing run names the property it violated; that
// property is then explored alone, which finds its first failing seed (the
// same run fails the same way when judged alone, because judging changes
// nothing but which violations end a run), and the rest are explored again.
// When the remaining properties pass verdictRuns runs together, each of them
// passed those very runs. Every failure is replayed from its one-line log,
// in process and once through the printed command, and must give the same
// failure with the same trace hash.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// verdictRuns is how many runs a passing verdict stands on.
func verdictRuns() int {
	if testing.Short() {
		return 10_000
	}
	return 100_000
}

type verdict struct {
	v    Variant
	p    Property
	runs int
	f    *sim.Finding // nil: passed
}

func entryName(v Variant, p Property) string { return fmt.Sprintf("health/%s/%v", v, p) }

func (vd verdict) replayCommand() string {
	return fmt.Sprintf("go run ./cmd/weft replay %s %s", entryName(vd.v, vd.p), vd.f.Log)
}

func (vd verdict) String() string {
	if vd.f == nil {
		return fmt.Sprintf("VERDICT health %s %v PASS runs=%d", vd.v, vd.p, vd.runs)
	}
	return fmt.Sprintf("VERDICT health %s %v FAIL runs=%d seed=%d preemptions=%d replay=%s",
		vd.v, vd.p, vd.runs, vd.f.Seed, vd.f.PreemptionsAfter, vd.replayCommand())
}

// stated reports whether the issue states the expected verdict of (v, p);
// ExpectFail's other two come from the simulation itself.
func stated(v Variant, p Property) bool {
	return !(v == Original && p == GoawayDelivery) && !(v == PR115 && p == NoPanic)
}

var propertyPrefix = regexp.MustCompile(`^P([1-4])-[a-z-]+: `)

// propertyOf returns the property a failing run violated.
func propertyOf(f *sim.Failure) (Property, bool) {
	if f == nil || f.Kind != sim.Fatal {
		return 0, false
	}
	m := propertyPrefix.FindStringSubmatch(fmt.Sprint(f.Value))
	if m == nil {
		return 0, false
	}
	p := Property(m[1][0] - '0')
	return p, strings.HasPrefix(fmt.Sprint(f.Value), p.String()+": ")
}

// judge settles every property of v.
func judge(t *testing.T, v Variant, runs int) []verdict {
	left := Properties()
	out := make([]verdict, 0, len(left))
	for len(left) > 0 {
		rep := sim.Explore(sim.Options{Name: fmt.Sprintf("health/%s/%v", v, left), Runs: runs, Seed: 1, ShrinkRuns: 1}, Scenario(v, left...))
		if rep.Failure == nil {
			for _, p := range left {
				out = append(out, verdict{v: v, p: p, runs: rep.Runs})
			}
			break
		}
		p, ok := propertyOf(rep.Failure.Original.Failure)
		if !ok || rep.Failure.Nondeterministic != "" {
			t.Errorf("%s: a run failed other than by violating a property:\n%v", v, rep.Failure)
			return nil
		}
		own := sim.Explore(sim.Options{Name: entryName(v, p), Runs: runs, Seed: 1}, Scenario(v, p))
		if own.Failure == nil || own.Failure.Seed > rep.Failure.Seed {
			t.Errorf("%s %v: judged with others it fails at seed %d, alone it %v", v, p, rep.Failure.Seed, own)
			return nil
		}
		out = append(out, verdict{v: v, p: p, runs: own.Runs, f: own.Failure})
		for i, q := range left {
			if q == p {
				left = append(left[:i], left[i+1:]...)
				break
			}
		}
	}
	// In property order.
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].p < out[i].p {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestVerdicts(t *testing.T) {
	runs := verdictRuns()
	start := time.Now()
	results := make([][]verdict, len(Variants()))
	took := make([]time.Duration, len(Variants()))
	var wg sync.WaitGroup
	for i, v := range Variants() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := time.Now()
			results[i] = judge(t, v, runs)
			took[i] = time.Since(s)
		}()
	}
	wg.Wait()
	var fails []verdict
	for i, vs := range results {
		for _, vd := range vs {
			fmt.Println(vd)
			if vd.f != nil {
				fails = append(fails, vd)
			}
		}
		t.Logf("%s judged in %v", Variants()[i], took[i].Round(time.Millisecond))
	}
	t.Logf("all verdicts in %v (%d runs for a pass)", time.Since(start).Round(time.Millisecond), runs)

	for _, vs := range results {
		for _, vd := range vs {
			if failed := vd.f != nil; failed != ExpectFail(vd.v, vd.p) {
				who := "the issue"
				if !stated(vd.v, vd.p) {
					who = "ExpectFail (settled by an earlier simulation)"
				}
				t.Errorf("%s %v: failed=%v, but %s expects failed=%v\n%v", vd.v, vd.p, failed, who, !failed, vd.f)
			}
			if vd.f == nil && vd.runs != runs {
				t.Errorf("%s %v passed only %d runs, want %d", vd.v, vd.p, vd.runs, runs)
			}
		}
	}

	for _, vd := range fails {
		checkFinding(t, vd)
	}
	if len(fails) > 0 && !testing.Short() {
		checkCommand(t, fails[0])
	}
}

// checkFinding checks that a FAIL verdict's failure is its property's, reads
// as a story, and replays from the one-line log to the same run.
func checkFinding(t *testing.T, vd verdict) {
	t.Helper()
	f := vd.f
	msg := fmt.Sprint(f.Shrunk.Failure.Value)
	if p, ok := propertyOf(f.Shrunk.Failure); !ok || p != vd.p {
		t.Errorf("%s %v: the shrunk run fails with %q", vd.v, vd.p, msg)
	}
	if f.Shrunk.Failure.Signature() != f.Original.Failure.Signature() {
		t.Errorf("%s %v: shrinking changed the failure from %q to %q", vd.v, vd.p, f.Original.Failure.Signature(), f.Shrunk.Failure.Signature())
	}
	if !regexp.MustCompile(`c\d#\d+`).MatchString(msg) {
		t.Errorf("%s %v: the failure names no stream: %q", vd.v, vd.p, msg)
	}
	l, err := scheduler.ParseLog(f.Log.String())
	if err != nil {
		t.Fatalf("%s %v: ParseLog: %v", vd.v, vd.p, err)
	}
	again := sim.Replay(sim.Config{Name: entryName(vd.v, vd.p)}, l, Scenario(vd.v, vd.p))
	if again.Hash != f.Shrunk.Hash || again.Failure.Signature() != f.Shrunk.Failure.Signature() {
		t.Errorf("%s %v: replay gives hash %016x and %q; the finding %016x and %q",
			vd.v, vd.p, again.Hash, again.Failure.Signature(), f.Shrunk.Hash, f.Shrunk.Failure.Signature())
	}
}

// checkCommand runs a FAIL verdict's replay command, as printed, from the
// repository root.
func checkCommand(t *testing.T, vd verdict) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no repository root at %s: %v", root, err)
	}
	args := strings.Fields(vd.replayCommand())
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("%s: want exit status 1 (the replayed run fails), got %v\n%s", vd.replayCommand(), err, out)
	}
	want := fmt.Sprintf("hash %016x", vd.f.Shrunk.Hash)
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), vd.p.String()+": ") {
		t.Fatalf("%s: output lacks %q or the %v failure:\n%s", vd.replayCommand(), want, vd.p, out)
	}
	t.Logf("replayed %s through the command: %s", entryName(vd.v, vd.p), want)
}
