package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
)

// fileRW rewrites one file of a type-checked package.
type fileRW struct {
	fset      *token.FileSet
	tf        *token.File
	src       []byte
	f         *ast.File
	info      *types.Info
	pkgQual   string          // the package as Go's function names spell it: "main", or the import path
	rewritten map[string]bool // the import paths being rewritten

	litNames map[*ast.FuncLit]string // as the compiler names closures: "main.F.func2.1"
	goNames  map[ast.Node]string     // the name of a go statement's or wg.Go's function, when not a closure
	wrap     map[ast.Node]string     // expressions to wrap: "range-chan", "range-map", "pt", "pt&", "fromreal"
	commaOK  map[*ast.UnaryExpr]bool // receives that also report ok
	imports  map[string]string       // local name of each imported path redirected to gort
	resets   []string                // statements remaking package-level primitives in each world
	testing  bool                    // a TestXxx runs in a world: the file imports weft
	problems []Problem
	seen     map[string]bool
}

func newFileRW(fset *token.FileSet, c *checked, f *ast.File, rewritten map[string]bool, name string) *fileRW {
	qual := c.path
	if name == "main" {
		qual = "main"
	}
	qual = strings.TrimSuffix(qual, "_test")
	if name == "main" || strings.HasSuffix(c.path, "_test") && !strings.HasSuffix(strings.TrimSuffix(c.path, "_test"), "_test") {
		// an external test package is named path_test in stacks
		if strings.HasSuffix(c.path, "_test") {
			qual = c.path
		}
	}
	tf := fset.File(f.Pos())
	src, _ := readFile(tf.Name())
	return &fileRW{
		fset: fset, tf: tf, src: src, f: f, info: c.info, pkgQual: qual, rewritten: rewritten,
		litNames: map[*ast.FuncLit]string{}, goNames: map[ast.Node]string{}, wrap: map[ast.Node]string{},
		commaOK: map[*ast.UnaryExpr]bool{}, imports: map[string]string{}, seen: map[string]bool{},
	}
}

func (r *fileRW) problem(pos token.Pos, format string, args ...any) {
	p := Problem{Pos: r.fset.Position(pos), What: fmt.Sprintf(format, args...)}
	if !r.seen[p.String()] {
		r.seen[p.String()] = true
		r.problems = append(r.problems, p)
	}
}

func (r *fileRW) off(p token.Pos) int { return r.tf.Offset(p) }

func (r *fileRW) text(from, to token.Pos) string { return string(r.src[r.off(from):r.off(to)]) }

// rewrite returns the rewritten file.
func (r *fileRW) rewrite() ([]byte, error) {
	r.names()
	r.prepare()
	var b strings.Builder
	fmt.Fprintf(&b, "//line %s:1\n", r.tf.Name())
	var decls []ast.Node
	for _, d := range r.f.Decls {
		decls = append(decls, d)
	}
	body := r.render(token.Pos(r.tf.Base()), token.Pos(r.tf.Base()+r.tf.Size()), decls...)
	// The import of the runtime goes on the package clause's line, so that
	// no line moves.
	at := r.off(r.f.Name.End())
	b.WriteString(body[:at])
	fmt.Fprintf(&b, "; import %s %q", gortName, gortPath)
	if r.testing {
		fmt.Fprintf(&b, "; import %s %q", weftName, weftPath)
	}
	b.WriteString(body[at:])
	fmt.Fprintf(&b, "\n\nvar _ = %s.Go\n", gortName)
	for _, path := range sortedKeys(r.imports) {
		if sym := keepAlive[path]; sym != "" {
			fmt.Fprintf(&b, "var _ = %s.%s\n", r.imports[path], sym)
		}
	}
	if len(r.resets) > 0 {
		fmt.Fprintf(&b, "func init() { %s.OnWorld(func() {\n%s\n}) }\n", gortName, strings.Join(r.resets, "\n"))
	}
	return []byte(b.String()), nil
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// keepAlive names a symbol of each package whose uses the rewrite may take
// away, so that its import stays used.
var keepAlive = map[string]string{
	"sync": "NewCond", "time": "Now", "context": "Background", "math/rand": "Intn", "math/rand/v2": "IntN",
	"runtime": "Gosched", "runtime/pprof": "Lookup", "sync/atomic": "AddInt32",
}

// redirect maps the package-level names the rewrite replaces to their
// stand-ins in gort.
var redirect = map[string]string{
	"sync.Mutex": "Mutex", "sync.RWMutex": "RWMutex", "sync.WaitGroup": "WaitGroup", "sync.Once": "Once",
	"sync.Cond": "Cond", "sync.NewCond": "NewCond", "sync.Locker": "Locker",
	"sync.OnceFunc": "OnceFunc", "sync.OnceValue": "OnceValue", "sync.OnceValues": "OnceValues",
	"time.Sleep": "Sleep", "time.After": "After", "time.Tick": "Tick", "time.NewTimer": "NewTimer",
	"time.NewTicker": "NewTicker", "time.AfterFunc": "AfterFunc", "time.Now": "Now", "time.Since": "Since",
	"time.Until": "Until", "time.Timer": "Timer", "time.Ticker": "Ticker",
	"context.Background": "Background", "context.TODO": "TODO", "context.WithCancel": "WithCancel",
	"context.WithCancelCause": "WithCancelCause", "context.WithDeadline": "WithDeadline",
	"context.WithTimeout": "WithTimeout", "context.WithValue": "WithValue", "context.Cause": "Cause",
	"runtime.Gosched": "Gosched", "runtime/pprof.Lookup": "Lookup",
	"math/rand.Intn": "Intn", "math/rand.Int63n": "Int63n", "math/rand.Int31n": "Int31n", "math/rand.Int63": "Int63",
	"math/rand.Int": "Int", "math/rand.Int31": "Int31", "math/rand.Uint32": "Uint32", "math/rand.Float64": "Float64",
	"math/rand.Perm": "Perm", "math/rand.Shuffle": "Shuffle",
	"math/rand/v2.IntN": "Intn", "math/rand/v2.Int64N": "Int63n", "math/rand/v2.Int32N": "Int31n",
	"math/rand/v2.Int64": "Int63", "math/rand/v2.Int": "Int", "math/rand/v2.Int32": "Int31",
	"math/rand/v2.Uint32": "Uint32", "math/rand/v2.Float64": "Float64", "math/rand/v2.Perm": "Perm",
	"math/rand/v2.Shuffle": "Shuffle", "math/rand/v2.N": "N",
}

// unsupported names what the rewrite leaves to the real runtime, where a
// process using it would block or decide outside the world.
var unsupported = map[string]string{
	"reflect.Select": "a select through reflection", "reflect.MakeChan": "a channel made through reflection",
	"context.AfterFunc": "context.AfterFunc", "context.WithoutCancel": "context.WithoutCancel",
	"context.WithDeadlineCause": "context.WithDeadlineCause", "context.WithTimeoutCause": "context.WithTimeoutCause",
	"sync.Map": "", "sync.Pool": "",
}

// render returns the source between from and to with each of roots (and
// their descendants) rewritten.
func (r *fileRW) render(from, to token.Pos, roots ...ast.Node) string {
	type edit struct {
		from, to int
		s        string
	}
	var edits []edit
	for _, root := range roots {
		ast.Inspect(root, func(c ast.Node) bool {
			if c == nil {
				return false
			}
			if s, ok := r.rule(c); ok {
				edits = append(edits, edit{r.off(c.Pos()), r.off(c.End()), s})
				return false
			}
			return true
		})
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.from - b.from })
	var b strings.Builder
	at := r.off(from)
	for _, e := range edits {
		if e.from < at {
			continue
		}
		b.Write(r.src[at:e.from])
		b.WriteString(e.s)
		at = e.to
	}
	b.Write(r.src[at:r.off(to)])
	return b.String()
}

// node returns n rewritten.
func (r *fileRW) node(n ast.Node) string {
	if s, ok := r.rule(n); ok {
		return s
	}
	return r.inner(n)
}

// inner returns n with its descendants rewritten, not n itself.
func (r *fileRW) inner(n ast.Node) string {
	var kids []ast.Node
	ast.Inspect(n, func(c ast.Node) bool {
		if c == nil {
			return false
		}
		if c == n {
			return true
		}
		kids = append(kids, c)
		return false
	})
	return r.render(n.Pos(), n.End(), kids...)
}

// rule returns the rewrite of n itself, if a rule applies to it.
func (r *fileRW) rule(n ast.Node) (string, bool) {
	if how, ok := r.wrap[n]; ok {
		x := r.ruleOrInner(n)
		switch how {
		case "range-chan":
			return "(" + x + ").Range()", true
		case "range-map":
			return gortName + ".Range(" + x + ")", true
		case "pt":
			return gortName + ".Pt(" + x + ")", true
		case "pt&":
			return gortName + ".Pt(&" + x + ")", true
		case "fromreal":
			return gortName + ".FromReal(" + x + ")", true
		}
	}
	return r.baseRule(n)
}

func (r *fileRW) ruleOrInner(n ast.Node) string {
	if s, ok := r.baseRule(n); ok {
		return s
	}
	return r.inner(n)
}

func (r *fileRW) baseRule(n ast.Node) (string, bool) {
	switch n := n.(type) {
	case *ast.ChanType:
		return "*" + gortName + ".Chan[" + r.node(n.Value) + "]", true
	case *ast.SendStmt:
		return "(" + r.node(n.Chan) + ").Send(" + r.node(n.Value) + ")", true
	case *ast.UnaryExpr:
		if n.Op != token.ARROW {
			return "", false
		}
		m := "Recv"
		if r.commaOK[n] {
			m = "RecvOK"
		}
		return "(" + r.node(n.X) + ")." + m + "()", true
	case *ast.GoStmt:
		return r.goStmt(n), true
	case *ast.SelectStmt:
		return r.selectStmt(n), true
	case *ast.CallExpr:
		return r.call(n)
	case *ast.SelectorExpr:
		return r.selector(n)
	case *ast.TypeSpec:
		return r.typeSpec(n)
	case *ast.FuncDecl:
		return r.testFunc(n)
	}
	return "", false
}

// testFunc runs the body of a TestXxx(t *testing.T) of a test file in a
// world, seed after seed, with weft.TestGo.
func (r *fileRW) testFunc(d *ast.FuncDecl) (string, bool) {
	if !strings.HasSuffix(r.tf.Name(), "_test.go") || d.Recv != nil || d.Body == nil || !strings.HasPrefix(d.Name.Name, "Test") || d.Name.Name == "TestMain" {
		return "", false
	}
	params := d.Type.Params.List
	if len(params) != 1 || len(params[0].Names) != 1 || params[0].Names[0].Name == "_" {
		return "", false
	}
	if types.TypeString(r.info.TypeOf(params[0].Type), nil) != "*testing.T" {
		return "", false
	}
	r.testing = true
	t := params[0].Names[0].Name
	var stmts []ast.Node
	for _, st := range d.Body.List {
		stmts = append(stmts, st)
	}
	head := r.render(d.Pos(), d.Body.Lbrace+1, d.Type)
	body := r.render(d.Body.Lbrace+1, d.Body.Rbrace, stmts...)
	return head + " " + weftName + ".TestGo(" + t + ", func(" + t + " *" + r.testingName() + ".T) {" + body + "}) }", true
}

// testingName is the name the file imports package testing as.
func (r *fileRW) testingName() string {
	for _, imp := range r.f.Imports {
		if strings.Trim(imp.Path.Value, `"`) == "testing" && imp.Name != nil {
			return imp.Name.Name
		}
	}
	return "testing"
}

// selector redirects pkg.Name to its stand-in in gort.
func (r *fileRW) selector(n *ast.SelectorExpr) (string, bool) {
	id, ok := n.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	pn, ok := r.info.Uses[id].(*types.PkgName)
	if !ok {
		return "", false
	}
	key := pn.Imported().Path() + "." + n.Sel.Name
	if to, ok := redirect[key]; ok {
		return gortName + "." + to, true
	}
	if what, ok := unsupported[key]; ok && what != "" {
		r.problem(n.Pos(), "%s is not rewritten: it runs outside the world", what)
	}
	return "", false
}

// typeSpec makes a defined channel type an alias of its world channel, or,
// when it has methods (a defined pointer type could have none), a struct
// that embeds it: its operations are promoted, and conversions to it and
// makes of it become composite literals (see call).
func (r *fileRW) typeSpec(n *ast.TypeSpec) (string, bool) {
	if n.Assign.IsValid() || n.TypeParams != nil {
		return "", false
	}
	if _, ok := n.Type.(*ast.ChanType); !ok {
		return "", false
	}
	if tn, ok := r.info.Defs[n.Name].(*types.TypeName); ok && r.wrapped(tn.Type()) {
		return n.Name.Name + " struct{ " + r.node(n.Type) + " }", true
	}
	return n.Name.Name + " = " + r.node(n.Type), true
}

// wrapped reports whether t is a defined channel type with methods, which
// the rewrite makes a struct embedding its channel.
func (r *fileRW) wrapped(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.NumMethods() > 0 && isChan(named) && r.rewritten[pkgPathOf(named.Obj())]
}

// chanOf is x rewritten, as the *Chan it is or embeds.
func (r *fileRW) chanOf(x ast.Expr) string {
	if r.wrapped(r.info.TypeOf(x)) {
		return "(" + r.node(x) + ").Chan"
	}
	return r.node(x)
}

// typeText spells t as this file can: the package's own names bare, others
// by the name the file imports them as.
func (r *fileRW) typeText(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string {
		if p.Path() == r.info.Defs[r.f.Name].(*types.PkgName).Imported().Path() {
			return ""
		}
		for _, imp := range r.f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == p.Path() && imp.Name != nil {
				return imp.Name.Name
			}
		}
		return p.Name()
	})
}

// call rewrites the builtins on channels and the methods with stand-ins.
func (r *fileRW) call(n *ast.CallExpr) (string, bool) {
	fun := ast.Unparen(n.Fun)
	if tv := r.info.Types[fun]; tv.IsType() && r.wrapped(tv.Type) && len(n.Args) == 1 && !r.wrapped(r.info.TypeOf(n.Args[0])) {
		return r.node(n.Fun) + "{" + r.node(n.Args[0]) + "}", true
	}
	if id, ok := fun.(*ast.Ident); ok {
		if b, ok := r.info.Uses[id].(*types.Builtin); ok && len(n.Args) > 0 {
			arg := n.Args[0]
			switch b.Name() {
			case "make":
				if isChan(r.info.TypeOf(arg)) {
					size := "0"
					if len(n.Args) > 1 {
						size = "int(" + r.node(n.Args[1]) + ")"
					}
					if t := r.info.TypeOf(arg); r.wrapped(t) {
						elem := under(t).(*types.Chan).Elem()
						return r.node(arg) + "{" + gortName + ".Make[*" + gortName + ".Chan[" + r.typeText(elem) + "]](" + size + ")}", true
					}
					return gortName + ".Make[" + r.node(arg) + "](" + size + ")", true
				}
			case "close":
				if isChan(r.info.TypeOf(arg)) {
					return "(" + r.node(arg) + ").Close()", true
				}
			case "len", "cap":
				if isChan(r.info.TypeOf(arg)) {
					return "(" + r.node(arg) + ")." + strings.ToUpper(b.Name()[:1]) + b.Name()[1:] + "()", true
				}
			}
		}
		return "", false
	}
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	if fn, ok := r.info.Uses[sel.Sel].(*types.Func); ok && pkgPathOf(fn) == "time" && fn.Name() == "AfterFunc" && len(n.Args) == 2 {
		return gortName + ".AfterFuncNamed(" + strconv.Quote(r.goNames[n]) + ", " + r.render(n.Lparen+1, n.Rparen, argNodes(n)...) + ")", true
	}
	s := r.info.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal {
		return "", false
	}
	fn := s.Obj().(*types.Func)
	recv := recvName(fn)
	args := r.render(n.Lparen+1, n.Rparen, argNodes(n)...)
	switch {
	case pkgPathOf(fn) == "sync" && recv == "WaitGroup" && fn.Name() == "Go" && len(n.Args) == 1:
		return "(" + r.node(sel.X) + ").GoNamed(" + strconv.Quote(r.goNames[n]) + ", " + strconv.Quote(r.site(n.Pos())) + ", " + args + ")", true
	case pkgPathOf(fn) == "runtime/pprof" && recv == "Profile" && fn.Name() == "WriteTo":
		return gortName + ".WriteProfile(" + r.node(sel.X) + ", " + args + ")", true
	}
	return "", false
}

func argNodes(n *ast.CallExpr) []ast.Node {
	var out []ast.Node
	for _, a := range n.Args {
		out = append(out, a)
	}
	return out
}

func recvName(fn *types.Func) string {
	sig := fn.Type().(*types.Signature)
	if sig.Recv() == nil {
		return ""
	}
	t := sig.Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if named, ok := types.Unalias(t).(*types.Named); ok {
		return named.Obj().Name()
	}
	return ""
}

func (r *fileRW) site(p token.Pos) string {
	pos := r.fset.Position(p)
	return fmt.Sprintf("%s:%d", pos.Filename, pos.Line)
}

// goStmt starts the call as a process, its function and arguments evaluated
// first, as the go statement does; constants and nil stay inline, untyped.
func (r *fileRW) goStmt(g *ast.GoStmt) string {
	call := g.Call
	fun := ast.Unparen(call.Fun)
	name := r.goNames[g]
	if lit, ok := fun.(*ast.FuncLit); ok {
		name = r.litNames[lit]
	}
	nameExpr := strconv.Quote(name)
	start := func(body string) string {
		return gortName + ".Go(" + nameExpr + ", " + strconv.Quote(r.site(g.Pos())) + ", " + body + ")"
	}
	if _, ok := fun.(*ast.FuncLit); ok && len(call.Args) == 0 {
		return start(r.node(fun))
	}
	var binds, vals, args []string
	pre := "" // a statement before the bindings
	f := "weft_f"
	switch {
	case r.static(fun):
		f = r.node(call.Fun)
	case r.builtin(fun):
		f = r.node(call.Fun)
	case r.ifaceMethod(fun):
		// Go names the goroutine after the method of the dynamic type.
		sel := fun.(*ast.SelectorExpr)
		pre = "weft_r := " + r.node(sel.X) + "; "
		binds, vals = append(binds, f), append(vals, "weft_r."+sel.Sel.Name)
		nameExpr = gortName + ".MethodName(weft_r, " + strconv.Quote(sel.Sel.Name) + ")"
	default:
		binds, vals = append(binds, f), append(vals, r.node(call.Fun))
	}
	for i, a := range call.Args {
		tv := r.info.Types[a]
		if tv.Value != nil || tv.IsNil() || tv.IsType() {
			args = append(args, r.node(a))
			continue
		}
		v := fmt.Sprintf("weft_a%d", i)
		binds, vals, args = append(binds, v), append(vals, r.node(a)), append(args, v)
	}
	ell := ""
	if call.Ellipsis.IsValid() {
		ell = "..."
	}
	inner := f + "(" + strings.Join(args, ", ") + ell + ")"
	if r.builtin(fun) && len(call.Args) == 1 && isChan(r.info.TypeOf(call.Args[0])) {
		switch fun.(*ast.Ident).Name {
		case "close":
			inner = "(" + args[0] + ").Close()"
		default:
			r.problem(g.Pos(), "go with builtin %s on a channel is not rewritten", fun.(*ast.Ident).Name)
		}
	}
	body := start("func() { " + inner + " }")
	if len(binds) == 0 {
		return body
	}
	return "{ " + pre + strings.Join(binds, ", ") + " := " + strings.Join(vals, ", ") + "; " + body + " }"
}

// static reports whether fun names a function (not a method value, not a
// func value): calling it later evaluates nothing.
func (r *fileRW) static(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		_, ok := r.info.Uses[f].(*types.Func)
		return ok
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			if _, ok := r.info.Uses[id].(*types.PkgName); ok {
				return true
			}
		}
	case *ast.IndexExpr:
		return r.static(f.X)
	case *ast.IndexListExpr:
		return r.static(f.X)
	}
	return false
}

// ifaceMethod reports whether fun is a method value of an interface.
func (r *fileRW) ifaceMethod(fun ast.Expr) bool {
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	s := r.info.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal {
		return false
	}
	_, iface := under(s.Recv()).(*types.Interface)
	return iface
}

func (r *fileRW) builtin(fun ast.Expr) bool {
	if id, ok := fun.(*ast.Ident); ok {
		_, ok := r.info.Uses[id].(*types.Builtin)
		return ok
	}
	return false
}

// selectStmt makes a select a switch on the case Select takes, its cases
// made in source order in the switch's init; a receive's assignment opens
// its clause.
func (r *fileRW) selectStmt(s *ast.SelectStmt) string {
	clauses := s.Body.List
	if len(clauses) == 0 {
		return "for { " + gortName + ".Select() }"
	}
	var names, inits []string
	for i, cl := range clauses {
		cc := cl.(*ast.CommClause)
		v := fmt.Sprintf("weft_c%d", i)
		names = append(names, v)
		switch comm := cc.Comm.(type) {
		case nil:
			inits = append(inits, gortName+".Default()")
		case *ast.SendStmt:
			inits = append(inits, gortName+".SendCase("+r.chanOf(comm.Chan)+", "+r.node(comm.Value)+")")
		case *ast.ExprStmt:
			inits = append(inits, gortName+".RecvCase("+r.chanOf(ast.Unparen(comm.X).(*ast.UnaryExpr).X)+")")
		case *ast.AssignStmt:
			inits = append(inits, gortName+".RecvCase("+r.chanOf(ast.Unparen(comm.Rhs[0]).(*ast.UnaryExpr).X)+")")
		}
	}
	var b strings.Builder
	b.WriteString("switch " + strings.Join(names, ", ") + " := " + strings.Join(inits, ", ") + "; " + gortName + ".Select(" + strings.Join(names, ", ") + ") {")
	prev := s.Body.Lbrace + 1
	for i, cl := range clauses {
		cc := cl.(*ast.CommClause)
		b.WriteString(r.text(prev, cc.Pos()))
		fmt.Fprintf(&b, "case %d:", i)
		if as, ok := cc.Comm.(*ast.AssignStmt); ok {
			var lhs []string
			for _, l := range as.Lhs {
				lhs = append(lhs, r.node(l))
			}
			rhs := names[i] + ".V"
			if len(as.Lhs) == 2 {
				rhs += ", " + names[i] + ".OK"
			}
			fmt.Fprintf(&b, " %s %s %s;", strings.Join(lhs, ", "), as.Tok, rhs)
		}
		b.WriteString(strings.Repeat("\n", strings.Count(r.text(cc.Pos(), cc.Colon), "\n")))
		var body []ast.Node
		for _, st := range cc.Body {
			body = append(body, st)
		}
		b.WriteString(r.render(cc.Colon+1, cc.End(), body...))
		prev = cc.End()
	}
	b.WriteString(r.text(prev, s.Body.Rbrace))
	b.WriteString(" default: panic(\"unreachable\") }")
	return b.String()
}
