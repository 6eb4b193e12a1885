package weft

// rapid drives the decisions: it must find a schedule bug, shrink it, and
// the draws it makes must be the run's decisions.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
	"pgregory.net/rapid"

	"github.com/weftsim/weft/properties"
	"github.com/weftsim/weft/sim"
)

func TestRunRapidPasses(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		r := RunRapid(rt, sim.Config{}, func(w *sim.World) {
			mu := sim.NewMutex(w)
			n := 0
			wg := sim.NewWaitGroup(w)
			for i := 0; i < 3; i++ {
				wg.Go("inc", func() {
					mu.Lock()
					v := n
					w.Yield()
					n = v + 1
					mu.Unlock()
				})
			}
			wg.Wait()
			if n != 3 {
				w.Fatalf("n = %d", n)
			}
		})
		if r.Steps == 0 {
			rt.Fatal("no steps")
		}
	})
}

func TestRunRapidFindsLostUpdate(t *testing.T) {
	rec := checkRecorded(t, func(rt *rapid.T) {
		RunRapid(rt, sim.Config{}, func(w *sim.World) {
			n := 0
			done := sim.NewChan[int](w, 2)
			for i := 0; i < 2; i++ {
				w.Go("inc", func() {
					v := n
					done.Len() // a scheduling point between the read and the write
					n = v + 1
					done.Send(0)
				})
			}
			done.Recv()
			done.Recv()
			if n != 2 {
				w.Fatalf("lost an update: n = %d", n)
			}
		})
	})
	if !rec.failed || !strings.Contains(rec.msg, "lost an update: n = 1") || !strings.Contains(rec.msg, "[rapid] failed") {
		t.Fatalf("rapid did not find the lost update; it said:\n%s", rec.msg)
	}
}

// The failure RunRapid hands rapid, which prints it to a terminal, has its
// control characters quoted, as the report's are.
func TestRunRapidQuotesControls(t *testing.T) {
	rec := checkRecorded(t, func(rt *rapid.T) {
		RunRapid(rt, sim.Config{}, func(w *sim.World) {
			w.Go("worker\x1b[2J", func() { w.Fatalf("lost \x1b[31mit\r") })
		})
	})
	if !rec.failed || !strings.Contains(rec.msg, `process p1 "worker\x1b[2J": lost \x1b[31mit\r`) {
		t.Fatalf("rapid did not report the failure, quoted; it said:\n%s", rec.msg)
	}
	if strings.ContainsAny(rec.msg, "\x1b\r") {
		t.Errorf("the failure passes control characters to the terminal:\n%q", rec.msg)
	}
}

// A failure whose check writes a page (porcupine's, here: n processes
// increment a counter with a load and a store, and a read after them
// returns too little): rapid shrinks it, which needs the same message from
// the same run, down to two processes; and only the reported failure's
// page is left, the one the report names. Defect: each failing run wrote
// a page under a random name, so pages piled up and rapid, whose shrinker
// wants the same message twice, never shrank at all.
func TestRunRapidKeepsOnePage(t *testing.T) {
	counter := porcupine.Model{
		Init: func() any { return 0 },
		Step: func(state, input, output any) (bool, any) {
			if input == "incr" {
				return true, state.(int) + 1
			}
			return output == state, state
		},
	}
	dir := t.TempDir()
	cfg := sim.Config{ReportDir: dir, Properties: []sim.Property{properties.Linearizable(properties.Linearizability{Model: counter})}}
	rec := checkRecorded(t, func(rt *rapid.T) {
		RunRapid(rt, cfg, func(w *sim.World) {
			n := 0
			wg := sim.NewWaitGroup(w)
			for i := range 2 + w.Intn(4) {
				wg.Go(fmt.Sprint("incr ", i), func() {
					id := w.Call(i+1, "incr")
					v := n
					w.Yield()
					n = v + 1
					w.Return(id, nil)
				})
			}
			wg.Wait()
			w.Return(w.Call(0, "read"), n)
		})
	})
	if !rec.failed || !strings.Contains(rec.msg, "[rapid] failed after") {
		t.Fatalf("rapid did not find the lost update; it said:\n%s", rec.msg)
	}
	if !strings.Contains(rec.msg, "not linearizable (3 operations)") {
		t.Errorf("rapid did not shrink to two incrementers:\n%s", rec.msg)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	named := regexp.MustCompile(`see (\S+\.html)`).FindStringSubmatch(rec.msg)
	if len(pages) != 1 || named == nil || named[1] != pages[0] {
		t.Fatalf("want one page, the one the report names; got %q, and the report names %q", pages, named)
	}
	if page, err := os.ReadFile(pages[0]); err != nil || !strings.Contains(string(page), "const data = ") {
		t.Errorf("%s holds no view (%v)", pages[0], err)
	}
}

// checkRecorded runs rapid.Check on a recorder, so that the test can read
// what it found, without a fail file left behind.
func checkRecorded(t *testing.T, prop func(*rapid.T)) *failRecorder {
	t.Helper()
	if f := flag.Lookup("rapid.nofailfile"); f != nil {
		old := f.Value.String()
		f.Value.Set("true")
		defer f.Value.Set(old)
	}
	rec := &failRecorder{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil && r != errRecorderStop {
				panic(r)
			}
		}()
		rapid.Check(rec, prop)
	}()
	return rec
}

// failRecorder is a rapid.TB whose failures are recorded, not reported;
// FailNow stops rapid.Check with a panic the test recovers.
type failRecorder struct {
	testing.TB
	failed bool
	msg    string
}

var errRecorderStop = errors.New("recorder: FailNow")

func (r *failRecorder) Helper()           {}
func (r *failRecorder) Error(args ...any) { r.failed = true; r.msg += fmt.Sprintln(args...) }
func (r *failRecorder) Errorf(f string, a ...any) {
	r.failed = true
	r.msg += fmt.Sprintf(f, a...) + "\n"
}
func (r *failRecorder) Fatal(args ...any)         { r.Error(args...); r.FailNow() }
func (r *failRecorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); r.FailNow() }
func (r *failRecorder) Fail()                     { r.failed = true }
func (r *failRecorder) FailNow()                  { r.failed = true; panic(errRecorderStop) }
func (r *failRecorder) Failed() bool              { return r.failed }
func (r *failRecorder) Log(args ...any)           { r.msg += fmt.Sprintln(args...) }
func (r *failRecorder) Logf(f string, a ...any)   { r.msg += fmt.Sprintf(f, a...) + "\n" }
