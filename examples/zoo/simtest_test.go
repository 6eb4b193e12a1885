package zoo_test

// How users write these tests: one weft.Test per scenario. The fixed twins
// pass as ordinary tests. The buggy ones must fail, which a test cannot
// assert of itself, so TestSimTestReportsBugs runs each in a child process
// of this test binary, in a temporary directory, and checks what the
// developer sees: the failure, the saved log, the command that replays it,
// and, on the next run, that the saved log is replayed first and still
// fails.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/examples/zoo"
)

func TestLostUpdateFixed(t *testing.T)     { weft.Test(t, zoo.LostUpdateFixed) }
func TestDeadlockFixed(t *testing.T)       { weft.Test(t, zoo.DeadlockFixed) }
func TestSendOnClosedFixed(t *testing.T)   { weft.Test(t, zoo.SendOnClosedFixed) }
func TestWaitGroupReuseFixed(t *testing.T) { weft.Test(t, zoo.WaitGroupReuseFixed) }
func TestLeakFixed(t *testing.T)           { weft.Test(t, zoo.LeakFixed) }

// childEnv names the buggy scenario TestBuggyChild runs.
const childEnv = "WEFT_ZOO_CHILD"

// TestBuggyChild is the buggy twin's test as a user would write it. It only
// runs as a child of TestSimTestReportsBugs, and then it fails.
func TestBuggyChild(t *testing.T) {
	name := os.Getenv(childEnv)
	if name == "" {
		t.Skip("runs only as a child of TestSimTestReportsBugs")
	}
	for _, b := range bugs {
		if b.name == name {
			weft.Test(t, b.buggy)
			return
		}
	}
	t.Fatalf("no bug named %q", name)
}

func TestSimTestReportsBugs(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip("cannot find the test binary:", err)
	}
	saved := regexp.MustCompile(`Saved the shrunk log as (testdata/weft/TestBuggyChild/[0-9a-f]{16});`)
	for _, b := range bugs {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			child := func() string {
				cmd := exec.Command(exe, "-test.run=^TestBuggyChild$", "-test.count=1")
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), childEnv+"="+b.name)
				out, err := cmd.CombinedOutput()
				if _, failed := err.(*exec.ExitError); !failed {
					t.Fatalf("the buggy test did not fail (err %v):\n%s", err, out)
				}
				return string(out)
			}

			out := child()
			m := saved.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no saved log in the report:\n%s", out)
			}
			for _, want := range []string{b.message, "preemptions:", "timeline of the shrunk run", "-weft.replay=" + m[1], "-weft.seed="} {
				if !strings.Contains(out, want) {
					t.Fatalf("the report does not say %q:\n%s", want, out)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, m[1])); err != nil {
				t.Fatalf("saved log: %v", err)
			}

			// The next run replays the saved log before exploring.
			out = child()
			if want := "weft: replayed " + m[1] + ": it fails"; !strings.Contains(out, want) {
				t.Fatalf("the second run does not say %q:\n%s", want, out)
			}
		})
	}
}
