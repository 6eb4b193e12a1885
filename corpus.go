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

// saveLog writes l in binary form to dir, named by the first 16 hex digits
// of its SHA-256, and returns the path. Saving the same log twice is a no-op.
func saveLog(dir string, l *scheduler.Log) (string, error) {
	data, err := l.MarshalBinary()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	path := filepath.Join(dir, hex.EncodeToString(sum[:])[:16])
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return path, nil
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
		if !replayLog(t, s, loc, l, path, s.verbose, scenario) {
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
