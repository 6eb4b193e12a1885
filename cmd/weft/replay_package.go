package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/weftsim/weft/scheduler"
)

// replayTestLog replays a log of a user's test (weft.Test saved it, or a
// campaign's summary holds its text) the way the test's own report says:
// go test -run <the test> -weft.replay=<log>, in the test's package. pkg is
// the package as go test takes it; "" finds it from where the log file
// lies, <package>/testdata/weft/<test>/<id>.
func replayTestLog(pkg, arg string, log *scheduler.Log, stdout, stderr io.Writer) error {
	dir := ""
	if pkg == "" {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return err
		}
		sep := string(filepath.Separator)
		at := strings.LastIndex(abs, sep+filepath.Join("testdata", "weft")+sep)
		if at < 0 {
			return fmt.Errorf("%w: %s is not under a package's testdata/weft, so its package is unknown: name it, weft replay ./pkg %[2]s", errUsage, arg)
		}
		dir, pkg = abs[:at], "."
	}
	replayArg := arg
	if fi, err := os.Stat(arg); err == nil && !fi.IsDir() {
		if abs, err := filepath.Abs(arg); err == nil {
			replayArg = abs // go test runs in the package's directory
		}
	}
	args := []string{"test", "-count=1", "-v"}
	if log.Scenario != "" {
		args = append(args, "-run", testPattern(log.Scenario))
	}
	args = append(args, pkg, "-weft.replay="+replayArg)
	cmd := exec.CommandContext(context.Background(), "go", args...)
	cmd.Dir = dir
	where := ""
	if dir != "" {
		where = " in " + dir
	}
	live := newLiveLine(stderr)
	live.note(fmt.Sprintf("weft replay: the log of %s: go %s%s", orDash(log.Scenario), strings.Join(quoteArgs(args), " "), where))
	quiet := &firstWrite{w: stdout}
	cmd.Stdout, cmd.Stderr = quiet, quiet
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	start := time.Now()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				return errors.New("the replayed test failed")
			}
			return err
		case <-t.C:
			if !quiet.started() {
				live.show(fmt.Sprintf("weft replay: building and running the test (%v)", time.Since(start).Round(time.Second)))
			}
		}
	}
}

// checkPackage says why pkg is not one package whose tests import weft,
// if it is not.
func checkPackage(pkg string) error {
	pkgs, _, err := goList([]string{pkg}, "")
	switch {
	case err != nil && !looksLikePackage(pkg):
		return fmt.Errorf("%w: %q is neither a catalogued scenario (weft list shows them) nor a package (%v)", errUsage, pkg, err)
	case err != nil:
		return fmt.Errorf("%w: %v", errUsage, err)
	case len(pkgs) != 1:
		return fmt.Errorf("%w: %s is not one package whose tests import weft", errUsage, pkg)
	}
	return nil
}

// firstWrite passes writes on, and says whether one came yet.
type firstWrite struct {
	mu    sync.Mutex
	w     io.Writer
	wrote bool
}

func (f *firstWrite) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wrote = true
	return f.w.Write(p)
}

func (f *firstWrite) started() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wrote
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// quoteArgs quotes the arguments that a shell would split or expand.
func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '\"$^|*?()[]\\&;<>`") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}
