package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// workload is one of testdata/work's workloads, as the runners name it.
type workload struct {
	name string // the goroutines runner's -peers.workload
	test string // its test in testdata/work and testdata/gosim
	bug  string // what fails when its bug shows; "" for none
}

var workloads = []workload{
	{"empty", "TestEmpty", ""},
	{"ring", "TestRing", ""},
	{"etcd6857", "TestEtcd6857", "a goroutine leak (Status blocked forever)"},
	{"adds", "TestAdds", "a lost update"},
}

var allWorkloads = func() []string {
	var names []string
	for _, w := range workloads {
		names = append(names, w.name)
	}
	return names
}()

func isWorkload(name string) bool {
	_, ok := lookup(name)
	return ok
}

func lookup(name string) (workload, bool) {
	for _, w := range workloads {
		if w.name == name {
			return w, true
		}
	}
	return workload{}, false
}

// copyPackage copies the .go files of testdata/<from> into dir; tests says
// whether to take its _test.go files too.
func copyPackage(repo, from, dir string, tests bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(repo, "internal/peers/testdata", from, "*.go"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no Go files in internal/peers/testdata/%s", from)
	}
	for _, f := range files {
		if !tests && strings.HasSuffix(f, "_test.go") {
			continue
		}
		if err := copyFile(f, dir); err != nil {
			return err
		}
	}
	return nil
}

// copyFile copies the file into dir.
func copyFile(file, dir string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, filepath.Base(file)), b, 0o644)
}
