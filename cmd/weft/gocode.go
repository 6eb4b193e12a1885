package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/weftsim/weft/internal/goker"
	"github.com/weftsim/weft/rewrite"
	"github.com/weftsim/weft/scheduler"
)

// The commands for unmodified Go code: overlay and test rewrite a package
// (package rewrite) so that go test runs it in a world; goker runs GoKer's
// kernels that way and prints a table of what it found.

// overlay rewrites the package and prints the path of the overlay file, for
// go test -overlay $(weft overlay ./pkg).
func overlay(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("overlay", stderr)
	out := fs.String("o", "", "directory for the rewritten files (default: a new temporary directory)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: weft overlay [-o dir] PACKAGE", errUsage)
	}
	res, err := rewriteTo(fs.Arg(0), *out, stderr)
	if err != nil {
		return err
	}
	path, err := res.WriteOverlay()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, path)
	return nil
}

func rewriteTo(pkg, out string, stderr io.Writer) (*rewrite.Result, error) {
	if out == "" {
		dir, err := os.MkdirTemp("", "weft-overlay-")
		if err != nil {
			return nil, err
		}
		out = dir
	}
	res, err := rewrite.Package(".", pkg, out)
	if err != nil {
		return nil, err
	}
	for _, p := range res.Problems {
		fmt.Fprintf(stderr, "weft: not rewritten: %s\n", p)
	}
	return res, nil
}

// gotest rewrites the package and runs go test on it with the overlay; the
// arguments after the package go to go test (-run, -weft.* flags, ...).
func gotest(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("%w: weft test PACKAGE [go test flags]", errUsage)
	}
	res, err := rewriteTo(args[0], "", stderr)
	if err != nil {
		return err
	}
	path, err := res.WriteOverlay()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", append([]string{"test", "-overlay", path, args[0]}, args[1:]...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go test -overlay %s %s: %v", path, args[0], err)
	}
	return nil
}

// gokerCmd runs the GoKer kernels the toolchain ships under weft and prints a
// markdown table: per kernel, Go's expected leak sites found in how many
// runs, from which seed, leaks no expectation matches, and whether each
// leaking run replays the same from its decision log.
func gokerCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("goker", stderr)
	seeds := fs.Int("seeds", 20, "runs (seeds) per kernel")
	seed := fs.Uint64("seed", 1, "first seed")
	only := fs.String("kernels", "", "comma-separated kernels (default: all)")
	strategy := fs.String("strategy", "portfolio", "the strategy (as -weft.strategy reads it); a search, dfs:<bound> or dpor:<bound>, runs its logs in place of seeds, at most -seeds of them")
	maxSteps := fs.Int64("maxsteps", 0, "scheduling points a run may take (default: the harness's 200,000)")
	stepCost := fs.Duration("stepcost", 0, "virtual time a scheduling point takes (default: the harness's 1µs)")
	showLeaks := fs.Bool("leaks", false, "after the table, print the leak profile of each kernel's first leaking run")
	oneCopy := fs.Bool("one", false, "cut each kernel to one copy of its bug (the count of the loop that starts the copies, set to one)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := scheduler.ParseSpec(*strategy); err != nil {
		return fmt.Errorf("%w: -strategy: %v", errUsage, err)
	}
	if *seeds <= 0 || fs.NArg() > 0 {
		return fmt.Errorf("%w: weft goker [-seeds n>0] [-seed s] [-kernels A,B] [-strategy spec] [-one]", errUsage)
	}
	goroot := runtime.GOROOT()
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		goroot = strings.TrimSpace(string(out))
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(gomod)), "go.mod") {
		return fmt.Errorf("run weft goker inside the weft module (go env GOMOD: %q)", strings.TrimSpace(string(gomod)))
	}
	repo := filepath.Dir(strings.TrimSpace(string(gomod)))
	kernels, err := goker.Kernels(goroot)
	if err != nil {
		return err
	}
	if *only != "" {
		kernels = strings.Split(*only, ",")
	}
	expected, err := goker.Expected(goroot)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "weft-goker-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	start := time.Now()
	prep := goker.Prepare
	if *oneCopy {
		prep = goker.PrepareOneCopy
	}
	b, err := prep(goroot, repo, work)
	if err != nil {
		return err
	}
	for _, p := range b.Problems {
		fmt.Fprintf(stderr, "weft: not rewritten: %s\n", p)
	}
	bin, err := b.Compile()
	if err != nil {
		return err
	}
	built := time.Since(start)
	runs, err := goker.RunKernels(bin, kernels, goker.Options{Strategy: *strategy, Seed: *seed, Seeds: *seeds, MaxSteps: *maxSteps, StepCost: *stepCost})
	if err != nil {
		return err
	}
	vs := goker.Judge(runs, expected)
	goker.Markdown(stdout, vs, *seed)
	if *showLeaks {
		fmt.Fprintln(stdout)
		for _, r := range goker.FirstLeaking(runs) {
			fmt.Fprintf(stdout, "%s, seed %d (%s):\n\n", r.Kernel, r.Seed, r.Spec)
			for _, l := range r.Leaks {
				fmt.Fprintln(stdout, l.Text)
			}
		}
	}
	if sp, _ := scheduler.ParseSpec(*strategy); sp.Exhaustive() {
		fmt.Fprintln(stdout)
		for _, line := range goker.Searched(runs) {
			fmt.Fprintln(stdout, line)
		}
	}
	fmt.Fprintf(stdout, "\n%s.\nRewritten and built in %v; %d runs in %v.\n", goker.Summary(vs), built.Round(time.Second), len(runs), (time.Since(start) - built).Round(time.Second))
	return nil
}
