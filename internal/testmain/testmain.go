// Package testmain holds the TestMain of the module's tests that replay
// failing runs.
package testmain

import (
	"fmt"
	"os"
	"testing"
)

// PrivateTemp runs the tests of m with TMPDIR set to a directory of their
// own, removed at the end, and returns their exit code: the pages failing
// traced runs write (porcupine's linearizability view) go there, and never
// accumulate in the shared temp folder.
func PrivateTemp(m *testing.M) int {
	dir, err := os.MkdirTemp("", "weft-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	os.Setenv("TMPDIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	return code
}
