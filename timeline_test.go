package weft

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/scheduler"
	"github.com/weftsim/weft/sim"
)

// A small failing run rendered as a timeline: a header with the clock and
// one column per process that appears in the trace, headed with its id and
// name, and each event in its process's column.
func TestTimelineColumns(t *testing.T) {
	// The calm schedule: every decision takes its default.
	cfg := sim.Config{Strategy: scheduler.Replay(nil), KeepTrace: true}
	r := sim.Run(cfg, func(w *sim.World) {
		req, rep := sim.NewChan[int](w, 0).Named("req"), sim.NewChan[int](w, 0).Named("rep")
		w.Go("client", func() {
			req.Send(1)
			rep.Recv()
		})
		w.Go("server", func() {
			v := req.Recv()
			w.Sleep(time.Second)
			_ = v // forgets to reply
			req.Recv()
		})
		w.Go("idle", func() {}) // appears: it exits
		w.Sleep(time.Minute)
		rep.Recv()
	})
	if r.Failure == nil || r.Failure.Kind != sim.Deadlock {
		t.Fatalf("failure %v, want a deadlock", r.Failure)
	}
	out := Timeline(r.Trace, r.Procs)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(r.Trace)+1 {
		t.Fatalf("%d lines for %d events:\n%s", len(lines), len(r.Trace), out)
	}
	header := cells(lines[0])
	wantHeader := []string{"step time", "clock", "p0 main", "p1 client", "p2 server", "p3 idle"}
	if !slices.Equal(header, wantHeader) {
		t.Fatalf("header %q, want %q\n%s", header, wantHeader, out)
	}
	for i, e := range r.Trace {
		row := cells(lines[i+1])
		if len(row) != len(header) {
			t.Fatalf("line %d has %d columns, header %d:\n%s", i+1, len(row), len(header), out)
		}
		col := 2 + e.Proc // step and time, clock, then p0, p1, ...
		for c := 1; c < len(row); c++ {
			if c == col {
				if !strings.HasPrefix(row[c], e.Kind.String()) {
					t.Fatalf("line %d: cell %q does not start with %v:\n%s", i+1, row[c], e.Kind, out)
				}
			} else if row[c] != "" {
				t.Fatalf("line %d: event of p%d also in column %d: %q\n%s", i+1, e.Proc, c, row[c], out)
			}
		}
		if want := fmt.Sprintf("%d %v", e.Step, e.Time); row[0] != want {
			t.Fatalf("line %d starts %q, want %q", i+1, row[0], want)
		}
	}
	if !strings.Contains(out, `send chan#1 "req" <- 1`) || !strings.Contains(out, `recv <- chan#1 "req" = 1`) {
		t.Fatalf("timeline lacks the request's send and receive:\n%s", out)
	}

	// A process that never appears gets no column.
	cut := slices.DeleteFunc(slices.Clone(r.Trace), func(e sim.Event) bool { return e.Proc == 1 || e.Proc < 0 })
	header = cells(strings.SplitN(Timeline(cut, r.Procs), "\n", 2)[0])
	if want := []string{"step time", "p0 main", "p2 server", "p3 idle"}; !slices.Equal(header, want) {
		t.Fatalf("header without p1 and the clock %q, want %q", header, want)
	}
}

// cells splits a timeline line at its column bars and trims each cell; the
// step and time columns come back as one cell.
func cells(line string) []string {
	parts := strings.Split(line, "|")
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = strings.Join(strings.Fields(p), " ")
	}
	return out
}

// Names and details come from the program under test: a hostile one must
// not move the cursor, recolor the terminal or break the table. Each shows
// quoted, in its own column, on its own line; ordinary text, accents and all,
// shows as it is.
func TestTimelineQuotesControls(t *testing.T) {
	names := []string{"main", "\x1b[2J\x1b[Hevil", "ünïcödé"}
	events := []sim.Event{
		{Step: 1, Proc: 0, Kind: sim.EventSend, Detail: "msg \x1b]0;title\a"},
		{Step: 2, Proc: 1, Kind: sim.EventNote, Detail: "line1\nline2\rX"},
		{Step: 3, Proc: 2, Kind: sim.EventNote, Detail: "\u202eabc \x9b2J"},
	}
	out := Timeline(events, names)
	if r, ok := steering(out); ok {
		t.Errorf("the timeline passes %U to the terminal:\n%q", r, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(events)+1 {
		t.Fatalf("%d lines for %d events:\n%s", len(lines), len(events), out)
	}
	if want := []string{"step time", "p0 main", `p1 \x1b[2J\x1b[Hevil`, "p2 ünïcödé"}; !slices.Equal(cells(lines[0]), want) {
		t.Errorf("header %q, want %q", cells(lines[0]), want)
	}
	for i, want := range []string{`send msg \x1b]0;title\a`, `note line1\nline2\rX`, `note \u202eabc \x9b2J`} {
		if row := cells(lines[i+1]); row[i+1] != want {
			t.Errorf("line %d: cell %q, want %q", i+1, row[i+1], want)
		}
	}
}
