package disk

import (
	"fmt"
	"io"
	"slices"

	"github.com/weftsim/weft/sim"
)

// inode is a file's data. Invariants: durable is what survives any crash;
// cache is durable with every write of ops applied in order; ops holds the
// writes not yet folded into durable, in the order they began, and its
// first write is not durable (fold keeps it so).
type inode struct {
	name    string
	durable []byte
	cache   []byte
	ops     []*write
	seq     int // writes made so far: the next one is seq+1
}

// write is one write or truncate of a file, from the moment it began until a
// sync folds it into the durable data or a crash decides its fate.
type write struct {
	seq      int
	truncate bool
	off      int64  // where it writes; for a truncate, the size it sets
	data     []byte // what it writes (a copy)
	returned bool   // it returned (or its process ended): a sync that begins now covers it
	durable  bool   // a sync covered it and returned
}

// apply applies the first n bytes of w (all of a truncate) to img.
func (w *write) apply(img []byte, n int) []byte {
	if w.truncate {
		if int64(len(img)) >= w.off {
			clear(img[w.off:])
			return img[:w.off]
		}
		return append(img, make([]byte, int(w.off)-len(img))...)
	}
	end := int(w.off) + n
	if end > len(img) {
		img = append(img, make([]byte, end-len(img))...)
	}
	copy(img[w.off:end], w.data[:n])
	return img
}

// begin starts a write: it reaches the cache now, and waits for a sync.
func (f *inode) begin(w *write) {
	f.seq++
	w.seq = f.seq
	f.cache = w.apply(f.cache, len(w.data))
	f.ops = append(f.ops, w)
}

// fold moves the durable writes at the head of ops into durable.
func (f *inode) fold() {
	i := 0
	for ; i < len(f.ops) && f.ops[i].durable; i++ {
		f.durable = f.ops[i].apply(f.durable, len(f.ops[i].data))
	}
	clear(f.ops[:i])
	f.ops = f.ops[i:]
}

// flush makes every write durable: a clean unmount.
func (f *inode) flush() {
	for _, w := range f.ops {
		w.durable = true
	}
	f.fold()
}

// File is a handle on a file of a mounted disk, made by Open. It is usable
// until the disk next crashes or is unmounted; after that its operations
// fail with ErrNotMounted, and the file must be opened again. Any process
// may use it; a File needs no closing.
type File struct {
	d     *Disk
	f     *inode
	obj   sim.Object
	mount int
}

// Open opens the file named name on the disk, making an empty one if there
// is none. Making a file is durable at once (the disk has no directories to
// sync). It fails with ErrNotMounted when the disk is not mounted. Open is a
// scheduling point and takes no virtual time.
func (d *Disk) Open(name string) (*File, error) {
	k := d.k
	k.Point()
	if !d.usable(d.mount) {
		return nil, ErrNotMounted
	}
	f := &File{d: d, f: d.inode(name), mount: d.mount}
	k.Register(&f.obj, "file", 1)
	f.obj.SetName(name)
	k.Event(sim.EventNote, &f.obj, int64(len(f.f.cache)), func() string {
		return fmt.Sprintf("open %v on %v: %d bytes", &f.obj, &d.obj, len(f.f.cache))
	})
	return f, nil
}

// Name is the file's name.
func (f *File) Name() string { return f.f.name }

// String names the handle as traces and reports do: file#3 "wal.log".
func (f *File) String() string { return f.obj.String() }

// check starts an operation: its scheduling point, and the handle's test.
func (f *File) check() error {
	f.d.k.Point()
	if !f.d.usable(f.mount) {
		return ErrNotMounted
	}
	return nil
}

// WriteAt writes p at offset off, extending the file (with zeros between its
// end and off) if it must, and returns len(p). The write reaches the disk's
// cache at once, where every read sees it, and is durable only once a Sync
// that began after WriteAt returned has returned. It takes the write
// latency; a crash meanwhile fails it with ErrCrashed (the write may then
// survive or not, as every write that was not durable). An empty p writes
// nothing and takes no time. A negative off panics. WriteAt is a scheduling
// point.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		panic(fmt.Sprintf("disk: WriteAt at negative offset %d", off))
	}
	if err := f.check(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	return len(p), f.modify(&write{off: off, data: slices.Clone(p)})
}

// Truncate sets the file's size, cutting it or extending it with zeros. Like
// a write, it reaches the cache at once and is durable only through a Sync
// that began after it returned. It takes the write latency. A negative
// size panics. Truncate is a scheduling point.
func (f *File) Truncate(size int64) error {
	if size < 0 {
		panic(fmt.Sprintf("disk: Truncate to negative size %d", size))
	}
	if err := f.check(); err != nil {
		return err
	}
	return f.modify(&write{truncate: true, off: size})
}

// modify begins w and waits out its latency.
func (f *File) modify(w *write) error {
	d, k := f.d, f.d.k
	f.f.begin(w)
	k.Event(sim.EventNote, &f.obj, w.off<<16^int64(len(w.data))<<1^boolArg(w.truncate), func() string {
		return fmt.Sprintf("%v of %v", w, &f.obj)
	})
	in := "write"
	if w.truncate {
		in = "truncate"
	}
	// Whether it returns or its process ends, the write has left the
	// process: a sync that begins from then on covers it.
	returned := func() { w.returned = true }
	return d.wait(in, d.opts.WriteLatency, returned, returned, &f.obj, &d.obj)
}

// String describes a write for traces and reports: write #3 [40,60), or
// truncate #4 to 40.
func (w *write) String() string {
	if w.truncate {
		return fmt.Sprintf("truncate #%d to %d", w.seq, w.off)
	}
	return fmt.Sprintf("write #%d [%d,%d)", w.seq, w.off, w.off+int64(len(w.data)))
}

// ReadAt reads len(p) bytes at offset off into p, as the disk's cache has
// them when the read completes: every write that began before then, synced
// or not. Like os.File.ReadAt it returns io.EOF when it reads fewer than
// len(p) bytes because the file ends. It takes the read latency, and fails
// with ErrCrashed when the disk crashes meanwhile. A negative off panics.
// ReadAt is a scheduling point.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		panic(fmt.Sprintf("disk: ReadAt at negative offset %d", off))
	}
	if err := f.check(); err != nil {
		return 0, err
	}
	d := f.d
	n := 0
	err := d.wait("read", d.opts.ReadLatency, func() {
		if off < int64(len(f.f.cache)) {
			n = copy(p, f.f.cache[off:])
		}
	}, nil, &f.obj, &d.obj)
	switch {
	case err != nil:
		return 0, err
	case n < len(p):
		return n, io.EOF
	}
	return n, nil
}

// Size is the file's size, as the disk's cache has it. It is a scheduling
// point and takes no virtual time.
func (f *File) Size() (int64, error) {
	if err := f.check(); err != nil {
		return 0, err
	}
	return int64(len(f.f.cache)), nil
}

// Sync is fsync: it makes durable every write of the file that had returned
// when Sync began, once it returns. Writes still in progress then, and
// writes that begin while it waits, are not covered: they need a later Sync.
// It takes the sync latency, and fails with ErrCrashed when the disk crashes
// meanwhile: nothing it covered is then durable by its doing. A process that
// an exit signal ends while it waits abandons it, with the same effect.
// Sync is a scheduling point.
func (f *File) Sync() error {
	if err := f.check(); err != nil {
		return err
	}
	d, k, ino := f.d, f.d.k, f.f
	var covered []*write
	for _, w := range ino.ops {
		if w.returned && !w.durable {
			covered = append(covered, w)
		}
	}
	k.Event(sim.EventNote, &f.obj, int64(len(covered)), func() string {
		return fmt.Sprintf("fsync %v: %d writes to make durable", &f.obj, len(covered))
	})
	return d.wait("fsync", d.opts.SyncLatency, func() {
		for _, w := range covered {
			w.durable = true
		}
		ino.fold()
		k.Event(sim.EventNote, &f.obj, int64(len(covered)), func() string {
			return fmt.Sprintf("fsync %v done: %d writes durable", &f.obj, len(covered))
		})
	}, nil, &f.obj, &d.obj)
}

func boolArg(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
