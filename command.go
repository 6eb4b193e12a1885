package weft

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// location says how to run a package's tests from its module's root, which
// is where a developer pastes a replay command.
type location struct {
	root string // the module root (the directory with go.mod), absolute
	pkg  string // the package as go test names it from root: "./sim", or "."
}

// locatePackage finds the module root of package directory dir by walking up to the
// nearest go.mod. Without one, the package directory stands in for it.
func locatePackage(dir string) location {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return location{root: dir, pkg: "."}
	}
	for d := abs; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			rel, err := filepath.Rel(d, abs)
			if err != nil || rel == "." {
				return location{root: d, pkg: "."}
			}
			return location{root: d, pkg: "./" + filepath.ToSlash(rel)}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return location{root: abs, pkg: "."}
		}
		d = parent
	}
}

// rel names path relative to the module root, with forward slashes, for a
// command run from there.
func (l location) rel(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	r, err := filepath.Rel(l.root, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(r)
}

// testCommand is the go test command, run from the module root, that runs
// exactly the test (or subtest) named name, with extra arguments.
func (l location) testCommand(name string, args ...string) string {
	parts := []string{"go", "test", l.pkg, "-run", shellQuote(runPattern(name))}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// runPattern is the -run pattern that matches exactly the test named name
// (as t.Name spells it: elements joined by '/').
func runPattern(name string) string {
	elems := strings.Split(name, "/")
	for i, e := range elems {
		elems[i] = "^" + regexp.QuoteMeta(e) + "$"
	}
	return strings.Join(elems, "/")
}

// shellSafe matches words a POSIX shell passes through unchanged; '#'
// starts a comment only at the start of a word.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./=:@%+,-][A-Za-z0-9_./=:@%+,#-]*$`)

// shellQuote quotes s for a POSIX shell when it needs it, so that a printed
// command can be pasted as it is.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
