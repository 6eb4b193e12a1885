package disk

import (
	"errors"
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
)

// Errors of disk operations. They are returned, never panicked: they are the
// operating conditions a storage engine must handle.
var (
	// ErrNotMounted: the disk is not mounted, or is being unmounted, or the
	// File was opened before the disk's latest crash or unmount (a stale
	// handle).
	ErrNotMounted = errors.New("disk: not mounted (or mounted again since the file was opened)")
	// ErrMounted: Mount of a disk that a live process has mounted.
	ErrMounted = errors.New("disk: already mounted")
	// ErrCrashed: the disk crashed while the operation waited. A write or
	// truncate cut short this way may or may not have survived the crash.
	ErrCrashed = errors.New("disk: the disk crashed during the operation")
	// ErrBusy: Unmount while operations are in progress (umount's ebusy).
	ErrBusy = errors.New("disk: busy: operations in progress")
)

// Options says how fast a disk is. The zero value is usable: every zero
// field takes the default written beside it. Negative latencies panic.
type Options struct {
	// ReadLatency is how long ReadAt takes (0: 100µs).
	ReadLatency time.Duration
	// WriteLatency is how long WriteAt and Truncate take (0: 100µs).
	WriteLatency time.Duration
	// SyncLatency is how long Sync and Unmount take (0: 2ms).
	SyncLatency time.Duration

	_ struct{} // disallow positional literals, for extensibility
}

const (
	defaultReadLatency  = 100 * time.Microsecond
	defaultWriteLatency = 100 * time.Microsecond
	defaultSyncLatency  = 2 * time.Millisecond
)

func (o *Options) fill() {
	if o.ReadLatency < 0 || o.WriteLatency < 0 || o.SyncLatency < 0 {
		panic(fmt.Sprintf("disk: negative latency in %+v", *o))
	}
	if o.ReadLatency == 0 {
		o.ReadLatency = defaultReadLatency
	}
	if o.WriteLatency == 0 {
		o.WriteLatency = defaultWriteLatency
	}
	if o.SyncLatency == 0 {
		o.SyncLatency = defaultSyncLatency
	}
}

// Disk is a simulated disk: named files whose writes sit in a volatile cache
// until a sync makes them durable, and a crash that decides what becomes of
// the writes that were not. See the package documentation for its rules.
// A Disk belongs to the world it was made in; its methods are called from
// that world's processes.
type Disk struct {
	k    *sim.Kernel
	obj  sim.Object
	opts Options

	files []*inode // in creation order: a crash decides their writes in this order

	// owner is the process that mounted the disk, nil when it is not
	// mounted. Invariant: owner is alive whenever it is set (its end
	// crashes the disk, which clears it).
	owner *sim.Proc
	// mount counts the mounts; a File is usable only while mount is what it
	// was when the File was opened.
	mount      int
	unmounting bool

	// waiters are the processes waiting in an operation, in the order they
	// began: a crash wakes them in this order.
	waiters []*waiter
}

// runState is a world's record of its disks' crashes, in the order they
// happened, for Crashes.
type runState struct{ crashes []CrashReport }

var crashLog = sim.NewLocal(func(*sim.Kernel) *runState { return &runState{} })

// Crashes lists every crash of every disk of a finished run, in the order
// they happened, with what each did to the writes that were not durable.
func Crashes(r *sim.Result) []CrashReport {
	if s := crashLog.Of(r); s != nil {
		return s.crashes
	}
	return nil
}

// New makes an empty disk named name. It is not mounted: a process mounts
// it with Mount before it opens files.
func New(w *sim.World, name string, opts Options) *Disk {
	opts.fill()
	k := w.Kernel()
	d := &Disk{k: k, opts: opts}
	k.Register(&d.obj, "disk", 1)
	d.obj.SetName(name)
	return d
}

// Name is the disk's name.
func (d *Disk) Name() string { return d.obj.Name() }

// String names the disk as traces and reports do: disk#1 "node1".
func (d *Disk) String() string { return d.obj.String() }

// Mount makes the calling process the disk's node, the process that stands
// for the machine the disk is in: when it ends without unmounting the disk,
// however it ends, the machine has lost power and the disk crashes. Files
// can be opened once the disk is mounted. It fails with ErrMounted when a
// live process has it mounted. Mount is a scheduling point.
func (d *Disk) Mount() error {
	k := d.k
	k.Point()
	if d.owner != nil {
		return ErrMounted
	}
	p := k.Running()
	d.owner = p
	d.mount++
	mount := d.mount
	k.OnExit(p, func(reason any) {
		if d.owner == p && d.mount == mount {
			d.crash(fmt.Sprintf("its node %v %q ended: %v", p, p.Name(), reason))
		}
	})
	k.Event(sim.EventNote, &d.obj, int64(mount), func() string {
		return fmt.Sprintf("mount %v (mount %d)", &d.obj, mount)
	})
	return nil
}

// Unmount is a clean shutdown of the disk by its node: it takes a sync's
// latency, makes every write durable, and leaves the disk unmounted, free
// for the next Mount. Files opened before it fail with ErrNotMounted
// afterwards. It fails with ErrBusy while other operations are in progress,
// and with ErrCrashed when the disk crashes meanwhile. Calling it from a
// process other than the node panics. Unmount is a scheduling point.
func (d *Disk) Unmount() error {
	k := d.k
	k.Point()
	switch p := k.Running(); {
	case d.owner == nil:
		return ErrNotMounted
	case d.owner != p:
		panic(fmt.Sprintf("disk: Unmount of %v by %v %q, not by its node %v %q", &d.obj, p, p.Name(), d.owner, d.owner.Name()))
	case len(d.waiters) > 0:
		return ErrBusy
	}
	d.unmounting = true
	k.Event(sim.EventNote, &d.obj, int64(d.mount), func() string { return fmt.Sprintf("unmount %v", &d.obj) })
	return d.wait("unmount", d.opts.SyncLatency, func() {
		for _, f := range d.files {
			f.flush()
		}
		d.owner = nil
		d.unmounting = false
	}, nil, &d.obj)
}

// Crash cuts the disk's power now, as a power loss or a kernel panic of its
// machine would: the cache is gone, and each write that was not durable is
// decided (kept, lost or torn; see the package documentation). Processes
// waiting in its operations get ErrCrashed, Files opened before it are
// stale, and the disk is unmounted: its node, if it is still alive, no
// longer owns it. Crash is a scheduling point.
func (d *Disk) Crash() {
	k := d.k
	k.Point()
	p := k.Running()
	d.crash(fmt.Sprintf("Crash by %v %q", p, p.Name()))
}

// usable reports whether files opened during mount can be used.
func (d *Disk) usable(mount int) bool {
	return d.owner != nil && !d.unmounting && mount == d.mount
}

// inode finds the file named name, making an empty one if there is none.
func (d *Disk) inode(name string) *inode {
	for _, f := range d.files {
		if f.name == name {
			return f
		}
	}
	f := &inode{name: name}
	d.files = append(d.files, f)
	return f
}

// crash drops the cache. It may run on a dying node's coroutine (OnExit):
// it reaches no scheduling point.
func (d *Disk) crash(cause string) {
	k := d.k
	rep := CrashReport{Disk: d.obj.Name(), Step: k.Step(), Time: k.World().Elapsed(), Cause: cause}
	k.Event(sim.EventNote, &d.obj, int64(d.mount), func() string { return fmt.Sprintf("crash of %v: %s", &d.obj, cause) })
	for _, f := range d.files {
		rep.Writes = f.resolve(d, rep.Writes)
	}
	d.owner = nil
	d.unmounting = false
	waiters := d.waiters
	d.waiters = nil
	for _, wt := range waiters {
		k.StopAlarm(&wt.alarm)
		wt.err = ErrCrashed
		k.Wake(wt.p)
	}
	s := crashLog.Get(k)
	s.crashes = append(s.crashes, rep)
}

// stallFactor is how many times its latency a stalled operation takes.
const stallFactor = 100

// waiter is a process waiting in an operation of the disk, and its
// Withdrawer.
type waiter struct {
	d     *Disk
	p     *sim.Proc
	alarm sim.Alarm // not set when the operation hangs
	err   error     // ErrCrashed when a crash woke it
	// abandon, when not nil, runs when an exit signal ends the process
	// while it waits.
	abandon func()
}

// Withdraw takes a process that an exit signal ends out of the disk's
// waiters: its operation is abandoned (see wait).
func (wt *waiter) Withdraw() {
	wt.d.k.StopAlarm(&wt.alarm)
	wt.d.remove(wt)
	if wt.abandon != nil {
		wt.abandon()
	}
}

func (d *Disk) remove(wt *waiter) {
	for i, x := range d.waiters {
		if x == wt {
			d.waiters = append(d.waiters[:i], d.waiters[i+1:]...)
			return
		}
	}
}

// wait makes the running process wait in operation in for latency, on the
// objects on: then done runs (on the alarm, before the process runs again)
// and wait returns nil. A crash meanwhile makes it return ErrCrashed without
// running done; an exit signal that ends the process runs abandon instead.
// The fault plan may stall the operation (stallFactor times its latency) or
// hang it (it never completes by itself).
func (d *Disk) wait(in string, latency time.Duration, done, abandon func(), on ...*sim.Object) error {
	k := d.k
	wt := &waiter{d: d, p: k.Running(), abandon: abandon}
	d.waiters = append(d.waiters, wt)
	hung := k.Fault(FaultHang)
	if !hung {
		if k.Fault(FaultStall) {
			latency *= stallFactor
		}
		wt.alarm = sim.Alarm{Obj: on[0], Fire: func() {
			d.remove(wt)
			done()
			k.Wake(wt.p)
		}}
		k.SetAlarm(&wt.alarm, k.Deadline(latency))
	}
	arg := int64(latency)
	if hung {
		arg = -1
	}
	k.Event(sim.EventBlock, on[0], arg, func() string {
		if hung {
			return fmt.Sprintf("%s on %v: hung", in, on[0])
		}
		return fmt.Sprintf("%s on %v: %v", in, on[0], latency)
	})
	k.Block(in, wt, on...)
	return wt.err
}
