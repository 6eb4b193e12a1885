package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// gosimRunner runs testdata/work translated by gosim, with testdata/gosim's
// tests (one package a workload, holding its test alone), in a module of
// its own under the user's cache directory, where gosim's translation of
// the standard library (a minute or two, once) is kept.
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
