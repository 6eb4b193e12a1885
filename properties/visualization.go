package properties

import (
	"fmt"
	"html"
	"os"
	"sort"

	"github.com/anishathalye/porcupine"

	"github.com/weftsim/weft/internal/artifacts"
	"github.com/weftsim/weft/sim"
)

// VisualizeRun writes porcupine's HTML view of a failed check of r's
// history into a new file in dir and returns the file's path. The view is
// annotated with the run's scheduler steps: each fault, crash, abnormal exit
// and destroyed resource (a table) of the run's trace is marked where it
// happened on the operations' timeline. r should have its trace
// (Config.KeepTrace); without one the view has no annotations.
//
// The file's name is name (made safe for a file name; VisualizationName
// makes one that says which run it is), a random part, and ".html". It is
// created exclusively and readable by its owner only, so dir may be a
// folder others can write, as os.TempDir() is: a symbolic link or a file
// planted under a name a run would use is never followed nor overwritten,
// and two runs never write one file. dir is created if need be; "" means
// os.TempDir(). A file that could not be written whole is removed.
//
// The page is safe to open whatever the run's data: every description the
// model makes is escaped where the page would read it as markup (see
// forPage), so a stored value, a key or a process name shows as text and
// runs nothing.
func VisualizeRun(dir, name string, model porcupine.Model, info porcupine.LinearizationInfo, r *sim.Result) (string, error) {
	info.AddAnnotations(annotations(r))
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, artifacts.FileSafe(name)+"-*.html") // O_EXCL, 0o600
	if err != nil {
		return "", err
	}
	err = porcupine.Visualize(forPage(model), info, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// forPage returns model with the descriptions it makes for porcupine's page
// escaped where the page parses them as HTML, so that any model, weft's or
// a user's, with its own descriptions or porcupine's defaults, is safe to
// show whatever its inputs, outputs and states hold.
//
// Where the data lands in porcupine v1.3.1 (visualization.go and
// visualization/index.js in its module): everything goes as JSON into a
// <script>, and encoding/json writes <, > and & as \u003c, \u003e and
// \u0026, so no text can end that script. From there index.js sets
// operation descriptions (DescribeOperation) and annotations with
// textContent, which shows text as text: those stay as the model wrote
// them, since escaping them would show "&lt;" to the reader. It sets the
// tooltips with innerHTML: the state descriptions (DescribeState) and the
// operation metadata (DescribeOperationMetadata) go there, so those two
// are HTML-escaped here. Check this again when porcupine's version changes
// (TestVisualizationEscapesKV and TestVisualizationEscapesAnyModel hold the
// page to it).
//
// Only the page is escaped: the model itself, and the failure messages a
// terminal prints with its DescribeOperation, keep the text as it is.
func forPage(model porcupine.Model) porcupine.Model {
	state, meta := model.DescribeState, model.DescribeOperationMetadata
	if state == nil { // porcupine's default
		state = func(s any) string { return fmt.Sprintf("%v", s) }
	}
	if meta == nil { // porcupine's default
		meta = func(info any) string {
			if info == nil {
				return ""
			}
			return fmt.Sprintf("%v", info)
		}
	}
	model.DescribeState = func(s any) string { return html.EscapeString(state(s)) }
	model.DescribeOperationMetadata = func(info any) string { return html.EscapeString(meta(info)) }
	return model
}

// annotations marks the run's faults, crashes, abnormal exits and destroyed
// resources on the visualization's timeline. Porcupine places annotations on
// the operations' clock, so each event goes at the last Call or Return mark
// made at or before its step.
func annotations(r *sim.Result) []porcupine.Annotation {
	type mark struct {
		step, at int64
	}
	var marks []mark
	for _, op := range r.History {
		marks = append(marks, mark{op.CallStep, op.Call})
		if !op.Open() {
			marks = append(marks, mark{op.ReturnStep, op.Return})
		}
	}
	sort.Slice(marks, func(i, j int) bool { return marks[i].at < marks[j].at })
	var out []porcupine.Annotation
	for _, e := range r.Trace {
		color := ""
		switch {
		case e.Kind == sim.EventFault, e.Kind == sim.EventCrash:
			color = "#f6c6c6"
		case e.Kind == sim.EventExit && e.Arg != 0: // exitArg: anything but normal
			color = "#f6dcc6"
		case e.Kind == sim.EventDestroy: // a table gone with its owner, say
			color = "#f6f0c6"
		default:
			continue
		}
		k := sort.Search(len(marks), func(i int) bool { return marks[i].step > e.Step })
		at := int64(0)
		if k > 0 {
			at = marks[k-1].at
		}
		who := "the world"
		if e.Proc >= 0 && e.Proc < len(r.Procs) {
			who = fmt.Sprintf("p%d %s", e.Proc, r.Procs[e.Proc])
		}
		out = append(out, porcupine.Annotation{
			Tag:             "weft",
			Start:           at,
			Description:     fmt.Sprintf("step %d: %s %s", e.Step, e.Kind, e.Detail),
			Details:         fmt.Sprintf("step %d, virtual time %v, %s", e.Step, e.Time, who),
			BackgroundColor: color,
		})
	}
	return out
}

// VisualizationName names a run's linearizability view for VisualizeRun:
// "weft-", then the scenario, the seed and the trace hash, so that a reader
// can tell which run a file shows.
func VisualizationName(r *sim.Result) string {
	return fmt.Sprintf("weft-%s-seed%d-%016x", artifacts.FileSafe(r.Scenario), r.Seed, r.Hash)
}
