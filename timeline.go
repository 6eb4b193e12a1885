package weft

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/weftsim/weft/sim"
)

// timelineWidth is the widest a timeline's column is by default, in
// characters: wide enough for most sends and receives of a value, narrow
// enough that four processes fit a terminal of 200 columns.
const timelineWidth = 40

// wholeMax bounds a cell shown whole (see Timeline), so that a panic value
// of a megabyte does not make a line of a megabyte.
const wholeMax = 1000

// Timeline renders events with one column per process, so the order of what
// each process did reads top to bottom and who ran when reads left to right.
// Only processes that appear in events get a column, headed "p<id> <name>"
// from names; events of the clock (Proc -1) get the leftmost column when
// there are any. Columns are as wide as their widest cell, up to 40
// characters (TimelineWidth sets another bound); longer cells are clipped
// with "…". Notes and crashes, which carry a failure's message (a Fatalf's,
// a panic's value), show whole instead, up to 1,000 characters: such a cell
// runs on past its column, and its row, which holds nothing else, ends with
// it. Names and details show with their control characters quoted (\x1b,
// \r, \n, ...), so that what they hold cannot steer the terminal nor break
// a row.
func Timeline(events []sim.Event, names []string) string {
	return TimelineWidth(events, names, timelineWidth)
}

// TimelineWidth is Timeline with columns up to width characters (at least
// 8; a smaller width counts as 8), as -weft.width sets them.
func TimelineWidth(events []sim.Event, names []string, width int) string {
	return timeline(events, names, width, nil)
}

// mark is a row of its own in a timeline, before the first event of its
// step (after the last event when none is that late).
type mark struct {
	step int64
	text string
}

// timeline is TimelineWidth with marks, in the order of their steps.
func timeline(events []sim.Event, names []string, width int, marks []mark) string {
	maxWidth := max(width, 8)
	// slot maps Proc+1 to its column (or -1): slot 0 is the clock.
	top := -1
	for _, e := range events {
		top = max(top, e.Proc)
	}
	slot := make([]int, top+2)
	for i := range slot {
		slot[i] = -1
	}
	for _, e := range events {
		slot[max(e.Proc, -1)+1] = 0
	}
	var heads []string
	for i, s := range slot {
		if s < 0 {
			continue
		}
		slot[i] = len(heads)
		switch p := i - 1; {
		case p < 0:
			heads = append(heads, "clock")
		case p < len(names):
			heads = append(heads, "p"+strconv.Itoa(p)+" "+quoteControls(names[p]))
		default:
			heads = append(heads, "p"+strconv.Itoa(p))
		}
	}
	cellOf := func(e sim.Event) string {
		if e.Detail == "" {
			return e.Kind.String()
		}
		return e.Kind.String() + " " + quoteControls(e.Detail)
	}
	widths := make([]int, len(heads))
	for c, h := range heads {
		widths[c] = min(utf8.RuneCountInString(h), maxWidth)
	}
	stepW, timeW := len("step"), len("time")
	for _, e := range events {
		stepW = max(stepW, len(strconv.FormatInt(e.Step, 10)))
		timeW = max(timeW, len(e.Time.String()))
		if whole(e) {
			continue // runs past its column: it does not widen it
		}
		c := slot[max(e.Proc, -1)+1]
		widths[c] = min(max(widths[c], utf8.RuneCountInString(cellOf(e))), maxWidth)
	}

	var b strings.Builder
	row := func(step, at string, col int, cell string, whole bool) {
		line := fmt.Sprintf("%*s %*s", stepW, step, timeW, at)
		for c := range heads {
			text := ""
			if c == col || col < 0 {
				text = cell
				if col < 0 {
					text = heads[c]
				}
			}
			if c == col && whole {
				line += " | " + clip(text, wholeMax)
				break
			}
			line += " | " + pad(clip(text, widths[c]), widths[c])
		}
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	markRow := func(m mark) {
		b.WriteString(fmt.Sprintf("%*d %*s | %s\n", stepW, m.step, timeW, "", clip(quoteControls(m.text), wholeMax)))
	}
	row("step", "time", -1, "", false)
	for _, e := range events {
		for len(marks) > 0 && marks[0].step <= e.Step {
			markRow(marks[0])
			marks = marks[1:]
		}
		row(strconv.FormatInt(e.Step, 10), e.Time.String(), slot[max(e.Proc, -1)+1], cellOf(e), whole(e))
	}
	for _, m := range marks {
		markRow(m)
	}
	return b.String()
}

// whole reports whether e's cell shows whole: a note or a crash, which
// carry a failure's message.
func whole(e sim.Event) bool { return e.Kind == sim.EventNote || e.Kind == sim.EventCrash }

// clip shortens s to at most n characters, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(n-1, 0)]) + "…"
}

// pad right-pads s with spaces to n characters.
func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}
