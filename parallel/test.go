package parallel

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"pgregory.net/rapid"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/internal/artifacts"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Report is what Test found: the failure rapid found and shrank, and the
// workload Shrink then made of it.
type Report struct {
	// Rapid is rapid's verdict, as it printed it ("[rapid] failed after 47
	// tests: ..."), and Flags the rapid flags that reproduce it
	// (-rapid.seed, or -rapid.failfile when a fail file found it).
	Rapid string
	Flags []string
	// Found is the workload rapid shrank the failure to, and Run that
	// failing run (rapid's schedule; no trace).
	Found Workload
	Run   *sim.Result
	// Shrunk is what Shrink made of Found.
	Shrunk *Shrunk
	// Commands are the go test commands, to paste at the module root, that
	// reproduce the report: rapid finds and shrinks the same failure, and
	// Shrink shrinks it the same way.
	Commands []string
}

// Test runs, under rapid.Check for t, what Check does (draw a workload, run
// it under rapid's schedule, judge it), and when rapid finds a failure and
// shrinks it, shrinks its workload further (Shrink) and fails t (with
// t.Errorf: the test goes on) with the report: the failure, its size
// before (rapid's) and after (Shrink's) in commands, processes and
// preemptions, the shrunk run's timeline, and the go test command that
// reproduces it all. It returns the report, or nil when rapid found
// nothing. Call it as a test's body:
//
//	func TestCache(t *testing.T) { parallel.Test(t, machine, parallel.Options{}) }
//
// rapid's flags (-rapid.checks, -rapid.seed, ...) apply, and its fail files
// are written and replayed as rapid.Check does. Porcupine's page of the
// shrunk failure goes to opts.Config.ReportDir, or when that is "", to the
// test's artifact directory (as weft.Test puts it); rapid's own failing
// runs write none.
func Test[S, Sys any](t rapid.TB, m Machine[S, Sys], opts Options) *Report {
	t.Helper()
	m.validate()
	opts = opts.withDefaults()
	if opts.Config.ReportDir == "" {
		opts.Config.ReportDir = artifacts.Dir(t, ".")
	}
	cfg := opts.Config
	cfg.Properties = append(append([]sim.Property(nil), cfg.Properties...), m.Property(opts.Timeout))
	var found Workload
	var run *sim.Result
	rec := &recorder{TB: t}
	rec.check(func(rt *rapid.T) {
		wl := Draw(rt, m, opts)
		r := weft.RunRapidResult(rt, cfg, m.Scenario(wl))
		if r.Failure != nil {
			// rapid runs the case it reports last.
			found, run = wl, r
			rt.Fatalf("%s", r.Failure)
		}
	})
	if !rec.failed {
		t.Logf("%s", strings.TrimSpace(rec.log.String()))
		return nil
	}
	if run == nil {
		// rapid failed by itself (no valid test, say): its words.
		t.Errorf("%s", rec.msg.String())
		return nil
	}
	rep := &Report{Rapid: firstLine(rec.msg.String()), Flags: rapidFlags(rec.msg.String()), Found: found, Run: run}
	rep.Shrunk = Shrink(m, found, opts)
	if len(rep.Flags) > 0 {
		rep.Commands = []string{weft.TestCommand(t.Name(), rep.Flags...)}
	}
	t.Errorf("%s", rep)
	return rep
}

// String renders the report for a person.
func (r *Report) String() string {
	var b strings.Builder
	s := r.Shrunk
	if m := rapidFound.FindStringSubmatch(r.Rapid); m != nil {
		fmt.Fprintf(&b, "parallel: rapid found a failing workload after %s tests and shrank it; Shrink shrank it further\n", m[1])
	} else {
		fmt.Fprintf(&b, "parallel: %s\n", r.Rapid)
	}
	fmt.Fprintf(&b, "as rapid shrank it: %v, %s\n", r.Found.Size(), preemptions(scheduler.Preemptions(r.Run.Decisions)))
	b.WriteString(indent(r.Found.String()))
	if s.Finding == nil {
		fmt.Fprintf(&b, "not shrunk further: no schedule within %d changes of the calm one fails it (%d runs%s)\n", s.Bound, s.Runs, cutNote(s.Cut))
		if r.Run.Failure != nil {
			fmt.Fprintf(&b, "rapid's run: %v\n", r.Run.Failure)
		}
	} else {
		fmt.Fprintf(&b, "shrunk (%d workloads searched, each through every schedule within %d changes, %d runs%s): %v, %s\n",
			s.Tried, s.Bound, s.Runs, cutNote(s.Cut), s.Workload.Size(), preemptions(s.Finding.PreemptionsAfter))
		b.WriteString(indent(s.Workload.String()))
		fmt.Fprintf(&b, "trace hash %016x\n", s.Finding.Shrunk.Hash)
		b.WriteString(s.Finding.String())
	}
	if len(r.Commands) > 0 {
		b.WriteString("To reproduce, from the module root (rapid finds the failure again, and Shrink shrinks it the same):\n")
		for _, c := range r.Commands {
			fmt.Fprintf(&b, "    %s\n", c)
		}
	}
	return b.String()
}

func preemptions(n int) string {
	if n == 1 {
		return "1 preemption"
	}
	return fmt.Sprintf("%d preemptions", n)
}

func cutNote(cut bool) string {
	if cut {
		return ", cut short by ShrinkRuns"
	}
	return ""
}

func indent(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if line != "" {
			b.WriteString("    " + line)
		}
	}
	return b.String()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

var (
	rapidFound   = regexp.MustCompile(`^\[rapid\] (?:failed|panic) after (\d+) tests`)
	seedFlag     = regexp.MustCompile(`-rapid\.seed=\d+`)
	failfileFlag = regexp.MustCompile(`-rapid\.failfile=("(?:[^"\\]|\\.)*")`)
)

// rapidFlags returns the flags rapid's report says reproduce the failure:
// its seed, else its fail file.
func rapidFlags(msg string) []string {
	if f := seedFlag.FindString(msg); f != "" {
		return []string{f}
	}
	if m := failfileFlag.FindStringSubmatch(msg); m != nil {
		var path string
		if _, err := fmt.Sscanf(m[1], "%q", &path); err == nil {
			return []string{"-rapid.failfile=" + path}
		}
	}
	return nil
}

// recorder is the rapid.TB Test hands rapid.Check: it keeps what rapid
// says, so that Test reports the failure once, shrunk further, in its own
// words.
type recorder struct {
	rapid.TB
	failed   bool
	msg, log strings.Builder
}

var errStop = errors.New("parallel: rapid stopped the check")

// check runs rapid.Check on r, which ends with FailNow when it fails.
func (r *recorder) check(prop func(*rapid.T)) {
	defer func() {
		if p := recover(); p != nil && p != errStop {
			panic(p)
		}
	}()
	rapid.Check(r, prop)
}

func (r *recorder) Errorf(f string, a ...any) { r.failed = true; fmt.Fprintf(&r.msg, f+"\n", a...) }
func (r *recorder) Error(a ...any)            { r.failed = true; fmt.Fprintln(&r.msg, a...) }
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.FailNow() }
func (r *recorder) Fatal(a ...any)            { r.Error(a...); r.FailNow() }
func (r *recorder) Fail()                     { r.failed = true }
func (r *recorder) FailNow()                  { r.failed = true; panic(errStop) }
func (r *recorder) Failed() bool              { return r.failed }
func (r *recorder) Logf(f string, a ...any)   { fmt.Fprintf(&r.log, f+"\n", a...) }
func (r *recorder) Log(a ...any)              { fmt.Fprintln(&r.log, a...) }
