// Package goroutines runs the workloads of package work on real goroutines,
// the first two of internal/peers' four runners: TestPlain runs them as they
// are, TestSynctest each run inside a testing/synctest bubble. Each runs one
// workload (-peers.workload) until it fails or -peers.runs or -peers.budget
// ends, and prints one line, PEERS and a JSON result, for internal/peers.
// Neither can replay a failure: there is no seed.
package goroutines

import (
	"encoding/json"
	"flag"
	"fmt"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"weftpeers/work"
)

var (
	workload = flag.String("peers.workload", "ring", "the workload: empty, ring, etcd6857 or adds")
	runs     = flag.Int("peers.runs", 1000, "runs at most")
	budget   = flag.Duration("peers.budget", 10*time.Second, "real time at most")
	leakWait = flag.Duration("peers.leakwait", 20*time.Millisecond, "plain goroutines: how long etcd6857's goroutines get to exit before its run counts as leaking")
)

// result is what one runner did with one workload; internal/peers reads it.
type result struct {
	Runs    int     // runs done, the failing one included
	Seconds float64 // real time they took
	Failed  bool    // the last run failed
	Message string  `json:",omitempty"`
}

// runOnce runs the workload once and says what went wrong, "" if nothing.
// leaks says whether to wait for etcd6857's goroutines (plain goroutines
// have nothing else that would notice a leak).
func runOnce(leaks bool) string {
	switch *workload {
	case "empty":
		work.Empty()
	case "ring":
		if got := work.Ring(); got != work.RingPasses {
			return fmt.Sprintf("the token counted %d passes, want %d", got, work.RingPasses)
		}
	case "adds":
		if got := work.Adds(); got != work.AddClients {
			return fmt.Sprintf("lost update: %d clients added one each, the key holds %d", work.AddClients, got)
		}
	case "etcd6857":
		before := runtime.NumGoroutine()
		work.Etcd6857()
		if !leaks {
			return ""
		}
		// As goleak does: give the goroutines a while to exit.
		deadline := time.Now().Add(*leakWait)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				return fmt.Sprintf("%d goroutines still running %v after the kernel returned", runtime.NumGoroutine()-before, *leakWait)
			}
			runtime.Gosched()
		}
	default:
		return "no workload " + *workload
	}
	return ""
}

func report(t *testing.T, r result, start time.Time) {
	r.Seconds = time.Since(start).Seconds()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("PEERS %s\n", b)
}

func TestPlain(t *testing.T) {
	var r result
	start := time.Now()
	defer func() { report(t, r, start) }()
	for r.Runs < *runs && time.Since(start) < *budget {
		r.Runs++
		if msg := runOnce(true); msg != "" {
			r.Failed, r.Message = true, msg
			return
		}
	}
}

// TestSynctest runs each run in a bubble of its own: time is the bubble's,
// and a goroutine durably blocked (on a channel, a WaitGroup, a Cond; not on
// a Mutex) when the run returns fails it. The interleavings are the real
// scheduler's.
func TestSynctest(t *testing.T) {
	var r result
	start := time.Now()
	defer func() { report(t, r, start) }()
	for r.Runs < *runs && time.Since(start) < *budget {
		r.Runs++
		if msg := bubble(t); msg != "" {
			r.Failed, r.Message = true, msg
			return
		}
	}
}

// bubble runs the workload once in a bubble. synctest.Test panics when the
// bubble's main goroutine returns with others durably blocked; that is the
// run's failure here, so it is recovered and returned.
func bubble(t *testing.T) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
		}
	}()
	synctest.Test(t, func(t *testing.T) { msg = runOnce(false) })
	return msg
}
