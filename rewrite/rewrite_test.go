package rewrite

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// module copies testdata/<name> into a module of its own that uses this
// checkout of weft, and returns its directory.
func module(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/" + name + "\n\ngo 1.26\n\nrequire github.com/weftsim/weft v0.0.0\n\nreplace github.com/weftsim/weft => " + repo + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPlainPackage rewrites a package of plain Go code and its tests, and
// runs them in worlds with go test -overlay: the correct tests pass (a
// WaitGroup.Go of a method value, a context deadline an hour away on the
// virtual clock), the test of the leaking code fails with the leak, named
// as Go names the goroutine's function, and a seed that replays it; the
// original files are left as they were.
func TestPlainPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a rewritten package (seconds)")
	}
	dir := module(t, "plain")
	before, _ := os.ReadFile(filepath.Join(dir, "plain.go"))
	res, err := Package(dir, ".", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	overlay, err := res.WriteOverlay()
	if err != nil {
		t.Fatal(err)
	}
	gotest := func(args ...string) (string, error) {
		cmd := exec.Command("go", append([]string{"test", "-overlay", overlay, "-count=1"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := gotest("-run", "TestCounter|TestWaitTimesOut|TestPipeline|TestPoll|TestKeys|TestQueue|TestShuffled|TestGoArgs|TestGoIface", "-weft.runs=30", "-weft.check-determinism"); err != nil {
		t.Fatalf("the correct tests failed: %v\n%s", err, out)
	}
	out, err := gotest("-run", "TestFirst", "-weft.runs=30")
	if err == nil {
		t.Fatalf("the leak was not found:\n%s", out)
	}
	// It says where each leaked sender waits (the send, line 15 of the
	// original source) and where the channel was made.
	for _, want := range []string{"leak", "example.com/plain.First.func1", "created at plain/plain.go:13", "at example.com/plain.First.func1 (plain/plain.go:15)", "-weft.seed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q:\n%s", want, out)
		}
	}
	t.Logf("%s", out)
	// The command the report prints to run the seed again, pasted into a
	// shell with weft on the PATH, fails the same way.
	_, seedCmd, ok := strings.Cut(out, "or run the seed again:\n")
	seedCmd, _, _ = strings.Cut(strings.TrimSpace(seedCmd), "\n")
	if !ok || !strings.HasPrefix(seedCmd, "weft test . -run ") {
		t.Fatalf("no weft test command to run the seed again:\n%s", out)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin, "github.com/weftsim/weft/cmd/weft")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/weft: %v\n%s", err, out)
	}
	sh := exec.Command("sh", "-c", seedCmd)
	sh.Dir = dir
	sh.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "GOFLAGS=-mod=mod")
	again, err := sh.CombinedOutput()
	if err == nil || !strings.Contains(string(again), `"example.com/plain.First.func1" blocked in send`) {
		t.Errorf("%s: %v\n%s", seedCmd, err, again)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "plain.go")); string(after) != string(before) {
		t.Errorf("the original file changed")
	}
}
