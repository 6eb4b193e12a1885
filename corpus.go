package weft

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// corpusDir is where the logs of the test named name are saved: the test's
// name, with '/' mapped to directories, under testdata/weft, as Go's fuzzing
// keeps its corpus under testdata/fuzz.
func corpusDir(dir, name string) string {
	elems := strings.Split(name, "/")
	for i, e := range elems {
		if e == "" || e == "." || e == ".." {
			elems[i] = "_" // never step out of testdata
		}
	}
	return filepath.Join(append([]string{dir, "testdata", "weft"}, elems...)...)
}

// saveLog writes l to dir in the file form (scheduler.Log.MarshalFile),
// lines of text that a pull request diffs, and returns the path. The file
// is named by the first 16 hex digits of the SHA-256 of that form, as Go
// names its fuzz corpus files; saving the same log again is a no-op. note,
// given the path, returns comment lines to put after the file's first line,
// saying what the log recorded. A log too long for the file form (millions
// of decisions) is saved as its one-line text.
func saveLog(dir string, l *scheduler.Log, note func(path string) string) (string, error) {
	data, err := l.MarshalFile()
	if err != nil {
		text, err2 := l.MarshalText()
		if err2 != nil {
			return "", err2
		}
		data, note = append(text, '\n'), nil
	}
	sum := sha256.Sum256(data)
	path := filepath.Join(dir, hex.EncodeToString(sum[:])[:16])
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if note != nil {
		first, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = slices.Concat(first, []byte{'\n'}, []byte(note(path)), rest)
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, data, 0o666); err != nil {
		os.Remove(path)
		return "", err
	}
	return path, nil
}

// maxNoteRunes bounds the failure's headline in a saved log's comment.
const maxNoteRunes = 200

// savedNote returns the comment of the log of finding f of the test named
// name, saved at path: what failed, and how to replay it.
func savedNote(name string, loc location, f *Finding) func(path string) string {
	return func(path string) string {
		what := "failure"
		if run := f.Shrunk; run != nil && run.Failure != nil {
			what = strings.SplitN(headline(run.Failure), "\n", 2)[0]
		}
		if r := []rune(what); len(r) > maxNoteRunes {
			what = string(r[:maxNoteRunes]) + "..."
		}
		preemptions := "preemptions"
		if f.PreemptionsAfter == 1 {
			preemptions = "preemption"
		}
		return fmt.Sprintf("# %s: %s\n# Found by seed %d (strategy %s); %d %s after shrinking. go test replays this file\n# before it explores; to replay it alone, from the module root:\n#     %s\n",
			name, quoteControls(what), f.Seed, quoteControls(f.Spec), f.PreemptionsAfter, preemptions, loc.testCommand(name, "-weft.replay="+loc.rel(path)))
	}
}

// replaySaved replays the logs saved in corpus, in name order. It reports
// whether they all passed. Subdirectories (the corpora of subtests) and
// files whose names have a dot (a README.md, say) are skipped.
func replaySaved(t tb, s *settings, loc location, corpus string, scenario func(*sim.World)) bool {
	t.Helper()
	entries, err := os.ReadDir(corpus)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		t.Fatalf("weft: reading saved logs: %v", err)
		return false
	}
	unreadable := 0
	for _, e := range entries {
		if e.IsDir() || strings.Contains(e.Name(), ".") {
			continue
		}
		path := filepath.Join(corpus, e.Name())
		l, err := readLogFile(path)
		if err != nil {
			t.Errorf("weft: saved log %s cannot be replayed: %v\n\tIt may come from another version of weft, or be damaged; delete it if the failure it recorded no longer matters.", loc.rel(path), err)
			unreadable++
			continue
		}
		if l.Scenario != "" && l.Scenario != t.Name() {
			// Copied from another test's directory, or kept through a
			// rename: replayed all the same, since it is under this
			// test's name, but said.
			t.Logf("weft: warning: saved log %s was recorded for %s, not for %s", loc.rel(path), quoteControls(l.Scenario), t.Name())
		}
		if !replayLog(t, s, loc, l, path, true, scenario) {
			return false
		}
	}
	if unreadable > 0 {
		t.Fatalf("weft: %d saved logs under %s could not be replayed", unreadable, loc.rel(corpus))
		return false
	}
	return true
}

// loadLog reads the log that -weft.replay names: a file (relative to the
// package directory dir, or, as replay commands print it, to the module
// root), holding the binary form or the text form; or else the text form
// itself.
func loadLog(arg, dir string) (*scheduler.Log, string, error) {
	for _, path := range []string{arg, filepath.Join(dir, arg), filepath.Join(locatePackage(dir).root, arg)} {
		if filepath.IsAbs(arg) && path != arg {
			break
		}
		if fi, err := os.Stat(path); err != nil || fi.IsDir() {
			continue
		}
		l, err := readLogFile(path)
		if err != nil {
			return nil, path, fmt.Errorf("%s: %w", path, err)
		}
		return l, path, nil
	}
	if strings.HasPrefix(arg, "weft") {
		l, err := scheduler.ParseLog(arg)
		if err != nil {
			return nil, "", err
		}
		return l, "", nil
	}
	return nil, "", fmt.Errorf("%s: no such file (looked in %s and %s) and not a log's text (weft1-...)", arg, dir, locatePackage(dir).root)
}

// readLogFile reads the log in the file at path, in either form, reading no
// more of it than a log can take (scheduler.ReadLog): a huge or endless file
// fails fast rather than filling memory.
func readLogFile(path string) (*scheduler.Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return scheduler.ReadLog(f)
}
