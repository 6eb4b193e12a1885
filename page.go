package weft

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/weftsim/weft/internal/artifacts"
	"github.com/weftsim/weft/internal/runpage"
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
	// The changes from the calm run (ChangesOf), the essential ones
	// highlighted: what Explore found, or what a replay found.
	if fail != nil && f.Changes != nil {
		pg.Essential = []int{}
		for _, c := range f.Changes {
			if c.Essential {
				pg.Essential = append(pg.Essential, c.Index)
			}
		}
		n := len(f.Changes)
		switch {
		case len(pg.Essential) == 0 && n == 0:
			pg.EssentialNote = "Every decision of this run takes its default: the calm schedule fails by itself, with no preemption or fault to blame."
		case len(pg.Essential) == 0:
			pg.EssentialNote = fmt.Sprintf("None of the %d changes from the calm run is essential alone: setting any one of them to its default still fails the same way.", n)
		default:
			pg.EssentialNote = fmt.Sprintf("%d of the %d changes from the calm run: set any one of these to its default and the run no longer fails this way.", len(pg.Essential), n)
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

// writePage writes p into a new file in dir named after name and the seed
// (created exclusively, as porcupine's views are) and returns its path.
func writePage(dir, name string, p Page) (string, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, fmt.Sprintf("weft-%s-seed%d-*.html", artifacts.FileSafe(name), p.Finding.Seed))
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
