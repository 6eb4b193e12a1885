package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// CheckLinearizable checks a run's history against a porcupine model, with a
// timeout (0: none). Each Operation becomes a porcupine.Operation with the
// same client, input, output and logical Call and Return marks; an open
// operation keeps Return = math.MaxInt64 and a nil Output, so it may take
// effect at any point after its call, or never: the model's Step must accept
// a nil output as "unknown" for such operations to fit. Metadata names the
// process, steps and virtual times, which the visualization shows.
//
// The verdict has three values: porcupine.Unknown means the check ran out of
// time, which is not a pass.
func CheckLinearizable(model porcupine.Model, history []Operation, timeout time.Duration) (porcupine.CheckResult, porcupine.LinearizationInfo) {
	ops := make([]porcupine.Operation, len(history))
	for i, op := range history {
		ops[i] = porcupine.Operation{
			ClientId: op.Client,
			Input:    op.Input,
			Call:     op.Call,
			Output:   op.Output,
			Return:   op.Return,
			Metadata: opMetadata(op),
		}
	}
	return porcupine.CheckOperationsVerbose(model, ops, timeout)
}

func opMetadata(op Operation) string {
	if op.Open() {
		return fmt.Sprintf("p%d, called at step %d (%v), never returned", op.Proc, op.CallStep, op.CallTime)
	}
	return fmt.Sprintf("p%d, steps %d-%d (%v-%v)", op.Proc, op.CallStep, op.ReturnStep, op.CallTime, op.ReturnTime)
}

// WriteVisualization writes porcupine's interactive HTML view of a check to
// path, creating its directory.
func WriteVisualization(path string, model porcupine.Model, info porcupine.LinearizationInfo) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return err
	}
	return porcupine.VisualizePath(model, info, path)
}

// AssertLinearizable fails t unless r's history is linearizable against
// model. When it is not, it writes the visualization, annotated with the
// run's faults and crashes when r has a trace, to
// os.TempDir()/weft-<test>-<seed>.html and names the file. When the check
// times out it fails as inconclusive: an unfinished check is never a pass.
func AssertLinearizable(t testing.TB, model porcupine.Model, r *Result, timeout time.Duration) {
	t.Helper()
	res, info := CheckLinearizable(model, r.History, timeout)
	switch res {
	case porcupine.Ok:
		return
	case porcupine.Unknown:
		t.Fatalf("sim: linearizability check of %d operations (seed %d) inconclusive: it ran out of its %v; a check that did not finish is not a pass", len(r.History), r.Seed, timeout)
		return
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("weft-%s-%d.html", fileSafe(t.Name()), r.Seed))
	where := "visualization: " + path
	if err := VisualizeRun(path, model, info, r); err != nil {
		where = "the visualization could not be written: " + err.Error()
	}
	t.Fatalf("sim: history of %d operations (seed %d) is not linearizable against the model\n%s", len(r.History), r.Seed, where)
}

// VisualizeRun writes porcupine's HTML view of a failed check of r's
// history to path, annotated with the run's scheduler steps: each fault,
// crash, abnormal exit and destroyed resource (a table) of the run's trace
// is marked where it happened on the operations' timeline. r should have its trace (Config.KeepTrace);
// without one the view has no annotations.
func VisualizeRun(path string, model porcupine.Model, info porcupine.LinearizationInfo, r *Result) error {
	info.AddAnnotations(annotations(r))
	return WriteVisualization(path, model, info)
}

// annotations marks the run's faults, crashes, abnormal exits and destroyed
// resources on the visualization's timeline. Porcupine places annotations on the operations'
// clock, so each event goes at the last Call or Return mark made at or
// before its step.
func annotations(r *Result) []porcupine.Annotation {
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
		case e.Kind == EventFault, e.Kind == EventCrash:
			color = "#f6c6c6"
		case e.Kind == EventExit && e.Arg != 0: // exitArg: anything but normal
			color = "#f6dcc6"
		case e.Kind == EventDestroy: // a table gone with its owner, say
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
func VisualizationPath(r *Result) string {
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
