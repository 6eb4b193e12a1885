package weft

// The page of a failure (issue 16, "a timeline page worth opening"), as go
// test writes it with -weft.html. Method: failing scenarios run through
// Test's machinery (runTest) with the flag; the report must name the page,
// in the test's reports; the page must hold the run, its essential
// decisions, porcupine's view when linearizability failed, and every string
// of the run as text. What a browser makes of the page is checked by
// cmd/weft's TestPages.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// hostileName is a process name a browser would run as markup, were it
// not escaped.
const hostileName = `<img src=x onerror=alert(1)>`

// abba is the AB-BA deadlock, one of whose tellers has a hostile name.
func abba(w *sim.World) {
	a, b := sim.NewMutex(w).Named("account a"), sim.NewMutex(w).Named("account </script><b>b")
	wg := sim.NewWaitGroup(w)
	wg.Go("teller a->b", func() { a.Lock(); b.Lock(); b.Unlock(); a.Unlock() })
	wg.Go(hostileName, func() { b.Lock(); a.Lock(); a.Unlock(); b.Unlock() })
	wg.Wait()
}

func TestPageFlagWritesThePage(t *testing.T) {
	text, pkg := failText(t, "TestTransfers", flagValues{html: true}, abba, Runs(1000))
	m := mustMatchAll(t, "report", text, `(?m)^The run as an HTML page \(lanes, arrows, its essential decisions\): (\S+\.html)$`)
	if dir, want := filepath.Dir(m[1]), filepath.Join(pkg, "weft-reports", "TestTransfers"); dir != want {
		t.Fatalf("the page is in %s, want %s", dir, want)
	}
	data, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	for _, raw := range []string{hostileName, "</script><b>", "<b>b"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q as markup", raw)
		}
	}
	for _, want := range []string{
		"deadlock: all processes are blocked", // the failure
		"Essential decisions", "preempted p",  // the one preemption the deadlock needs
		`id="weft-data"`, `\u003cimg src=x onerror=`, // the run, the name as JSON text
		"&lt;img src=x onerror=alert(1)&gt;", // the name in the explanation, as text
		"-weft.replay=",                      // how to replay it
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Without the flag, no page.
	text, _ = failText(t, "TestTransfers", flagValues{}, abba, Runs(1000))
	if strings.Contains(text, "HTML page") {
		t.Errorf("a page without -weft.html:\n%s", text)
	}
}

// A linearizability violation's page links porcupine's view, beside it,
// and embeds it in a sandboxed frame.
func TestPageEmbedsPorcupine(t *testing.T) {
	text, _ := failText(t, "TestCache", flagValues{html: true}, staleRead, Runs(1), WithConfig(withLinearizable))
	view := mustMatchAll(t, "report", text, `; see (\S+\.html)`)[1]
	pagePath := mustMatchAll(t, "report", text, `HTML page \(lanes, arrows, its essential decisions\): (\S+\.html)`)[1]
	data, err := os.ReadFile(pagePath)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	for _, want := range []string{`href="` + filepath.Base(view) + `"`, `<iframe sandbox="allow-scripts" srcdoc="`, "porcupine"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// The essential decisions of the AB-BA deadlock: its one preemption, and
// nothing else; the calm schedule of a lost update has none.
func TestEssentialDecisions(t *testing.T) {
	rep := Explore(Options{Name: "abba", Runs: 1000}, abba)
	f := rep.Failure
	if f == nil {
		t.Fatal("the deadlock was not found")
	}
	var nonzero []int
	for i, d := range f.Log.Decisions {
		if d.Choice != 0 {
			nonzero = append(nonzero, i)
		}
	}
	got := EssentialDecisions(sim.Config{}, f.Log, abba)
	if len(nonzero) != 1 || len(got) != 1 || got[0] != nonzero[0] || f.Log.Decisions[got[0]].Kind != scheduler.Schedule {
		t.Fatalf("essential %v, of the non-default decisions %v of %v", got, nonzero, f.Log.Decisions)
	}
	// Without it, the run passes.
	ds := append([]scheduler.Decision(nil), f.Log.Decisions...)
	ds[got[0]].Choice = 0
	if r := sim.Run(sim.Config{Strategy: scheduler.Replay(ds)}, abba); r.Failure != nil {
		t.Fatalf("without its essential decision the run still fails: %v", r.Failure)
	}

	lost := func(w *sim.World) {
		n := 0
		wg := sim.NewWaitGroup(w)
		for range 2 {
			wg.Go("add", func() { v := n; w.Yield(); n = v + 1 })
		}
		wg.Wait()
		if n != 2 {
			w.Fatalf("lost an update: n = %d", n)
		}
	}
	rep = Explore(Options{Name: "lost", Runs: 100}, lost)
	if rep.Failure == nil {
		t.Fatal("the lost update was not found")
	}
	if got := EssentialDecisions(sim.Config{}, rep.Failure.Log, lost); got == nil || len(got) != 0 {
		t.Fatalf("the calm schedule fails, yet essential decisions %v", got)
	}
	// A log whose replay passes has none to give.
	if got := EssentialDecisions(sim.Config{}, &scheduler.Log{}, func(*sim.World) {}); got != nil {
		t.Fatalf("a passing run's essential decisions: %v", got)
	}
}

// A failing fuzz input's page, with -weft.html: the report names it, and
// it shows the command that re-runs the input.
func TestPageOfAFuzzInput(t *testing.T) {
	_, pkg := tempModule(t)
	loc := locatePackage(pkg)
	s := &settings{html: true}
	s.explore.Config.ReportDir = t.TempDir()
	page := func(f *Finding, commands []string) string { return s.htmlPage("FuzzLost", f, commands, lostUpdate) }
	msg := fuzzOne(sim.Config{}, os.TempDir, page, "FuzzLost", "FuzzLost/seed#2", loc, fuzzSeeds[2], lostUpdate)
	m := mustMatchAll(t, "fuzz report", msg, `(?m)^The run as an HTML page \(lanes, arrows, its essential decisions\): (\S+\.html)$`)
	data, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "FuzzLost$/^seed#2$") || !strings.Contains(string(data), "strategy bytes") {
		i := strings.Index(string(data), "replay it")
		t.Fatalf("the page lacks the command or the strategy:\n%.600s", string(data)[max(i, 0):])
	}
}
