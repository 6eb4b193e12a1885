package disk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// The disk's kinds of fault, for a sim.FaultPlan to turn on. Their numbers
// are above weft's own (0-99), as any user's kinds are. Each is a Fault
// decision whose default is "no fault", so shrinking turns off the ones a
// failure does not need; each that strikes is an EventFault of the trace.
var (
	// FaultLostWrite loses a write that was not durable when its disk
	// crashed: none of it reaches the platter. Rate: per write that was not
	// durable, per crash.
	FaultLostWrite = sim.NewFaultKind(1101, "disk-lost-write")
	// FaultTornWrite tears a write that was not durable when its disk
	// crashed (and that the crash did not lose): only a prefix of its bytes
	// reaches the platter, at least one and not all of them; the rest of
	// its range keeps what it held before. Rate: per write of two bytes or
	// more that was not durable, per crash.
	FaultTornWrite = sim.NewFaultKind(1102, "disk-torn-write")
	// FaultStall makes an operation take a hundred times its latency, as a
	// disk busy with someone else's work does. Rate: per operation.
	FaultStall = sim.NewFaultKind(1103, "disk-stall")
	// FaultHang makes an operation never complete by itself, as a dead
	// device does: its process waits until the disk crashes (the operation
	// then fails with ErrCrashed) or an exit signal ends it. Rate: per
	// operation.
	FaultHang = sim.NewFaultKind(1104, "disk-hang")
)

// Fate is what a crash did to a write that was not durable.
type Fate uint8

const (
	// Kept: all of it reached the platter (the default, calm outcome).
	Kept Fate = iota
	// Lost: none of it did (FaultLostWrite).
	Lost
	// Torn: a prefix of it did (FaultTornWrite).
	Torn
)

var fateNames = [...]string{Kept: "kept", Lost: "lost", Torn: "torn"}

func (f Fate) String() string {
	if int(f) < len(fateNames) {
		return fateNames[f]
	}
	return fmt.Sprintf("Fate(%d)", uint8(f))
}

// Unsynced is a write (or truncate) that was not durable when its disk
// crashed, and what the crash did to it.
type Unsynced struct {
	// File is the file's name; Seq numbers the file's writes (1, 2, ... in
	// the order they began, across crashes), so a later write has a larger
	// Seq.
	File string
	Seq  int
	// Off and Len are where it wrote and how many bytes; a truncate has
	// Truncate set, its new size in Off, and Len 0.
	Off      int64
	Len      int
	Truncate bool
	Fate     Fate
	// Kept counts the bytes that reached the platter: Len when Kept, 0 when
	// Lost, 1 to Len-1 when Torn.
	Kept int

	_ struct{} // disallow positional literals, for extensibility
}

// String reads as "wal.log write #3 [40,60) lost", "... torn: 12 of 20
// bytes kept", or "wal.log truncate #4 to 40 kept".
func (u Unsynced) String() string {
	s := fmt.Sprintf("%s write #%d [%d,%d) %v", u.File, u.Seq, u.Off, u.Off+int64(u.Len), u.Fate)
	if u.Truncate {
		s = fmt.Sprintf("%s truncate #%d to %d %v", u.File, u.Seq, u.Off, u.Fate)
	}
	if u.Fate == Torn {
		s += fmt.Sprintf(": %d of %d bytes kept", u.Kept, u.Len)
	}
	return s
}

// CrashReport is one crash of a disk (see Crashes).
type CrashReport struct {
	Disk string
	// Step and Time are the run's scheduling point and virtual time when
	// it crashed; Cause says why: "Crash by p0 \"main\"", or "its node p3
	// \"wal/node\" ended: killed".
	Step  int64
	Time  time.Duration
	Cause string
	// Writes lists every write that was not durable, file by file (in the
	// order the files were made), each file's in the order they began.
	Writes []Unsynced

	_ struct{} // disallow positional literals, for extensibility
}

// String reads as `disk "node1" crashed at 10.1ms, step 57 (its node p3
// "wal/node" ended: killed); not durable: wal.log write #3 [40,60) lost`.
func (c CrashReport) String() string {
	s := fmt.Sprintf("disk %q crashed at %v, step %d (%s)", c.Disk, c.Time, c.Step, c.Cause)
	if len(c.Writes) == 0 {
		return s + "; every write was durable"
	}
	parts := make([]string, len(c.Writes))
	for i, u := range c.Writes {
		parts[i] = u.String()
	}
	return s + "; not durable: " + strings.Join(parts, ", ")
}

// resolve decides, at a crash, the fate of every write of f that was not
// durable, in the order they began, applies the survivors to the durable
// data, and drops the cache. It appends what it decided to out.
//
// Each write is decided alone, so a later write may survive an earlier one
// that was lost: the reordering a disk's cache and its elevator allow. The
// decisions are asked only for writes that were not durable, so a crash
// after a sync asks nothing.
func (f *inode) resolve(d *Disk, out []Unsynced) []Unsynced {
	k := d.k
	img := f.durable
	for _, w := range f.ops {
		if w.durable {
			img = w.apply(img, len(w.data))
			continue
		}
		u := Unsynced{File: f.name, Seq: w.seq, Off: w.off, Len: len(w.data), Truncate: w.truncate, Kept: len(w.data)}
		switch {
		case k.Fault(FaultLostWrite):
			u.Fate, u.Kept = Lost, 0
		case len(w.data) >= 2 && k.Fault(FaultTornWrite):
			// Option 0, the default, keeps all but the last byte: the
			// least damage a tear can do.
			u.Fate, u.Kept = Torn, len(w.data)-1-k.Decide(scheduler.Fault, len(w.data)-1)
		}
		if u.Fate != Lost {
			img = w.apply(img, u.Kept)
		}
		k.Event(sim.EventNote, &d.obj, int64(w.seq)<<32|int64(u.Fate)<<24|int64(u.Kept), func() string {
			return "crash: " + u.String()
		})
		out = append(out, u)
	}
	clear(f.ops)
	f.ops = f.ops[:0]
	f.durable = img
	f.cache = slices.Clone(img)
	return out
}
