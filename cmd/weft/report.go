package main

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/scheduler"
)

// report explores catalogued scenarios as weft demo does and writes the
// page of each failure, shrunk, into a directory, with an index.
func report(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", stderr)
	dir := fs.String("o", "weft-report", "the `directory` to write the pages to")
	runs := fs.Int("runs", 1000, "number of seeds to explore per scenario")
	seed := fs.Uint64("seed", 1, "first seed")
	shrinkRuns := fs.Int("shrink-runs", 0, "replays to spend shrinking each failure (0: 2000)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *runs <= 0 || *shrinkRuns < 0 {
		return fmt.Errorf("%w: -runs must be positive, -shrink-runs not negative", errUsage)
	}
	var todo []entry
	if fs.NArg() == 0 {
		for _, e := range catalog() {
			if e.Buggy && !e.Quiet {
				todo = append(todo, e)
			}
		}
	}
	for _, name := range fs.Args() {
		e, err := lookup(name)
		if err != nil {
			return err
		}
		todo = append(todo, e)
	}
	if err := os.MkdirAll(*dir, 0o777); err != nil {
		return err
	}
	spec, err := scheduler.ParseSpec("random")
	if err != nil {
		return err
	}
	type row struct{ Name, About, File, Verdict string }
	var rows []row
	for _, e := range todo {
		cfg := e.config()
		cfg.ReportDir = *dir // porcupine's views go beside the pages
		rep := weft.Explore(weft.Options{Name: e.Name, Runs: *runs, Seed: *seed, Spec: spec, ShrinkRuns: *shrinkRuns, Config: cfg}, e.Scenario)
		f := rep.Failure
		if f == nil || f.Log == nil || f.Shrunk == nil {
			verdict := fmt.Sprintf("no failure in %d runs", rep.Runs)
			if f != nil {
				verdict = "failed, but only its seed reproduces it: " + f.String()
			}
			fmt.Fprintf(stdout, "%s: %s\n", e.Name, firstLine(verdict))
			rows = append(rows, row{Name: e.Name, About: e.About, Verdict: firstLine(verdict)})
			continue
		}
		file := strings.ReplaceAll(e.Name, "/", "_") + ".html"
		p := weft.Page{
			Finding:  f,
			Commands: []string{"go run ./cmd/weft replay " + e.Name + " " + f.Log.String()},
			PageDir:  *dir,
		}
		var b bytes.Buffer
		if _, err := p.WriteTo(&b); err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
		if err := os.WriteFile(filepath.Join(*dir, file), b.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: seed %d, %d essential decisions: wrote %s\n", e.Name, f.Seed, len(f.Essential()), filepath.Join(*dir, file))
		rows = append(rows, row{Name: e.Name, About: e.About, File: file, Verdict: firstLine(f.Shrunk.Failure.Error())})
	}
	var b bytes.Buffer
	if err := reportIndex.Execute(&b, rows); err != nil {
		return err
	}
	index := filepath.Join(*dir, "index.html")
	if err := os.WriteFile(index, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", index)
	return nil
}

var reportIndex = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>weft: failures of the catalogued scenarios</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:20px}td{padding:4px 10px;vertical-align:top;border-bottom:1px solid #eee}td.v{color:#a8071a;font-family:ui-monospace,monospace;font-size:12px}</style>
</head><body><h1>Failures of the catalogued scenarios</h1><table>
{{range .}}<tr><td>{{if .File}}<a href="{{.File}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</td><td>{{.About}}</td><td class="v">{{.Verdict}}</td></tr>
{{end}}</table></body></html>
`))
