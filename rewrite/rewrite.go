// Package rewrite rewrites plain Go code so that it runs in a world: every go
// statement, channel operation and type, select, sync primitive, timer and
// sleep, context, scheduling hint, atomic operation, top-level random draw
// and map iteration goes through package sim/gort, the runtime that binds
// them to the world running now. The rewrite is type-checked (go/types) and
// source to source; it writes the rewritten files elsewhere and a go build
// -overlay file that puts them in place of the originals, so the user's tree
// is never touched.
//
// A rewritten file keeps every line of its original on the same line, and
// starts with a //line directive naming the original, so positions in
// compiler errors, panics and stacks are the user's own. What it cannot
// rewrite it reports (Problem) by position.
//
// What it rewrites: go statements (function, receiver and arguments
// evaluated at the statement, constants and nil left inline, each process
// named as the compiler names the goroutine's function: F.func2.1,
// (*T).m, the dynamic type's method for an interface's); channel types
// anywhere, make, send, receive (with ok), close, len, cap and for range;
// select, with assignments, default, labelled breaks, as a switch on the
// case taken; defined channel types (an alias, or, with methods, a struct
// embedding the channel); sync.Mutex, RWMutex, WaitGroup (Go included),
// Once, Cond, Locker, OnceFunc, OnceValue(s); time.Sleep, After, Tick,
// NewTimer, NewTicker, AfterFunc, Now, Since, Until and the Timer and
// Ticker types; context.Background, TODO, WithCancel(Cause), WithDeadline,
// WithTimeout, WithValue, Cause, with a context.Context that code not
// rewritten accepts; runtime.Gosched; a scheduling point before every
// sync/atomic operation; math/rand's and math/rand/v2's top-level draws;
// range over a map; pprof.Lookup of the goroutine leak profile; package-level
// variables holding any of these, made again in every world; and each
// TestXxx(t *testing.T) of the package's test files, run by weft.TestGo.
//
// What it does not: channels that cross into code not rewritten (a context's
// Done excepted, and reported where a function not rewritten takes one),
// reflect.Select and MakeChan, context.AfterFunc, WithoutCancel and the
// *Cause deadline variants, go with a builtin other than close, methods of
// *rand.Rand, sync.Map and sync.Pool (left real: they never block long),
// subtests (t.Run starts a real goroutine), and packages of other modules.
package rewrite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// gortPath is the runtime rewritten code calls, and gortName the name it
// imports it as, chosen to collide with no one's identifiers.
const (
	gortPath = "github.com/weftsim/weft/sim/gort"
	gortName = "weftgort"
	weftPath = "github.com/weftsim/weft"
	weftName = "weftroot"
)

// Problem is a construct the rewrite could not carry into the world.
type Problem struct {
	Pos  token.Position
	What string
}

func (p Problem) String() string { return p.Pos.String() + ": " + p.What }

// Result is what Package did.
type Result struct {
	// Packages lists the import paths rewritten.
	Packages []string
	// Overlay maps each original file to its rewritten copy (absolute
	// paths); files added (Add) map from where they appear.
	Overlay map[string]string
	// Problems lists what could not be rewritten.
	Problems []Problem
	// Dir is where the rewritten files are.
	Dir string
}

// Package rewrites the package pattern names (from dir), with its test
// files, and every package of the same module it imports, into outDir.
func Package(dir, pattern, outDir string) (*Result, error) {
	pkgs, err := goList(dir, false, pattern)
	if err != nil {
		return nil, err
	}
	var target *listed
	for _, p := range pkgs {
		if !p.DepOnly {
			target = p
		}
	}
	if target == nil {
		return nil, fmt.Errorf("go list %s: no package", pattern)
	}
	if target.Module == nil {
		return nil, fmt.Errorf("%s is in no module: rewrite needs a go.mod", target.ImportPath)
	}
	// The test files' own imports need export data too.
	if len(target.TestGoFiles)+len(target.XTestGoFiles) > 0 {
		more, err := goList(dir, true, pattern)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, more...)
	}
	mod := target.Module.Path
	var mine []*listed
	for _, p := range pkgs {
		if p.Standard || p.Module == nil || p.Module.Path != mod || strings.HasPrefix(p.ImportPath, "github.com/weftsim/weft/") || strings.Contains(p.ImportPath, " ") || strings.HasSuffix(p.ImportPath, ".test") {
			continue
		}
		if !slices.ContainsFunc(mine, func(q *listed) bool { return q.ImportPath == p.ImportPath }) {
			mine = append(mine, p)
		}
	}
	res := &Result{Overlay: map[string]string{}, Dir: outDir}
	rewritten := map[string]bool{}
	for _, p := range mine {
		rewritten[p.ImportPath] = true
		res.Packages = append(res.Packages, p.ImportPath)
	}
	fset := token.NewFileSet()
	imp := exportImporter(fset, pkgs)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	for _, p := range mine {
		sets := [][]string{p.GoFiles}
		if p == target || p.ImportPath == target.ImportPath {
			sets = [][]string{append(slices.Clone(p.GoFiles), p.TestGoFiles...)}
			if len(p.XTestGoFiles) > 0 {
				sets = append(sets, p.XTestGoFiles)
			}
		}
		for i, files := range sets {
			path := p.ImportPath
			if i == 1 {
				path += "_test"
			}
			c, errs := check(fset, path, abs(p.Dir, files), imp)
			for _, e := range errs {
				res.Problems = append(res.Problems, Problem{Pos: e.Fset.Position(e.Pos), What: "type error: " + e.Msg})
			}
			for j, f := range c.files {
				fr := newFileRW(fset, c, f, rewritten, p.Name)
				out, err := fr.rewrite()
				if err != nil {
					return nil, err
				}
				res.Problems = append(res.Problems, fr.problems...)
				orig := c.names[j]
				sum := sha256.Sum256([]byte(orig))
				dst := filepath.Join(outDir, hex.EncodeToString(sum[:6])+"_"+filepath.Base(orig))
				if err := os.WriteFile(dst, out, 0o644); err != nil {
					return nil, err
				}
				res.Overlay[orig] = dst
			}
		}
	}
	return res, nil
}

// Add puts a new file with the given content at path (absolute) in the
// overlay: a harness the build should see beside the rewritten files.
func (r *Result) Add(path string, content []byte) error {
	dst := filepath.Join(r.Dir, "added_"+filepath.Base(path))
	if err := os.WriteFile(dst, content, 0o644); err != nil {
		return err
	}
	r.Overlay[path] = dst
	return nil
}

// WriteOverlay writes the overlay file go build -overlay reads, and returns
// its path.
func (r *Result) WriteOverlay() (string, error) {
	b, err := json.MarshalIndent(struct{ Replace map[string]string }{r.Overlay}, "", "\t")
	if err != nil {
		return "", err
	}
	path := filepath.Join(r.Dir, "overlay.json")
	return path, os.WriteFile(path, b, 0o644)
}

// types helpers

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

func isChan(t types.Type) bool {
	_, ok := under(t).(*types.Chan)
	return ok
}

func isMap(t types.Type) bool {
	_, ok := under(t).(*types.Map)
	return ok
}

func pkgPathOf(o types.Object) string {
	if o == nil || o.Pkg() == nil {
		return ""
	}
	return o.Pkg().Path()
}

// primitiveTypes are the named types of the standard library the rewrite
// replaces with the world's: a package-level variable that holds one is
// made again in every world.
var primitiveTypes = map[string]bool{
	"sync.Mutex": true, "sync.RWMutex": true, "sync.WaitGroup": true, "sync.Once": true, "sync.Cond": true,
	"time.Timer": true, "time.Ticker": true,
}

func holdsPrimitive(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		if primitiveTypes[pkgPathOf(u.Obj())+"."+u.Obj().Name()] {
			return true
		}
		return holdsPrimitive(u.Underlying(), seen)
	case *types.Chan:
		return true
	case *types.Pointer:
		return holdsPrimitive(u.Elem(), seen)
	case *types.Slice:
		return holdsPrimitive(u.Elem(), seen)
	case *types.Array:
		return holdsPrimitive(u.Elem(), seen)
	case *types.Map:
		return holdsPrimitive(u.Key(), seen) || holdsPrimitive(u.Elem(), seen)
	case *types.Struct:
		for i := range u.NumFields() {
			if holdsPrimitive(u.Field(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}
