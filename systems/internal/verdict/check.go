package verdict

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
)

// CheckReplay checks that a FAIL verdict's shrunk run violates the
// verdict's property, that shrinking kept the failure's signature, and that
// the finding's one-line log replays, in process, to the same failure with
// the same trace hash. It returns the replayed run, for the system's own
// checks of its story; nil when the log does not parse.
func CheckReplay(t testing.TB, sys systems.System, vd Verdict) *sim.Result {
	t.Helper()
	f := vd.Finding
	if p, ok := sys.Violated(f.Shrunk.Failure); !ok || p != vd.Property {
		t.Errorf("%v %v: the shrunk run fails with %v", vd.Variant, vd.Property, f.Shrunk.Failure)
	}
	if f.Shrunk.Failure.Signature() != f.Original.Failure.Signature() {
		t.Errorf("%v %v: shrinking changed the failure from %q to %q",
			vd.Variant, vd.Property, f.Original.Failure.Signature(), f.Shrunk.Failure.Signature())
	}
	l, err := scheduler.ParseLog(f.Log.String())
	if err != nil {
		t.Errorf("%v %v: ParseLog: %v", vd.Variant, vd.Property, err)
		return nil
	}
	cfg := sys.Config(vd.Entry(), vd.Property) // as weft replay configures it
	again := sim.Replay(cfg, l, sys.Scenario(vd.Variant, vd.Property))
	if again.Hash != f.Shrunk.Hash || again.Failure.Signature() != f.Shrunk.Failure.Signature() {
		t.Errorf("%v %v: replay gives hash %016x and %q; the finding %016x and %q",
			vd.Variant, vd.Property, again.Hash, again.Failure.Signature(), f.Shrunk.Hash, f.Shrunk.Failure.Signature())
	}
	return again
}

// CheckCommand runs a FAIL verdict's replay command, as printed, from
// repoRoot (a path to the repository root, such as "../.."), and checks
// that it exits with status 1 (the replayed run fails) and prints the
// finding's trace hash. It returns the command's output, for the system to
// check the failure's story in; "" after reporting a failed check.
func CheckCommand(t testing.TB, vd Verdict, repoRoot string) string {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no repository root at %s: %v", root, err)
	}
	args := strings.Fields(vd.Replay())
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("%s: want exit status 1 (the replayed run fails), got %v\n%s", vd.Replay(), err, out)
		return ""
	}
	want := fmt.Sprintf("hash %016x", vd.Finding.Shrunk.Hash)
	if !strings.Contains(string(out), want) {
		t.Errorf("%s: output lacks %q:\n%s", vd.Replay(), want, out)
		return ""
	}
	t.Logf("replayed %s through its command: %s", vd.Entry(), want)
	return string(out)
}
