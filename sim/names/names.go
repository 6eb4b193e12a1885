package names

import (
	"fmt"
	"slices"

	"github.com/weftsim/weft/sim"
)

// registry is a world's names: which process holds which name, and the
// names in registration order.
type registry struct {
	obj    sim.Object
	k      *sim.Kernel
	procOf map[string]*sim.Proc // looked up, never iterated
	nameOf map[*sim.Proc]string // looked up, never iterated
	order  []string             // registered names, oldest first
	hooked map[*sim.Proc]bool   // has an exit hook that releases its name
	refs   int64                // the last call reference handed out
}

var worlds = sim.NewLocal(func(k *sim.Kernel) *registry {
	r := &registry{k: k, procOf: map[string]*sim.Proc{}, nameOf: map[*sim.Proc]string{}, hooked: map[*sim.Proc]bool{}}
	k.Register(&r.obj, "names", 3)
	r.obj.SetName("registry")
	return r
})

func of(w *sim.World) *registry { return worlds.Get(w.Kernel()) }

func (r *registry) note(arg int64, detail func() string) {
	r.k.Event(sim.EventNote, &r.obj, arg, detail)
}

// Register registers p under name, as erlang:register/2. It fails with an
// error wrapping sim.ErrBadArg when name is "" or "undefined", when name is
// taken, when p has a name already, or when p has ended. Register is a
// scheduling point.
func Register(w *sim.World, name string, p *sim.Proc) error {
	r := of(w)
	r.k.Point()
	badarg := func(why string) error {
		r.note(0, func() string { return fmt.Sprintf("register(%q, %v) -> badarg: %s", name, p, why) })
		return fmt.Errorf("%w: register(%q, %v): %s", sim.ErrBadArg, name, p, why)
	}
	switch {
	case name == "" || name == "undefined":
		return badarg("not a name a process can have")
	case p == nil:
		return badarg("not a process")
	case r.procOf[name] != nil:
		return badarg(fmt.Sprintf("the name is taken by %v", r.procOf[name]))
	case r.nameOf[p] != "":
		return badarg(fmt.Sprintf("it is registered as %q already", r.nameOf[p]))
	case !p.Alive():
		return badarg("the process has ended")
	}
	r.procOf[name], r.nameOf[p] = p, name
	r.order = append(r.order, name)
	if !r.hooked[p] {
		r.hooked[p] = true
		r.k.OnExit(p, func(any) { r.release(p) })
	}
	r.note(int64(p.ID()), func() string { return fmt.Sprintf("register(%q, %v)", name, p) })
	return nil
}

// release frees the name of p, which has ended.
func (r *registry) release(p *sim.Proc) {
	name := r.nameOf[p]
	if name == "" {
		return
	}
	r.drop(name, p)
	r.note(int64(p.ID()), func() string { return fmt.Sprintf("%q released: %v ended", name, p) })
}

func (r *registry) drop(name string, p *sim.Proc) {
	delete(r.procOf, name)
	delete(r.nameOf, p)
	r.order = slices.DeleteFunc(r.order, func(n string) bool { return n == name })
}

// Whereis returns the process registered under name, or nil when there is
// none, as erlang:whereis/1 (which returns undefined). It is a scheduling
// point.
func Whereis(w *sim.World, name string) *sim.Proc {
	r := of(w)
	r.k.Point()
	p := r.procOf[name]
	r.note(procID(p), func() string { return fmt.Sprintf("whereis(%q) -> %s", name, describe(p)) })
	return p
}

// Unregister removes name, as erlang:unregister/1; its process goes on. It
// fails with an error wrapping sim.ErrBadArg when name is not registered.
// It is a scheduling point.
func Unregister(w *sim.World, name string) error {
	r := of(w)
	r.k.Point()
	p := r.procOf[name]
	if p == nil {
		r.note(0, func() string { return fmt.Sprintf("unregister(%q) -> badarg", name) })
		return fmt.Errorf("%w: unregister(%q): not a registered name", sim.ErrBadArg, name)
	}
	r.drop(name, p)
	r.note(int64(p.ID()), func() string { return fmt.Sprintf("unregister(%q) (was %v)", name, p) })
	return nil
}

// Send puts msg in the mailbox of the process registered under name, as
// Name ! Msg. It fails with an error wrapping sim.ErrBadArg, and sends
// nothing, when no process has the name. It never blocks, and it is a
// scheduling point.
func Send(w *sim.World, name string, msg any) error {
	r := of(w)
	r.k.Point()
	p := r.procOf[name]
	if p == nil {
		r.note(0, func() string { return fmt.Sprintf("%s ! %v -> badarg: not a registered name", name, msg) })
		return fmt.Errorf("%w: %s ! %v: not a registered name", sim.ErrBadArg, name, msg)
	}
	r.k.Deliver(p, msg)
	return nil
}

// Registered returns the registered names, oldest first, as
// erlang:registered/0 (whose order Erlang leaves open). It only reads.
func Registered(w *sim.World) []string {
	r := worlds.Peek(w.Kernel())
	if r == nil {
		return nil
	}
	return slices.Clone(r.order)
}

// NameOf returns the name p is registered under, "" for none, as
// process_info(P, registered_name). It only reads.
func NameOf(w *sim.World, p *sim.Proc) string {
	r := worlds.Peek(w.Kernel())
	if r == nil {
		return ""
	}
	return r.nameOf[p]
}

func procID(p *sim.Proc) int64 {
	if p == nil {
		return -1
	}
	return int64(p.ID())
}

func describe(p *sim.Proc) string {
	if p == nil {
		return "undefined"
	}
	return p.String()
}
