package ets

import (
	"fmt"

	"github.com/weftsim/weft/sim"
)

// tables is each world's tables.
var tables = sim.NewLocal(func(*sim.Kernel) *tableSet { return &tableSet{} })

// New creates a table owned by the calling process, as ets:new. It fails
// with sim.ErrBadArg when opts.Name is taken by a live table. It is a
// scheduling point, taken before the name is checked: two processes that
// both found a name free may both try to take it, and the second fails.
func New[K comparable, V any](w *sim.World, opts Options) (*Table[K, V], error) {
	k := w.Kernel()
	mustProc(k, opNew)
	k.Point()
	p := k.Running()
	set := tables.Get(k)
	if opts.Name != "" {
		if c := set.byName[opts.Name]; c != nil {
			err := badArg(k, opNew, "a table named %q already exists (%v, owned by %s)", opts.Name, &c.obj, procLabel(c.owner))
			k.Event(sim.EventNote, &c.obj, int64(opNew)<<2|2, func() string { return fmt.Sprintf("%v: %v", opNew, err) })
			return nil, err
		}
	}
	t := &table[K, V]{index: make(map[K]int)}
	c := &t.tableCore
	c.k, c.set, c.self, c.access, c.record, c.alive = k, set, t, opts.Access, opts.Record, true
	c.obj.SetName(opts.Name)
	k.Register(&c.obj, "table", 1)
	if opts.Heir != nil && opts.Heir.Alive() {
		c.heir, c.heirData = opts.Heir, opts.HeirData
	}
	h := &Table[K, V]{k: k, set: set, name: opts.Name, byName: opts.Name != "", t: t}
	c.handle = h
	set.live = append(set.live, c)
	if opts.Name != "" {
		if set.byName == nil {
			set.byName = make(map[string]*tableCore)
		}
		set.byName[opts.Name] = c
	}
	c.own(p)
	k.Event(sim.EventNote, &c.obj, int64(opNew)<<2, func() string {
		return fmt.Sprintf("%v %v: %v, owner p%d", opNew, &c.obj, c.access, p.ID())
	})
	return h, nil
}

// ByName returns a handle bound to name, as an ets table name is: each
// operation reaches whichever table has that name when it takes effect, and
// fails with sim.ErrBadArg when none has, or when that table's key and value
// types are not K and V. Making the handle is not an operation: it never
// fails and is not a scheduling point.
func ByName[K comparable, V any](w *sim.World, name string) *Table[K, V] {
	k := w.Kernel()
	return &Table[K, V]{k: k, set: tables.Get(k), name: name, byName: true}
}

// Tables describes the world's live tables, in creation order (nil for
// none), for properties and resource accounting. It is not a scheduling
// point and may be called from anywhere, also after the run.
func Tables(w *sim.World) []Info { return tables.Peek(w.Kernel()).infos() }

// TablesLeft describes the tables a finished run left alive, in creation
// order (nil for none): what properties read to judge the resources a run
// left behind.
func TablesLeft(r *sim.Result) []Info { return tables.Of(r).infos() }

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

// Options says how to create a table. The zero value makes an unnamed,
// protected table without an heir.
type Options struct {
	// Name, when not empty, makes a named table (ets's named_table), found
	// by ByName while it exists.
	Name string
	// Access says who may read and write; Protected by default.
	Access Access
	// Heir, when set and alive when the owner exits, inherits the table and
	// gets a Transfer carrying HeirData. An heir that is not alive when the
	// table is created is no heir, as in ets.
	Heir     *sim.Proc
	HeirData any
	// Record records every Insert, InsertNew, Lookup, Delete and
	// UpdateCounter on the table in the world's history (see
	// sim.Result.History), with an Input and an Output, for a
	// linearizability check; the client is the calling process's id.
	// Operations through a name whose table has gone are recorded when its
	// last table recorded.
	Record bool

	_ struct{} // disallow positional literals, for extensibility
}

// Transfer is the message a process gets when it becomes a table's owner,
// by inheritance (From is the owner that exited, HeirData the heir data) or
// by GiveAway (From is the giver, HeirData the gift data), as ets's
// {'ETS-TRANSFER', Table, From, HeirData}. Table is the table's handle: a
// *Table[K, V] with the table's types.
type Transfer struct {
	Table    AnyTable
	From     *sim.Proc
	HeirData any
}

// AnyTable is the part of a table's API that does not depend on its key and
// value types; every *Table[K, V] is one, and only they are. It lets a
// process that is handed a table (Transfer) pass it on, or assert it back to
// its *Table[K, V].
type AnyTable interface {
	// Name is the table's name ("" for an unnamed table).
	Name() string
	String() string
	Exists() bool
	Info() (Info, error)
	GiveAway(to *sim.Proc, giftData any) error
	SetHeir(heir *sim.Proc, heirData any) error
	Destroy() error

	isTable()
}

// Info describes a table at one moment (ets:info).
type Info struct {
	Table  AnyTable
	Name   string // "" for an unnamed table
	Owner  *sim.Proc
	Heir   *sim.Proc // nil for none
	Access Access
	Size   int // the number of keys
	// Site is where the table was created, when the world keeps a trace.
	Site string

	_ struct{} // disallow positional literals, for extensibility
}

// Entry is one key and its value, as SelectAll returns them.
type Entry[K comparable, V any] struct {
	Key   K
	Value V
}
