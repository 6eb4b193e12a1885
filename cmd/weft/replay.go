package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// replay runs a saved decision log once and prints what happened: the log
// of a catalogued scenario, run here, or of a user's test, run by go test
// in the test's package.
func replay(args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("replay", stderr)
	fset.Usage = func() {
		fmt.Fprint(stderr, `usage: weft replay [flags] SCENARIO LOG
       weft replay PACKAGE LOG
       weft replay LOG

LOG is a file or the weft1-... text. A log of a catalogued scenario (weft
list) replays here, and prints its timeline. A log of a package's own test
replays through go test -run <its test> -weft.replay=LOG in that package:
named, or, for a file under a package's testdata/weft, found from where the
file lies.

flags:
`)
		fset.PrintDefaults()
	}
	html := fset.String("html", "", "also write the run as a self-contained HTML page (lanes, arrows, the failure, its essential decisions) to this file")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	var e entry
	var log *scheduler.Log
	switch fset.NArg() {
	case 1:
		// A saved log: of a catalogued scenario, which it names, or of a
		// user's test, whose package is where the file lies.
		if _, err := lookup(fset.Arg(0)); err == nil {
			return fmt.Errorf("%w: want a scenario name and a log (a file, or the weft1-... text)", errUsage)
		}
		l, err := loadLog(fset.Arg(0))
		if err != nil {
			return err
		}
		if e, err = lookup(l.Scenario); err != nil {
			if *html != "" {
				return fmt.Errorf("%w: -html is for catalogued scenarios; a test's own timeline is in go test's output", errUsage)
			}
			return replayTestLog("", fset.Arg(0), l, stdout, stderr)
		}
		log = l
	case 2:
		var err error
		if e, err = lookup(fset.Arg(0)); err != nil {
			// Not a catalogued scenario: a package whose test the log is of.
			if *html != "" {
				return fmt.Errorf("%w: -html is for catalogued scenarios; a test's own timeline is in go test's output", errUsage)
			}
			if err := checkPackage(fset.Arg(0)); err != nil {
				return err
			}
			l, err := loadLog(fset.Arg(1))
			if err != nil {
				return err
			}
			return replayTestLog(fset.Arg(0), fset.Arg(1), l, stdout, stderr)
		}
		if log, err = loadLog(fset.Arg(1)); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: want a saved log, or a scenario name or package and a log (a file, or the weft1-... text)", errUsage)
	}
	if log.Scenario != "" && log.Scenario != e.Name {
		fmt.Fprintf(stderr, "weft replay: note: the log was recorded for %q, replaying it on %q\n", log.Scenario, e.Name)
	}
	cfg := e.config()
	if *html != "" {
		cfg.ReportDir = filepath.Dir(*html) // porcupine's view goes beside the page
	}
	r := sim.Replay(cfg, log, e.Scenario)
	fmt.Fprintf(stdout, "%s: seed %d, strategy %s, %d decisions, %d steps, virtual time %v, hash %016x\n",
		e.Name, log.Seed, log.Spec, len(log.Decisions), r.Steps, r.Time, r.Hash)
	fmt.Fprint(stdout, weft.Timeline(r.Trace, r.Procs))
	if *html != "" {
		if err := writePage(*html, e, log, r, "go run ./cmd/weft replay "+e.Name+" "+log.String()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *html)
	}
	if r.Failure != nil {
		fmt.Fprintf(stdout, "\nfailure: %v\n", r.Failure)
		return fmt.Errorf("the replayed run failed")
	}
	fmt.Fprintln(stdout, "\nthe replayed run passed")
	return nil
}

// loadLog reads a log from a file, or parses the argument as the one-line
// text form when it is not a file. A file is read no further than a log can
// take (scheduler.ReadLog), so a huge or endless one fails fast.
func loadLog(arg string) (*scheduler.Log, error) {
	f, err := os.Open(arg)
	switch {
	case err == nil:
		defer f.Close()
		l, err := scheduler.ReadLog(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, err)
		}
		return l, nil
	case (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENAMETOOLONG)) && strings.HasPrefix(arg, "weft"):
		// A long log's text is too long to be a file name at all. Any
		// version's text goes to ParseLog, which names a version it does
		// not know.
		return scheduler.ParseLog(arg)
	default:
		return nil, err
	}
}

// writePage writes the page of run r, the replay of log of scenario e, to
// path, with the decisions the failure needs highlighted and command as
// the way to replay it.
func writePage(path string, e entry, log *scheduler.Log, r *sim.Result, command string) error {
	pre := scheduler.Preemptions(log.Decisions)
	f := &weft.Finding{Seed: log.Seed, Spec: log.Spec, Original: r, Shrunk: r, Log: log, PreemptionsBefore: pre, PreemptionsAfter: pre}
	p := weft.Page{Finding: f, Commands: []string{command}, PageDir: filepath.Dir(path)}
	if r.Failure != nil {
		p.Essential = weft.EssentialDecisions(e.config(), log, e.Scenario)
	}
	var b bytes.Buffer
	if _, err := p.WriteTo(&b); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
