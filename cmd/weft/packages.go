package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// weftPath is the import path of package weft, whose Test the tests that
// weft explore runs call.
const weftPath = "github.com/weftsim/weft"

// testPackage is a package whose tests weft explore runs.
type testPackage struct {
	ImportPath, Dir string
	// Tests are the top-level tests that run, found in the package's
	// _test.go files: those that call weft.Test, or with -run those whose
	// names it matches.
	Tests []string
}

// listed is what go list says of a package.
type listed struct {
	ImportPath, Dir           string
	TestGoFiles, XTestGoFiles []string
	TestImports, XTestImports []string
	Error                     *struct{ Err string }
}

// goList resolves package patterns as go test does, with go list. Only
// packages whose tests import weft are kept; the others are named in
// skipped. A pattern that matches nothing, or a package go list cannot
// load, is an error. run is go test's -run pattern ("": the tests that
// call weft.Test).
func goList(patterns []string, run string) (pkgs []testPackage, skipped []string, err error) {
	var selects *regexp.Regexp
	if run != "" {
		// The first element of each alternative names top-level tests;
		// a pattern this cannot split is left to go test to judge.
		first, _, _ := strings.Cut(run, "/")
		selects, _ = regexp.Compile(first)
	}
	args := append([]string{"list", "-e", "-json=ImportPath,Dir,TestGoFiles,XTestGoFiles,TestImports,XTestImports,Error"}, patterns...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("go list: %s", firstLine(strings.TrimSpace(stderr.String()+" "+err.Error())))
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("go list: %v", err)
		}
		n++
		if p.Error != nil {
			return nil, nil, fmt.Errorf("go list: %s", firstLine(p.Error.Err))
		}
		if !importsWeft(p) {
			skipped = append(skipped, p.ImportPath)
			continue
		}
		tp := testPackage{ImportPath: p.ImportPath, Dir: p.Dir}
		for _, f := range append(p.TestGoFiles, p.XTestGoFiles...) {
			weft, all, err := weftTests(filepath.Join(p.Dir, f))
			if err != nil {
				return nil, nil, err
			}
			switch {
			case run == "":
				tp.Tests = append(tp.Tests, weft...)
			case selects != nil:
				for _, name := range all {
					if selects.MatchString(name) {
						tp.Tests = append(tp.Tests, name)
					}
				}
			}
		}
		pkgs = append(pkgs, tp)
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("go list: %s matched no packages", strings.Join(patterns, " "))
	}
	return pkgs, skipped, nil
}

func importsWeft(p listed) bool {
	for _, imp := range append(p.TestImports, p.XTestImports...) {
		if imp == weftPath {
			return true
		}
	}
	return false
}

// weftTests returns the top-level test functions of a _test.go file that
// call weft.Test, anywhere in their bodies (in a subtest's closure, say),
// and all its test functions.
func weftTests(file string) (weft, all []string, err error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, err
	}
	name := ""
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == weftPath {
			name = "weft"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Test") || fn.Name.Name == "TestMain" {
			continue
		}
		all = append(all, fn.Name.Name)
		if name == "" || name == "_" || name == "." {
			continue
		}
		calls := false
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Test" {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == name {
						calls = true
					}
				}
			}
			return !calls
		})
		if calls {
			weft = append(weft, fn.Name.Name)
		}
	}
	return weft, all, nil
}

// runPattern is the -run pattern that selects exactly the top-level tests
// named.
func runPattern(tests []string) string {
	return "^(" + strings.Join(tests, "|") + ")$"
}

// testPattern is the -run pattern that selects exactly the test (or
// subtest) named name, as t.Name spells it.
func testPattern(name string) string {
	elems := strings.Split(name, "/")
	for i, e := range elems {
		elems[i] = "^" + regexp.QuoteMeta(e) + "$"
	}
	return strings.Join(elems, "/")
}
