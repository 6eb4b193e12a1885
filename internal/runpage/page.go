// Package runpage renders a run as a self-contained HTML page: one lane per
// process on a shared axis of steps and virtual time, drawn as SVG, with
// messages, channel hand-offs and socket data as arrows between lanes,
// blocking and sleeping as bars, faults, kills, crashes and timers marked,
// and the failure, its explanation and its essential decisions on top.
//
// The page is one file that needs no network: its style and script are
// inlined, and the run travels in it as JSON that the script draws. Every
// string that comes from the run (process names, messages, failure texts)
// reaches the page through html/template or as JSON that the script puts
// into the document as text, never as markup, so a name such as
// <img src=x onerror=alert(1)> shows as itself and runs nothing.
//
// The script draws only what a person looks at: lanes can be filtered by
// name, collapsed and hidden, events searched, the view zoomed; the first
// screen shows the end of the run, where it failed. The same state can be
// given in the URL's fragment (#q=GOAWAY&lanes=client&zoom=2), so a view
// can be shared, and tested.
package runpage

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Page is what a page shows.
type Page struct {
	// Title names the run: its scenario or test.
	Title string
	// Facts are short lines under the title: the seed, the strategy, how
	// far the run shrank, its steps and virtual time.
	Facts []string
	// Failure is the failure's headline ("" for a run that passed), and
	// Explanation what the report says beside it: blocked processes, the
	// failing process's stack. Both show as preformatted text.
	Failure     string
	Explanation string
	// Commands replay the run.
	Commands []string
	// Run is the run to draw; it must have its trace (sim.Config.KeepTrace).
	// Its DecisionPoints place its decisions on the timeline.
	Run *sim.Result
	// Essential lists the indexes (into Run.Decisions) of the decisions
	// without which the run does not fail: they are highlighted. Nil when
	// they were not computed; EssentialNote says how they were found, or
	// why not.
	Essential     []int
	EssentialNote string
	// Views are other pages about the run, such as porcupine's view of a
	// linearizability violation: linked, and embedded when Embed is set.
	Views []View
}

// View is another page about the run.
type View struct {
	// Name says what it shows, Href where it is (a path relative to the
	// page, or a file:// address).
	Name, Href string
	// Embed is the page itself, shown in a sandboxed frame ("": only the
	// link).
	Embed string
}

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS string

//go:embed page.js
var pageJS string

var tmpl = template.Must(template.New("page").Parse(pageHTML))

// Write renders p to w.
func Write(w io.Writer, p Page) error {
	if p.Run == nil {
		return fmt.Errorf("runpage: no run to draw")
	}
	d := build(p)
	return tmpl.Execute(w, struct {
		Page
		Data      *data
		Decisions []decision
		Style     template.CSS
		Script    template.JS
	}{p, d, essentialOnly(d.Decisions), template.CSS(pageCSS), template.JS(pageJS)})
}

// essentialOnly is the essential decisions of ds, which the page lists
// under the failure.
func essentialOnly(ds []decision) []decision {
	var out []decision
	for _, d := range ds {
		if d.Essential {
			out = append(out, d)
		}
	}
	return out
}

// describe says what decision d, made at at, did, naming processes by
// names.
func describe(d scheduler.Decision, at sim.DecisionPoint, names []string) string {
	name := func(id int) string {
		if id < 0 {
			return "the world's loop"
		}
		if id < len(names) {
			return fmt.Sprintf("p%d %s", id, names[id])
		}
		return fmt.Sprintf("p%d", id)
	}
	where := fmt.Sprintf("at step %d (%v)", at.Step, at.Time)
	switch d.Kind {
	case scheduler.Schedule:
		if at.Proc >= 0 && at.Ran != at.Proc {
			return fmt.Sprintf("preempted %s to run %s %s (option %d of %d)", name(at.Proc), name(at.Ran), where, d.Choice, d.N)
		}
		return fmt.Sprintf("ran %s %s (option %d of %d)", name(at.Ran), where, d.Choice, d.N)
	case scheduler.Fault:
		return fmt.Sprintf("a fault struck %s %s (option %d of %d)", name(at.Proc), where, d.Choice, d.N)
	default:
		return fmt.Sprintf("%s: %s took option %d of %d %s", d.Kind, name(at.Proc), d.Choice, d.N, where)
	}
}

// timeText renders a virtual time for the axis.
func timeText(d time.Duration) string { return d.String() }
