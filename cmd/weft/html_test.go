package main

// The replay page (weft replay -html) shows names and messages from the
// run: each must reach the page as text. Method: a run whose every string
// is markup, and a look at the page's bytes.

import (
	"strings"
	"testing"

	"github.com/weftsim/weft/sim"
)

func TestHTMLTimelineEscapes(t *testing.T) {
	const (
		img    = `<img src=x onerror=alert(1)>`
		script = `</script><script>alert(2)</script>`
		title  = `</title><svg onload=alert(3)>`
	)
	r := &sim.Result{
		Spec:  "pct " + img,
		Procs: []string{"main", script},
		Trace: []sim.Event{
			{Step: 1, Proc: 0, Kind: sim.EventSpawn, Detail: title},
			{Step: 2, Proc: 1, Kind: sim.EventSend, Detail: `"quoted" & ` + img},
		},
		Failure: &sim.Failure{Kind: sim.Fatal, Proc: 1, ProcName: script, Value: img},
	}
	page := htmlTimeline("hostile "+title, r)
	for _, raw := range []string{img, script, title, "<script", "<svg", "<img"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q as it is", raw)
		}
	}
	// Each string is still there, as text.
	for _, text := range []string{
		"&lt;img src=x onerror=alert(1)&gt;",
		"&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;",
		"&lt;/title&gt;&lt;svg onload=alert(3)&gt;",
		"&#34;quoted&#34; &amp; &lt;img",
	} {
		if !strings.Contains(page, text) {
			t.Errorf("the page lacks %q", text)
		}
	}
}
