package disk

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
)

// Variant says when the store acknowledges a PUT.
type Variant uint8

const (
	// AckBeforeSync answers a PUT once its record is appended to the log,
	// then syncs the log: the defect. The record is only in the disk's
	// cache when the client hears OK.
	AckBeforeSync Variant = iota + 1
	// SyncBeforeAck answers a PUT only once the Sync that covers its record
	// has returned: the fix.
	SyncBeforeAck
)

var variantNames = [...]string{AckBeforeSync: "ack-before-sync", SyncBeforeAck: "sync-before-ack"}

func (v Variant) String() string {
	if int(v) < len(variantNames) && variantNames[v] != "" {
		return variantNames[v]
	}
	return fmt.Sprintf("Variant(%d)", uint8(v))
}

// Variants lists the variants, the defect first.
func Variants() []Variant { return []Variant{AckBeforeSync, SyncBeforeAck} }

// Process names and the log's file name. Killable and the timelines rely on
// them.
const (
	machineName = "wal/machine"
	nodeName    = "wal/node"
	logName     = "wal.log"
)

// bootDelay is how long the machine takes to come back after its node died.
const bootDelay = time.Millisecond

// machine is the machine the store runs on: a process that boots the node
// (the store process, which mounts the disk) and boots it again whenever it
// dies, until it is told to stop. It is a process of its own so that the
// node can die alone: a kill of the node is the machine losing power, and
// the disk, which belongs to the node, crashes with it.
type machine struct {
	w       *sim.World
	variant Variant
	disk    *Disk
	// node is the node booted last; clients reach the store through it, as
	// Erlang code reaches a registered name. It may be dead, the machine
	// rebooting: a request sent then is dropped, and the client's monitor
	// tells it so at once.
	node *sim.Proc
}

// The store's messages. A request carries its caller and the caller's
// monitor on the node, as gen_server:call tags its request.
type (
	putReq struct {
		key   string
		value int
		from  *sim.Proc
		ref   sim.MonitorRef
	}
	getReq struct {
		key  string
		from *sim.Proc
		ref  sim.MonitorRef
	}
	reply struct {
		ref   sim.MonitorRef
		value int
		found bool
	}
	// stopReq asks the machine, and through it the node, to stop cleanly.
	stopReq struct{}
)

func (m putReq) String() string  { return fmt.Sprintf("put %s=%d from %v", m.key, m.value, m.from) }
func (m getReq) String() string  { return fmt.Sprintf("get %s from %v", m.key, m.from) }
func (m reply) String() string   { return fmt.Sprintf("reply %d (found %v)", m.value, m.found) }
func (m stopReq) String() string { return "stop" }

// run is the machine's process.
func (m *machine) run() {
	w := m.w
	isStop := func(msg any) bool { _, ok := msg.(stopReq); return ok }
	for {
		node, ref := w.SpawnMonitor(nodeName, m.runNode)
		m.node = node
		msg, _ := w.Receive(func(msg any) bool {
			d, ok := msg.(sim.Down)
			return ok && d.Ref == ref || isStop(msg)
		}, sim.Infinity)
		if isStop(msg) {
			w.Send(node, stopReq{})
			w.Receive(func(msg any) bool { d, ok := msg.(sim.Down); return ok && d.Ref == ref }, sim.Infinity)
			return
		}
		// The node died: the machine is down. It boots again unless it is
		// told to stop meanwhile.
		if _, ok := w.Receive(isStop, bootDelay); ok {
			return
		}
	}
}

// runNode is the node: it mounts the disk, recovers the store from its
// log, and serves requests one at a time, in the order they reach its
// mailbox, until it is told to stop. Reads are served from memory, which
// holds what the log holds. A disk error ends it with a crash, as Erlang
// code would; the machine boots it again.
func (m *machine) runNode() {
	w := m.w
	if err := m.disk.Mount(); err != nil {
		panic(err)
	}
	log, recs, err := openWAL(m.disk, logName)
	if err != nil {
		panic(err)
	}
	state := make(map[string]int, len(recs)) // looked up, never iterated
	for _, r := range recs {
		state[r.key] = r.value
	}
	for {
		msg, _ := w.Receive(nil, sim.Infinity)
		switch q := msg.(type) {
		case putReq:
			if err := log.append(record{key: q.key, value: q.value}); err != nil {
				panic(err)
			}
			switch m.variant {
			case AckBeforeSync:
				// BUG: the record is in the disk's cache, not on the
				// platter, and the client hears OK. If the machine goes
				// down before the Sync below returns, the crash may lose
				// the record, and the write the client was promised with
				// it.
				state[q.key] = q.value
				w.Send(q.from, reply{ref: q.ref})
				if err := log.sync(); err != nil {
					panic(err)
				}
			case SyncBeforeAck:
				if err := log.sync(); err != nil {
					panic(err)
				}
				state[q.key] = q.value
				w.Send(q.from, reply{ref: q.ref})
			}
		case getReq:
			v, found := state[q.key]
			w.Send(q.from, reply{ref: q.ref, value: v, found: found})
		case stopReq:
			if err := m.disk.Unmount(); err != nil {
				panic(err)
			}
			return
		}
	}
}
