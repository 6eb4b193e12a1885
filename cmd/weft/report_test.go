package main

// weft report writes the page of every catalogued failure. Method: run it
// over the whole catalogue (shrinking briefly, to keep the test short; the
// zoo's deadlock and WaitGroup reuse alone with -short) and read each page:
// it must name its failure, carry its run, and say which decisions are
// essential; the index links every page. Then one run of headless Chromium
// opens them all with a hostile page (browser_test.go), each in a frame,
// and each must have been drawn by its script: a script that stops on an
// error draws nothing, as the calm run of zoo/waitgroup-reuse, with no
// decision, once did.

import (
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPages(t *testing.T) {
	dir := t.TempDir()
	hostile := hostilePage(t, dir)
	args := []string{"report", "-o", dir, "-shrink-runs", "100"}
	if testing.Short() {
		args = append(args, "zoo/deadlock", "zoo/waitgroup-reuse") // not the whole catalogue
	}
	code, out, errs := runWeft(args...)
	if code != 0 {
		t.Fatalf("weft report: exit %d\n%s%s", code, out, errs)
	}
	data, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	// Pages are read as a browser shows them: html/template writes a "+"
	// (longpoll/joinref+batching) as &#43;.
	index := html.UnescapeString(string(data))
	n := 0
	for _, e := range catalog() {
		if !e.Buggy || e.Quiet || (testing.Short() && !slices.Contains(args, e.Name)) {
			continue
		}
		n++
		file := strings.ReplaceAll(e.Name, "/", "_") + ".html"
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		page := html.UnescapeString(string(data))
		for _, want := range []string{"What failed", `id="weft-data"`, "go run ./cmd/weft replay " + e.Name, `class="essential`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", e.Name, want)
			}
		}
		if !strings.Contains(index, `href="`+file+`"`) {
			t.Errorf("the index does not link %s", file)
		}
	}
	if n < 20 && !testing.Short() {
		t.Fatalf("only %d catalogued failures", n)
	}
	t.Run("in a browser", func(t *testing.T) { inBrowser(t, dir, hostile) })
}
