// Command peers measures weft against its peers on the same work: the
// workloads of testdata/work (the ring, one GoKer kernel, a small server
// with a lost update), plain Go written once, run four ways:
//
//   - goroutines: as they are, one run after another (testdata/goroutines,
//     TestPlain); a leak is found as goleak finds one, by waiting for the
//     goroutines to exit;
//   - synctest: each run in a testing/synctest bubble (TestSynctest): virtual
//     time, and a goroutine durably blocked at the end fails the run, but the
//     interleavings are the Go scheduler's;
//   - weft: the package rewritten (package rewrite, as weft overlay does) and
//     its tests (testdata/work/work_test.go) run by weft.TestGo, one world per
//     seed, with the -weft.* flags;
//   - gosim (github.com/jellevandenhooff/gosim, which builds only with Go
//     1.23): the same package translated by gosim test, one simulation per
//     seed, with testdata/gosim/work_test.go as its tests (a gosim run ends
//     when its test returns, so the kernel's test counts goroutines itself).
//
// For each workload and runner it runs a few campaigns, each until the first
// failure or a budget (runs, real time), from base seeds 1, 1+stride, ...
// where the runner has seeds, and prints a markdown table: runs per second,
// runs to the first failure (median over the campaigns that found it), and
// for weft whether a seed run twice gives one trace hash. The empty workload
// gives each runner's fixed cost per run.
//
//	go run ./internal/peers                 # make peers
//	go run ./internal/peers -procs 1        # GOMAXPROCS 1 for every runner
//	go run ./internal/peers -runners goroutines,synctest,weft -campaigns 3
//
// gosim is fetched into a module of its own under the user's cache directory
// (GOTOOLCHAIN=go1.23.4 go get, then go build of its command); where that
// fails, its column says why and the others are measured all the same.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("peers", flag.ContinueOnError)
	var c config
	fs.IntVar(&c.campaigns, "campaigns", 5, "campaigns per workload and runner (base seeds 1, 1+stride, ...)")
	fs.IntVar(&c.runs, "runs", 100000, "runs a campaign of a workload with a bug may take at most (gosim: -gosimruns)")
	fs.IntVar(&c.throughputRuns, "throughput", 5000, "runs a campaign of a workload with no bug takes (gosim: -gosimruns)")
	fs.IntVar(&c.gosimRuns, "gosimruns", 2000, "seeds a gosim campaign runs (gosim test runs them all, failing or not)")
	fs.DurationVar(&c.budget, "budget", 20*time.Second, "real time a campaign may take at most")
	fs.Uint64Var(&c.stride, "stride", 100000, "distance between the base seeds of two campaigns")
	fs.IntVar(&c.determinismRuns, "determinism", 200, "seeds weft runs twice each to check that a seed gives one trace hash")
	procs := fs.Int("procs", 0, "GOMAXPROCS of the runners' test binaries (0: Go's default); weft and gosim run one goroutine at a time whatever it is")
	workloads := fs.String("workloads", strings.Join(allWorkloads, ","), "workloads, comma-separated")
	runners := fs.String("runners", "goroutines,synctest,weft,gosim", "runners, comma-separated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || c.campaigns <= 0 || c.runs <= 0 || c.throughputRuns <= 0 || c.gosimRuns <= 0 || c.budget <= 0 {
		return fmt.Errorf("usage: go run ./internal/peers [flags] (counts and the budget above 0; -h lists the flags)")
	}
	c.workloads = strings.Split(*workloads, ",")
	for _, w := range c.workloads {
		if !isWorkload(w) {
			return fmt.Errorf("no workload %q (have %s)", w, strings.Join(allWorkloads, ", "))
		}
	}
	if *procs < 0 {
		return fmt.Errorf("-procs %d: want 0 (the default) or more", *procs)
	}
	if *procs > 0 {
		// The runners' binaries inherit it.
		os.Setenv("GOMAXPROCS", fmt.Sprint(*procs))
	}
	repo, err := moduleRoot()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "weft-peers-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	var rs []runner
	for _, name := range strings.Split(*runners, ",") {
		fmt.Fprintf(os.Stderr, "peers: preparing %s\n", name)
		r, err := newRunner(name, repo, work)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	c.loadBefore = loadAverage()
	rows := measure(c, rs, func(format string, args ...any) { fmt.Fprintf(os.Stderr, "peers: "+format+"\n", args...) })
	fmt.Printf("GOMAXPROCS %d, load average (1, 5, 15 min) before and after: %s -> %s\n\n", gomaxprocs(*procs), c.loadBefore, loadAverage())
	markdown(os.Stdout, c, rs, rows)
	return nil
}

// moduleRoot is the root of the weft module the command runs in.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || !strings.HasSuffix(gomod, "go.mod") {
		return "", fmt.Errorf("run peers inside the weft module (go env GOMOD: %q)", gomod)
	}
	return filepath.Dir(gomod), nil
}

// loadAverage is the machine's load average, as uptime prints it, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

// gomaxprocs is the GOMAXPROCS the runners' binaries run with.
func gomaxprocs(procs int) int {
	if procs > 0 {
		return procs
	}
	return runtime.GOMAXPROCS(0) // what the binaries inherit, from this one's environment
}
