package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"time"
)

// plainEvery is how often a progress line is printed where the output is
// not a terminal (a CI log); on a terminal the line is redrawn every second.
var plainEvery = 10 * time.Second

// explorePackages runs campaign c over the weft tests of the packages that
// patterns name. notScenario is why the one pattern given is not a
// catalogued scenario, for the error when it is no package either.
func explorePackages(c *campaign, patterns []string, notScenario error, summaryFile string, stdout, stderr io.Writer) error {
	pkgs, skipped, err := goList(patterns, c.run)
	if err != nil {
		if len(patterns) == 1 && notScenario != nil && !looksLikePackage(patterns[0]) {
			return fmt.Errorf("%w: %q is neither a catalogued scenario (weft list shows them) nor a package (%v)", errUsage, patterns[0], err)
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if len(skipped) > 0 {
		fmt.Fprintf(stderr, "weft explore: %d packages have no test that imports weft, left out: %s\n", len(skipped), abbreviate(skipped, 5))
	}
	var with []testPackage
	var without []string
	for _, p := range pkgs {
		// With a -run this cannot read, go test judges every package.
		if len(p.Tests) > 0 || c.run != "" && !readable(c.run) {
			with = append(with, p)
		} else {
			without = append(without, p.ImportPath)
		}
	}
	if len(with) > 0 && len(without) > 0 {
		what := "no test that calls weft.Test (-run chooses tests there)"
		if c.run != "" {
			what = "no test -run selects"
		}
		fmt.Fprintf(stderr, "weft explore: %d packages have %s, left out: %s\n", len(without), what, abbreviate(without, 5))
	}
	switch {
	case len(pkgs) == 0:
		return fmt.Errorf("%w: no package in %s has tests that import weft", errUsage, strings.Join(patterns, " "))
	case len(with) == 0 && c.run == "":
		return fmt.Errorf("%w: no test function in %s calls weft.Test; give -run to choose the tests to explore", errUsage, strings.Join(patterns, " "))
	case len(with) == 0:
		return fmt.Errorf("%w: -run %s selects no test in %s", errUsage, c.run, strings.Join(patterns, " "))
	}
	pkgs = with
	c.pkgs = pkgs
	var paths []string
	for _, p := range pkgs {
		paths = append(paths, p.ImportPath)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	live := newLiveLine(stderr)
	if c.parallel > 1 {
		// Built once here, not by each process at the same time.
		if err := build(ctx, paths, live); err != nil {
			return err
		}
	}
	tests := 0
	for _, p := range pkgs {
		tests += len(p.Tests)
	}
	what := plural(tests, "test")
	if c.run != "" && !readable(c.run) {
		what = "the tests -run " + c.run + " selects"
	}
	procs := fmt.Sprintf("%d go test processes of -weft.shard %s to %s", c.parallel, c.subShard(0), c.subShard(c.parallel-1))
	if c.parallel == 1 {
		procs = "1 go test process of -weft.shard " + c.subShard(0)
	}
	live.note(fmt.Sprintf("weft explore: %s in %s, shard %d/%d in %s", what, plural(len(pkgs), "package"), c.shard, c.shards, procs))
	c.execute(ctx, time.Second, func() { live.show(c.totals().line()) })
	t := c.totals()
	live.done(t.line())

	fails := c.failures()
	for _, f := range fails {
		fmt.Fprintln(stdout)
		if f.test == nil {
			fmt.Fprintf(stdout, "--- FAIL: package %s (-weft.shard %s), outside its tests:\n%s\n", f.job.pkg.ImportPath, f.job.shard, f.report)
			continue
		}
		fmt.Fprintf(stdout, "--- FAIL: %s in %s (-weft.shard %s)\n%s\n", f.test.name, f.job.pkg.ImportPath, f.job.shard, f.report)
		if pf := f.test.line.Failure; pf != nil {
			fmt.Fprintf(stdout, "replay: %s\n", pf.Replay)
			if pf.Log != "" {
				fmt.Fprintf(stdout, "    or: weft replay %s\n", pf.Log)
			}
		}
	}
	if summaryFile != "" {
		if err := c.summary(patterns).write(summaryFile); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "\nweft explore: %d runs, %d steps, ~%d distinct schedules in %v; %d failures\n",
		t.runs, t.steps, t.schedules(), t.elapsed.Round(10*time.Millisecond), len(fails))
	if summaryFile != "" {
		fmt.Fprintf(stdout, "summary: %s\n", summaryFile)
	}
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}
	if len(fails) > 0 {
		return fmt.Errorf("%d failures", len(fails))
	}
	return nil
}

// readable reports whether goList can tell which top-level tests the -run
// pattern run selects.
func readable(run string) bool {
	first, _, _ := strings.Cut(run, "/")
	_, err := regexp.Compile(first)
	return err == nil
}

// looksLikePackage reports whether arg can only be a package pattern: a
// path (./x, ../x, /x), a pattern with ..., or an import path whose first
// element has a dot (example.com/x). A catalogued scenario is none of those.
func looksLikePackage(arg string) bool {
	first, _, _ := strings.Cut(arg, "/")
	return strings.HasPrefix(arg, ".") || strings.HasPrefix(arg, "/") || strings.Contains(arg, "...") || strings.Contains(first, ".")
}

// plural is "1 package" or "n packages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func abbreviate(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}

// build compiles the packages' tests once, with go test running no test,
// so that the go test processes that follow find them built instead of
// each building them.
func build(ctx context.Context, paths []string, live *liveLine) error {
	cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-count=1", "-run=^$"}, paths...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			live.clear()
			if err != nil {
				return fmt.Errorf("building the tests failed:\n%s", strings.TrimSpace(out.String()))
			}
			return nil
		case <-t.C:
			live.show(fmt.Sprintf("weft: building the tests of %s (%v)", plural(len(paths), "package"), time.Since(start).Round(time.Second)))
		}
	}
}

// liveLine shows a progress line: redrawn in place on a terminal, printed
// as a plain line every plainEvery elsewhere.
type liveLine struct {
	w         io.Writer
	terminal  bool
	lastPlain time.Time
	shown     bool
}

func newLiveLine(w io.Writer) *liveLine {
	return &liveLine{w: w, terminal: isTerminal(w), lastPlain: time.Now()}
}

// show updates the line.
func (l *liveLine) show(text string) {
	if l.terminal {
		fmt.Fprintf(l.w, "\r\033[K%s", text)
		l.shown = true
		return
	}
	if time.Since(l.lastPlain) >= plainEvery {
		l.lastPlain = time.Now()
		fmt.Fprintln(l.w, text)
	}
}

// note prints a line that stays, above the live one.
func (l *liveLine) note(text string) {
	l.clear()
	fmt.Fprintln(l.w, text)
}

// clear erases the live line from a terminal.
func (l *liveLine) clear() {
	if l.terminal && l.shown {
		fmt.Fprint(l.w, "\r\033[K")
		l.shown = false
	}
}

// done prints the last state of the line, which stays.
func (l *liveLine) done(text string) {
	l.clear()
	fmt.Fprintln(l.w, text)
}
