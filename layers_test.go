package weft

// The module's imports point one way: scheduler (and the leaf helpers
// internal/artifacts, internal/distinct, internal/progress) <- sim <- sim's
// libraries <- properties and this package <- systems and parallel <-
// examples <- the command.
// go list says what each package imports (tests aside: a test may reach
// up, as sim/ets's tests use weft.Explore); each may import only packages
// of a lower layer, or one of the few edges between sim's libraries that
// libraryEdges names.

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/weftsim/weft"

// layer ranks a package of the module; a package imports only lower ones.
func layer(path string) int {
	p := rel(path)
	switch {
	case p == "scheduler", p == "model", p == "internal/artifacts", p == "internal/distinct", p == "internal/progress", p == "rewrite":
		return 0 // the internal helpers: the standard library alone; rewrite: source to source, it only names sim/gort in what it writes
	case p == "sim":
		return 1
	case strings.HasPrefix(p, "sim/"), p == "internal/runpage":
		return 2 // the libraries built on the kernel, and their test helpers; a run drawn as a page
	case p == "properties", p == "":
		return 3 // end-of-run checks, and the go test edge (this package)
	case p == "systems", p == "parallel":
		return 4 // the contract of a reference system; parallel state-machine tests, on RunRapid and properties
	case p == "systems/internal/verdict":
		return 5
	case strings.HasPrefix(p, "systems/"), strings.HasPrefix(p, "examples/"), p == "internal/goker":
		return 6 // internal/goker: GoKer's kernels rewritten and run, for weft goker
	}
	return 7 // cmd/weft, and internal/peers (a command of its own: weft against its peers)
}

// libraryEdges are the imports allowed between two of sim's libraries,
// which share a layer: each is named here, so the graph among them stays
// small, deliberate and acyclic (the compiler refuses a cycle; a name here
// says which way an edge points before anyone adds the reverse), and an
// edge no package uses any more fails the test, so the list stays true.
// sim/node -> sim/net: Erlang distribution runs over
// the simulated network's TCP connections, so its latency, partitions,
// resets and faults are the network's own (a second network model inside
// sim/node would drift from it).
var libraryEdges = map[[2]string]bool{
	{"sim/node", "sim/net"}: true,
}

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

func TestImportsPointOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen, edges := 0, 0
	used := map[[2]string]bool{}
	for {
		var pkg struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&pkg); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			edges++
			edge := [2]string{rel(pkg.ImportPath), rel(imp)}
			if libraryEdges[edge] {
				used[edge] = true
				continue
			}
			if layer(imp) >= layer(pkg.ImportPath) {
				t.Errorf("%s imports %s, which is not below it", pkg.ImportPath, imp)
			}
		}
		if pkg.ImportPath == module+"/sim" {
			for _, imp := range pkg.Imports {
				if strings.Contains(imp, ".") && imp != module+"/scheduler" {
					t.Errorf("sim imports %s: it imports only scheduler and the standard library", imp)
				}
			}
		}
	}
	for edge := range libraryEdges {
		if !used[edge] {
			t.Errorf("libraryEdges allows %s -> %s, which no package imports any more: remove it", edge[0], edge[1])
		}
	}
	if seen < 15 || edges < 30 {
		t.Fatalf("go list listed %d packages and %d imports within the module: too few to judge", seen, edges)
	}
}
