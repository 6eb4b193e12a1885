package weft

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text for a terminal. Names, messages and failure values come from the
// program under test, and a terminal obeys what they hold: an ESC sequence
// moves the cursor, recolors, retitles the window or clears the screen, a
// CR or a backspace overwrites what was printed, a bidi control reverses the
// text after it. The report and the timeline show such text through
// quoteControls (one line) or quoteControlsLines (a message of several
// lines), which write those characters as Go escapes and leave everything
// else, accents, scripts and emoji included, as it is.

// quoteControls returns s with each character that could steer a terminal
// written as its Go escape (\x1b, \r, \a, \u009b, \u202e, ...):
//
//   - the C0 controls, newline and tab included, and DEL;
//   - the C1 controls (U+0080 to U+009F);
//   - the Unicode bidi controls (U+061C, U+200E, U+200F, U+202A to
//     U+202E, U+2066 to U+2069) and the line and paragraph separators
//     (U+2028, U+2029);
//   - each byte that is not part of valid UTF-8, as \xNN: a terminal may
//     read a lone 0x9B as the C1 control that starts a sequence.
//
// Backslashes stay as they are, so text that looks escaped reads the same as
// text that was. s comes back as it is, without a copy, when it holds none
// of those, as nearly all text does.
func quoteControls(s string) string { return quoteControlsExcept(s, false) }

// quoteControlsLines is quoteControls for text of several lines, a failure's
// message or a stack: newlines and tabs stay, so the text keeps its lines.
func quoteControlsLines(s string) string { return quoteControlsExcept(s, true) }

func quoteControlsExcept(s string, lines bool) string {
	var b strings.Builder
	done := 0 // s[:done] is written to b
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		esc := ""
		switch {
		case r == utf8.RuneError && n == 1:
			esc = fmt.Sprintf(`\x%02x`, s[i])
		case lines && (r == '\n' || r == '\t'):
		case steers(r):
			q := strconv.QuoteRune(r)
			esc = q[1 : len(q)-1]
		}
		if esc != "" {
			if done == 0 {
				b.Grow(len(s) + 8)
			}
			b.WriteString(s[done:i])
			b.WriteString(esc)
			done = i + n
		}
		i += n
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// steers reports whether r is a character quoteControls quotes.
func steers(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // ALM, LRM, RLM
		r >= 0x202a && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069, // LRI, RLI, FSI, PDI
		r == 0x2028, r == 0x2029:   // line and paragraph separators
		return true
	}
	return false
}
