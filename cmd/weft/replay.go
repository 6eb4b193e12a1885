package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// replay runs a saved decision log once and prints what happened.
func replay(args []string, stdout, stderr io.Writer) error {
	fset := newFlagSet("replay", stderr)
	html := fset.String("html", "", "also write a self-contained HTML timeline to this file")
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
	r := sim.Replay(e.config(), log, e.Scenario)
	fmt.Fprintf(stdout, "%s: seed %d, strategy %s, %d decisions, %d steps, virtual time %v, hash %016x\n",
		e.Name, log.Seed, log.Spec, len(log.Decisions), r.Steps, r.Time, r.Hash)
	if r.Failure == nil {
		fmt.Fprint(stdout, weft.Timeline(r.Trace, r.Procs))
	} else {
		// Which changes from the calm run the failure needs: a replay
		// each, marked in the timeline.
		changes := weft.ChangesOf(e.config(), r, e.Scenario)
		fmt.Fprint(stdout, weft.TimelineChanges(r.Trace, r.Procs, changes))
		essential := 0
		for _, c := range changes {
			if c.Essential {
				essential++
			}
		}
		fmt.Fprintf(stdout, "%d changes from the calm run (marked above); the failure needs %d of them (\"* essential\")\n", len(changes), essential)
	}
	if *html != "" {
		if err := os.WriteFile(*html, []byte(htmlTimeline(e.Name, r)), 0o644); err != nil {
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
