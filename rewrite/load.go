package rewrite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// listed is what go list says of a package.
type listed struct {
	ImportPath   string
	Name         string
	Dir          string
	Export       string
	Standard     bool
	GoFiles      []string
	TestGoFiles  []string
	XTestGoFiles []string
	Module       *struct{ Path string }
	DepOnly      bool
	Error        *struct{ Err string }
}

// goList runs go list -deps -export -test=false on pattern in dir and returns
// every package it lists, the deps first.
func goList(dir string, test bool, pattern string) ([]*listed, error) {
	cmd := exec.Command("go", "list", "-deps", "-export", fmt.Sprintf("-test=%v", test), "-json=ImportPath,Name,Dir,Export,Standard,GoFiles,TestGoFiles,XTestGoFiles,Module,DepOnly,Error", pattern)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", pattern, err, stderr.String())
	}
	var pkgs []*listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if p.Error != nil {
			return nil, fmt.Errorf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, &p)
	}
	return pkgs, nil
}

// checked is a parsed and type-checked package.
type checked struct {
	path  string
	name  string
	files []*ast.File
	names []string // absolute file names, as files
	info  *types.Info
	types *types.Package
}

// check parses files (absolute names) and type-checks them as the package
// path, importing through imp.
func check(fset *token.FileSet, path string, files []string, imp types.Importer) (*checked, []types.Error) {
	c := &checked{path: path, names: files}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments|parser.SkipObjectResolution)
		if f == nil {
			return c, []types.Error{{Fset: fset, Msg: err.Error()}}
		}
		c.files = append(c.files, f)
	}
	c.info = &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
		Implicits:  map[ast.Node]types.Object{},
		Instances:  map[*ast.Ident]types.Instance{},
	}
	var errs []types.Error
	conf := types.Config{Importer: imp, Error: func(err error) {
		if e, ok := err.(types.Error); ok && !e.Soft {
			errs = append(errs, e)
		}
	}}
	pkg, _ := conf.Check(path, fset, c.files, c.info)
	c.types, c.name = pkg, pkg.Name()
	return c, errs
}

// exportImporter imports packages from the export data go list -export made.
func exportImporter(fset *token.FileSet, pkgs []*listed) types.Importer {
	export := map[string]string{}
	for _, p := range pkgs {
		if p.Export != "" {
			export[p.ImportPath] = p.Export
		}
	}
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := export[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
}

func abs(dir string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n)
	}
	return out
}
