package weft

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/weftsim/weft/internal/artifacts"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// fuzzSeeds start the corpus of every Fuzz target: the calm schedule (no
// bytes: every decision takes its default), and a few that preempt at every
// point in different ways, so that even a run without -fuzz explores a little.
var fuzzSeeds = [][]byte{
	{},
	bytes.Repeat([]byte{1}, 256),
	bytes.Repeat([]byte{0xff}, 256),
	bytes.Repeat([]byte{0, 1, 0, 2, 0, 3}, 64),
}

// Fuzz makes f a fuzz target whose inputs are schedules: each input's bytes
// are decoded as the run's decisions (scheduler.Bytes), so every corpus entry
// is a replayable schedule and Go's fuzzer mutates interleavings, faults and
// random draws alike. It seeds the corpus with the calm schedule and a few
// busy ones.
//
// A failing input fails its test with the report (the failure, the timeline),
// at the line that called Fuzz, and two ways to re-run it: the go test
// command that runs exactly that corpus entry (-run '^FuzzX$/^seed#1$', as
// Go names the entries), and the equivalent decision log for -weft.replay.
// Go's fuzzer minimizes inputs, so Fuzz does not shrink. Of the options,
// only Options.Config (WithConfig) matters here; of the flags, -weft.replay
// runs the given log instead of the corpus, as it does for Test.
func Fuzz(f *testing.F, scenario func(*sim.World), opts ...Option) {
	f.Helper()
	crashTraceback()
	site := callSite(1)
	s, err := newSettings(f.Name(), commandLine(os.LookupEnv), opts)
	if err != nil {
		f.Fatalf("%v", err)
		return
	}
	loc := locatePackage(".")
	if s.replay != "" {
		if replayFlag(f, s, loc, ".", scenario) {
			f.Skip("weft: replayed the log given by -weft.replay, and it passed; the fuzz corpus did not run")
		}
		return
	}
	for _, seed := range fuzzSeeds {
		f.Add(seed)
	}
	name := f.Name()
	f.Fuzz(func(t *testing.T, data []byte) {
		reports := func() string { return artifacts.Dir(t, ".") } // only for a failure: -artifacts makes a directory
		if msg := fuzzOne(s.explore.Config, reports, name, t.Name(), loc, data, scenario); msg != "" {
			failAt(t, site, msg)
		}
	})
}

// callSite returns where the caller of the function that calls it called
// it from, as package testing prints a location: file:line, with the
// file's base name unless -test.fullpath is set.
func callSite(skip int) string {
	_, file, line, ok := runtime.Caller(skip + 1)
	if !ok {
		return "???:1"
	}
	if f := flag.Lookup("test.fullpath"); f == nil || f.Value.String() != "true" {
		file = filepath.Base(file)
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// failAt fails t with msg reported at site, as t.Fatal would report it in
// a function that called t.Helper. The fuzz function cannot report at its
// caller's line that way: package reflect calls it, and t.Helper cannot
// skip reflect's frames (the report would name value.go). So msg goes to
// t.Output, which adds the indentation of t's output but no location, in
// the layout of t.Log: site, then the message, its later lines indented.
func failAt(t *testing.T, site, msg string) {
	msg = strings.TrimSuffix(msg, "\n")
	fmt.Fprintf(t.Output(), "%s: %s\n", site, strings.ReplaceAll(msg, "\n", "\n    "))
	t.FailNow()
}

// fuzzOne runs one fuzz input of the target named target (as the subtest
// named sub) and returns the report of its failure, or "" when it passed.
// reports gives the directory for the files a failure's traced replay
// writes, unless cfg says (see Test).
func fuzzOne(cfg sim.Config, reports func() string, target, sub string, loc location, data []byte, scenario func(*sim.World)) string {
	cfg.Name = target
	cfg.Strategy = scheduler.Bytes(data)
	cfg.Spec = "bytes"
	cfg.KeepTrace = false
	r := sim.Run(cfg, scenario)
	if r.Failure == nil {
		return ""
	}
	l := r.Log()
	l.Decisions = l.Trimmed()
	traced := r
	if cfg.ReportDir == "" {
		cfg.ReportDir = reports()
	}
	if !r.Abandoned {
		// Replay the recorded decisions for the timeline: the same run,
		// with a trace.
		if again := sim.Replay(cfg, l, scenario); again.Failure.Signature() == r.Failure.Signature() {
			traced = again
		}
	}
	f := &Finding{
		Spec: "bytes", Original: r, Shrunk: traced, Log: l,
		PreemptionsBefore: scheduler.Preemptions(l.Decisions), PreemptionsAfter: scheduler.Preemptions(l.Decisions),
	}
	rerun := "To re-run this input (from the module root %s):\n    %s\n"
	entry := sub // a corpus entry: Go names it seed#N, or after its file under testdata/fuzz
	if !strings.Contains(sub, "/") {
		// Fuzzing: Go writes the failing input it shows the output of (the
		// minimized one) to testdata/fuzz/<target>/<corpusID>.
		entry = target + "/" + corpusID(data)
		rerun = "Go's fuzzer writes this input to testdata/fuzz/" + entry + ", which re-runs (from the module root %s) with\n    %s\n"
	}
	if r.Abandoned {
		// Its decisions are unknown: only the input itself re-runs it.
		return fmt.Sprintf("%s\n"+rerun, f, loc.root, loc.testCommand(entry))
	}
	return fmt.Sprintf("%s\n"+rerun+"or replay its decisions:\n    %s\n",
		f, loc.root, loc.testCommand(entry), loc.testCommand(target, "-weft.replay="+l.String()))
}

// corpusID is the name Go's fuzzer gives the corpus file of data under
// testdata/fuzz/<target>/: the first 16 hex digits of the SHA-256 of the
// file, which is the corpus encoding of one []byte value.
func corpusID(data []byte) string {
	file := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
	sum := sha256.Sum256([]byte(file))
	return hex.EncodeToString(sum[:])[:16]
}
