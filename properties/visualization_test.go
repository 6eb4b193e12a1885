package properties

// Tests of the page VisualizeRun writes. Method: histories whose data is
// hostile markup (a stored value, a key, process names), checked the way a
// browser would meet them. Porcupine v1.3.1 writes its data as JSON inside a
// <script>, and its index.js puts each field into the page one of two ways:
// with textContent (operation descriptions, annotations and their tags),
// where text stays text, or with innerHTML (state descriptions and operation
// metadata, in the tooltips), where text is parsed as markup. So the tests
// read the JSON back and hold each field to its sink: innerHTML fields must
// be escaped, textContent fields must be the text as the model said it (an
// escaped one would show "&lt;" to the reader); and no byte of user data
// may end the script.

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/sim"
)

const (
	hostileValue = `<img src=x onerror=alert(1)>`
	hostileKey   = `<svg onload=alert(2)>`
	hostileProc  = `<script>alert(3)</script>`
)

// hostileRun is a run of model.KV whose history is not linearizable: p0
// puts hostileValue under hostileKey, then p1 reads the key and misses it.
// Its processes have hostile names, and a fault of p1 annotates the view.
func hostileRun() *sim.Result {
	return &sim.Result{
		Scenario: "hostile/page",
		Seed:     7,
		Hash:     0xfeed,
		Procs:    []string{hostileProc, "reader " + hostileProc},
		History: []sim.Operation{
			{Client: 0, Proc: 0, Call: 1, Return: 2, CallStep: 1, ReturnStep: 2,
				Input:  model.KVInput{Op: model.Put, Key: hostileKey, Value: hostileValue},
				Output: model.KVOutput{FoundUnknown: true}},
			{Client: 1, Proc: 1, Call: 3, Return: 4, CallStep: 3, ReturnStep: 5,
				Input:  model.KVInput{Op: model.Get, Key: hostileKey},
				Output: model.KVOutput{}},
		},
		Trace: []sim.Event{
			{Step: 1, Proc: 0, Kind: sim.EventSpawn},
			{Step: 4, Proc: 1, Kind: sim.EventFault, Detail: "buggify " + hostileValue},
		},
	}
}

// pageData is what porcupine's page holds, as its index.js reads it.
type pageData struct {
	Partitions []struct {
		History []struct {
			Description string // textContent
			Metadata    string // innerHTML
		}
		PartialLinearizations [][]struct {
			StateDescription string // innerHTML
		}
	}
	Annotations []struct {
		Tag, Description, Details string // textContent
	}
}

// readPage checks the page's bytes and returns its data: no user markup
// in the raw bytes, and one </script>, the page's own.
func readPage(t *testing.T, page string, hostile ...string) pageData {
	t.Helper()
	for _, h := range hostile {
		if strings.Contains(page, h) {
			t.Errorf("the page holds %q as it is", h)
		}
	}
	if n := strings.Count(strings.ToLower(page), "</script"); n != 1 {
		t.Errorf("the page has %d </script> tags, want its own one", n)
	}
	m := regexp.MustCompile(`(?m)^\s*const data = (.*)$`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no data in the page")
	}
	var d pageData
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("the page's data: %v", err)
	}
	return d
}

// checkMarkupSafe checks a field the page sets with innerHTML: it must be
// the escaped form of some text, so that it holds no markup at all.
func checkMarkupSafe(t *testing.T, what, s string) {
	t.Helper()
	if html.EscapeString(html.UnescapeString(s)) != s {
		t.Errorf("%s %q reaches innerHTML unescaped", what, s)
	}
}

// innerHTML is every field of d the page parses as markup.
func innerHTML(d pageData) map[string][]string {
	out := map[string][]string{}
	for _, p := range d.Partitions {
		for _, h := range p.History {
			out["metadata"] = append(out["metadata"], h.Metadata)
		}
		for _, lin := range p.PartialLinearizations {
			for _, st := range lin {
				out["state"] = append(out["state"], st.StateDescription)
			}
		}
	}
	return out
}

// model.KV's descriptions carry a stored value and a key into the page:
// the tooltips (innerHTML) get them escaped, the boxes (textContent) get
// them as they are, and the failure message, which a terminal prints, keeps
// them as they are.
func TestVisualizationEscapesKV(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	r := hostileRun()
	err := Linearizable(Linearizability{Model: model.KV}).Check(r)
	if err == nil {
		t.Fatal("the history passed")
	}
	msg := err.Error()
	if want := fmt.Sprintf("put(%q, %s)", hostileKey, hostileValue); !strings.Contains(msg, want) {
		t.Errorf("the message lacks the operation as the model told it, %s:\n%s", want, msg)
	}
	m := regexp.MustCompile(`see (\S+\.html)$`).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("the message names no page: %s", msg)
	}
	page, rerr := os.ReadFile(m[1])
	if rerr != nil {
		t.Fatal(rerr)
	}
	d := readPage(t, string(page), hostileValue, hostileKey, hostileProc)

	sinks := innerHTML(d)
	for what, ss := range sinks {
		for _, s := range ss {
			checkMarkupSafe(t, what, s)
		}
	}
	if !containsText(sinks["state"], hostileValue) {
		t.Errorf("no state description tells the stored value: %q", sinks["state"])
	}
	var descs []string
	for _, p := range d.Partitions {
		for _, h := range p.History {
			descs = append(descs, h.Description)
		}
	}
	if want := fmt.Sprintf("put(%q, %s)", hostileKey, hostileValue); !contains(descs, want) {
		t.Errorf("operation descriptions %q lack %q as text", descs, want)
	}
	var details []string
	for _, a := range d.Annotations {
		details = append(details, a.Description, a.Details)
	}
	if !contains(details, hostileProc) || !contains(details, "buggify "+hostileValue) {
		t.Errorf("annotations %q lack the process name and the fault as text", details)
	}
}

// The escaping is the visualization's, not model.KV's: a model of the
// user's own, with porcupine's default descriptions or its own, gets it too.
func TestVisualizationEscapesAnyModel(t *testing.T) {
	// A register of strings with no describe functions of its own.
	plainModel := porcupine.Model{
		Init: func() any { return "" },
		Step: func(state, input, output any) (bool, any) {
			if input.(regOp).write {
				return true, hostileValue
			}
			return output == nil || output == state, state
		},
	}
	described := plainModel
	described.DescribeState = func(state any) string { return "<b>" + state.(string) + "</b>" }
	described.DescribeOperation = func(input, output any) string { return "op " + hostileKey }
	described.DescribeOperationMetadata = func(info any) string { return fmt.Sprintf("<u>%v</u>", info) }
	open := int64(math.MaxInt64)
	r := &sim.Result{
		Procs: []string{hostileProc},
		History: []sim.Operation{
			{Client: 0, Call: 1, Return: 2, Input: regOp{write: true}},
			{Client: 1, Call: 3, Return: 4, Input: regOp{}, Output: ""},
			{Client: 2, Call: 5, Return: open, Input: regOp{}},
		},
	}
	for _, tc := range []struct {
		name  string
		model porcupine.Model
	}{{"porcupine's descriptions", plainModel}, {"the model's own", described}} {
		t.Run(tc.name, func(t *testing.T) {
			res, info := CheckLinearizable(tc.model, r.History, 0)
			if res != porcupine.Illegal {
				t.Fatalf("verdict %v", res)
			}
			path, err := VisualizeRun(t.TempDir(), "view", tc.model, info, r)
			if err != nil {
				t.Fatal(err)
			}
			page, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d := readPage(t, string(page), hostileValue, hostileKey, "<b>", "<u>")
			sinks := innerHTML(d)
			for what, ss := range sinks {
				for _, s := range ss {
					checkMarkupSafe(t, what, s)
				}
			}
			if !containsText(sinks["state"], hostileValue) {
				t.Errorf("no state description tells the state: %q", sinks["state"])
			}
		})
	}
}

// containsText reports whether one of the escaped strings ss holds text.
func containsText(ss []string, text string) bool {
	for _, s := range ss {
		if strings.Contains(html.UnescapeString(s), text) {
			return true
		}
	}
	return false
}

// contains reports whether one of ss holds sub as it is.
func contains(ss []string, sub string) bool {
	for _, s := range ss {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// The view may go into a shared folder (os.TempDir(), or a ReportDir that
// others can write), so its file must be a new one: a symbolic link planted under the name a run would use is never
// followed, and two runs of the same failure never write one file. Each
// message names the file it wrote, whose name still says which run it is.
func TestVisualizationFilesAreNew(t *testing.T) {
	shared, elsewhere := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", shared)
	victim := filepath.Join(elsewhere, "victim")
	if err := os.WriteFile(victim, []byte("victim"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := hostileRun()
	// The names the views went under before they were made new: a
	// planted link there must stay a link to an untouched file.
	for _, name := range []string{
		fmt.Sprintf("weft-hostile_page-seed%d-%016x.html", r.Seed, r.Hash),
		fmt.Sprintf("weft-TestLinearizable_fake-%d.html", r.Seed),
	} {
		if err := os.Symlink(victim, filepath.Join(shared, name)); err != nil {
			t.Fatal(err)
		}
	}

	see := regexp.MustCompile(`see (\S+\.html)$`)
	viaProperty := func() string {
		err := Linearizable(Linearizability{Model: model.KV}).Check(r)
		if m := see.FindStringSubmatch(fmt.Sprint(err)); m != nil {
			return m[1]
		}
		t.Fatalf("the message names no page: %v", err)
		return ""
	}
	visualization := regexp.MustCompile(`\nvisualization: (\S+\.html)$`)
	inShared := *r // AssertLinearizable writes beside the test unless told
	inShared.ReportDir = shared
	viaAssert := func() string {
		fake := &lintb{TB: t}
		AssertLinearizable(fake, model.KV, &inShared, 0)
		if m := visualization.FindStringSubmatch(fake.fatal); m != nil {
			return m[1]
		}
		t.Fatalf("the message names no page: %q", fake.fatal)
		return ""
	}
	for _, tc := range []struct {
		name  string
		write func() string
		want  *regexp.Regexp // the file's name
	}{
		{"Linearizable", viaProperty, regexp.MustCompile(`^weft-hostile_page-seed7-000000000000feed-[0-9A-Za-z]+\.html$`)},
		{"AssertLinearizable", viaAssert, regexp.MustCompile(`^weft-TestLinearizable_fake-seed7-[0-9A-Za-z]+\.html$`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, second := tc.write(), tc.write()
			if first == second {
				t.Errorf("two runs wrote one file, %s", first)
			}
			for _, path := range []string{first, second} {
				if filepath.Dir(path) != shared || !tc.want.MatchString(filepath.Base(path)) {
					t.Errorf("the view went to %s, want %s in %s", path, tc.want, shared)
				}
				fi, err := os.Lstat(path)
				if err != nil {
					t.Fatal(err)
				}
				if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 != 0 {
					t.Errorf("%s: mode %v, want a file only its owner reads", path, fi.Mode())
				}
				if page, err := os.ReadFile(path); err != nil || !strings.Contains(string(page), "const data = ") {
					t.Errorf("%s holds no view (%v)", path, err)
				}
			}
		})
	}
	if got, err := os.ReadFile(victim); err != nil || string(got) != "victim" {
		t.Errorf("the file a planted link points to now holds %.40q (%v)", got, err)
	}
}
