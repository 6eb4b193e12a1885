// Package zoo is a collection of classic concurrency bugs, each written as a
// weft scenario next to its fixed twin. Copy one into your own tests as a
// starting point: a scenario is a plain func(*sim.World), and
//
//	func TestTransfers(t *testing.T) { weft.Test(t, zoo.DeadlockFixed) }
//
// is all a test needs.
//
// Every scenario runs as the main process of a world: it starts other
// processes with w.Go (or WaitGroup.Go), shares memory between them freely
// (only one process of a world runs at a time, so plain variables are safe
// between scheduling points), and reports a wrong outcome with w.Fatalf.
// weft runs it under many schedules, and each bug below shows up under some
// of them.
//
// # The bugs
//
// LostUpdate: two workers increment a shared counter by reading it,
// yielding (which stands for anything that lets another process run), and
// writing back what they read plus one; a write in between is lost. Every
// scheduling point between a read and its write is a place where weft's
// strategy may switch workers, and the final check (w.Fatalf) sees the short
// count. The fix holds a sim.Mutex across the whole read-modify-write.
//
// Deadlock: two tellers move money between the same two accounts in
// opposite directions, each locking the source account and then the
// destination, so if each takes its first lock before the other takes its
// second, both wait forever. weft needs one preemption to get there, and
// reports a Deadlock naming every blocked process and the mutex it waits
// on, because the world sees that nothing can run and no timer is pending.
// The fix takes the two locks in one global order.
//
// SendOnClosed: a job queue is shut down by closing its channel while
// clients may still submit; a client that checked "not stopped" just before
// the close, or that waits for room in the queue, panics with "send on
// closed channel". weft finds the schedule where a client runs before the
// shutdown and reports the panic with the client's stack. The fix closes a
// separate done channel that clients and the worker select on, and never
// closes the channel that others send on.
//
// WaitGroupReuse: a loop runs batches of workers on one WaitGroup, and each
// batch has a reporter that waits on the same WaitGroup to log its end; when
// the loop returns from Wait first and calls Add for the next batch, the
// reporter, still inside its Wait, panics with Go's "sync: WaitGroup is
// reused before previous Wait has returned". sim's WaitGroup checks the
// rules Go checks, so weft reports the panic as Go would raise it. The fix
// gives each batch its own WaitGroup.
//
// Leak: a request waits for a backend's reply or a timeout, whichever comes
// first, and the backend replies on an unbuffered channel, so when the
// timeout wins the backend blocks on its send forever: a goroutine leak that
// a plain test never notices. weft draws the backend's latency from its
// decision stream, and at the end of the run reports every process still
// blocked as leaked, with the channel it waits on. The fix gives the channel
// room for the one reply.
//
// # Finding and replaying
//
// In a test, weft.Test explores, shrinks, saves the failing log under
// testdata/weft and replays it on every later run. Underneath, weft.Explore
// runs a scenario under one seed after another; on the first failure it
// shrinks the run's decision log to the fewest preemptions that still fail
// the same way, and replays it with a trace:
//
//	pct, _ := scheduler.ParseSpec("pct:3")
//	rep := weft.Explore(weft.Options{Runs: 1000, Spec: pct}, zoo.Deadlock)
//	if f := rep.Failure; f != nil {
//		fmt.Println(f) // the failure, the stacks, the timeline
//		again := sim.Replay(sim.Config{}, f.Log, zoo.Deadlock)
//		fmt.Println(again.Hash == f.Shrunk.Hash) // true: a replay is the same run
//	}
//
// A failure counts as "the same" while its message is the same, so a
// scenario's w.Fatalf message should name the bug, not the numbers of one
// run (see LostUpdate's check). The zoo's tests check, for every bug and
// under both the random walk and PCT, that it is found within 1,000 runs,
// shrinks to at most three preemptions and replays exactly, and that its
// fixed twin passes 10,000 runs.
package zoo
