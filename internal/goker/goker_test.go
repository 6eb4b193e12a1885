package goker

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestKernelsEndToEnd rewrites two of the toolchain's GoKer kernels, builds
// them, runs them under weft and checks that each shows the leak site Go's
// own test expects of it, proven, with no other leak, and that the leaking
// run replays the same from its decision log and from its seed.
func TestKernelsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the rewritten kernels (seconds)")
	}
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	goroot := strings.TrimSpace(string(out))
	expected, err := Expected(goroot)
	if err != nil {
		t.Skipf("this toolchain ships no GoKer expectations: %v", err)
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	kernels := []string{"Etcd5509", "Grpc1424"}
	b, err := Prepare(goroot, repo, t.TempDir(), kernels...)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := b.Compile()
	if err != nil {
		t.Fatal(err)
	}
	runs, err := RunKernels(bin, kernels, Options{Seeds: 3})
	if err != nil {
		t.Fatal(err)
	}
	vs := Judge(runs, expected)
	if len(vs) != len(kernels) {
		t.Fatalf("verdicts for %d kernels, want %d: %+v", len(vs), len(kernels), vs)
	}
	for _, v := range vs {
		if v.AllAt == 0 || len(v.Unexpected) > 0 || v.Suspected > 0 || !strings.HasPrefix(v.Replay, "same") {
			t.Errorf("%s: %+v", v.Kernel, v)
		}
	}
	// The same seed again gives the same run.
	again, err := RunKernels(bin, kernels[:1], Options{Seed: runs[0].Seed, Seeds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Hash != runs[0].Hash || !slices.EqualFunc(again[0].Leaks, runs[0].Leaks, func(a, b Leak) bool { return a.Site == b.Site }) {
		t.Errorf("seed %d of %s: %+v, then %+v", runs[0].Seed, kernels[0], runs[0], again[0])
	}
	// A search runs its logs in place of seeds, and says when it has run
	// them all.
	searched, err := RunKernels(bin, kernels[1:], Options{Strategy: "dfs:1", Seeds: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if last := searched[len(searched)-1]; !last.Exhausted || last.Spec != "dfs:1" || len(searched) < 2 {
		t.Errorf("dfs:1 of %s: %d runs, the last %+v", kernels[1], len(searched), last)
	}
	if v := Judge(searched, expected); v[0].AllAt == 0 {
		t.Errorf("dfs:1 of %s found no expected site: %+v", kernels[1], v[0])
	}
	// Each entry reads as Go's leak profile's: the stack where it waits,
	// at the kernel's own lines (c.mu.Lock() in Close, called from the
	// goroutine's function at line 122), and where it was started.
	for _, l := range runs[0].Leaks {
		if !strings.Contains(l.Text, "[sync.RWMutex.Lock (leaked)]:\nweftgoker.(*Client_etcd5509).Close()\n\t") ||
			!strings.Contains(l.Text, "etcd5509.go:29\nweftgoker.Etcd5509.func2()\n\t") || !strings.Contains(l.Text, "etcd5509.go:122\n") ||
			!strings.Contains(l.Text, "created by main in goroutine 0\n\t") {
			t.Errorf("the leak does not read as Go's leak profile:\n%s", l.Text)
		}
	}
}

// TestCutToOneCopy: the counted loops of a kernel's registered function, and
// only those, run once.
func TestCutToOneCopy(t *testing.T) {
	src := `package main

func init() { register("K1", K1) }

func K1() {
	for i := 0; i < 1000; i++ {
		go f()
	}
	for i := 0; i <= 100; i++ {
		go f()
	}
}

func f() {
	for i := 0; i < 10; i++ {
	}
}
`
	got := string(cutToOneCopy([]byte(src)))
	want := strings.Replace(strings.Replace(src, "i < 1000", "i < 1", 1), "i <= 100", "i <= 0", 1)
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
