package ets

import (
	"fmt"
	"reflect"

	"github.com/weftsim/weft/sim"
)

// Table is a handle on an owned table of values V by key K, as an ets table
// id or name is: New returns one, ByName makes one for a name, and a
// Transfer carries one. Handles are cheap and may be shared between
// processes; all their operations are scheduling points, must be called
// from a process of the world, and fail with an error wrapping
// sim.ErrBadArg where ets fails with badarg. The zero Table is no handle: a
// table needs an owner, so there is nothing for it to bind to.
type Table[K comparable, V any] struct {
	k      *sim.Kernel
	set    *tableSet // the world's tables
	name   string
	byName bool
	// t is the table the handle reached last. A handle bound to a name
	// reaches for the name's table again once t is gone; since names are
	// unique among live tables, a live t is always the name's table.
	t *table[K, V]
}

// table is one table: its rules (tableCore) and its entries in insertion
// order. Invariant: index[k] == i iff entries[i].live && entries[i].key == k;
// size == len(index) == len(entries) - dead.
type table[K comparable, V any] struct {
	tableCore
	index   map[K]int // looked up, never iterated: iteration goes by entries
	entries []entry[K, V]
	dead    int // deleted entries not yet compacted away
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	live bool
}

// tableCore is the part of a table that does not depend on its types: what
// the ownership rules need.
type tableCore struct {
	obj      sim.Object
	k        *sim.Kernel
	set      *tableSet
	self     tableData // the *table[K, V] this core belongs to
	handle   AnyTable  // the handle New returned, sent in Transfer
	access   Access
	owner    *sim.Proc
	heir     *sim.Proc
	heirData any
	record   bool
	alive    bool
	size     int
	death    string // how it stopped existing, for badarg messages
}

type tableData interface {
	release()
	types() string
}

// tableSet is a world's tables (its value of the Local tables). Maps are
// looked up, never iterated.
type tableSet struct {
	live   []*tableCore          // in creation order
	byName map[string]*tableCore // live named tables
	gone   map[string]*tableCore // the last destroyed table of each name
}

// infos describes the live tables of s, nil for none (or for a nil s).
func (s *tableSet) infos() []Info {
	if s == nil || len(s.live) == 0 {
		return nil
	}
	out := make([]Info, 0, len(s.live))
	for _, c := range s.live {
		out = append(out, c.info())
	}
	return out
}

// Name is the table's name, or "" for an unnamed table.
func (h *Table[K, V]) Name() string { return h.name }

func (h *Table[K, V]) String() string {
	if h.t != nil && (h.t.alive || !h.byName) {
		return h.t.obj.String()
	}
	return fmt.Sprintf("table %q", h.name)
}

func (h *Table[K, V]) isTable() {}

// Insert sets key to val, replacing any value it had (ets:insert on a set).
// A replaced key keeps its place in the iteration order.
func (h *Table[K, V]) Insert(key K, val V) error {
	call := h.call(Insert, key, &val, 0)
	t, err := h.reach(Insert, true)
	if err == nil {
		t.put(key, val)
	}
	h.k.Event(sim.EventNote, h.obj(t), outcome(Insert, true, err), func() string {
		return h.detail(t, err, "%v(%s, %s)", Insert, show(key), show(val))
	})
	h.ret(call, t, err, false, nil)
	return err
}

// InsertNew sets key to val only if key is absent, and reports whether it
// did (ets:insert_new).
func (h *Table[K, V]) InsertNew(key K, val V) (inserted bool, err error) {
	call := h.call(InsertNew, key, &val, 0)
	t, err := h.reach(InsertNew, true)
	var old V
	found := false
	if err == nil {
		if i, ok := t.index[key]; ok {
			old, found = t.entries[i].val, true
		} else {
			t.put(key, val)
		}
	}
	h.k.Event(sim.EventNote, h.obj(t), outcome(InsertNew, !found, err), func() string {
		return h.detail(t, err, "%v(%s, %s) = %v", InsertNew, show(key), show(val), !found)
	})
	h.ret(call, t, err, found, &old)
	return err == nil && !found, err
}

// Lookup returns the value of key and whether it was present (ets:lookup).
func (h *Table[K, V]) Lookup(key K) (val V, found bool, err error) {
	call := h.call(Lookup, key, nil, 0)
	t, err := h.reach(Lookup, false)
	if err == nil {
		if i, ok := t.index[key]; ok {
			val, found = t.entries[i].val, true
		}
	}
	h.k.Event(sim.EventNote, h.obj(t), outcome(Lookup, found, err), func() string {
		if !found && err == nil {
			return h.detail(t, err, "%v(%s) = not found", Lookup, show(key))
		}
		return h.detail(t, err, "%v(%s) = %s", Lookup, show(key), show(val))
	})
	h.ret(call, t, err, found, &val)
	return val, found, err
}

// Delete removes key; deleting an absent key is not an error (ets:delete/2).
func (h *Table[K, V]) Delete(key K) error {
	call := h.call(Delete, key, nil, 0)
	t, err := h.reach(Delete, true)
	found := false
	if err == nil {
		found = t.remove(key)
	}
	h.k.Event(sim.EventNote, h.obj(t), outcome(Delete, found, err), func() string {
		return h.detail(t, err, "%v(%s) = %v", Delete, show(key), found)
	})
	h.ret(call, t, err, found, nil)
	return err
}

// UpdateCounter adds incr to the int value of key and returns the new value
// (ets:update_counter). It fails with sim.ErrBadArg when key is absent or
// its value is not an int (V must be int, or an interface holding one).
func (h *Table[K, V]) UpdateCounter(key K, incr int) (int, error) {
	call := h.call(UpdateCounter, key, nil, incr)
	t, err := h.reach(UpdateCounter, true)
	n := 0
	var updated V
	if err == nil {
		if i, ok := t.index[key]; !ok {
			err = badArg(h.k, UpdateCounter, "%v has no key %s", &t.obj, show(key))
		} else if cur, isInt := any(t.entries[i].val).(int); !isInt {
			err = badArg(h.k, UpdateCounter, "the value of key %s in %v is %T, not an int", show(key), &t.obj, t.entries[i].val)
		} else {
			n = cur + incr
			// V holds an int, so it can hold n: V is int or an interface.
			updated = any(n).(V)
			t.entries[i].val = updated
		}
	}
	h.k.Event(sim.EventNote, h.obj(t), outcome(UpdateCounter, true, err), func() string {
		return h.detail(t, err, "%v(%s, %d) = %d", UpdateCounter, show(key), incr, n)
	})
	h.ret(call, t, err, err == nil, &updated)
	return n, err
}

// SelectAll returns every entry, keys in insertion order (ets:tab2list,
// with an order that replays).
func (h *Table[K, V]) SelectAll() ([]Entry[K, V], error) {
	mustProc(h.k, opSelectAll)
	h.k.Point()
	t, err := h.reach(opSelectAll, false)
	var out []Entry[K, V]
	if err == nil {
		out = make([]Entry[K, V], 0, t.size)
		for _, e := range t.entries {
			if e.live {
				out = append(out, Entry[K, V]{e.key, e.val})
			}
		}
	}
	h.k.Event(sim.EventNote, h.obj(t), outcome(opSelectAll, true, err), func() string {
		return h.detail(t, err, "%v() = %d entries", opSelectAll, len(out))
	})
	return out, err
}

// Size is the number of keys (ets:info(T, size)).
func (h *Table[K, V]) Size() (int, error) {
	mustProc(h.k, opSize)
	h.k.Point()
	t, err := h.reach(opSize, false)
	n := 0
	if err == nil {
		n = t.size
	}
	h.k.Event(sim.EventNote, h.obj(t), outcome(opSize, true, err), func() string {
		return h.detail(t, err, "%v() = %d", opSize, n)
	})
	return n, err
}

// Info describes the table (ets:info); any process may ask, whatever the
// table's access. For a handle bound to a name, the name's table may have
// other types than K and V.
func (h *Table[K, V]) Info() (Info, error) {
	mustProc(h.k, opInfo)
	h.k.Point()
	c, err := h.reachCore(opInfo)
	var info Info
	if err == nil {
		info = c.info()
	}
	h.k.Event(sim.EventNote, coreObj(c), outcome(opInfo, true, err), func() string {
		if err != nil {
			return fmt.Sprintf("%v: %v", opInfo, err)
		}
		return fmt.Sprintf("%v %v: owner p%d, size %d", opInfo, &c.obj, c.owner.ID(), c.size)
	})
	return info, err
}

// Exists reports whether the table exists (ets:info(T) =/= undefined): for
// a handle bound to a name, whether a table has that name, whatever its
// types.
func (h *Table[K, V]) Exists() bool {
	mustProc(h.k, opExists)
	h.k.Point()
	c, err := h.reachCore(opExists)
	h.k.Event(sim.EventNote, coreObj(c), outcome(opExists, err == nil, nil), func() string {
		return fmt.Sprintf("%v %v = %v", opExists, h, err == nil)
	})
	return err == nil
}

// GiveAway makes to the table's owner and sends it a Transfer with giftData
// (ets:give_away). Only the owner may give a table away, and only to
// another process that is alive; otherwise it fails with sim.ErrBadArg.
func (h *Table[K, V]) GiveAway(to *sim.Proc, giftData any) error {
	k := h.k
	mustProc(k, opGiveAway)
	k.Point()
	c, err := h.reachCore(opGiveAway)
	if err == nil {
		switch {
		case k.Running() != c.owner:
			err = badArg(k, opGiveAway, "only the owner of %v, %s, may give it away", &c.obj, procLabel(c.owner))
		case to == nil:
			err = badArg(k, opGiveAway, "to a nil process")
		case to == c.owner:
			err = badArg(k, opGiveAway, "%v to its own owner", &c.obj)
		case !to.Alive():
			err = badArg(k, opGiveAway, "%v to %s, which is not alive (it exited with reason %v)", &c.obj, procLabel(to), to.Reason())
		}
	}
	if err != nil {
		k.Event(sim.EventNote, coreObj(c), outcome(opGiveAway, true, err), func() string { return fmt.Sprintf("%v: %v", opGiveAway, err) })
		return err
	}
	c.transfer(k.Running(), to, giftData, opGiveAway)
	return nil
}

// SetHeir sets the process that inherits the table when its owner exits
// (ets:setopts(T, {heir, Heir, HeirData})); nil, or a process that is not
// alive, means none. Only the owner may set it.
func (h *Table[K, V]) SetHeir(heir *sim.Proc, heirData any) error {
	k := h.k
	mustProc(k, opSetHeir)
	k.Point()
	c, err := h.reachCore(opSetHeir)
	if err == nil && k.Running() != c.owner {
		err = badArg(k, opSetHeir, "only the owner of %v, %s, may set its heir", &c.obj, procLabel(c.owner))
	}
	if err == nil {
		c.heir, c.heirData = nil, nil
		if heir != nil && heir.Alive() {
			c.heir, c.heirData = heir, heirData
		}
	}
	k.Event(sim.EventNote, coreObj(c), outcome(opSetHeir, true, err), func() string {
		if err != nil {
			return fmt.Sprintf("%v: %v", opSetHeir, err)
		}
		return fmt.Sprintf("%v %v: heir %s", opSetHeir, &c.obj, procLabel(c.heir))
	})
	return err
}

// Destroy deletes the whole table (ets:delete/1). Any process that may
// write to it may destroy it.
func (h *Table[K, V]) Destroy() error {
	k := h.k
	mustProc(k, opDestroy)
	k.Point()
	c, err := h.reachCore(opDestroy)
	if err == nil {
		err = c.allow(opDestroy, true)
	}
	if err != nil {
		k.Event(sim.EventNote, coreObj(c), outcome(opDestroy, true, err), func() string { return fmt.Sprintf("%v: %v", opDestroy, err) })
		return err
	}
	c.destroy(opDestroy, fmt.Sprintf("destroyed at step %d by %s", k.Step(), procLabel(k.Running())))
	return nil
}

// call starts a keyed operation: it records the call in the history when
// the table records, then takes the operation's scheduling point. The call
// mark comes first so that a process preempted (or killed) at the point has
// an operation in flight, as a real caller would. val (Insert, InsertNew) or
// incr (UpdateCounter) is the operation's value; they are boxed only when
// recording, which keeps the operation free of allocations otherwise.
func (h *Table[K, V]) call(op Op, key K, val *V, incr int) sim.OpID {
	k := h.k
	mustProc(k, op)
	id := sim.OpID(-1)
	if h.recording() {
		in := Input{Op: op, Key: key}
		switch {
		case val != nil:
			in.Value = *val
		case op == UpdateCounter:
			in.Value = incr
		}
		id = k.World().Call(k.Running().ID(), in)
	}
	k.Point()
	return id
}

// ret ends a recorded operation with its error, or whether it found its key
// and the value it reports (val, nil for none).
func (h *Table[K, V]) ret(id sim.OpID, t *table[K, V], err error, found bool, val *V) {
	if id < 0 {
		return
	}
	out := Output{Err: err}
	if t != nil {
		out.Table = t.obj.ID()
	}
	if err == nil {
		out.Found = found
		if found && val != nil {
			out.Value = *val
		}
	}
	h.k.World().Return(id, out)
}

// recording reports whether the table the handle would reach records: for
// a name with no table, whether its last table did.
func (h *Table[K, V]) recording() bool {
	if t := h.t; t != nil && (t.alive || !h.byName) {
		return t.record
	}
	if c := h.set.byName[h.name]; c != nil {
		return c.record
	}
	if c := h.set.gone[h.name]; c != nil {
		return c.record
	}
	return h.t != nil && h.t.record
}

// reach finds the table an operation acts on and checks the caller's
// access, or explains why it cannot.
func (h *Table[K, V]) reach(op Op, write bool) (*table[K, V], error) {
	t := h.t
	if t == nil || !t.alive {
		if !h.byName {
			return t, badArg(h.k, op, "%v does not exist (%s)", &t.obj, t.death)
		}
		c := h.set.byName[h.name]
		if c == nil {
			return nil, h.missing(op)
		}
		var ok bool
		if t, ok = c.self.(*table[K, V]); !ok {
			return nil, badArg(h.k, op, "%v holds %s, not %s", &c.obj, c.self.types(), typesOf[K, V]())
		}
		h.t = t
	}
	if t.access == Public || t.owner == h.k.Running() { // the common case, inlined
		return t, nil
	}
	return t, t.allow(op, write)
}

// reachCore is reach for operations that do not depend on the types and
// that any process may perform.
func (h *Table[K, V]) reachCore(op Op) (*tableCore, error) {
	if t := h.t; t != nil && t.alive {
		return &t.tableCore, nil
	}
	if !h.byName {
		return nil, badArg(h.k, op, "%v does not exist (%s)", &h.t.obj, h.t.death)
	}
	if c := h.set.byName[h.name]; c != nil {
		if t, ok := c.self.(*table[K, V]); ok {
			h.t = t
		}
		return c, nil
	}
	return nil, h.missing(op)
}

// missing explains why no table has the handle's name.
func (h *Table[K, V]) missing(op Op) error {
	if c := h.set.gone[h.name]; c != nil {
		return badArg(h.k, op, "no table named %q exists (the last one, %v, was %s)", h.name, &c.obj, c.death)
	}
	return badArg(h.k, op, "no table named %q exists (none was ever created)", h.name)
}

// obj is the object of the table an operation reached, for its event.
func (h *Table[K, V]) obj(t *table[K, V]) *sim.Object {
	if t == nil {
		return nil
	}
	return &t.obj
}

// detail renders an operation's event: the operation and its result, or its
// error.
func (h *Table[K, V]) detail(t *table[K, V], err error, format string, args ...any) string {
	if err != nil {
		return err.Error() // it names the process and the operation
	}
	return h.obj(t).String() + " " + fmt.Sprintf(format, args...)
}

func coreObj(c *tableCore) *sim.Object {
	if c == nil {
		return nil
	}
	return &c.obj
}

func (t *table[K, V]) put(key K, val V) {
	if i, ok := t.index[key]; ok {
		t.entries[i].val = val
		return
	}
	t.index[key] = len(t.entries)
	t.entries = append(t.entries, entry[K, V]{key: key, val: val, live: true})
	t.size++
}

func (t *table[K, V]) remove(key K) bool {
	i, ok := t.index[key]
	if !ok {
		return false
	}
	delete(t.index, key)
	t.entries[i] = entry[K, V]{} // let the key and value be collected
	t.dead++
	t.size--
	// Compact once the holes outnumber the entries: amortised O(1) per
	// delete, and iteration stays proportional to the size.
	if t.dead > 16 && t.dead > len(t.entries)/2 {
		j := 0
		for _, e := range t.entries {
			if e.live {
				t.entries[j] = e
				t.index[e.key] = j
				j++
			}
		}
		clear(t.entries[j:])
		t.entries = t.entries[:j]
		t.dead = 0
	}
	return true
}

func (t *table[K, V]) release() {
	t.index, t.entries, t.dead = nil, nil, 0
}

func (t *table[K, V]) types() string { return typesOf[K, V]() }

// typesOf names a table's key and value types for error messages.
func typesOf[K comparable, V any]() string {
	return fmt.Sprintf("keys %v and values %v", reflect.TypeFor[K](), reflect.TypeFor[V]())
}

// allow checks that the calling process may read (or write) the table.
func (c *tableCore) allow(op Op, write bool) error {
	p := c.k.Running()
	if p == c.owner || c.access == Public || c.access == Protected && !write {
		return nil
	}
	if c.access == Private {
		return badArg(c.k, op, "%v is private: only its owner %s may use it", &c.obj, procLabel(c.owner))
	}
	return badArg(c.k, op, "%v is protected: only its owner %s may write to it", &c.obj, procLabel(c.owner))
}

func (c *tableCore) info() Info {
	return Info{
		Table: c.handle, Name: c.obj.Name(), Owner: c.owner, Heir: c.heir,
		Access: c.access, Size: c.size, Site: c.obj.Site(),
	}
}

// own makes p the owner of c, and has p's exit pass c on to its heir or
// destroy it. A hook whose process no longer owns c does nothing, so a
// table given back and forth leaves only idle hooks behind.
func (c *tableCore) own(p *sim.Proc) {
	c.owner = p
	c.k.OnExit(p, func(reason any) {
		if c.alive && c.owner == p {
			c.ownerExited(p, reason)
		}
	})
}

// ownerExited runs on the exiting owner's coroutine, before its links and
// monitors fire (as erts_db_process_exiting runs before them on the BEAM):
// an heir that is alive and is not the owner takes the table, otherwise it
// is destroyed.
func (c *tableCore) ownerExited(p *sim.Proc, reason any) {
	if h := c.heir; h != nil && h != p && h.Alive() {
		c.transfer(p, h, c.heirData, opInherit)
		return
	}
	c.destroy(opOwnerExit, fmt.Sprintf("destroyed at step %d when its owner %s exited with reason %v", c.k.Step(), procLabel(p), reason))
}

// transfer makes to the owner of c and tells it so. It is not a scheduling
// point: inheritance happens inside the owner's exit.
func (c *tableCore) transfer(from, to *sim.Proc, data any, op Op) {
	c.own(to)
	c.k.Event(sim.EventNote, &c.obj, int64(op)<<2|int64(to.ID())<<8, func() string {
		return fmt.Sprintf("%v %v: p%d -> p%d", op, &c.obj, from.ID(), to.ID())
	})
	c.k.Deliver(to, Transfer{Table: c.handle, From: from, HeirData: data})
}

// destroy ends c's existence; story says how, for every later badarg.
func (c *tableCore) destroy(op Op, story string) {
	c.alive = false
	c.death = story
	c.size = 0
	c.self.release()
	s := c.set
	for i, x := range s.live {
		if x == c {
			s.live = append(s.live[:i], s.live[i+1:]...)
			break
		}
	}
	if name := c.obj.Name(); name != "" {
		delete(s.byName, name)
		if s.gone == nil {
			s.gone = make(map[string]*tableCore)
		}
		s.gone[name] = c
	}
	c.k.Event(sim.EventDestroy, &c.obj, int64(op)<<2, func() string { return fmt.Sprintf("%v %s", &c.obj, story) })
}

// badArg makes an operation's sim.ErrBadArg, naming the calling process and
// the operation.
func badArg(k *sim.Kernel, op Op, format string, args ...any) error {
	return fmt.Errorf("%w: %s %v: %s", sim.ErrBadArg, procLabel(k.Running()), op, fmt.Sprintf(format, args...))
}

// mustProc panics unless a process of the world is running: a table
// operation needs a caller, for ownership and access.
func mustProc(k *sim.Kernel, op Op) {
	if k.Running() == nil {
		panic(fmt.Sprintf("ets: table %v called outside a process (from an alarm's Fire, or after the run): table operations need a calling process", op))
	}
}

// procLabel names a process as reports do: p3 "caller".
func procLabel(p *sim.Proc) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprintf("p%d %q", p.ID(), p.Name())
}
