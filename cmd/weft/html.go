package main

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/weftsim/weft/sim"
)

// htmlTimeline renders a run's trace as a self-contained HTML page: one
// column per process that appears, one row per event, the failure on top.
func htmlTimeline(name string, r *sim.Result) string {
	var cols []int
	seen := map[int]bool{}
	for _, e := range r.Trace {
		if !seen[e.Proc] {
			seen[e.Proc] = true
			cols = append(cols, e.Proc)
		}
	}
	sortInts(cols)
	type cell struct{ Text string }
	type row struct {
		Step  int64
		Time  string
		Cells []cell
	}
	var rows []row
	for _, e := range r.Trace {
		cells := make([]cell, len(cols))
		for i, c := range cols {
			if c == e.Proc {
				cells[i].Text = e.Kind.String() + " " + e.Detail
			}
		}
		rows = append(rows, row{Step: e.Step, Time: e.Time.String(), Cells: cells})
	}
	var heads []string
	for _, c := range cols {
		if c < 0 {
			heads = append(heads, "clock")
		} else if c < len(r.Procs) {
			heads = append(heads, fmt.Sprintf("p%d %s", c, r.Procs[c]))
		} else {
			heads = append(heads, fmt.Sprintf("p%d", c))
		}
	}
	failure := ""
	if r.Failure != nil {
		failure = r.Failure.Error()
	}
	var b bytes.Buffer
	err := page.Execute(&b, map[string]any{
		"Name": name, "Seed": r.Seed, "Strategy": r.Spec, "Steps": r.Steps, "Time": r.Time.String(),
		"Hash": fmt.Sprintf("%016x", r.Hash), "Failure": failure, "Heads": heads, "Rows": rows,
	})
	if err != nil {
		return "<pre>" + template.HTMLEscapeString(err.Error()) + "</pre>"
	}
	return b.String()
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

var page = template.Must(template.New("timeline").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>weft timeline: {{.Name}}</title>
<style>
body { font: 13px/1.4 ui-monospace, monospace; margin: 1em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; white-space: pre; }
th { position: sticky; top: 0; background: #f4f4f4; }
td.n { color: #888; text-align: right; }
td.e { background: #eef6ff; }
pre.f { background: #fff0f0; padding: .5em; white-space: pre-wrap; }
</style></head><body>
<h1>{{.Name}}</h1>
<p>seed {{.Seed}}, strategy {{.Strategy}}, {{.Steps}} steps, virtual time {{.Time}}, hash {{.Hash}}</p>
{{if .Failure}}<pre class="f">{{.Failure}}</pre>{{end}}
<table><tr><th>step</th><th>time</th>{{range .Heads}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td class="n">{{.Step}}</td><td class="n">{{.Time}}</td>{{range .Cells}}{{if .Text}}<td class="e">{{.Text}}</td>{{else}}<td></td>{{end}}{{end}}</tr>
{{end}}</table></body></html>
`))
