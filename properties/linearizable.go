package properties

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/weftsim/weft/internal/artifacts"
	"github.com/weftsim/weft/sim"
)

// Linearizability says what Linearizable checks: which operations of a run,
// against which porcupine model, within which time.
type Linearizability struct {
	// Name is the property's name, the one a failure's Signature keeps
	// ("": "linearizable").
	Name string
	// Model is the sequential specification the operations must fit. When
	// it has a Partition, a violation's message also tells the story of the
	// first partition whose operations alone are not linearizable, each
	// operation told with the model's DescribeOperation (when set) and the
	// process and step that made it.
	Model porcupine.Model
	// Timeout bounds each porcupine check (0: no bound). A check that runs
	// out fails the run as inconclusive: a cut-short check is not a pass.
	Timeout time.Duration
	// History picks the operations to check from the run's history (as
	// World.Call and World.Return recorded it) and maps them to the model's
	// inputs and outputs; it must not change the slice it is given. Nil
	// checks every recorded operation as it is.
	History func(history []sim.Operation) []sim.Operation
	// Message heads a violation's error, which goes on with the number of
	// operations checked, the story and where the visualization is
	// ("": "not linearizable"). Name what was checked against what, such as
	// "the reference table is not linearizable against a key-value store".
	Message string

	_ struct{} // disallow positional literals, for extensibility
}

// Linearizable fails a run whose operations (see Linearizability.History)
// are not linearizable against l.Model. A check that runs out of its timeout
// fails too, as inconclusive.
//
// Most runs pass, so it first checks without porcupine's visualization
// data, which costs more than the check; only a failing history is checked
// again to explain it. On a violation in a run that kept its trace (the
// replay a report is made from, not each candidate the shrinker tries), it
// writes porcupine's visualization, annotated with the run's steps, faults,
// crashes and destroyed resources (VisualizeRun), to a new file in the
// run's report directory (Result.ReportDir: the test's artifact directory
// under weft.Test, os.TempDir() outside a test) named after the run
// (VisualizationName), and names the file in the error; without a trace it
// says to replay the run.
func Linearizable(l Linearizability) sim.Property {
	if l.Name == "" {
		l.Name = "linearizable"
	}
	return sim.Property{Name: l.Name, Check: l.check}
}

func (l Linearizability) check(r *sim.Result) error {
	ops := r.History
	if l.History != nil {
		ops = l.History(ops)
	}
	if porcupine.CheckOperationsTimeout(l.Model, plain(ops), l.Timeout) == porcupine.Ok {
		return nil
	}
	res, info := CheckLinearizable(l.Model, ops, l.Timeout)
	switch res {
	case porcupine.Ok:
		return nil
	case porcupine.Unknown:
		return fmt.Errorf("inconclusive: the check of %d operations did not finish within %v", len(ops), l.Timeout)
	}
	head := l.Message
	if head == "" {
		head = "not linearizable"
	}
	head = fmt.Sprintf("%s (%d operations)%s", head, len(ops), l.story(r, ops))
	if len(r.Trace) == 0 {
		// An exploring or shrinking run keeps no trace: the visualization
		// would have no steps to show, and shrinking would leave a file per
		// candidate. The traced replay of the failure writes it.
		return fmt.Errorf("%s; replay the run for porcupine's annotated visualization", head)
	}
	path, err := VisualizeRun(r.ReportDir, VisualizationName(r), l.Model, info, r)
	if err != nil {
		return fmt.Errorf("%s; writing the visualization failed: %v", head, err)
	}
	return fmt.Errorf("%s; see %s", head, path)
}

// story tells the operations of the first partition of ops (in the
// model's order) that alone is not linearizable, in the order they were
// recorded; "" when the model has no Partition or no partition is found
// illegal alone within the timeout.
func (l Linearizability) story(r *sim.Result, ops []sim.Operation) string {
	if l.Model.Partition == nil {
		return ""
	}
	all := plain(ops)
	for i := range all {
		all[i].Metadata = i // to find each operation again in ops
	}
	for _, part := range l.Model.Partition(all) {
		if porcupine.CheckOperationsTimeout(l.Model, part, l.Timeout) != porcupine.Illegal {
			continue
		}
		idx := make([]int, len(part))
		for k, op := range part {
			idx[k] = op.Metadata.(int)
		}
		sort.Ints(idx)
		steps := make([]string, len(idx))
		for k, i := range idx {
			steps[k] = l.describe(r, ops[i])
		}
		return fmt.Sprintf(": the first partition that is not linearizable alone (%d operations): %s", len(steps), strings.Join(steps, "; "))
	}
	return ""
}

// describe tells one operation: what it did, by which process, at which
// step (its return's, or its call's when it never returned).
func (l Linearizability) describe(r *sim.Result, op sim.Operation) string {
	who := fmt.Sprintf("p%d", op.Proc)
	if op.Proc >= 0 && op.Proc < len(r.Procs) {
		who += " " + r.Procs[op.Proc]
	}
	what := fmt.Sprintf("%v -> %v", op.Input, op.Output)
	if l.Model.DescribeOperation != nil {
		what = l.Model.DescribeOperation(op.Input, op.Output)
	}
	if op.Open() {
		return fmt.Sprintf("%s by %s at step %d", what, who, op.CallStep)
	}
	return fmt.Sprintf("%s by %s at step %d", what, who, op.ReturnStep)
}

// plain is ops as porcupine takes them, without metadata.
func plain(ops []sim.Operation) []porcupine.Operation {
	out := make([]porcupine.Operation, len(ops))
	for i, op := range ops {
		out[i] = porcupine.Operation{ClientId: op.Client, Input: op.Input, Call: op.Call, Output: op.Output, Return: op.Return}
	}
	return out
}

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
func CheckLinearizable(model porcupine.Model, history []sim.Operation, timeout time.Duration) (porcupine.CheckResult, porcupine.LinearizationInfo) {
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

func opMetadata(op sim.Operation) string {
	if op.Open() {
		return fmt.Sprintf("p%d, called at step %d (%v), never returned", op.Proc, op.CallStep, op.CallTime)
	}
	return fmt.Sprintf("p%d, steps %d-%d (%v-%v)", op.Proc, op.CallStep, op.ReturnStep, op.CallTime, op.ReturnTime)
}

// AssertLinearizable fails t unless r's history is linearizable against
// model. When it is not, it writes the visualization, annotated with the
// run's faults and crashes when r has a trace, to a new file
// weft-<test>-seed<seed>-<random>.html (see VisualizeRun) in r.ReportDir,
// or when that is "", in t's artifact directory (t.ArtifactDir() with go
// test -artifacts, else weft-reports/<test> in the test's output
// directory, by default its package's), and names the file. When the check times out it fails as inconclusive: an
// unfinished check is never a pass.
func AssertLinearizable(t testing.TB, model porcupine.Model, r *sim.Result, timeout time.Duration) {
	t.Helper()
	res, info := CheckLinearizable(model, r.History, timeout)
	switch res {
	case porcupine.Ok:
		return
	case porcupine.Unknown:
		t.Fatalf("properties: linearizability check of %d operations (seed %d) inconclusive: it ran out of its %v; a check that did not finish is not a pass", len(r.History), r.Seed, timeout)
		return
	}
	dir := r.ReportDir
	if dir == "" {
		dir = artifacts.Dir(t, ".")
	}
	path, err := VisualizeRun(dir, fmt.Sprintf("weft-%s-seed%d", t.Name(), r.Seed), model, info, r)
	where := "visualization: " + path
	if err != nil {
		where = "the visualization could not be written: " + err.Error()
	}
	t.Fatalf("properties: history of %d operations (seed %d) is not linearizable against the model\n%s", len(r.History), r.Seed, where)
}
