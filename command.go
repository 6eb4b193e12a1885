package weft

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"
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

// rewrittenCode is set once a test of code rewritten to run in a world
// (TestGo) has run in this binary: its replay commands are weft test's.
var rewrittenCode atomic.Bool

// testCommand is the go test command, run from the module root, that runs
// exactly the test (or subtest) named name, with extra arguments.
func (l location) testCommand(name string, args ...string) string {
	parts := []string{"go", "test", l.pkg, "-run", shellQuote(runPattern(name))}
	if rewrittenCode.Load() {
		// Rewritten code runs in a world only when built with its
		// overlay, which weft test makes.
		parts[0] = "weft"
	}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// TestCommand is the go test command, to paste at the module root, that
// runs exactly the test (or subtest) named name, as t.Name spells it, of
// the package whose tests are running, with args: the command weft's own
// failures print, for a report made elsewhere (package parallel's, whose
// args are rapid's flags).
func TestCommand(name string, args ...string) string {
	return locatePackage(".").testCommand(name, args...)
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

// runSelects reports whether go test's -run pattern selects the test named
// name: the test itself, or a test on the way to it (a parent whose body
// runs the subtest). It follows package testing's rules: the pattern splits
// at '|' and '/' outside brackets and parentheses into alternatives of
// elements, and an alternative matches when each of its elements matches
// the name's element at the same depth, as far as both go. The empty
// pattern selects every test; so does one that does not compile, which go
// test refuses before any test runs.
func runSelects(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	elems := strings.Split(name, "/")
	for _, alt := range splitPattern(pattern) {
		ok := true
		for i, e := range elems {
			if i >= len(alt) {
				break
			}
			re, err := regexp.Compile(rewriteName(alt[i]))
			if err != nil {
				return true
			}
			if !re.MatchString(e) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// splitPattern splits a -run pattern into alternatives of elements, as
// package testing's splitRegexp does.
func splitPattern(s string) [][]string {
	var alts [][]string
	var alt []string
	brackets, parens := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			brackets++
		case ']':
			brackets = max(brackets-1, 0) // an unmatched ']' is legal
		case '(':
			if brackets == 0 {
				parens++
			}
		case ')':
			if brackets == 0 {
				parens--
			}
		case '\\':
			i++
		case '/', '|':
			if brackets == 0 && parens == 0 {
				alt = append(alt, s[:i])
				if s[i] == '|' {
					alts, alt = append(alts, alt), nil
				}
				s, i = s[i+1:], -1
			}
		}
	}
	return append(alts, append(alt, s))
}

// rewriteName is package testing's rewrite of a test name's element (and of
// each element of a -run pattern): white space becomes '_', and what is not
// printable its Go escape.
func rewriteName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r): // testing's isSpace, to the rune
			b.WriteByte('_')
		case !strconv.IsPrint(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
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
