package weft

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
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
// A failing input fails its test with the report (the failure, the timeline)
// and two ways to re-run it: the corpus entry (go test -run=FuzzX/<id>) and
// the equivalent decision log for -weft.replay. Go's fuzzer minimizes inputs,
// so Fuzz does not shrink. Of the options, only Options.Config (WithConfig)
// matters here; of the flags, -weft.replay runs the given log instead of the
// corpus.
func Fuzz(f *testing.F, scenario func(*sim.World), opts ...Option) {
	f.Helper()
	crashTraceback()
	s, err := newSettings(f.Name(), commandLine(), opts)
	if err != nil {
		f.Fatalf("%v", err)
		return
	}
	loc := locatePackage(".")
	if s.replay != "" {
		l, path, err := loadLog(s.replay, ".")
		if err != nil {
			f.Fatalf("weft: -weft.replay: %v", err)
			return
		}
		if replayLog(f, s, loc, l, path, true, scenario) {
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
			t.Fatal(msg)
		}
	})
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
	if r.Failure.Kind != sim.Watchdog {
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
	id := corpusID(data)
	if _, entry, ok := strings.Cut(sub, "/"); ok {
		id = path.Base(entry) // a corpus file or a seed#N: Go names the subtest after it
	}
	return fmt.Sprintf("%s\nTo re-run this input (from the module root %s):\n    go test %s %s\nor replay its decisions:\n    %s\n",
		f, loc.root, loc.pkg, shellQuote("-run="+target+"/"+id), loc.testCommand(target, "-weft.replay="+l.String()))
}

// corpusID is the name Go's fuzzer gives the corpus file of data under
// testdata/fuzz/<target>/: the first 16 hex digits of the SHA-256 of the
// file, which is the corpus encoding of one []byte value.
func corpusID(data []byte) string {
	file := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
	sum := sha256.Sum256([]byte(file))
	return hex.EncodeToString(sum[:])[:16]
}
