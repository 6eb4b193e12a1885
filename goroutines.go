package weft

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Real goroutines that a scenario starts (with go, rather than w.Go) and
// leaves running, found as goleak finds leaks, but told apart from every
// other goroutine of the test binary by a profiler label rather than by a
// snapshot taken before: Test labels its own goroutine while it runs, and
// a goroutine inherits the labels of the goroutine that starts it, so the
// world's loop, its processes (coroutines started by the loop) and any
// goroutine a process starts carry the label, and nothing else does, even
// with parallel tests running other scenarios beside it. (goleak compares
// against the goroutines alive before, which parallel tests defeat.) The
// world's own goroutines are known by their frames in package sim: those
// of a run abandoned by its watchdog are left to its failure.

// goroutineLabel is the profiler label key Test puts on its goroutine.
const goroutineLabel = "weft.test"

// trackSeq numbers the calls of Test, so that each has a label of its own.
var trackSeq atomic.Uint64

// goroutineWait bounds how long leftGoroutines waits for goroutines to end
// on their own (goleak waits about as long): a goroutine that is merely
// finishing is not left running.
const goroutineWait = time.Second

// trackGoroutines labels the calling goroutine, the test's, for the test
// named name, and returns the label's value: every goroutine started from
// it from now on carries it. It replaces any label the goroutine had.
func trackGoroutines(name string) string {
	value := fmt.Sprintf("%s#%d", name, trackSeq.Add(1))
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(goroutineLabel, value)))
	return value
}

// leftGoroutines removes the label from the calling goroutine and returns
// the goroutines with label value that are still alive, other than the
// world's own, grouped by stack, once they have had goroutineWait to end.
func leftGoroutines(value string) []goroutineGroup {
	pprof.SetGoroutineLabels(context.Background())
	deadline := time.Now().Add(goroutineWait)
	for pause := time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		left := labelledGoroutines(value)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(pause)
	}
}

// A goroutineGroup is goroutines with the same stack, as the goroutine
// profile lists them.
type goroutineGroup struct {
	count  int
	frames [][2]string // function and file:line, innermost first, runtime's left out
}

// labelledGoroutines reads the goroutine profile (pprof's debug=1 text:
// groups of "N @ pcs", "# labels: {...}", "#\tpc\tfunction+off\tfile:line")
// and returns the groups labelled value that are not the world's own.
func labelledGoroutines(value string) []goroutineGroup {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return nil
	}
	want := strconv.Quote(goroutineLabel) + ":" + strconv.Quote(value)
	var out []goroutineGroup
	_, profile, _ := strings.Cut(buf.String(), "\n") // "goroutine profile: total N"
	for _, block := range strings.Split(profile, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[1], "# labels: ") ||
			!strings.Contains(lines[1], want) {
			continue
		}
		g := goroutineGroup{}
		g.count, _ = strconv.Atoi(strings.Fields(lines[0])[0])
		ours := false
		for _, l := range lines[2:] {
			fields := strings.Fields(strings.TrimPrefix(l, "#"))
			if len(fields) < 3 {
				continue
			}
			fn, _, _ := strings.Cut(fields[1], "+0x")
			if strings.HasPrefix(fn, "github.com/weftsim/weft/sim.") || strings.HasPrefix(fn, "iter.Pull") {
				ours = true // the world's loop or a process: a run the watchdog abandoned
				break
			}
			if strings.HasPrefix(fn, "runtime.") {
				continue
			}
			g.frames = append(g.frames, [2]string{fn, fields[2]})
		}
		if !ours && g.count > 0 {
			out = append(out, g)
		}
	}
	return out
}

// goroutinesStory is the failure of a test whose scenario left groups
// running.
func goroutinesStory(groups []goroutineGroup) string {
	n := 0
	for _, g := range groups {
		n += g.count
	}
	var b strings.Builder
	fmt.Fprintf(&b, "weft: the scenario left %d real goroutines running after its runs (started with go inside the scenario, not with w.Go): the world can neither see nor schedule them, and nothing ends them. Start them with w.Go, whose processes the world schedules and ends with the run.\n", n)
	for _, g := range groups {
		fmt.Fprintf(&b, "\n%d running at:\n", g.count)
		for i, f := range g.frames {
			if i == reportFrames {
				fmt.Fprintf(&b, "    ... %d more frames\n", len(g.frames)-i)
				break
			}
			fmt.Fprintf(&b, "    %s\n        %s\n", quoteControls(f[0]), quoteControls(f[1]))
		}
	}
	return b.String()
}
