package weft

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/weftsim/weft/internal/runpage"
	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// Page is a finding as a self-contained HTML page (one file, no network):
// the failure and its explanation on top, the decisions without which it
// does not fail, and the run drawn as one lane per process on a shared axis
// of steps and virtual time, with messages, channel hand-offs and socket
// data as arrows between lanes, blocking as bars, and faults, kills and
// timers marked. Lanes filter and collapse, events can be searched, the view
// zooms; the first screen shows where the run failed. Every string from the
// run shows as text: a process named <img src=x onerror=alert(1)> runs
// nothing.
//
// Test writes one into the test's artifact directory with -weft.html; the
// weft command's replay -html and report write them for its scenarios.
type Page struct {
	// Finding is the run to show: its Shrunk result (else its Original),
	// which must have its trace, as Explore's and a replay's have.
	Finding *Finding
	// Commands replay the run; the page shows them.
	Commands []string
	// Essential lists the indexes, into Finding.Log.Decisions, of the
	// decisions the page highlights as essential (EssentialDecisions finds
	// them); nil when they were not looked for.
	Essential []int
	// PageDir is the directory the page will be written to, so that links
	// to files beside it (porcupine's view of a linearizability violation)
	// are relative ("": links are absolute file:// addresses).
	PageDir string

	_ struct{} // disallow positional literals, for extensibility
}

var _ io.WriterTo = Page{}

// WriteTo writes the page to w.
func (p Page) WriteTo(w io.Writer) (int64, error) {
	f := p.Finding
	if f == nil {
		return 0, fmt.Errorf("weft: a page of no finding")
	}
	run := f.Shrunk
	if run == nil {
		run = f.Original
	}
	if run == nil || (len(run.Trace) == 0 && run.Steps > 0) {
		return 0, fmt.Errorf("weft: a page needs the run's trace (replay it with sim.Config.KeepTrace)")
	}
	fail := run.Failure
	if fail == nil && f.Original != nil {
		fail = f.Original.Failure
	}
	pg := runpage.Page{
		Title:    orDash(run.Scenario),
		Commands: p.Commands,
		Run:      run,
	}
	pg.Facts = append(pg.Facts, fmt.Sprintf("seed %d", f.Seed), "strategy "+orDash(f.Spec))
	if f.Log != nil {
		if f.ShrinkRuns > 0 {
			pg.Facts = append(pg.Facts, fmt.Sprintf("preemptions: %d before shrinking, %d after", f.PreemptionsBefore, f.PreemptionsAfter))
		} else {
			pg.Facts = append(pg.Facts, fmt.Sprintf("%d preemptions", f.PreemptionsAfter))
		}
		pg.Facts = append(pg.Facts, fmt.Sprintf("%d decisions", len(f.Log.Decisions)))
	}
	pg.Facts = append(pg.Facts, fmt.Sprintf("%d steps", run.Steps), fmt.Sprintf("virtual time %v", run.Time), fmt.Sprintf("%d events", len(run.Trace)))
	switch {
	case f.Nondeterministic != "":
		pg.Failure = "nondeterminism: " + f.Nondeterministic
	case fail != nil:
		pg.Failure = headline(fail)
		var b strings.Builder
		explain(&b, fail)
		pg.Explanation = strings.TrimLeft(b.String(), "\n")
	}
	// n counts the decisions EssentialDecisions tried: every one that is
	// not the default, or only the preemptions and faults when there are
	// too many.
	n, shaping := 0, 0
	if f.Log != nil {
		for _, d := range f.Log.Decisions {
			if d.Choice != 0 {
				n++
				if d.Kind == scheduler.Schedule || d.Kind == scheduler.Fault {
					shaping++
				}
			}
		}
	}
	if n > maxEssentialTries {
		n = shaping
	}
	if p.Essential == nil && fail != nil && shaping > maxEssentialTries {
		pg.EssentialNote = fmt.Sprintf("The essential decisions were not looked for: the log has %d preemptions and faults, more than the %d replays EssentialDecisions makes; shrink it first.", shaping, maxEssentialTries)
	}
	if p.Essential != nil {
		pg.Essential = p.Essential
		switch {
		case len(p.Essential) == 0 && n == 0:
			pg.EssentialNote = "Every decision of this run takes its default: the calm schedule fails by itself, with no preemption or fault to blame."
		case len(p.Essential) == 0:
			pg.EssentialNote = fmt.Sprintf("None of the %d decisions that are not the default is essential alone: setting any one of them to its default still fails the same way.", n)
		default:
			pg.EssentialNote = fmt.Sprintf("%d of the %d decisions that are not the default: set any one of these to its default and the run no longer fails this way.", len(p.Essential), n)
		}
	}
	if fail != nil {
		pg.Views = views(fail.Error(), p.PageDir)
	}
	cw := &countWriter{w: w}
	err := runpage.Write(cw, pg)
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// maxEmbed bounds the size of a view embedded in a page.
const maxEmbed = 8 << 20

// viewPath finds the file a check wrote for people and named in a failure,
// as properties.Linearizable names porcupine's view ("; see <path>").
var viewPath = regexp.MustCompile(`see (\S+\.html)\b`)

// views links, and embeds, the pages a failure names that exist.
func views(failure, pageDir string) []runpage.View {
	var out []runpage.View
	for _, m := range viewPath.FindAllStringSubmatch(failure, -1) {
		path := m[1]
		info, err := os.Stat(path)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		v := runpage.View{Name: "porcupine's view of the linearizability violation"}
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		v.Href = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
		if pageDir != "" {
			if dir, err := filepath.Abs(pageDir); err == nil {
				if rel, err := filepath.Rel(dir, abs); err == nil && !strings.HasPrefix(rel, "..") {
					v.Href = (&url.URL{Path: filepath.ToSlash(rel)}).String()
				}
			}
		}
		if info.Size() <= maxEmbed {
			if data, err := os.ReadFile(path); err == nil {
				v.Embed = string(data)
			}
		}
		out = append(out, v)
	}
	return out
}

// maxEssentialTries bounds the replays EssentialDecisions makes: a log
// that was not shrunk can hold thousands of non-default decisions. A replay
// costs about what a run of the scenario does.
const maxEssentialTries = 128

// EssentialDecisions replays log once for each of its preemptions and
// faults, with that one decision set to its default, and returns the
// indexes of those without which the run does not fail with the same
// failure (sim.Failure.Signature) as log's own replay: the preemptions and
// faults the failure needs. Where the bound of 128 replays leaves room, it
// tries the other decisions that are not the default too (random draws,
// select cases). It returns nil when log's replay passes, or has more than
// 128 preemptions and faults.
//
// It is the simple pass, one decision at a time: a failure that needs
// either of two decisions shows neither.
//
// cfg is the scenario's configuration, as a replay of log takes it.
func EssentialDecisions(cfg sim.Config, log *scheduler.Log, scenario func(*sim.World)) []int {
	cfg.KeepTrace = false // nor does a check write a file for people
	replay := func(ds []scheduler.Decision) *sim.Result {
		c := cfg
		c.Strategy = scheduler.Replay(ds)
		c.Seed, c.Spec = log.Seed, log.Spec
		c.DiscardLog = true
		return sim.Run(c, scenario)
	}
	base := replay(log.Decisions)
	if base.Failure == nil {
		return nil
	}
	sig := base.Failure.Signature()
	// The preemptions and faults first: they are what a schedule is
	// made of; then the other decisions (random draws, select cases,
	// timer ties) that are not the default, if the bound leaves room.
	var tries, others []int
	for i, d := range log.Decisions {
		switch {
		case d.Choice == 0:
		case d.Kind == scheduler.Schedule || d.Kind == scheduler.Fault:
			tries = append(tries, i)
		default:
			others = append(others, i)
		}
	}
	if len(tries) > maxEssentialTries {
		return nil
	}
	if len(tries)+len(others) <= maxEssentialTries {
		tries = append(tries, others...)
		slices.Sort(tries)
	}
	out := []int{}
	ds := make([]scheduler.Decision, len(log.Decisions))
	for _, i := range tries {
		copy(ds, log.Decisions)
		ds[i].Choice = 0
		if r := replay(ds); r.Failure == nil || r.Failure.Signature() != sig {
			out = append(out, i)
		}
	}
	return out
}

// writePage writes p into a new file in dir named after name and the seed
// (created exclusively, as porcupine's views are) and returns its path.
func writePage(dir, name string, p Page) (string, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, fmt.Sprintf("weft-%s-seed%d-*.html", fileSafe(name), p.Finding.Seed))
	if err != nil {
		return "", err
	}
	p.PageDir = dir
	_, err = p.WriteTo(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// fileSafe maps a test's name to a part of a file name.
func fileSafe(name string) string {
	if name == "" {
		return "run"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name)
}
