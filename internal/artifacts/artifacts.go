// Package artifacts says where a test keeps the files it writes for people
// (porcupine's page of a linearizability violation, say), as Go 1.26 keeps
// test artifacts, so that they are found after the test, never pile up in
// the shared temp folder, and are never deleted by another test.
package artifacts

import (
	"flag"
	"path/filepath"
	"strings"
)

// Test is what Dir needs of a test: its name, and, from a *testing.T or
// *testing.B, its artifact directory.
type Test interface {
	Name() string
}

// Dir returns the directory for the files test t writes for people; pkgDir
// is the test's package directory, where go test runs it ("." from the test
// itself). The directory is:
//
//   - with go test -artifacts, t.ArtifactDir(): a new directory for the
//     test under the output directory (-outputdir, by default where go
//     test runs), <outputdir>/_artifacts/<package>/<test>/<random>, which
//     Go keeps after the test;
//   - without it, where t.ArtifactDir() is a temporary directory that Go
//     removes when the test ends, before anyone reads the failure that
//     names a file in it: weft-reports/<test> in the test's output
//     directory, which is -outputdir when go test passes one (it does with
//     a profile flag), and otherwise the package directory, where Go also
//     puts what a test binary writes when it runs there. A subtest's name
//     maps "/" to "__", as Go's artifact directories do.
//
// Dir returns an absolute path. Without -artifacts it makes nothing: the
// writer makes the directory when it writes a file, so that a test that
// passes leaves nothing behind. Files in it are created with new names
// (properties.VisualizeRun adds a random part), so that two tests or two
// runs never overwrite each other's.
func Dir(t Test, pkgDir string) string {
	if enabled("test.artifacts") {
		if a, ok := t.(interface{ ArtifactDir() string }); ok {
			return a.ArtifactDir()
		}
	}
	base := pkgDir
	if f := flag.Lookup("test.outputdir"); f != nil && f.Value.String() != "" {
		base = f.Value.String()
	}
	dir := filepath.Join(base, "weft-reports", fileName(t.Name()))
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir
}

// enabled reports whether the boolean flag name is set.
func enabled(name string) bool {
	f := flag.Lookup(name)
	return f != nil && f.Value.String() == "true"
}

// fileName maps a test's name to one path element: "/" becomes "__", and
// anything but letters, digits and -_.#=+,@ becomes "_".
func fileName(name string) string {
	name = strings.ReplaceAll(name, "/", "__")
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("-_.#=+,@", r):
			return r
		}
		return '_'
	}, name)
	if name == "" || strings.Trim(name, ".") == "" {
		return "test"
	}
	return name
}

// FileSafe maps a test or scenario name to a part of a file name: letters,
// digits and -_. stay, anything else becomes "_" ("" is "run"). Reports
// (porcupine's view, weft's page) name their files with it.
func FileSafe(name string) string {
	if name == "" {
		return "run"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name)
}
