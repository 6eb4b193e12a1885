package properties

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/anishathalye/porcupine"

	"github.com/weftsim/weft/sim"
)

// VisualizeRun writes porcupine's HTML view of a failed check of r's
// history to path, creating its directory, annotated with the run's
// scheduler steps: each fault, crash, abnormal exit and destroyed resource
// (a table) of the run's trace is marked where it happened on the
// operations' timeline. r should have its trace (Config.KeepTrace); without
// one the view has no annotations.
func VisualizeRun(path string, model porcupine.Model, info porcupine.LinearizationInfo, r *sim.Result) error {
	info.AddAnnotations(annotations(r))
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return err
	}
	return porcupine.VisualizePath(model, info, path)
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

// VisualizationPath is where a run's linearizability view goes: a file in
// the system's temporary directory named after the scenario, the seed and
// the trace hash, so that two different failing runs never share one.
func VisualizationPath(r *sim.Result) string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("weft-%s-seed%d-%016x.html", fileSafe(r.Scenario), r.Seed, r.Hash))
}

// fileSafe maps a test name to a file name.
func fileSafe(name string) string {
	if name == "" {
		return "run"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name)
}
