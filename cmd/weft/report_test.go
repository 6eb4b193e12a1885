package main

// weft report writes the page of every catalogued failure. Method: run it
// over the whole catalogue (shrinking briefly, to keep the test short) and
// read each page: it must name its failure, carry its run, and say which
// decisions are essential; the index links every page.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportEveryFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("explores every catalogued scenario")
	}
	dir := t.TempDir()
	code, out, errs := runWeft("report", "-o", dir, "-shrink-runs", "100")
	if code != 0 {
		t.Fatalf("weft report: exit %d\n%s%s", code, out, errs)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range catalog() {
		if !e.Buggy {
			continue
		}
		n++
		file := strings.ReplaceAll(e.Name, "/", "_") + ".html"
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		page := string(data)
		for _, want := range []string{"What failed", `id="weft-data"`, "go run ./cmd/weft replay " + e.Name, `class="essential`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", e.Name, want)
			}
		}
		if !strings.Contains(string(index), `href="`+file+`"`) {
			t.Errorf("the index does not link %s", file)
		}
	}
	if n < 20 {
		t.Fatalf("only %d catalogued failures", n)
	}
}
