package main

// The pages in a real browser (issue 16): headless Chromium opens pages
// weft wrote, and the test reads what a person would see from the
// documents as the pages' scripts left them (--dump-dom) and from a
// screenshot, kept as the test's artifact (go test -artifacts keeps it).
// Method: a deadlock whose processes, channel, lock and message are named
// with markup (<img src=x onerror=...>, </script>) must show lanes, an
// arrow for the message, the failure, the essential decision highlighted,
// and those names as text, with no element made and no script run from
// them; the URL's fragment searches the events; hovering over an arrow,
// clicking an event, zooming and collapsing a lane do what they say. A run
// of 50 processes and
// about 10,000 events must be drawn whole, its lanes filtered and its
// events searched from the fragment. Every catalogued failure's
// page opens in the same run of the browser and must be drawn (see
// TestPages). Chromium is Debian's chromium (make browser installs it);
// where it is missing the browser checks skip, saying how to get it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/sim"
)

// The marks a hostile name leaves when it runs: an attribute on the body.
const (
	hostileProc = `<img src=x onerror="document.body.setAttribute('data-pwned','img')">`
	hostileMsg  = `</script><script>document.body.setAttribute('data-pwned','script')</script>`
)

// hostileDeadlock hands a message over a channel, then deadlocks AB-BA;
// every name and value in it is markup.
func hostileDeadlock(w *sim.World) {
	ch := sim.NewChan[string](w, 0).Named(`<svg onload="document.body.setAttribute('data-pwned','svg')">`)
	a, b := sim.NewMutex(w).Named("account a"), sim.NewMutex(w).Named(hostileMsg)
	wg := sim.NewWaitGroup(w)
	wg.Go(hostileProc, func() {
		ch.Send(hostileMsg)
		b.Lock()
		a.Lock()
		a.Unlock()
		b.Unlock()
	})
	wg.Go("teller", func() {
		ch.Recv()
		a.Lock()
		b.Lock()
		b.Unlock()
		a.Unlock()
	})
	wg.Wait()
}

// crowd is a run of the size the page must stay usable at: 50 processes
// passing tokens around a ring of inboxes, about 10,000 events, until every
// one waits on an empty inbox (a deadlock, by design).
func crowd(w *sim.World) {
	const n = 50
	inbox := make([]*sim.Chan[int], n)
	for i := range inbox {
		inbox[i] = sim.NewChan[int](w, 1).Named(fmt.Sprintf("inbox %d", i))
	}
	wg := sim.NewWaitGroup(w)
	for i := range n {
		wg.Go(fmt.Sprintf("node %d", i), func() {
			for k := range 60 {
				if i == 0 || k > 0 {
					inbox[(i+1+w.Intn(3))%n].Send(k)
				}
				inbox[i].Recv()
			}
		})
	}
	wg.Wait()
}

// crowdPage writes the page of crowd's run under seed 1 into dir as
// crowd.html and returns how many events it has.
func crowdPage(t *testing.T, dir string) int {
	t.Helper()
	r := sim.Run(sim.Config{Name: "crowd", Seed: 1, KeepTrace: true}, crowd)
	if r.Failure == nil || len(r.Procs) < 50 || len(r.Trace) < 10_000 {
		t.Fatalf("the crowd ran %d processes, %d events, failure %v: want 50, 10,000 and a deadlock", len(r.Procs), len(r.Trace), r.Failure)
	}
	f := &weft.Finding{Seed: 1, Spec: "random", Original: r, Shrunk: r, Log: r.Log()}
	var b bytes.Buffer
	if _, err := (weft.Page{Finding: f}).WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "crowd.html"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return len(r.Trace)
}

// chromium finds the browser, or skips the test saying how to install it.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WEFT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on this machine: make browser installs Debian's chromium (apt-get install chromium, as root); WEFT_CHROMIUM names another")
	return ""
}

// headless runs the browser on url with args and returns its output.
func headless(t *testing.T, browser, url string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--window-size=1400,900"}, args...)
	cmd := exec.CommandContext(ctx, browser, append(all, url)...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, errs.String())
	}
	t.Logf("the browser ran for %v", time.Since(start).Round(time.Millisecond))
	return out.String()
}

// hostilePage writes the page of hostileDeadlock's failure into dir as
// hostile.html and returns the finding.
func hostilePage(t *testing.T, dir string) *weft.Finding {
	t.Helper()
	rep := weft.Explore(weft.Options{Name: "hostile", Runs: 1000}, hostileDeadlock)
	f := rep.Failure
	if f == nil {
		t.Fatal("the deadlock was not found")
	}
	p := weft.Page{Finding: f, Commands: []string{"weft replay hostile " + f.Log.String()},
		Essential: weft.EssentialDecisions(sim.Config{}, f.Log, hostileDeadlock), PageDir: dir}
	if len(p.Essential) == 0 {
		t.Fatalf("no essential decision in %v", f.Log.Decisions)
	}
	var b bytes.Buffer
	if _, err := p.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hostile.html"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// inBrowser opens, in one run of the browser, the hostile page (searching
// its events for "teller") and every other page in dir, each in a frame of
// one page, the hostile one first and filling the window. It checks what a
// person would see on the hostile page, from its document as its script
// left it, that every page's script drew it, and keeps a screenshot with
// the test's artifacts.
func inBrowser(t *testing.T, dir string, hostile *weft.Finding) {
	browser := chromium(t)
	pages, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	crowded := crowdPage(t, dir)
	// The crowd's page filtered to the lanes of nodes 1 and 10 to 19, its
	// events searched for inbox 17.
	names := []string{"hostile.html#q=teller", "crowd.html#lanes=node%201&q=inbox%2017"}
	for _, p := range pages {
		// Not those again, nor porcupine's views, nor the index.
		if name := filepath.Base(p); name != "hostile.html" && name != "crowd.html" && name != "index.html" && !strings.HasPrefix(name, "weft-") {
			names = append(names, name)
		}
	}
	list, _ := json.Marshal(names)
	frames := `<!doctype html><html><body style="margin:0"><script>
` + "var files = " + string(list) + `;
files.forEach(function (f, i) {
  var fr = document.createElement("iframe");
  // The first two fill the window; the rest are only checked, small.
  fr.style.cssText = i < 2 ? "width:1400px;height:900px;border:0;display:block" : "width:600px;height:200px;border:0";
  fr.onload = function () {
    var drawn;
    try { drawn = fr.contentDocument.body.getAttribute("data-drawn"); } catch (e) { drawn = "unreadable: " + e; }
    var p = document.createElement("p");
    p.className = "result";
    p.setAttribute("data-file", f);
    p.setAttribute("data-drawn", drawn);
    try { p.setAttribute("data-ms", fr.contentDocument.body.getAttribute("data-draw-ms")); } catch (e) {}
    document.body.appendChild(p);
    if (i === 0) {
      // What a person does: hover over an arrow, click an event, zoom in,
      // collapse a lane.
      var doc = fr.contentDocument, win = fr.contentWindow, r = document.createElement("p");
      r.id = "interact";
      var arrow = doc.querySelector(".arrow.msg");
      arrow.dispatchEvent(new win.MouseEvent("mousemove", { bubbles: true, clientX: 20, clientY: 20 }));
      r.setAttribute("data-tip", doc.querySelector(".tip").textContent);
      var ev = doc.querySelector('.ev.k-recv');
      ev.dispatchEvent(new win.MouseEvent("click", { bubbles: true }));
      r.setAttribute("data-detail", doc.getElementById("detail").textContent);
      var w0 = +doc.getElementById("svg").getAttribute("width");
      doc.getElementById("zoomin").click();
      r.setAttribute("data-zoomed", +doc.getElementById("svg").getAttribute("width") > w0);
      var n0 = doc.querySelectorAll(".lanelabel.thin").length;
      doc.querySelector(".lanelabel .toggle").click();
      r.setAttribute("data-collapsed", doc.querySelectorAll(".lanelabel.thin").length - n0);
      document.body.appendChild(r);
      // Back as it was, for the screenshot.
      doc.querySelector(".lanelabel .toggle").click();
      doc.getElementById("zoomout").click();
    }
    if (i < 2) {
      var dom = document.createElement("textarea");
      dom.id = "dom" + i;
      dom.textContent = fr.contentDocument.documentElement.outerHTML;
      document.body.appendChild(dom);
    }
  };
  fr.src = f;
  document.body.appendChild(fr);
});
</script></body></html>`
	all := filepath.Join(dir, "all-pages.html")
	if err := os.WriteFile(all, []byte(frames), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.ArtifactDir(), "page.png")
	out := headless(t, browser, "file://"+all, "--allow-file-access-from-files", "--dump-dom", "--screenshot="+shot)

	results := regexp.MustCompile(`<p class="result" data-file="([^"]+)" data-drawn="([^"]*)"`).FindAllStringSubmatch(out, -1)
	if len(results) != len(names) {
		t.Fatalf("%d of the %d pages reported back:\n%.3000s", len(results), len(names), out)
	}
	for _, r := range results {
		if n, err := strconv.Atoi(r[2]); err != nil || n <= 0 {
			t.Errorf("%s: not drawn (data-drawn %q)", r[1], r[2])
		}
	}
	docs := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<textarea id="(dom\d)">(.*?)</textarea>`).FindAllStringSubmatch(out, -1) {
		docs[m[1]] = html.UnescapeString(m[2])
	}
	if len(docs) != 2 {
		t.Fatalf("no documents of the hostile and the crowd's pages:\n%.2000s", out)
	}

	// The crowd: every event drawn, the lanes filtered, the events searched.
	crowdDOM := docs["dom1"]
	for what, pattern := range map[string]string{
		"every event drawn":   fmt.Sprintf(`data-drawn="%d"`, crowded),
		"the filtered lanes":  `52 lanes, 41 hidden`,
		"the search's result": `1 of \d+ events match`,
	} {
		if !regexp.MustCompile(pattern).MatchString(crowdDOM) {
			t.Errorf("the crowd's page shows no %s (%s)", what, pattern)
		}
	}
	if m := regexp.MustCompile(`data-draw-ms="(\d+)"`).FindStringSubmatch(crowdDOM); m != nil {
		t.Logf("the crowd's page (%d events) drew in %s ms", crowded, m[1])
	}

	// The hostile page under a person's hands.
	im := regexp.MustCompile(`<p id="interact" data-tip="([^"]*)" data-detail="([^"]*)" data-zoomed="([^"]*)" data-collapsed="([^"]*)"`).FindStringSubmatch(out)
	if im == nil {
		t.Fatalf("the interactions did not report:\n%.2000s", out)
	}
	tip, detail := html.UnescapeString(im[1]), html.UnescapeString(im[2])
	if !strings.HasPrefix(tip, "msg: p1 <img src=x") || !strings.Contains(tip, "p2 teller") {
		t.Errorf("hovering over the message's arrow shows %q", tip)
	}
	if !strings.Contains(detail, "recv <- chan#1") || !strings.Contains(detail, "msg from p1 <img") {
		t.Errorf("clicking the receive shows %q", detail)
	}
	if im[3] != "true" || im[4] != "1" {
		t.Errorf("zooming in widened the view: %s; collapsing a lane made %s thin, want 1", im[3], im[4])
	}

	dom := docs["dom0"]
	count := func(pattern string) int { return len(regexp.MustCompile(pattern).FindAllString(dom, -1)) }
	// The names hold "data-pwned" as text; run, they set it as an attribute.
	if count(`data-pwned="`) > 0 || count(`<img\b`) > 0 || count(`<svg\b`) != 1 || count(`<script\b`) != 2 {
		t.Fatalf("a hostile name made markup or ran (data-pwned= %d, <img %d, <svg %d, <script %d)",
			count(`data-pwned="`), count(`<img\b`), count(`<svg\b`), count(`<script\b`))
	}
	lanes := count(`class="lanelabel[^"]*"`)
	if want := len(hostile.Shrunk.Procs); lanes < want {
		t.Errorf("%d lanes drawn, want one for each of the %d processes", lanes, want)
	}
	for what, pattern := range map[string]string{
		"an arrow for the message":        `class="arrow msg"`,
		"a bar for each blocked process":  `class="bar block open"`,
		"the failure":                     `deadlock: all processes are blocked`,
		"the essential decision":          `class="decband"`,
		"its line in the header":          `preempted p\d`,
		"the hostile name, as text":       regexp.QuoteMeta(`&lt;img src=x onerror="document.body.setAttribute('data-pwned','img')"&gt;`),
		"the hostile message, as text":    regexp.QuoteMeta(`&lt;/script&gt;&lt;script&gt;`),
		"the search's matches":            `\d+ of \d+ events match`,
		"a match marked on the timeline":  `class="ev [^"]* match`,
		"the failing process's lane name": `class="lanelabel[^"]* failing"`,
	} {
		if count(pattern) == 0 {
			t.Errorf("the page shows no %s (%s)", what, pattern)
		}
	}

	img, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	pic, err := png.Decode(img)
	if err != nil {
		t.Fatal(err)
	}
	colors := map[uint32]bool{}
	bounds := pic.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 7 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 7 {
			r, g, b, _ := pic.At(x, y).RGBA()
			colors[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if bounds.Dx() < 1000 || len(colors) < 20 {
		t.Fatalf("the screenshot is %v with %d colours: blank?", bounds, len(colors))
	}
	t.Logf("screenshot of the hostile page: %s", shot)
}
