package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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
