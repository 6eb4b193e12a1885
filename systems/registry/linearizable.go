package registry

import (
	"fmt"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/ets"
)

// checkTimeout bounds one run's linearizability check; a check that runs
// out is a failure (inconclusive), never a pass.
const checkTimeout = 10 * time.Second

// Linearizable is P3 as an end-of-run check: the reference table's
// operations, which the table records in the run's history
// (ets.Options.Record), must be linearizable against model.KV. The table is
// judged by its name, as the library uses it: a table destroyed and made
// again under the same name is the same key-value store to its users, so
// one that comes back empty loses their mappings. An operation that failed
// with badarg changed nothing and fits anywhere.
//
// On a violation it names the key whose history breaks the model and, when
// the run kept a trace (as the replay of a failing run does: Explore's
// report, weft replay), writes porcupine's visualization to the system's
// temporary directory, annotated with the scheduler steps of the run's table
// deaths, process crashes and kills, and faults.
func Linearizable() sim.Property {
	return sim.Property{Name: LinearizableRefs.String(), Check: checkLinearizable}
}

func checkLinearizable(r *sim.Result) error {
	ops := kvHistory(r.History)
	// Most runs pass: check them without the visualization's metadata,
	// which costs more than the check itself.
	if porcupine.CheckOperationsTimeout(model.KV, plain(ops), checkTimeout) == porcupine.Ok {
		return nil
	}
	res, info := sim.CheckLinearizable(model.KV, ops, checkTimeout)
	switch res {
	case porcupine.Ok:
		return nil
	case porcupine.Unknown:
		return fmt.Errorf("inconclusive: the check of %d operations did not finish within %v", len(ops), checkTimeout)
	}
	story := badKey(r, ops)
	if len(r.Trace) == 0 {
		// An exploring or shrinking run keeps no trace: the visualization
		// would have no steps to show, and shrinking would leave a file per
		// candidate. The traced replay of the failure writes it.
		return fmt.Errorf("the reference table is not linearizable against a key-value store (%d operations)%s; replay the run for porcupine's annotated visualization", len(ops), story)
	}
	path := sim.VisualizationPath(r)
	if err := sim.VisualizeRun(path, model.KV, info, r); err != nil {
		return fmt.Errorf("the reference table is not linearizable against a key-value store (%d operations)%s; writing the visualization failed: %v", len(ops), story, err)
	}
	return fmt.Errorf("the reference table is not linearizable against a key-value store (%d operations)%s; see %s", len(ops), story, path)
}

// kvHistory turns the recorded table operations into model.KV's.
func kvHistory(history []sim.Operation) []sim.Operation {
	out := make([]sim.Operation, 0, len(history))
	for _, op := range history {
		in, ok := op.Input.(ets.Input)
		if !ok {
			continue
		}
		kin := model.KVInput{Key: kvKey(in.Key), Value: in.Value}
		switch in.Op {
		case ets.Insert:
			kin.Op = model.Put
		case ets.InsertNew:
			kin.Op = model.PutNew
		case ets.Lookup:
			kin.Op = model.Get
		case ets.Delete:
			kin.Op = model.Delete
		default:
			continue
		}
		op.Input = kin
		if o, ok := op.Output.(ets.Output); ok {
			kout := model.KVOutput{Value: o.Value, Found: o.Found, FoundUnknown: in.Op == ets.Insert}
			if o.Err != nil {
				kout.Err = "badarg"
			}
			op.Output = kout
		} // else: open (its process ended first), nil as the model expects
		out = append(out, op)
	}
	return out
}

// plain is ops as porcupine takes them, without metadata.
func plain(ops []sim.Operation) []porcupine.Operation {
	out := make([]porcupine.Operation, len(ops))
	for i, op := range ops {
		out[i] = porcupine.Operation{ClientId: op.Client, Input: op.Input, Call: op.Call, Output: op.Output, Return: op.Return}
	}
	return out
}

// kvKey names a table key for the model: the table maps StringIDs to Refs
// and Refs to StringIDs.
func kvKey(k any) string {
	switch k := k.(type) {
	case Ref:
		return "ref " + k.String()
	case StringID:
		return "id " + string(k)
	}
	return fmt.Sprintf("%T %v", k, k)
}

// badKey finds the first key whose operations alone are not linearizable and
// tells their story, in call order.
func badKey(r *sim.Result, ops []sim.Operation) string {
	var keys []string
	byKey := map[string][]sim.Operation{} // looked up by key, in keys order
	for _, op := range ops {
		k := op.Input.(model.KVInput).Key
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], op)
	}
	for _, k := range keys {
		kops := byKey[k]
		if res, _ := sim.CheckLinearizable(model.KV, kops, checkTimeout); res != porcupine.Illegal {
			continue
		}
		var steps []string
		for _, op := range kops {
			steps = append(steps, describeOp(r, op))
		}
		return fmt.Sprintf(": key %q: %s", k, strings.Join(steps, "; "))
	}
	return ""
}

func describeOp(r *sim.Result, op sim.Operation) string {
	who := fmt.Sprintf("p%d", op.Proc)
	if op.Proc >= 0 && op.Proc < len(r.Procs) {
		who += " " + r.Procs[op.Proc]
	}
	s := model.KV.DescribeOperation(op.Input, op.Output)
	if op.Open() {
		return fmt.Sprintf("%s by %s at step %d", s, who, op.CallStep)
	}
	return fmt.Sprintf("%s by %s at step %d", s, who, op.ReturnStep)
}
