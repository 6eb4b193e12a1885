// Command weft runs weft's scenarios and a package's own weft tests from the
// command line: the demo, long exploration campaigns spread over cores and
// machines, and replays of saved failures.
//
//	weft demo                         run every catalogued scenario and print what each property catches
//	weft list                         list the catalogued scenarios
//	weft explore [flags] NAME         explore one catalogued scenario, with progress
//	weft explore [flags] PACKAGES     run the packages' weft tests as a campaign, one go test per core
//	weft replay [flags] NAME LOG      replay a decision log (a file or the weft1-... text) and print its timeline
//	weft replay [PACKAGE] LOG         replay a saved log of a package's own test, through go test
//	weft merge [-o FILE] SUMMARY...   combine the summaries of a campaign's shards into one report
//	weft report [flags] [NAME...]     write the HTML page of each catalogued failure, shrunk, into a directory
//	weft bench-search [flags]         measure how fast each strategy finds each seeded defect (make bench-search)
//	weft test PKG [go test flags]     rewrite plain Go code (package rewrite) and go test it in a world
//	weft overlay PKG                  rewrite plain Go code and print the file for go test -overlay
//	weft goker [flags]                run GoKer's bug kernels, rewritten, and print what they leak
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks an error whose message already says how to call weft.
var errUsage = errors.New("usage")

const usage = `usage: weft <command> [flags] [args]

commands:
  demo                      run every catalogued scenario and print a verdict table
  list                      list the catalogued scenarios
  explore [flags] NAME      explore one catalogued scenario under many seeds, with progress
  explore [flags] PACKAGES  run the weft tests of packages (./pkg, ./...) as a campaign:
                            one go test -json per core, each on its own shard of the
                            seed space, a live progress line, each failure's report and
                            replay command; -shard i/n for one machine of many,
                            -summary FILE for weft merge
  replay [flags] NAME LOG   replay a decision log (a file or the weft1-... text)
  replay [PACKAGE] LOG      replay a saved log of a package's own test (go test
                            -weft.replay); the package is found from a file under
                            its testdata/weft, or named
  report [flags] [NAME...]  write each catalogued failure as an HTML page (-o DIR)
  merge [-o FILE] SUMMARY...
                            combine the JSON summaries of a campaign's shards: runs,
                            failures by test, saved logs, shards present and missing
  bench-search [flags]      measure the runs each strategy takes to find each seeded defect
  test PKG [go test flags]  rewrite plain Go code to run in a world, and go test it
  overlay [-o dir] PKG      rewrite plain Go code; print the file for go test -overlay
  goker [flags]             run Go's GoKer bug kernels, rewritten, and print a table

Run 'weft <command> -h' for the flags of a command.
`

// run is main without the process: it returns the exit code (0 ok, 1 a
// scenario failed unexpectedly or a command failed, 2 bad usage).
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "demo":
		err = demo(args[1:], stdout, stderr)
	case "list":
		err = list(stdout)
	case "explore":
		err = explore(args[1:], stdout, stderr)
	case "replay":
		err = replay(args[1:], stdout, stderr)
	case "merge":
		err = merge(args[1:], stdout, stderr)
	case "report":
		err = report(args[1:], stdout, stderr)
	case "bench-search":
		err = benchSearch(args[1:], stdout, stderr)
	case "test":
		err = gotest(args[1:], stdout, stderr)
	case "overlay":
		err = overlay(args[1:], stdout, stderr)
	case "goker":
		err = gokerCmd(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "weft: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "weft %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "weft %s: %v\n", args[0], err)
		return 1
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("weft "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}
