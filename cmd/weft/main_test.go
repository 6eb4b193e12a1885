package main

// The command is tested through run, with its output captured: exit codes,
// and that each message says what went wrong.

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runWeft(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage: weft"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"demo", "-runs", "0"}, "-runs must be positive"},
		{[]string{"demo", "-strategy", "bfs"}, "unknown strategy"},
		{[]string{"demo", "-bogus"}, "flag provided but not defined"},
		{[]string{"demo", "-only", "no/such"}, `no scenario name contains "no/such"`},
		{[]string{"explore"}, "want a scenario name (see weft list) or packages"},
		{[]string{"explore", "no/such"}, `"no/such" is neither a catalogued scenario (weft list shows them) nor a package (go list: `},
		{[]string{"explore", "./no/such"}, `go list: `},
		{[]string{"explore", "-save", "f", "./..."}, "-save is for a catalogued scenario"},
		{[]string{"explore", "-run", "X", "zoo/leak"}, "-run is for packages, not a catalogued scenario"},
		{[]string{"explore", "-parallel", "0", "./..."}, "-parallel must be at least 1"},
		{[]string{"explore", "../../examples/kv"}, "no test function in ../../examples/kv calls weft.Test; give -run"},
		{[]string{"explore", "-run", "^TestNoSuch$", "../../examples/zoo"}, "-run ^TestNoSuch$ selects no test in ../../examples/zoo"},
		{[]string{"explore", "../../scheduler"}, "no package in ../../scheduler has tests that import weft"},
		{[]string{"replay", "no/such", "weft1-AAAA"}, `"no/such" is neither a catalogued scenario`},
		{[]string{"merge"}, "want the summaries to merge"},
		{[]string{"explore", "-shard", "3/2", "zoo/leak"}, "bad -shard"},
		{[]string{"explore", "-budget", "-1s", "zoo/leak"}, "-runs and -budget must not be negative"},
		{[]string{"replay", "zoo/leak"}, "want a scenario name and a log"},
		{[]string{"replay", "a", "b", "c"}, "want a saved log, or a scenario name or package and a log"},
		{[]string{"bench-search", "-campaigns", "0"}, "-campaigns and -max must be at least 1"},
		{[]string{"bench-search", "-strategies", "random,bfs"}, "unknown strategy"},
		{[]string{"bench-search", "-bound", "0", "-search-only"}, "not a whole number"},
		{[]string{"test"}, "weft test PACKAGE"},
		{[]string{"test", "-run", "X"}, "weft test PACKAGE"},
		{[]string{"overlay"}, "weft overlay [-o dir] PACKAGE"},
		{[]string{"goker", "-seeds", "0"}, "-seeds n>0"},
		{[]string{"goker", "-strategy", "bfs"}, "-strategy"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := runWeft(tc.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not say %q", stderr, tc.want)
			}
		})
	}
}

func TestList(t *testing.T) {
	code, stdout, _ := runWeft("list")
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, e := range catalog() {
		if !strings.Contains(stdout, e.Name) {
			t.Errorf("list does not show %s", e.Name)
		}
	}
}

// TestDemoThenReplay runs a slice of the demo, then replays the command it
// printed, as a user would, and checks the replay fails the same way.
func TestDemoThenReplay(t *testing.T) {
	code, stdout, stderr := runWeft("demo", "-runs", "200", "-only", "zoo/deadlock")
	if code != 0 {
		t.Fatalf("demo exit code %d\n%s%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`zoo/deadlock\s+fails\s+found`).MatchString(stdout) ||
		!regexp.MustCompile(`zoo/deadlock-fixed\s+passes\s+pass\s+200`).MatchString(stdout) {
		t.Fatalf("demo table is not as expected:\n%s", stdout)
	}
	if !strings.Contains(stdout, "\n2 scenarios in ") {
		t.Errorf("demo -only counts scenarios it did not run:\n%s", stdout)
	}
	m := regexp.MustCompile(`replay: go run ./cmd/weft replay (\S+) (weft1\S+)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("demo printed no replay command:\n%s", stdout)
	}
	code, out, _ := runWeft("replay", m[1], m[2])
	if code != 1 || !strings.Contains(out, "deadlock: all processes are blocked") {
		t.Fatalf("replay exit code %d, want 1 with the deadlock:\n%s", code, out)
	}

	// The same log saved to a file, plus an HTML timeline.
	dir := t.TempDir()
	file, html := filepath.Join(dir, "log"), filepath.Join(dir, "t.html")
	if err := os.WriteFile(file, []byte(m[2]), 0o644); err != nil {
		t.Fatal(err)
	}
	code, again, _ := runWeft("replay", "-html", html, m[1], file)
	if code != 1 || hashOf(again) != hashOf(out) || hashOf(out) == "" {
		t.Fatalf("replay from a file: exit %d, hash %q, want 1 and %q", code, hashOf(again), hashOf(out))
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), "deadlock: all processes are blocked") || !strings.Contains(string(page), "teller") {
		t.Fatalf("HTML timeline missing or incomplete (err %v)", err)
	}
}

func hashOf(replayOutput string) string {
	m := regexp.MustCompile(`hash ([0-9a-f]{16})`).FindStringSubmatch(replayOutput)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestReplayMalformedLog(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("not a log at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{bad, "weft1-AAAA", filepath.Join(t.TempDir(), "missing")} {
		code, _, stderr := runWeft("replay", "zoo/leak", arg)
		if code != 1 || !strings.Contains(stderr, "weft replay:") {
			t.Errorf("replay %s: exit %d, stderr %q; want 1 and a clear error", arg, code, stderr)
		}
	}
}

// A log text of a version this weft does not know is named as such, given
// as an argument or in a file.
func TestReplayUnknownVersion(t *testing.T) {
	file := filepath.Join(t.TempDir(), "newer.txt")
	if err := os.WriteFile(file, []byte("weft2-AAAA\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"weft2-AAAA", file} {
		code, _, stderr := runWeft("replay", "zoo/leak", arg)
		if code != 1 || !strings.Contains(stderr, `scheduler: log of unknown format version "weft2-", newer than this weft`) {
			t.Errorf("replay %s: exit %d, stderr %q; want 1 and a log of an unknown format version", arg, code, stderr)
		}
	}
}

func TestExploreFindsAndSaves(t *testing.T) {
	save := filepath.Join(t.TempDir(), "leak.log")
	code, stdout, _ := runWeft("explore", "-runs", "500", "-save", save, "zoo/leak")
	if code != 1 || !strings.Contains(stdout, "leak: processes still blocked") {
		t.Fatalf("explore exit %d, want 1 with the leak:\n%s", code, stdout)
	}
	if code, out, _ := runWeft("replay", "zoo/leak", save); code != 1 || !strings.Contains(out, "leak") {
		t.Fatalf("replay of the saved log: exit %d\n%s", code, out)
	}
	if code, stdout, _ := runWeft("explore", "-runs", "300", "-check-determinism", "zoo/leak-fixed"); code != 0 {
		t.Fatalf("explore of the fixed twin: exit %d\n%s", code, stdout)
	}
	// A real-time budget alone runs as many seeds as fit.
	if code, stdout, _ := runWeft("explore", "-budget", "100ms", "zoo/leak-fixed"); code != 0 || !strings.Contains(stdout, "zoo/leak-fixed: no failure in ") {
		t.Fatalf("explore -budget of the fixed twin: exit %d\n%s", code, stdout)
	}
}

// bench-search prints its two tables: a cell per strategy, and the plain
// search against DPOR.
func TestBenchSearch(t *testing.T) {
	code, stdout, stderr := runWeft("bench-search", "-campaigns", "2", "-max", "200", "-strategies", "portfolio,random", "-run", "zoo/leak")
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr)
	}
	for _, want := range []string{"| scenario | steps | portfolio | random |", "| zoo/leak | 2 | ", "| zoo/leak | fails | found at ", "| zoo/leak-fixed | passes | "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}
