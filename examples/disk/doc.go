// Package disk is a simulated disk with the faults of FoundationDB's
// simulated filesystem, built only on sim's public API and its Kernel, as
// any user's primitive would be; and a small write-ahead log over it whose
// buggy twin weft catches losing an acknowledged write. Copy it as a
// starting point for a storage engine's tests, or for a primitive of your
// own.
//
// # The disk's rules
//
// Real disks and filesystems promise little about data that was not synced,
// and storage engines keep getting that wrong. The rules follow what
// FoundationDB's simulation assumes of a disk, which is close to the least
// that POSIX and the hardware promise:
//
//   - A Disk holds files by name. It is mounted by one process at a time,
//     its node, which stands for the machine the disk is in: Mount makes the
//     running process the node, and files are opened (Open, which makes a
//     missing file) while the disk is mounted. Any process may use an open
//     File. Making a file is durable at once: there are no directories to
//     sync.
//   - Every operation is a scheduling point and takes virtual time, its
//     latency (Options): the process waits in it, parked on the file and the
//     disk, and a process still waiting when a run deadlocks or leaks is
//     reported as blocked in read, write, truncate, fsync or unmount on
//     them, with the lines that made them.
//   - A write (WriteAt, Truncate) reaches the disk's cache when it begins:
//     every read sees it from then on. It becomes durable only through a
//     Sync that began after the write returned, once that Sync returns. A
//     write still in progress when a Sync begins is not covered by it, nor
//     is one that begins while it waits.
//   - A crash drops the cache. A disk crashes when Crash is called (a power
//     loss, a kernel panic), and when its node ends while the disk is
//     mounted, however it ends: the machine went down with it. Unmount is
//     the clean way down: it makes every write durable and frees the disk
//     for the next Mount.
//   - At a crash, each write that was not durable is decided alone, in the
//     order the writes began: kept (the default: it reached the platter),
//     lost (FaultLostWrite), or torn (FaultTornWrite: a prefix of its bytes
//     reached the platter, the rest of its range kept what it held before).
//     So a later write may survive an earlier one that was lost, as a
//     cache that writes back in any order allows; a hole that a lost write
//     leaves inside the file reads as zeros. Durable writes always survive.
//     What the crash did is in Crashes, and each fault is an EventFault of
//     the trace, followed by a note that names the write.
//   - After a crash, processes that waited in an operation get ErrCrashed
//     (a write cut short this way may or may not have survived); every File
//     opened before it, or before an Unmount, fails with ErrNotMounted; the
//     disk is unmounted, and the next Mount sees what survived.
//   - An operation may also stall (FaultStall: a hundred times its
//     latency) or hang (FaultHang: it never completes by itself; a crash
//     ends it with ErrCrashed).
//   - A process that an exit signal ends while it waits in an operation is
//     withdrawn: it leaves the disk's waiters and its alarm stops. What it
//     had begun goes on as the disk has it: its write stays in the cache,
//     not durable, and its Sync makes nothing durable.
//
// Every outcome a crash can have is a Fault decision whose default is the
// calm one (the write made it), so a crash in a run without disk faults
// keeps everything, and shrinking a failing run turns off every fault but
// those the failure needs. A FaultPlan turns the kinds on with a rate:
//
//	cfg.Faults = sim.FaultPlan{}.With(disk.FaultLostWrite, 0.25).With(disk.FaultTornWrite, 0.25)
//
// Operations are called from processes only. The disk keeps its files and
// waiters in slices, never in maps it iterates, so every run replays.
//
// # The system
//
// A key-value store keeps its data in a write-ahead log on the disk
// "node1": each PUT appends a record (length, CRC-32C, "key=value") and
// syncs the log; at boot, the store's node mounts the disk, reads the log
// back up to the first record that is not whole (a hole, a torn tail), cuts
// the file there and syncs the cut, and serves from memory what the log
// holds. A machine process boots the node, and boots it again, a
// millisecond later, whenever it dies. Three clients do puts and gets
// through the node's mailbox (a call with a monitor, as gen_server:call),
// the workload drawn from the run's decisions, and record every operation
// into the run's history as they see it; an operation that got no answer
// stays open, since it may or may not have taken effect. An audit client
// then reads every key, and the machine stops: the node unmounts the disk
// cleanly. Faults kill the node at its scheduling points, which crashes the
// disk it mounted, and lose or tear the writes that were not durable at
// that crash.
//
// # The defect
//
// AckBeforeSync answers a PUT once its record is appended, then syncs: the
// record sits in the disk's cache, not on the platter, when the client
// hears OK, as in a store that acknowledges from the page cache. Without
// faults, or with crashes that keep every write, every record reaches the
// platter in the end, and every run passes.
// But when the node dies between its answer and its Sync's return, and the
// crash loses or tears the record, the write the client was promised is
// gone: the node boots, recovers the log without it, and a later read
// returns the value from before, or nothing. The property Durable catches
// it, and its message tells the whole story:
//
//	property durable violated: client2's GET x at 1.3ms (step 55) found
//	nothing, but PUT x=101 by client1, acknowledged at 200µs (step 27),
//	before the GET began: an acknowledged write was lost; disk "node1"
//	crashed at 200µs, step 27 (its node p5 "wal/node" ended: killed); not
//	durable: wal.log write #1 [0,13) lost
//
// weft finds it within a few dozen runs, and the shrunk run keeps two
// faults, the kill of the node and the loss (or tear) of the record.
//
// SyncBeforeAck, the fix, answers only once the Sync that covers the record
// has returned. If the node dies first, the client's monitor tells it so;
// it cannot tell whether the write took effect, so neither does the
// history, which leaves the operation open: a crash may keep the record or
// lose it, and recovery cuts a torn one. Under the same faults it passes
// every run the tests try (5,000).
//
// # Running it
//
// Scenario(v) is the run; Configure sets the fault plan and the property:
//
//	cfg := sim.Config{}
//	disk.Configure(&cfg)
//	rep := weft.Explore(weft.Options{Runs: 1000, Config: cfg}, disk.Scenario(disk.AckBeforeSync))
//	fmt.Println(rep.Failure) // the lost write, its crash and faults, the timeline
package disk
