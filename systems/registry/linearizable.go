package registry

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/properties"
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
// The check is properties.Linearizable's: on a violation it tells the story
// of the first key whose operations alone break the model and, when the run
// kept a trace (as the replay of a failing run does: Explore's report, weft
// replay), writes porcupine's visualization to the system's temporary
// directory, annotated with the scheduler steps of the run's table deaths,
// process crashes and kills, and faults. What is the registry's own is the
// mapping of table operations to model.KV's (kvHistory, kvKey).
func Linearizable() sim.Property {
	return properties.Linearizable(properties.Linearizability{
		Name:    LinearizableRefs.String(),
		Model:   model.KV,
		Timeout: checkTimeout,
		History: kvHistory,
		Message: "the reference table is not linearizable against a key-value store",
	})
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
