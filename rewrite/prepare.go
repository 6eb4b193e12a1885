package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"strings"
)

func readFile(name string) ([]byte, error) { return os.ReadFile(name) }

// names gives every closure the name the compiler gives it (F.func1,
// F.func1.2, (*T).m.func3, glob..func1), and every go statement and
// WaitGroup.Go that runs no closure the name of the function it runs, or
// F.gowrapN for a function value.
func (r *fileRW) names() {
	for _, d := range r.f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body != nil {
				r.nameIn(d.Body, &scope{name: r.declName(d), top: true})
			}
		case *ast.GenDecl:
			r.nameIn(d, &scope{name: r.pkgQual + ".glob.", top: true})
		}
	}
}

type scope struct {
	name        string
	top         bool
	lits, wraps int
}

func (r *fileRW) nameIn(n ast.Node, sc *scope) {
	var later []func() // names of closures not yet reached
	defer func() {
		for _, f := range later {
			f()
		}
	}()
	ast.Inspect(n, func(c ast.Node) bool {
		switch c := c.(type) {
		case *ast.FuncLit:
			sc.lits++
			name := fmt.Sprintf("%s.%d", sc.name, sc.lits)
			if sc.top {
				name = fmt.Sprintf("%s.func%d", sc.name, sc.lits)
			}
			r.litNames[c] = name
			r.nameIn(c.Body, &scope{name: name})
			return false
		case *ast.GoStmt:
			if _, ok := ast.Unparen(c.Call.Fun).(*ast.FuncLit); !ok {
				r.goNames[c] = r.calleeName(c.Call.Fun, sc)
			}
		case *ast.CallExpr:
			sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr)
			if !ok || !(sel.Sel.Name == "Go" && len(c.Args) == 1 || sel.Sel.Name == "AfterFunc" && len(c.Args) == 2) {
				break
			}
			f := c.Args[len(c.Args)-1]
			if lit, ok := ast.Unparen(f).(*ast.FuncLit); ok {
				// named when the walk reaches it, just after
				later = append(later, func() { r.goNames[c] = r.litNames[lit] })
			} else {
				r.goNames[c] = r.calleeName(f, sc)
			}
		}
		return true
	})
}

func (r *fileRW) declName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return r.pkgQual + "." + d.Name.Name
	}
	t := d.Recv.List[0].Type
	star := false
	if s, ok := t.(*ast.StarExpr); ok {
		star, t = true, s.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	name := types.ExprString(t)
	if star {
		return r.pkgQual + ".(*" + name + ")." + d.Name.Name
	}
	return r.pkgQual + "." + name + "." + d.Name.Name
}

// calleeName is the name of the function a go statement starts: a function
// or a concrete method by its own name, anything else as the compiler's
// wrapper in the enclosing function.
func (r *fileRW) calleeName(fun ast.Expr, sc *scope) string {
	fun = ast.Unparen(fun)
	var fn *types.Func
	switch f := fun.(type) {
	case *ast.Ident:
		fn, _ = r.info.Uses[f].(*types.Func)
	case *ast.SelectorExpr:
		if s := r.info.Selections[f]; s != nil {
			if s.Kind() == types.MethodVal {
				if _, iface := under(s.Recv()).(*types.Interface); !iface {
					fn, _ = s.Obj().(*types.Func)
				}
			}
		} else {
			fn, _ = r.info.Uses[f.Sel].(*types.Func)
		}
	}
	if fn != nil && fn.Pkg() != nil {
		qual := fn.Pkg().Path()
		if fn.Pkg().Name() == "main" {
			qual = "main"
		}
		sig := fn.Type().(*types.Signature)
		if sig.Recv() == nil {
			return qual + "." + fn.Name()
		}
		if _, ptr := sig.Recv().Type().(*types.Pointer); ptr {
			return qual + ".(*" + recvName(fn) + ")." + fn.Name()
		}
		return qual + "." + recvName(fn) + "." + fn.Name()
	}
	sc.wraps++
	return fmt.Sprintf("%s.gowrap%d", sc.name, sc.wraps)
}

// prepare marks what render must wrap, the receives that report ok, the
// package-level variables remade in each world, and the imports to keep.
func (r *fileRW) prepare() {
	for _, imp := range r.f.Imports {
		path := strings.Trim(imp.Path.Value, `"`)
		if keepAlive[path] == "" {
			continue
		}
		local := path[strings.LastIndex(path, "/")+1:]
		if path == "math/rand/v2" {
			local = "rand"
		}
		if imp.Name != nil {
			local = imp.Name.Name
		}
		if local != "_" && local != "." {
			r.imports[path] = local
		}
	}
	ast.Inspect(r.f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == 2 && len(n.Rhs) == 1 {
				if u, ok := ast.Unparen(n.Rhs[0]).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
					r.commaOK[u] = true
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == 2 && len(n.Values) == 1 {
				if u, ok := ast.Unparen(n.Values[0]).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
					r.commaOK[u] = true
				}
			}
		case *ast.RangeStmt:
			switch t := r.info.TypeOf(n.X); {
			case isChan(t):
				r.wrap[n.X] = "range-chan"
			case isMap(t):
				r.wrap[n.X] = "range-map"
			}
		case *ast.CallExpr:
			r.prepareCall(n)
		}
		return true
	})
	for _, d := range r.f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			for _, sp := range gd.Specs {
				r.prepareVar(sp.(*ast.ValueSpec))
			}
		}
	}
}

func (r *fileRW) prepareCall(n *ast.CallExpr) {
	fun := ast.Unparen(n.Fun)
	var fn *types.Func
	var sel *ast.SelectorExpr
	switch f := fun.(type) {
	case *ast.Ident:
		fn, _ = r.info.Uses[f].(*types.Func)
	case *ast.SelectorExpr:
		sel = f
		fn, _ = r.info.Uses[f.Sel].(*types.Func)
	}
	if fn == nil || fn.Pkg() == nil {
		return
	}
	switch fn.FullName() {
	case "(*testing.T).Run":
		r.problem(n.Pos(), "t.Run runs its subtest on a real goroutine, outside the world: the test fails when it waits for it (sim.Config.RealBlock)")
	case "(*testing.T).Parallel":
		r.problem(n.Pos(), "t.Parallel waits on a real goroutine, outside the world: tests of rewritten code run one at a time (weft.TestGo); leave it out")
	}
	path := fn.Pkg().Path()
	sig := fn.Type().(*types.Signature)
	if path == "sync/atomic" {
		switch {
		case sig.Recv() == nil && len(n.Args) > 0:
			r.wrap[n.Args[0]] = "pt"
		case sig.Recv() != nil && sel != nil:
			if _, ptr := under(r.info.TypeOf(sel.X)).(*types.Pointer); ptr {
				r.wrap[sel.X] = "pt"
			} else {
				r.wrap[sel.X] = "pt&"
			}
		}
		return
	}
	if r.rewritten[path] || redirect[path+"."+fn.Name()] != "" {
		return
	}
	if isChan(r.info.TypeOf(n)) {
		r.wrap[n] = "fromreal"
	}
	for i := range sig.Params().Len() {
		if isChan(sig.Params().At(i).Type()) {
			r.problem(n.Pos(), "%s takes a channel and was not rewritten: a world's channel cannot go to it", fn.FullName())
		}
	}
}

// prepareVar remakes, at the start of each world, a package-level variable
// that holds a primitive: its initializer again, or its zero value.
func (r *fileRW) prepareVar(sp *ast.ValueSpec) {
	holds := false
	for _, id := range sp.Names {
		if obj := r.info.Defs[id]; obj != nil && holdsPrimitive(obj.Type(), map[types.Type]bool{}) {
			holds = true
		}
	}
	if !holds {
		return
	}
	var lhs, rhs []string
	for _, id := range sp.Names {
		lhs = append(lhs, id.Name)
		if len(sp.Values) == 0 {
			rhs = append(rhs, "*new("+r.node(sp.Type)+")")
		}
	}
	for _, v := range sp.Values {
		rhs = append(rhs, r.node(v))
	}
	r.resets = append(r.resets, strings.Join(lhs, ", ")+" = "+strings.Join(rhs, ", "))
}
