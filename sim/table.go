package sim

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
)

// Owned tables with the rules of Erlang's ets. A table belongs to the
// process that created it and dies with it, which is the whole point: the
// registry incident is a named table created lazily by a short-lived caller,
// destroyed when that caller exited, and every later lookup from a stream
// process failing with badarg inside its receive loop. The rules follow
// erl_db.c:
//
//   - A table is created by a process, its owner, and is destroyed when the
//     owner exits, unless it has an heir that is alive (and is not the owner
//     itself): then the heir becomes the owner and gets an ETSTransfer
//     message. The heir setting stays as it was, so a table inherited once
//     dies with its new owner unless someone sets a new heir.
//   - GiveAway hands a table from its owner to another live process, with
//     the same message.
//   - A named table is found by its name (TableNamed); names are unique among
//     live tables. As ets:new with named_table returns the name, the handle
//     NewTable returns for a named table is bound to the name too: after the
//     table is destroyed and another made with the same name, the handle
//     reaches the new one.
//   - Access: Public tables may be read and written by any process;
//     Protected (the default) ones read by any and written only by the
//     owner; Private ones used only by the owner. Info and Exists work for
//     any process on any table.
//   - Any operation on a table that does not exist, or that its access does
//     not allow, fails with ErrBadArg, and so does creating a named table
//     whose name is taken. The error tells the story: which table, and how
//     it stopped existing.
//
// Every operation is a scheduling point and an event in the trace; keys
// iterate in insertion order, never in Go map order. Tables hold one value
// per key (ets's set type).

// ErrBadArg is the error of an operation that ets would fail with badarg: the
// table does not exist (never created, or destroyed), the caller's access
// does not allow the operation, a named table's name is taken, or an argument
// is wrong (UpdateCounter of a missing key or of a value that is not an int,
// GiveAway to a process that is not alive). Errors returned by table
// operations wrap it: test with errors.Is. Erlang code crashes on badarg; a
// model of it panics with the error, and a Spawned process's crash reason
// then carries it.
var ErrBadArg = errors.New("sim: badarg")

// Access says which processes may use a table.
type Access uint8

const (
	// Protected: any process may read, only the owner may write (ets's
	// default, and so the zero value).
	Protected Access = iota
	// Public: any process may read and write.
	Public
	// Private: only the owner may read or write.
	Private
)

func (a Access) String() string {
	switch a {
	case Protected:
		return "protected"
	case Public:
		return "public"
	case Private:
		return "private"
	}
	return fmt.Sprintf("Access(%d)", uint8(a))
}

// TableOptions says how to create a table. The zero value makes an unnamed,
// protected table without an heir.
type TableOptions struct {
	// Name, when not empty, makes a named table (ets's named_table), found
	// by TableNamed while it exists.
	Name string
	// Access says who may read and write; Protected by default.
	Access Access
	// Heir, when set and alive when the owner exits, inherits the table and
	// gets an ETSTransfer carrying HeirData. An heir that is not alive when
	// the table is created is no heir, as in ets.
	Heir     *Proc
	HeirData any
	// Record records every Insert, InsertNew, Lookup, Delete and
	// UpdateCounter on the table in the world's history (see Result.History),
	// with a TableInput and a TableOutput, for a linearizability check; the
	// client is the calling process's id. Operations through a name whose
	// table has gone are recorded when its last table recorded.
	Record bool

	_ struct{} // disallow positional literals, for extensibility
}

// ETSTransfer is the message a process gets when it becomes a table's
// owner, by inheritance (From is the owner that exited, HeirData the heir
// data) or by GiveAway (From is the giver, HeirData the gift data), as ets's
// {'ETS-TRANSFER', Table, From, HeirData}. Table is the table's handle: a
// *Table[K, V] with the table's types.
type ETSTransfer struct {
	Table    AnyTable
	From     *Proc
	HeirData any
}

// AnyTable is the part of a table's API that does not depend on its key and
// value types; every *Table[K, V] is one, and only they are. It lets a
// process that is handed a table (ETSTransfer) pass it on, or assert it back
// to its *Table[K, V].
type AnyTable interface {
	// Name is the table's name ("" for an unnamed table).
	Name() string
	String() string
	Exists() bool
	Info() (TableInfo, error)
	GiveAway(to *Proc, giftData any) error
	SetHeir(heir *Proc, heirData any) error
	Destroy() error

	isTable()
}

// TableInfo describes a table at one moment (ets:info).
type TableInfo struct {
	Table  AnyTable
	Name   string // "" for an unnamed table
	Owner  *Proc
	Heir   *Proc // nil for none
	Access Access
	Size   int // the number of keys
	// Site is where the table was created, when the world keeps a trace.
	Site string

	_ struct{} // disallow positional literals, for extensibility
}

// TableOp names a table operation in errors, the trace and recorded
// histories (TableInput.Op).
type TableOp uint8

// The operations that Record puts in the history.
const (
	TableInsert TableOp = iota + 1
	TableInsertNew
	TableLookup
	TableDelete
	TableUpdateCounter

	tableNew
	tableSelectAll
	tableSize
	tableInfo
	tableExists
	tableGiveAway
	tableSetHeir
	tableDestroy
	tableInherit   // the heir took the table (an event, not a call)
	tableOwnerExit // the owner's exit destroyed the table (an event)
	tableOpEnd
)

var tableOpNames = [...]string{
	TableInsert: "Insert", TableInsertNew: "InsertNew", TableLookup: "Lookup",
	TableDelete: "Delete", TableUpdateCounter: "UpdateCounter",
	tableNew: "NewTable", tableSelectAll: "SelectAll", tableSize: "Size",
	tableInfo: "Info", tableExists: "Exists", tableGiveAway: "GiveAway",
	tableSetHeir: "SetHeir", tableDestroy: "Destroy", tableInherit: "inherit",
	tableOwnerExit: "owner exit",
}

func (o TableOp) String() string {
	if o > 0 && o < tableOpEnd {
		return tableOpNames[o]
	}
	return fmt.Sprintf("TableOp(%d)", uint8(o))
}

// TableInput is the input of a recorded table operation: Value is the value
// of Insert and InsertNew and the increment of UpdateCounter, nil otherwise.
type TableInput struct {
	Op    TableOp
	Key   any
	Value any
}

func (in TableInput) String() string {
	switch in.Op {
	case TableInsert, TableInsertNew, TableUpdateCounter:
		return fmt.Sprintf("%v(%s, %s)", in.Op, show(in.Key), show(in.Value))
	}
	return fmt.Sprintf("%v(%s)", in.Op, show(in.Key))
}

// TableOutput is the output of a recorded table operation. Err is the
// operation's error (wrapping ErrBadArg) or nil; when it is nil, Found says
// whether the key was present when the operation took effect, and Value is
// the value Lookup found, the value InsertNew found in its way, or the new
// value of UpdateCounter. Table is the object id of the table the
// operation reached (0 when none existed), so that a model can tell a table
// re-created under the same name, which starts empty, from the one before.
type TableOutput struct {
	Value any
	Found bool
	Err   error
	Table int
}

func (out TableOutput) String() string {
	switch {
	case out.Err != nil:
		return "badarg"
	case !out.Found:
		return "not found"
	case out.Value != nil:
		return show(out.Value)
	}
	return "found"
}

// Entry is one key and its value, as SelectAll returns them.
type Entry[K comparable, V any] struct {
	Key   K
	Value V
}

// Table is a handle on an owned table of values V by key K, as an ets table
// id or name is: NewTable returns one, TableNamed makes one for a name, and
// an ETSTransfer carries one. Handles are cheap and may be shared between
// processes; all their operations are scheduling points, must be called
// from a process of the world, and fail with an error wrapping ErrBadArg
// where ets fails with badarg. The zero Table is no handle: a table needs an
// owner, so there is nothing for it to bind to.
type Table[K comparable, V any] struct {
	w      *World
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
// the world and ownership rules need.
type tableCore struct {
	obj      Object
	w        *World
	self     tableData // the *table[K, V] this core belongs to
	handle   AnyTable  // the handle NewTable returned, sent in ETSTransfer
	access   Access
	owner    *Proc
	heir     *Proc
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

// tableSet is a world's tables. Maps are looked up, never iterated.
type tableSet struct {
	live   []*tableCore          // in creation order
	byName map[string]*tableCore // live named tables
	gone   map[string]*tableCore // the last destroyed table of each name
}

// NewTable creates a table owned by the calling process, as ets:new. It
// fails with ErrBadArg when opts.Name is taken by a live table. It is a
// scheduling point, taken before the name is checked: two processes that
// both found a name free may both try to take it, and the second fails.
func NewTable[K comparable, V any](w *World, opts TableOptions) (*Table[K, V], error) {
	w.mustProc(tableNew)
	w.point()
	p := w.cur
	if opts.Name != "" {
		if c := w.tables.byName[opts.Name]; c != nil {
			err := w.badArg(tableNew, "a table named %q already exists (%v, owned by %s)", opts.Name, &c.obj, procLabel(c.owner))
			w.event(EventNote, &c.obj, int64(tableNew)<<2|2, func() string { return fmt.Sprintf("%v: %v", tableNew, err) })
			return nil, err
		}
	}
	t := &table[K, V]{index: make(map[K]int)}
	c := &t.tableCore
	c.w, c.self, c.access, c.record, c.alive = w, t, opts.Access, opts.Record, true
	c.obj.name = opts.Name
	w.newObject(&c.obj, "table", 1)
	if opts.Heir != nil && opts.Heir.Alive() {
		c.heir, c.heirData = opts.Heir, opts.HeirData
	}
	h := &Table[K, V]{w: w, name: opts.Name, byName: opts.Name != "", t: t}
	c.handle = h
	w.tables.live = append(w.tables.live, c)
	if opts.Name != "" {
		if w.tables.byName == nil {
			w.tables.byName = make(map[string]*tableCore)
		}
		w.tables.byName[opts.Name] = c
	}
	w.own(c, p)
	w.event(EventNote, &c.obj, int64(tableNew)<<2, func() string {
		return fmt.Sprintf("%v %v: %v, owner p%d", tableNew, &c.obj, c.access, p.id)
	})
	return h, nil
}

// TableNamed returns a handle bound to name, as an ets table name is: each
// operation reaches whichever table has that name when it takes effect, and
// fails with ErrBadArg when none has, or when that table's key and value
// types are not K and V. Making the handle is not an operation: it never
// fails and is not a scheduling point.
func TableNamed[K comparable, V any](w *World, name string) *Table[K, V] {
	return &Table[K, V]{w: w, name: name, byName: true}
}

// Tables describes the world's live tables, in creation order, for
// properties and resource accounting. It is not a scheduling point and may
// be called from anywhere, also after the run.
func (w *World) Tables() []TableInfo {
	out := make([]TableInfo, 0, len(w.tables.live))
	for _, c := range w.tables.live {
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
	call := h.call(TableInsert, key, &val, 0)
	t, err := h.reach(TableInsert, true)
	if err == nil {
		t.put(key, val)
	}
	h.w.event(EventNote, h.obj(t), outcome(TableInsert, true, err), func() string {
		return h.detail(t, err, "%v(%s, %s)", TableInsert, show(key), show(val))
	})
	h.ret(call, t, err, false, nil)
	return err
}

// InsertNew sets key to val only if key is absent, and reports whether it
// did (ets:insert_new).
func (h *Table[K, V]) InsertNew(key K, val V) (inserted bool, err error) {
	call := h.call(TableInsertNew, key, &val, 0)
	t, err := h.reach(TableInsertNew, true)
	var old V
	found := false
	if err == nil {
		if i, ok := t.index[key]; ok {
			old, found = t.entries[i].val, true
		} else {
			t.put(key, val)
		}
	}
	h.w.event(EventNote, h.obj(t), outcome(TableInsertNew, !found, err), func() string {
		return h.detail(t, err, "%v(%s, %s) = %v", TableInsertNew, show(key), show(val), !found)
	})
	h.ret(call, t, err, found, &old)
	return err == nil && !found, err
}

// Lookup returns the value of key and whether it was present (ets:lookup).
func (h *Table[K, V]) Lookup(key K) (val V, found bool, err error) {
	call := h.call(TableLookup, key, nil, 0)
	t, err := h.reach(TableLookup, false)
	if err == nil {
		if i, ok := t.index[key]; ok {
			val, found = t.entries[i].val, true
		}
	}
	h.w.event(EventNote, h.obj(t), outcome(TableLookup, found, err), func() string {
		if !found && err == nil {
			return h.detail(t, err, "%v(%s) = not found", TableLookup, show(key))
		}
		return h.detail(t, err, "%v(%s) = %s", TableLookup, show(key), show(val))
	})
	h.ret(call, t, err, found, &val)
	return val, found, err
}

// Delete removes key; deleting an absent key is not an error (ets:delete/2).
func (h *Table[K, V]) Delete(key K) error {
	call := h.call(TableDelete, key, nil, 0)
	t, err := h.reach(TableDelete, true)
	found := false
	if err == nil {
		found = t.remove(key)
	}
	h.w.event(EventNote, h.obj(t), outcome(TableDelete, found, err), func() string {
		return h.detail(t, err, "%v(%s) = %v", TableDelete, show(key), found)
	})
	h.ret(call, t, err, found, nil)
	return err
}

// UpdateCounter adds incr to the int value of key and returns the new value
// (ets:update_counter). It fails with ErrBadArg when key is absent or its
// value is not an int (V must be int, or an interface holding one).
func (h *Table[K, V]) UpdateCounter(key K, incr int) (int, error) {
	call := h.call(TableUpdateCounter, key, nil, incr)
	t, err := h.reach(TableUpdateCounter, true)
	n := 0
	var updated V
	if err == nil {
		if i, ok := t.index[key]; !ok {
			err = h.w.badArg(TableUpdateCounter, "%v has no key %s", &t.obj, show(key))
		} else if cur, isInt := any(t.entries[i].val).(int); !isInt {
			err = h.w.badArg(TableUpdateCounter, "the value of key %s in %v is %T, not an int", show(key), &t.obj, t.entries[i].val)
		} else {
			n = cur + incr
			// V holds an int, so it can hold n: V is int or an interface.
			updated = any(n).(V)
			t.entries[i].val = updated
		}
	}
	h.w.event(EventNote, h.obj(t), outcome(TableUpdateCounter, true, err), func() string {
		return h.detail(t, err, "%v(%s, %d) = %d", TableUpdateCounter, show(key), incr, n)
	})
	h.ret(call, t, err, err == nil, &updated)
	return n, err
}

// SelectAll returns every entry, keys in insertion order (ets:tab2list,
// with an order that replays).
func (h *Table[K, V]) SelectAll() ([]Entry[K, V], error) {
	h.w.mustProc(tableSelectAll)
	h.w.point()
	t, err := h.reach(tableSelectAll, false)
	var out []Entry[K, V]
	if err == nil {
		out = make([]Entry[K, V], 0, t.size)
		for _, e := range t.entries {
			if e.live {
				out = append(out, Entry[K, V]{e.key, e.val})
			}
		}
	}
	h.w.event(EventNote, h.obj(t), outcome(tableSelectAll, true, err), func() string {
		return h.detail(t, err, "%v() = %d entries", tableSelectAll, len(out))
	})
	return out, err
}

// Size is the number of keys (ets:info(T, size)).
func (h *Table[K, V]) Size() (int, error) {
	h.w.mustProc(tableSize)
	h.w.point()
	t, err := h.reach(tableSize, false)
	n := 0
	if err == nil {
		n = t.size
	}
	h.w.event(EventNote, h.obj(t), outcome(tableSize, true, err), func() string {
		return h.detail(t, err, "%v() = %d", tableSize, n)
	})
	return n, err
}

// Info describes the table (ets:info); any process may ask, whatever the
// table's access. For a handle bound to a name, the name's table may have
// other types than K and V.
func (h *Table[K, V]) Info() (TableInfo, error) {
	h.w.mustProc(tableInfo)
	h.w.point()
	c, err := h.reachCore(tableInfo)
	var info TableInfo
	if err == nil {
		info = c.info()
	}
	h.w.event(EventNote, coreObj(c), outcome(tableInfo, true, err), func() string {
		if err != nil {
			return fmt.Sprintf("%v: %v", tableInfo, err)
		}
		return fmt.Sprintf("%v %v: owner p%d, size %d", tableInfo, &c.obj, c.owner.id, c.size)
	})
	return info, err
}

// Exists reports whether the table exists (ets:info(T) =/= undefined): for
// a handle bound to a name, whether a table has that name, whatever its
// types.
func (h *Table[K, V]) Exists() bool {
	h.w.mustProc(tableExists)
	h.w.point()
	c, err := h.reachCore(tableExists)
	h.w.event(EventNote, coreObj(c), outcome(tableExists, err == nil, nil), func() string {
		return fmt.Sprintf("%v %v = %v", tableExists, h, err == nil)
	})
	return err == nil
}

// GiveAway makes to the table's owner and sends it an ETSTransfer with
// giftData (ets:give_away). Only the owner may give a table away, and only
// to another process that is alive; otherwise it fails with ErrBadArg.
func (h *Table[K, V]) GiveAway(to *Proc, giftData any) error {
	w := h.w
	w.mustProc(tableGiveAway)
	w.point()
	c, err := h.reachCore(tableGiveAway)
	if err == nil {
		switch {
		case w.cur != c.owner:
			err = w.badArg(tableGiveAway, "only the owner of %v, %s, may give it away", &c.obj, procLabel(c.owner))
		case to == nil:
			err = w.badArg(tableGiveAway, "to a nil process")
		case to == c.owner:
			err = w.badArg(tableGiveAway, "%v to its own owner", &c.obj)
		case !to.Alive():
			err = w.badArg(tableGiveAway, "%v to %s, which is not alive (it exited with reason %v)", &c.obj, procLabel(to), to.reason)
		}
	}
	if err != nil {
		w.event(EventNote, coreObj(c), outcome(tableGiveAway, true, err), func() string { return fmt.Sprintf("%v: %v", tableGiveAway, err) })
		return err
	}
	w.transfer(c, w.cur, to, giftData, tableGiveAway)
	return nil
}

// SetHeir sets the process that inherits the table when its owner exits
// (ets:setopts(T, {heir, Heir, HeirData})); nil, or a process that is not
// alive, means none. Only the owner may set it.
func (h *Table[K, V]) SetHeir(heir *Proc, heirData any) error {
	w := h.w
	w.mustProc(tableSetHeir)
	w.point()
	c, err := h.reachCore(tableSetHeir)
	if err == nil && w.cur != c.owner {
		err = w.badArg(tableSetHeir, "only the owner of %v, %s, may set its heir", &c.obj, procLabel(c.owner))
	}
	if err == nil {
		c.heir, c.heirData = nil, nil
		if heir != nil && heir.Alive() {
			c.heir, c.heirData = heir, heirData
		}
	}
	w.event(EventNote, coreObj(c), outcome(tableSetHeir, true, err), func() string {
		if err != nil {
			return fmt.Sprintf("%v: %v", tableSetHeir, err)
		}
		return fmt.Sprintf("%v %v: heir %s", tableSetHeir, &c.obj, procLabel(c.heir))
	})
	return err
}

// Destroy deletes the whole table (ets:delete/1). Any process that may
// write to it may destroy it.
func (h *Table[K, V]) Destroy() error {
	w := h.w
	w.mustProc(tableDestroy)
	w.point()
	c, err := h.reachCore(tableDestroy)
	if err == nil {
		err = c.allow(tableDestroy, true)
	}
	if err != nil {
		w.event(EventNote, coreObj(c), outcome(tableDestroy, true, err), func() string { return fmt.Sprintf("%v: %v", tableDestroy, err) })
		return err
	}
	w.destroy(c, tableDestroy, fmt.Sprintf("destroyed at step %d by %s", w.step, procLabel(w.cur)))
	return nil
}

// call starts a keyed operation: it records the call in the history when
// the table records, then takes the operation's scheduling point. The call
// mark comes first so that a process preempted (or killed) at the point has
// an operation in flight, as a real caller would. val (Insert, InsertNew) or
// incr (UpdateCounter) is the operation's value; they are boxed only when
// recording, which keeps the operation free of allocations otherwise.
func (h *Table[K, V]) call(op TableOp, key K, val *V, incr int) OpID {
	w := h.w
	w.mustProc(op)
	id := OpID(-1)
	if h.recording() {
		in := TableInput{Op: op, Key: key}
		switch {
		case val != nil:
			in.Value = *val
		case op == TableUpdateCounter:
			in.Value = incr
		}
		id = w.Call(w.cur.id, in)
	}
	w.point()
	return id
}

// ret ends a recorded operation with its error, or whether it found its key
// and the value it reports (val, nil for none).
func (h *Table[K, V]) ret(id OpID, t *table[K, V], err error, found bool, val *V) {
	if id < 0 {
		return
	}
	out := TableOutput{Err: err}
	if t != nil {
		out.Table = t.obj.id
	}
	if err == nil {
		out.Found = found
		if found && val != nil {
			out.Value = *val
		}
	}
	h.w.Return(id, out)
}

// recording reports whether the table the handle would reach records: for
// a name with no table, whether its last table did.
func (h *Table[K, V]) recording() bool {
	if t := h.t; t != nil && (t.alive || !h.byName) {
		return t.record
	}
	if c := h.w.tables.byName[h.name]; c != nil {
		return c.record
	}
	if c := h.w.tables.gone[h.name]; c != nil {
		return c.record
	}
	return h.t != nil && h.t.record
}

// reach finds the table an operation acts on and checks the caller's
// access, or explains why it cannot.
func (h *Table[K, V]) reach(op TableOp, write bool) (*table[K, V], error) {
	t := h.t
	if t == nil || !t.alive {
		if !h.byName {
			return t, h.w.badArg(op, "%v does not exist (%s)", &t.obj, t.death)
		}
		c := h.w.tables.byName[h.name]
		if c == nil {
			return nil, h.missing(op)
		}
		var ok bool
		if t, ok = c.self.(*table[K, V]); !ok {
			return nil, h.w.badArg(op, "%v holds %s, not %s", &c.obj, c.self.types(), typesOf[K, V]())
		}
		h.t = t
	}
	if t.access == Public || t.owner == h.w.cur { // the common case, inlined
		return t, nil
	}
	return t, t.allow(op, write)
}

// reachCore is reach for operations that do not depend on the types and
// that any process may perform.
func (h *Table[K, V]) reachCore(op TableOp) (*tableCore, error) {
	if t := h.t; t != nil && t.alive {
		return &t.tableCore, nil
	}
	if !h.byName {
		return nil, h.w.badArg(op, "%v does not exist (%s)", &h.t.obj, h.t.death)
	}
	if c := h.w.tables.byName[h.name]; c != nil {
		if t, ok := c.self.(*table[K, V]); ok {
			h.t = t
		}
		return c, nil
	}
	return nil, h.missing(op)
}

// missing explains why no table has the handle's name.
func (h *Table[K, V]) missing(op TableOp) error {
	if c := h.w.tables.gone[h.name]; c != nil {
		return h.w.badArg(op, "no table named %q exists (the last one, %v, was %s)", h.name, &c.obj, c.death)
	}
	return h.w.badArg(op, "no table named %q exists (none was ever created)", h.name)
}

// obj is the object of the table an operation reached, for its event.
func (h *Table[K, V]) obj(t *table[K, V]) *Object {
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

// outcome folds an operation and its result into an event's argument, so
// that the trace hash tells apart a hit from a miss and a badarg.
func outcome(op TableOp, ok bool, err error) int64 {
	switch {
	case err != nil:
		return int64(op)<<2 | 2
	case !ok:
		return int64(op)<<2 | 1
	}
	return int64(op) << 2
}

func coreObj(c *tableCore) *Object {
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
func (c *tableCore) allow(op TableOp, write bool) error {
	p := c.w.cur
	if p == c.owner || c.access == Public || c.access == Protected && !write {
		return nil
	}
	if c.access == Private {
		return c.w.badArg(op, "%v is private: only its owner %s may use it", &c.obj, procLabel(c.owner))
	}
	return c.w.badArg(op, "%v is protected: only its owner %s may write to it", &c.obj, procLabel(c.owner))
}

func (c *tableCore) info() TableInfo {
	return TableInfo{
		Table: c.handle, Name: c.obj.name, Owner: c.owner, Heir: c.heir,
		Access: c.access, Size: c.size, Site: c.obj.site,
	}
}

// own makes p the owner of c, and has p's exit pass c on to its heir or
// destroy it. A hook whose process no longer owns c does nothing, so a
// table given back and forth leaves only idle hooks behind.
func (w *World) own(c *tableCore, p *Proc) {
	c.owner = p
	p.onExit(func(reason any) {
		if c.alive && c.owner == p {
			w.ownerExited(c, p, reason)
		}
	})
}

// ownerExited runs on the exiting owner's coroutine, before its links and
// monitors fire (as erts_db_process_exiting runs before them on the BEAM):
// an heir that is alive and is not the owner takes the table, otherwise it
// is destroyed.
func (w *World) ownerExited(c *tableCore, p *Proc, reason any) {
	if h := c.heir; h != nil && h != p && h.Alive() {
		w.transfer(c, p, h, c.heirData, tableInherit)
		return
	}
	w.destroy(c, tableOwnerExit, fmt.Sprintf("destroyed at step %d when its owner %s exited with reason %v", w.step, procLabel(p), reason))
}

// transfer makes to the owner of c and tells it so. It is not a scheduling
// point: inheritance happens inside the owner's exit.
func (w *World) transfer(c *tableCore, from, to *Proc, data any, op TableOp) {
	w.own(c, to)
	w.event(EventNote, &c.obj, int64(op)<<2|int64(to.id)<<8, func() string {
		return fmt.Sprintf("%v %v: p%d -> p%d", op, &c.obj, from.id, to.id)
	})
	w.deliver(to, ETSTransfer{Table: c.handle, From: from, HeirData: data})
}

// destroy ends c's existence; story says how, for every later badarg.
func (w *World) destroy(c *tableCore, op TableOp, story string) {
	c.alive = false
	c.death = story
	c.size = 0
	c.self.release()
	for i, x := range w.tables.live {
		if x == c {
			w.tables.live = append(w.tables.live[:i], w.tables.live[i+1:]...)
			break
		}
	}
	if name := c.obj.name; name != "" {
		delete(w.tables.byName, name)
		if w.tables.gone == nil {
			w.tables.gone = make(map[string]*tableCore)
		}
		w.tables.gone[name] = c
	}
	w.event(EventDestroy, &c.obj, int64(op)<<2, func() string { return fmt.Sprintf("%v %s", &c.obj, story) })
}

// badArg makes an operation's ErrBadArg, naming the calling process and the
// operation.
func (w *World) badArg(op TableOp, format string, args ...any) error {
	return fmt.Errorf("%w: %s %v: %s", ErrBadArg, procLabel(w.cur), op, fmt.Sprintf(format, args...))
}

// mustProc panics unless a process of the world is running: a table
// operation needs a caller, for ownership and access.
func (w *World) mustProc(op TableOp) {
	if w.cur == nil {
		panic(fmt.Sprintf("sim: table %v called outside a process (from a timer callback, or after the run): table operations need a calling process", op))
	}
}

// show renders a key or value in messages: strings quoted, so that a key
// "a b" reads as one.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// procLabel names a process as reports do: p3 "caller".
func procLabel(p *Proc) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprintf("p%d %q", p.id, p.name)
}
