package registry

import (
	"fmt"
	"os"
	"testing"
)

// TestMain sends the pages that failing traced runs write (porcupine's
// linearizability view) to a directory of this test binary's own, removed
// at the end, so that they never accumulate in the shared temp folder.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "weft-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("TMPDIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
