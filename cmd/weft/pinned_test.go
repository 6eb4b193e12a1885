package main

// Pinned behaviour: what every catalogued scenario does, as numbers that
// change when any run changes. For each scenario it records the exploration
// weft demo runs (1,000 runs from seed 1 under the default portfolio): the
// verdict, the first failing seed and the member that ran it, the trace
// hash of that run, the shrunk run's hash
// and preemptions; and a digest of the trace hashes of seeds 1 to 100 run
// alone (under the random walk, sim.Run's default). A change that moves code without changing behaviour leaves the file
// as it is; a change that means to change behaviour rewrites it with
//
//	go test ./cmd/weft -run TestPinned -update
//
// and the diff shows which scenarios it changed.

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/pinned.txt from the current code")

const pinnedFile = "testdata/pinned.txt"

// pinnedRuns is how many seeds each digest covers.
const pinnedRuns = 100

func TestPinned(t *testing.T) {
	var b strings.Builder
	b.WriteString("# scenario verdict seed=first-failing-seed by=its-strategy hash=its-hash shrunk=shrunk-hash preemptions=before->after digest=seeds-1-100\n")
	for _, e := range catalog() {
		if e.Quiet {
			continue // not in weft demo: the system's verdict test judges it
		}
		b.WriteString(pinned(e) + "\n")
	}
	got := b.String()
	if *update {
		if err := os.MkdirAll("testdata", 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pinnedFile, []byte(got), 0o666); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(pinnedFile)
	if err != nil {
		t.Fatalf("%v (write it with -update)", err)
	}
	if got == string(want) {
		return
	}
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gotLines), len(wantLines)); i++ {
		var g, w string
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if g != w {
			t.Errorf("behaviour changed:\n got %s\nwant %s", g, w)
		}
	}
}

// pinned is the line of scenario e.
func pinned(e entry) string {
	rep := weft.Explore(weft.Options{Name: e.Name, Runs: 1000, Seed: 1, Config: e.config()}, e.Scenario)
	line := e.Name + " pass"
	if f := rep.Failure; f != nil {
		line = fmt.Sprintf("%s fail seed=%d by=%s hash=%016x shrunk=%016x preemptions=%d->%d",
			e.Name, f.Seed, f.Spec, f.Original.Hash, f.Shrunk.Hash, f.PreemptionsBefore, f.PreemptionsAfter)
	}
	digest := uint64(14695981039346656037)
	for seed := uint64(1); seed <= pinnedRuns; seed++ {
		cfg := e.config()
		cfg.Seed = seed
		r := sim.Run(cfg, e.Scenario)
		digest = (digest ^ r.Hash) * 1099511628211
		if r.Failure != nil {
			digest = (digest ^ uint64(r.Failure.Kind)) * 1099511628211
		}
	}
	return fmt.Sprintf("%s digest=%016x", line, digest)
}
