package disk_test

// The disk's rules, one test each. Method: run a small scenario on one disk
// (sim.Run, the calm schedule unless a test explores seeds), crash it, mount
// it again and read back what survived; compare with what the rule says,
// and with what Crashes reports the crash did. Faults are turned on only by
// the tests about them, each through a sim.FaultPlan.

import (
	"errors"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/examples/disk"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// calm is the calm schedule (every decision its default) under plan.
func calm(plan sim.FaultPlan) sim.Config {
	return sim.Config{Strategy: scheduler.Replay(nil), Faults: plan, KeepTrace: true}
}

// striking is the calm schedule with the given kinds of fault turned on and
// striking at every opportunity: every Fault decision takes its last option.
func striking(kinds ...sim.FaultKind) sim.Config {
	var plan sim.FaultPlan
	for _, k := range kinds {
		plan = plan.With(k, 0.5)
	}
	return sim.Config{Strategy: faultsStrike{}, Faults: plan, KeepTrace: true}
}

// faultsStrike is a strategy that takes the default of every decision but
// a Fault decision, where it takes the last option: the fault strikes (a
// torn write keeps a single byte).
type faultsStrike struct{}

func (faultsStrike) Choose(p scheduler.Point) int {
	if p.Kind == scheduler.Fault {
		return p.N - 1
	}
	return 0
}

// mounted mounts d and opens name on it, failing the run on an error.
func mounted(w *sim.World, d *disk.Disk, name string) *disk.File {
	if err := d.Mount(); err != nil {
		w.Fatalf("mount: %v", err)
	}
	f, err := d.Open(name)
	if err != nil {
		w.Fatalf("open: %v", err)
	}
	return f
}

// contents reads the whole of f.
func contents(w *sim.World, f *disk.File) string {
	size, err := f.Size()
	if err != nil {
		w.Fatalf("size: %v", err)
	}
	buf := make([]byte, size)
	if n, err := f.ReadAt(buf, 0); err != nil || n != len(buf) {
		w.Fatalf("read: %d bytes, %v", n, err)
	}
	return string(buf)
}

func write(w *sim.World, f *disk.File, s string, off int64) {
	if _, err := f.WriteAt([]byte(s), off); err != nil {
		w.Fatalf("write: %v", err)
	}
}

func sync(w *sim.World, f *disk.File) {
	if err := f.Sync(); err != nil {
		w.Fatalf("sync: %v", err)
	}
}

// afterCrash crashes d, mounts it again and returns name's contents.
func afterCrash(w *sim.World, d *disk.Disk, name string) string {
	d.Crash()
	return contents(w, mounted(w, d, name))
}

func passes(t *testing.T, cfg sim.Config, scenario func(w *sim.World)) *sim.Result {
	t.Helper()
	r := sim.Run(cfg, scenario)
	require.Nil(t, r.Failure)
	return r
}

// TestSyncMakesDurable: a write that returned before a Sync began survives
// any crash after the Sync returned; one that came after does not, when
// every unsynced write is lost.
func TestSyncMakesDurable(t *testing.T) {
	var before, after string
	r := passes(t, striking(disk.FaultLostWrite), func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		f := mounted(w, d, "f")
		write(w, f, "synced", 0)
		sync(w, f)
		write(w, f, "-lost", 6)
		before = contents(w, f)
		after = afterCrash(w, d, "f")
	})
	require.Equal(t, "synced-lost", before, "reads see the cache")
	require.Equal(t, "synced", after)
	crashes := disk.Crashes(r)
	require.Len(t, crashes, 2, "the Crash, then the end of main, the disk's node")
	require.Equal(t, `its node p0 "main" ended: normal`, crashes[1].Cause)
	require.Equal(t, "d", crashes[0].Disk)
	require.Equal(t, `Crash by p0 "main"`, crashes[0].Cause)
	require.Len(t, crashes[0].Writes, 1)
	u := crashes[0].Writes[0]
	require.Equal(t, "f write #2 [6,11) lost", u.String())
	require.Equal(t, disk.Lost, u.Fate)
}

// TestSyncCoversOnlyReturnedWrites: a Sync makes durable the writes that
// had returned when it began, not a write still in progress then, nor one
// that began while it waited.
func TestSyncCoversOnlyReturnedWrites(t *testing.T) {
	var after string
	passes(t, striking(disk.FaultLostWrite), func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		f := mounted(w, d, "f")
		write(w, f, "a", 0)
		wg := sim.NewWaitGroup(w)
		wg.Go("in progress", func() { write(w, f, "b", 1) }) // begins before the sync, returns during it
		w.Yield()
		wg.Go("during", func() {
			w.Sleep(time.Millisecond) // begins during the sync
			write(w, f, "c", 2)
		})
		sync(w, f)
		wg.Wait()
		after = afterCrash(w, d, "f")
	})
	require.Equal(t, "a", after)
}

// TestCrashWithoutFaultsKeepsEverything: with no disk fault in the plan, a
// crash keeps every write, synced or not, in order, truncates included; so
// does the crash of a node that ends without unmounting.
func TestCrashWithoutFaultsKeepsEverything(t *testing.T) {
	var before, after, afterNode string
	r := passes(t, calm(sim.FaultPlan{}), func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		f := mounted(w, d, "f")
		write(w, f, "hello world", 0)
		sync(w, f)
		write(w, f, "HELLO", 0)
		if err := f.Truncate(8); err != nil {
			w.Fatalf("truncate: %v", err)
		}
		write(w, f, "!", 10)
		before = contents(w, f)
		after = afterCrash(w, d, "f")
		if err := d.Unmount(); err != nil {
			w.Fatalf("unmount: %v", err)
		}
		node := w.Spawn("node", func() {
			f := mounted(w, d, "f")
			write(w, f, "bye", 0)
		})
		for node.Alive() {
			w.Sleep(time.Millisecond)
		}
		afterNode = contents(w, mounted(w, d, "f"))
	})
	require.Equal(t, "HELLO wo\x00\x00!", before)
	require.Equal(t, before, after)
	require.Equal(t, "byeLO wo\x00\x00!", afterNode)
	crashes := disk.Crashes(r)
	require.Len(t, crashes, 3, "the Crash, the node's end, main's end")
	require.Len(t, crashes[0].Writes, 3)
	for _, u := range crashes[0].Writes {
		require.Equal(t, disk.Kept, u.Fate, "%v", u)
	}
	require.Equal(t, `its node p1 "node" ended: normal`, crashes[1].Cause)
	faults := 0
	for _, e := range r.Trace {
		if e.Kind == sim.EventFault {
			faults++
		}
	}
	require.Zero(t, faults)
	for _, dc := range r.Decisions {
		require.NotEqual(t, scheduler.Fault, dc.Kind, "with no disk fault in the plan, a crash asks nothing")
	}
}

// TestUnmountIsClean: Unmount makes every write durable, even when every
// unsynced write would be lost; then nothing is left for a crash to lose.
func TestUnmountIsClean(t *testing.T) {
	var after string
	r := passes(t, striking(disk.FaultLostWrite), func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		node := w.Spawn("node", func() {
			f := mounted(w, d, "f")
			write(w, f, "kept", 0)
			if err := d.Unmount(); err != nil {
				w.Fatalf("unmount: %v", err)
			}
		})
		for node.Alive() {
			w.Sleep(time.Millisecond)
		}
		after = afterCrash(w, d, "f")
	})
	require.Equal(t, "kept", after)
	crashes := disk.Crashes(r)
	require.Len(t, crashes, 2, "the Crash and main's end; not the node's, which had unmounted")
	require.Equal(t, `Crash by p0 "main"`, crashes[0].Cause)
	require.Empty(t, crashes[0].Writes)
}

// TestFaultsLoseTearAndReorder: under lost and torn faults, each unsynced
// write is kept, lost or torn on its own, so across seeds every fate
// appears, and a later write survives an earlier lost one (reordering).
// What the crash reports is exactly what a read after it finds.
func TestFaultsLoseTearAndReorder(t *testing.T) {
	plan := sim.FaultPlan{}.With(disk.FaultLostWrite, 0.3).With(disk.FaultTornWrite, 0.3)
	records := []string{"aaaa", "bbbb", "cccc", "dddd"}
	fates := map[disk.Fate]int{}
	reordered := 0
	for seed := range uint64(100) {
		var after string
		r := sim.Run(sim.Config{Seed: seed, Faults: plan}, func(w *sim.World) {
			d := disk.New(w, "d", disk.Options{})
			f := mounted(w, d, "f")
			for i, rec := range records {
				write(w, f, rec, int64(4*i))
			}
			after = afterCrash(w, d, "f")
		})
		require.Nil(t, r.Failure, "seed %d", seed)
		crashes := disk.Crashes(r)
		require.Len(t, crashes, 2, "the Crash and main's end")
		// Rebuild the file from the report, and compare.
		img := []byte{}
		lost := false
		for i, u := range crashes[0].Writes {
			require.Equal(t, i+1, u.Seq)
			fates[u.Fate]++
			if u.Fate == disk.Lost {
				lost = true
			} else if lost {
				reordered++
				lost = false
			}
			if u.Kept > 0 {
				for len(img) < int(u.Off)+u.Kept {
					img = append(img, 0)
				}
				copy(img[u.Off:], records[i][:u.Kept])
			}
			switch u.Fate {
			case disk.Kept:
				require.Equal(t, u.Len, u.Kept)
			case disk.Lost:
				require.Zero(t, u.Kept)
			case disk.Torn:
				require.True(t, u.Kept >= 1 && u.Kept < u.Len, "%v", u)
			}
		}
		require.Equal(t, string(img), after, "seed %d: %v", seed, crashes[0])
	}
	t.Logf("fates over 100 crashes of 4 writes: %v; %d later writes survived an earlier lost one", fates, reordered)
	require.Positive(t, fates[disk.Kept])
	require.Positive(t, fates[disk.Lost])
	require.Positive(t, fates[disk.Torn])
	require.Positive(t, reordered)
}

// TestFaultsShrinkToTheCalmOutcome: every fate is a Fault decision whose
// default keeps the write: replaying a crash's log with its decisions set to
// their defaults keeps everything.
func TestFaultsShrinkToTheCalmOutcome(t *testing.T) {
	cfg := striking(disk.FaultLostWrite, disk.FaultTornWrite)
	var after string
	scenario := func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		f := mounted(w, d, "f")
		write(w, f, "abc", 0)
		write(w, f, "def", 3)
		after = afterCrash(w, d, "f")
		if err := d.Unmount(); err != nil {
			w.Fatalf("unmount: %v", err)
		}
	}
	r := passes(t, cfg, scenario)
	require.Equal(t, "", after, "both lost")
	require.Len(t, r.Decisions, 2, "one lost-write decision per write; a lost write is not also torn")
	var calmed []scheduler.Decision
	for _, dc := range r.Decisions {
		require.Equal(t, scheduler.Fault, dc.Kind)
		calmed = append(calmed, scheduler.Decision{Kind: dc.Kind, N: dc.N})
	}
	cfg.Strategy = scheduler.Replay(calmed)
	r = passes(t, cfg, scenario)
	require.Equal(t, "abcdef", after)
	require.Len(t, r.Decisions, 4, "kept: neither lost nor torn")
}

// TestNodeEndCrashesTheDisk: the disk belongs to the process that mounted
// it; when that process is killed, the disk crashes, and a write it had not
// synced is decided then.
func TestNodeEndCrashesTheDisk(t *testing.T) {
	var after string
	r := passes(t, striking(disk.FaultLostWrite), func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		node := w.Spawn("node", func() {
			f := mounted(w, d, "f")
			write(w, f, "synced", 0)
			sync(w, f)
			write(w, f, "!", 6)
			w.Receive(nil, sim.Infinity)
		})
		w.Sleep(time.Second)
		w.Kill(node)
		w.Sleep(time.Second)
		after = contents(w, mounted(w, d, "f"))
	})
	require.Equal(t, "synced", after)
	crashes := disk.Crashes(r)
	require.Len(t, crashes, 2, "the node's end and main's")
	require.Equal(t, `its node p1 "node" ended: killed`, crashes[0].Cause)
	require.Equal(t, `disk "d" crashed at 1s, step 10 (its node p1 "node" ended: killed); not durable: f write #2 [6,7) lost`, crashes[0].String())
}

// TestMountRules: one node at a time; handles go stale at a crash and at an
// unmount; Unmount waits for no one.
func TestMountRules(t *testing.T) {
	passes(t, calm(sim.FaultPlan{}), func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		if _, err := d.Open("f"); !errors.Is(err, disk.ErrNotMounted) {
			w.Fatalf("open before mount: %v", err)
		}
		f := mounted(w, d, "f")
		if err := d.Mount(); !errors.Is(err, disk.ErrMounted) {
			w.Fatalf("second mount: %v", err)
		}
		var werr error
		w.Go("writer", func() { _, werr = f.WriteAt([]byte("x"), 0) })
		w.Yield()
		if err := d.Unmount(); !errors.Is(err, disk.ErrBusy) {
			w.Fatalf("unmount during a write: %v", err)
		}
		d.Crash()
		w.Yield()
		if !errors.Is(werr, disk.ErrCrashed) {
			w.Fatalf("the write the crash cut short: %v", werr)
		}
		if _, err := f.WriteAt([]byte("y"), 0); !errors.Is(err, disk.ErrNotMounted) {
			w.Fatalf("write on a stale handle: %v", err)
		}
		g := mounted(w, d, "f")
		if err := d.Unmount(); err != nil {
			w.Fatalf("unmount: %v", err)
		}
		if err := g.Sync(); !errors.Is(err, disk.ErrNotMounted) {
			w.Fatalf("sync after unmount: %v", err)
		}
		var buf [4]byte
		h := mounted(w, d, "f")
		if n, err := h.ReadAt(buf[:], 0); n != 1 || err != io.EOF {
			w.Fatalf("read past the end: %d, %v", n, err)
		}
	})
}

// TestCrashWakesWaiters: a process waiting in an operation when the disk
// crashes gets ErrCrashed; here its write hung, and the crash keeps it.
func TestCrashWakesWaiters(t *testing.T) {
	var err error
	var after string
	r := passes(t, striking(disk.FaultHang), func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		f := mounted(w, d, "f")
		w.Go("writer", func() { _, err = f.WriteAt([]byte("hung"), 0) })
		w.Sleep(time.Hour)
		d.Crash()
		w.Yield()
		if err := d.Mount(); err != nil {
			w.Fatalf("mount: %v", err)
		}
		g, _ := d.Open("f")
		size, _ := g.Size()
		after = string(make([]byte, size))
		if size > 0 {
			after = "hung"[:size]
		}
	})
	require.ErrorIs(t, err, disk.ErrCrashed)
	require.Equal(t, "hung", after)
	require.Equal(t, time.Hour, r.Time, "a hung operation sets no alarm")
}

// TestKilledWaiterIsWithdrawn: a process an exit signal ends while it waits
// in a Sync leaves the disk's waiters (nothing wakes the dead, Unmount is
// not busy) and its Sync makes nothing durable; its alarm stops, so the
// clock does not move for it.
func TestKilledWaiterIsWithdrawn(t *testing.T) {
	var after string
	r := passes(t, striking(disk.FaultLostWrite), func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		f := mounted(w, d, "f")
		write(w, f, "abandoned", 0)
		syncer := w.Spawn("syncer", func() { sync(w, f) })
		w.Yield() // the syncer begins its Sync
		w.Kill(syncer)
		if err := d.Unmount(); err != nil {
			w.Fatalf("unmount after the kill: %v", err)
		}
		g := mounted(w, d, "f")
		write(w, g, "again", 0)
		victim := w.Spawn("victim", func() { sync(w, g) })
		w.Yield()
		w.Kill(victim)
		after = afterCrash(w, d, "f")
	})
	require.Equal(t, "abandoned", after, "unmount made the first write durable; the second was never synced")
	require.Equal(t, sim.Killed, r.Processes[1].Reason)
	require.Equal(t, sim.Killed, r.Processes[2].Reason)
	require.Equal(t, 100*time.Microsecond+2*time.Millisecond+100*time.Microsecond+100*time.Microsecond, r.Time,
		"write, unmount, write, read: the killed syncs' alarms never went off")
}

// TestStall: a stalled operation takes a hundred times its latency.
func TestStall(t *testing.T) {
	r := passes(t, striking(disk.FaultStall), func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{SyncLatency: time.Millisecond})
		sync(w, mounted(w, d, "f"))
	})
	require.Equal(t, 100*time.Millisecond, r.Time)
}

// TestBlockedInDeadlockReport: a process that waits in a disk operation
// when the run deadlocks is reported with the operation, the file and the
// disk, and the lines that made them.
func TestBlockedInDeadlockReport(t *testing.T) {
	r := sim.Run(striking(disk.FaultHang), func(w *sim.World) {
		d := disk.New(w, "node1", disk.Options{})
		if err := d.Mount(); err != nil {
			w.Fatalf("mount: %v", err)
		}
		f, err := d.Open("wal.log")
		if err != nil {
			w.Fatalf("open: %v", err)
		}
		sync(w, f)
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Deadlock, r.Failure.Kind)
	require.Len(t, r.Failure.Blocked, 1)
	b := r.Failure.Blocked[0]
	require.Equal(t, "fsync", b.In)
	require.True(t, b.Proven)
	require.Len(t, b.On, 2)
	require.Regexp(t, `^file#\d+ "wal.log" created at disk/disk_test.go:\d+$`, b.On[0])
	require.Regexp(t, `^disk#\d+ "node1" created at disk/disk_test.go:\d+$`, b.On[1])
	require.Regexp(t, regexp.MustCompile(`p0 "main" blocked in fsync on file#\d+ "wal.log" created at disk/disk_test.go:\d+, disk#\d+ "node1" created at`), r.Failure.Error())
}

// TestBlockedInLeakReport: the same for a process left waiting in a write
// after the main process returned.
func TestBlockedInLeakReport(t *testing.T) {
	r := sim.Run(striking(disk.FaultHang), func(w *sim.World) {
		d := disk.New(w, "node1", disk.Options{})
		w.Go("writer", func() {
			f := mounted(w, d, "data")
			write(w, f, "x", 0)
		})
	})
	require.NotNil(t, r.Failure)
	require.Equal(t, sim.Leak, r.Failure.Kind)
	require.Len(t, r.Failure.Blocked, 1)
	require.Regexp(t, `^p1 "writer" blocked in write on file#\d+ "data" created at disk/disk_test.go:\d+, disk#\d+ "node1" created at disk/disk_test.go:\d+$`,
		r.Failure.Blocked[0].String())
}
