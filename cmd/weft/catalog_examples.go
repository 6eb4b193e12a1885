package main

import (
	"github.com/weftsim/weft/examples/disk"
	"github.com/weftsim/weft/examples/kv"
	"github.com/weftsim/weft/sim"
)

// kvEntries lists the key-value server over TCP (examples/kv): the
// write-behind server, which loses acknowledged writes when a kill strikes
// its store, its write-through fix, both judged by linearizability under
// kv.Faults, and the write-behind server without faults, which passes: its
// defect needs a fault.
func kvEntries() []entry {
	return []entry{
		{Name: "kv/write-behind", About: "a KV server over TCP acknowledges a PUT once it is queued in its store's mailbox; kills lose acknowledged writes",
			Buggy: true, Scenario: kv.Scenario(kv.WriteBehind), Config: kv.Configure},
		{Name: "kv/write-through", About: "the same, the store applies a PUT before it is acknowledged; a handler whose store died answers nothing",
			Scenario: kv.Scenario(kv.WriteThrough), Config: kv.Configure},
		{Name: "kv/write-behind-no-faults", About: "the write-behind server without faults: every read queues behind the writes, so it passes",
			Scenario: kv.Scenario(kv.WriteBehind), Config: func(cfg *sim.Config) {
				cfg.Properties = append(cfg.Properties, kv.Linearizable())
			}},
	}
}

// diskEntries lists the write-ahead log over a simulated disk
// (examples/disk): the store that acknowledges a PUT before its fsync, which
// loses acknowledged writes when its node is killed and the crash loses or
// tears what was not synced, and its fix, both under disk.Faults.
func diskEntries() []entry {
	return []entry{
		{Name: "disk/ack-before-sync", About: "a write-ahead log acknowledges a PUT, then fsyncs; a crash in between loses or tears the record",
			Buggy: true, Scenario: disk.Scenario(disk.AckBeforeSync), Config: disk.Configure},
		{Name: "disk/sync-before-ack", About: "the same, the record is fsynced before the PUT is acknowledged",
			Scenario: disk.Scenario(disk.SyncBeforeAck), Config: disk.Configure},
	}
}
