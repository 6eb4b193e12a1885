// Package goker runs GoBench's GoKer kernels, as the Go toolchain ships them
// for its goroutine leak profile's tests, unmodified under weft: it copies
// them into a module of their own, rewrites it (package rewrite), runs each
// kernel as the main process of a world for many seeds, and compares the
// leaks the world proves with the leak sites Go's own test expects of each
// kernel (runtime/goroutineleakprofile_test.go).
package goker

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/rewrite"
)

// Dir is where the toolchain keeps the kernels, below GOROOT.
const Dir = "src/runtime/testdata/testgoroutineleakprofile/goker"

// Expectation is what Go's leak profile test expects of a kernel.
type Expectation struct {
	Name  string
	Flaky bool // Go's test marks its sites flaky: they may not show in every run
	Sites []*regexp.Regexp
}

// Expected reads the GoKer cases of $GOROOT/src/runtime/goroutineleakprofile_test.go.
func Expected(goroot string) (map[string]Expectation, error) {
	path := filepath.Join(goroot, "src/runtime/goroutineleakprofile_test.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	out := map[string]Expectation{}
	ast.Inspect(f, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || types(as.Lhs[0]) != "gokerTestCases" {
			return true
		}
		for _, el := range as.Rhs[0].(*ast.CompositeLit).Elts {
			call, ok := el.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				continue
			}
			var e Expectation
			e.Flaky = types(call.Fun) == "makeFlakyTest"
			for i, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok {
					continue
				}
				s, _ := strconv.Unquote(lit.Value)
				if i == 0 {
					e.Name = s
					continue
				}
				re, err := regexp.Compile(s)
				if err != nil {
					continue
				}
				e.Sites = append(e.Sites, re)
			}
			out[e.Name] = e
		}
		return false
	})
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no gokerTestCases found", path)
	}
	return out, nil
}

func types(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// Kernels lists the kernels the files in goroot's goker directory register,
// sorted.
func Kernels(goroot string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(goroot, Dir, "*.go"))
	if err != nil {
		return nil, err
	}
	re := regexp.MustCompile(`register\("([A-Za-z0-9]+)"`)
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			names = append(names, string(m[1]))
		}
	}
	slices.Sort(names)
	return names, nil
}

// Build is a rewritten copy of the kernels, ready to run.
type Build struct {
	Dir      string // the module the kernels were copied into
	Overlay  string
	Rewrite  *rewrite.Result
	Problems []rewrite.Problem
}

// Prepare copies the kernels unmodified into a module under work (which
// uses the weft module at repo), rewrites it, and adds the harness. With
// kernels named, it copies only their files (GoKer names each file after its
// kernel) and the shared main.go.
func Prepare(goroot, repo, work string, kernels ...string) (*Build, error) {
	return prepare(goroot, repo, work, false, kernels)
}

// PrepareOneCopy is Prepare with each kernel cut to one copy of its bug:
// GoKer's kernels start many copies (for i := 0; i < 1000; i++ { go ... }
// in the kernel's own function) to make a rare interleaving likely in one
// real run; a world's seeds make it likely instead, one copy a run. The
// loop bound is the only change.
func PrepareOneCopy(goroot, repo, work string, kernels ...string) (*Build, error) {
	return prepare(goroot, repo, work, true, kernels)
}

func prepare(goroot, repo, work string, oneCopy bool, kernels []string) (*Build, error) {
	mod := filepath.Join(work, "goker")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(goroot, Dir, "*.go"))
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{"main.go": true}
	for _, k := range kernels {
		keep[strings.ToLower(k)+".go"] = true
	}
	for _, f := range files {
		if len(kernels) > 0 && !keep[filepath.Base(f)] {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if oneCopy {
			b = cutToOneCopy(b)
		}
		if err := os.WriteFile(filepath.Join(mod, filepath.Base(f)), b, 0o644); err != nil {
			return nil, err
		}
	}
	gomod := fmt.Sprintf("module weftgoker\n\ngo 1.26\n\nrequire github.com/weftsim/weft v0.0.0\n\nreplace github.com/weftsim/weft => %s\n", repo)
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644); err != nil {
		return nil, err
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644); err != nil {
		return nil, err
	}
	res, err := rewrite.Package(mod, ".", filepath.Join(work, "rewritten"))
	if err != nil {
		return nil, err
	}
	if err := res.Add(filepath.Join(mod, "weft_goker_test.go"), []byte(harness)); err != nil {
		return nil, err
	}
	overlay, err := res.WriteOverlay()
	if err != nil {
		return nil, err
	}
	return &Build{Dir: mod, Overlay: overlay, Rewrite: res, Problems: res.Problems}, nil
}

// Compile builds the test binary of the rewritten kernels into the work
// directory, and returns its path.
func (b *Build) Compile() (string, error) {
	bin := filepath.Join(filepath.Dir(b.Dir), "goker.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, "-overlay", b.Overlay, ".")
	cmd.Dir = b.Dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the rewritten kernels: %v\n%s", err, out)
	}
	return bin, nil
}

// Leak is a leak a run found.
type Leak struct {
	Site   string
	Proven bool
	Text   string
}

// Run is one run of one kernel.
type Run struct {
	Kernel   string
	Seed     uint64 // the seed; in a search, the run's index from 1
	Spec     string // the strategy that ran it, which with Seed replays it
	Steps    int64
	Hash     uint64
	Failure  string
	Leaks    []Leak
	Replayed string
	// Determinism is "same" when the first seed, run twice more with its
	// data hashed, gave one run, "differs" otherwise, "" when not checked.
	Determinism string
	// Exhausted marks the last run of a search that visited every log
	// within its bound.
	Exhausted bool
}

// Options say how RunKernels runs the kernels.
type Options struct {
	// Strategy is a scheduler.Spec; "" is weft's default, the portfolio. A
	// search (dfs, dpor) runs its logs in place of seeds, at most Seeds.
	Strategy string
	Seed     uint64 // the first seed (0: 1)
	Seeds    int    // runs per kernel
	// MaxSteps and StepCost override the harness's sim.Config.MaxSteps
	// (200,000) and StepCost (1µs) when not zero.
	MaxSteps int64
	StepCost time.Duration
}

// RunKernels runs each kernel as o says, with the test binary bin.
func RunKernels(bin string, kernels []string, o Options) ([]Run, error) {
	out := bin + ".runs.json"
	if o.Strategy == "" {
		o.Strategy = "portfolio"
	}
	args := []string{"-test.run=^TestWeftGoker$", "-goker.kernels=" + strings.Join(kernels, ","), "-goker.strategy=" + o.Strategy,
		"-goker.seed=" + strconv.FormatUint(max(o.Seed, 1), 10), "-goker.seeds=" + strconv.Itoa(o.Seeds), "-goker.out=" + out}
	if o.MaxSteps > 0 {
		args = append(args, "-goker.maxsteps="+strconv.FormatInt(o.MaxSteps, 10))
	}
	if o.StepCost > 0 {
		args = append(args, "-goker.stepcost="+o.StepCost.String())
	}
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running the kernels: %v\n%s", err, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var runs []Run
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var r Run
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, sc.Err()
}

// cutToOneCopy sets to one the count of each loop, directly in a kernel's
// registered function, of the form for i := 0; i < N; i++ (or <= N).
func cutToOneCopy(src []byte) []byte {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, 0)
	if err != nil {
		return src
	}
	entries := map[string]bool{}
	for _, m := range regexp.MustCompile(`register\("[A-Za-z0-9]+", ([A-Za-z0-9_]+)\)`).FindAllSubmatch(src, -1) {
		entries[string(m[1])] = true
	}
	type edit struct {
		from, to int
		s        string
	}
	var edits []edit
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !entries[fd.Name.Name] || fd.Body == nil {
			continue
		}
		for _, st := range fd.Body.List {
			loop, ok := st.(*ast.ForStmt)
			if !ok {
				continue
			}
			cond, ok := loop.Cond.(*ast.BinaryExpr)
			if !ok {
				continue
			}
			lit, ok := cond.Y.(*ast.BasicLit)
			if !ok || lit.Kind != token.INT {
				continue
			}
			one := "1"
			if cond.Op == token.LEQ {
				one = "0"
			} else if cond.Op != token.LSS {
				continue
			}
			edits = append(edits, edit{fset.Position(lit.Pos()).Offset, fset.Position(lit.End()).Offset, one})
		}
	}
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		src = append(append(append([]byte{}, src[:e.from]...), e.s...), src[e.to:]...)
	}
	return src
}
