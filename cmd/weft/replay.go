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

// replay runs a saved decision log once and prints what happened.
func replay(args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("replay", stderr)
	html := fset.String("html", "", "also write the run as a self-contained HTML page (lanes, arrows, the failure, its essential decisions) to this file")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if fset.NArg() != 2 {
		return fmt.Errorf("%w: want a scenario name and a log (a file, or the weft1-... text)", errUsage)
	}
	e, err := lookup(fset.Arg(0))
	if err != nil {
		return err
	}
	log, err := loadLog(fset.Arg(1))
	if err != nil {
		return err
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
