package weft

// Tests of the quoting of text for a terminal. Method: a table of strings,
// hostile and ordinary, with what each entry point must make of them; then
// a check that the ordinary case costs nothing.

import (
	"testing"
	"unicode/utf8"
)

func TestQuoteControls(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		one      string // quoteControls
		lines    string // quoteControlsLines ("": as one)
	}{
		{"ascii", "send chan#1 \"req\" <- 1", "send chan#1 \"req\" <- 1", ""},
		{"letters and emoji", "café Ωμέγα 日本語 👩‍💻 👍🏽", "café Ωμέγα 日本語 👩‍💻 👍🏽", ""},
		{"color", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, ""},
		{"title", "\x1b]0;pwned\a", `\x1b]0;pwned\a`, ""},
		{"carriage return", "ok\rFAIL", `ok\rFAIL`, ""},
		{"backspace", "ok\b\bno", `ok\b\bno`, ""},
		{"newline and tab", "a\nb\tc", `a\nb\tc`, "a\nb\tc"},
		{"nul and del", "\x00\x7f", `\x00\x7f`, ""},
		{"C1 as a rune", "\u009b2J\u0085", `\u009b2J\u0085`, ""},
		{"C1 as a byte", "\x9b2J", `\x9b2J`, ""},
		{"broken UTF-8", "a\xe2\x80b", `a\xe2\x80b`, ""},
		{"bidi override", "\u202eevil\u202c", `\u202eevil\u202c`, ""},
		{"bidi isolates and marks", "\u2066x\u2069\u200e\u200f\u061c", `\u2066x\u2069\u200e\u200f\u061c`, ""},
		{"line separators", "a\u2028b\u2029", `a\u2028b\u2029`, ""},
		{"text that looks escaped", `back\slash \x1b`, `back\slash \x1b`, ""},
		{"replacement character", "\ufffd", "\ufffd", ""},
		{"empty", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := quoteControls(tc.in); got != tc.one {
				t.Errorf("quoteControls(%q) = %q, want %q", tc.in, got, tc.one)
			}
			want := tc.lines
			if want == "" {
				want = tc.one
			}
			if got := quoteControlsLines(tc.in); got != want {
				t.Errorf("quoteControlsLines(%q) = %q, want %q", tc.in, got, want)
			}
		})
	}
}

// Text with nothing to quote, which is nearly all of it, comes back as it
// is, without a copy.
func TestQuoteControlsPlainIsFree(t *testing.T) {
	s := "recv <- chan#3 \"rep\" = café"
	if n := testing.AllocsPerRun(100, func() { _ = quoteControls(s) }); n != 0 {
		t.Errorf("%v allocations for text with nothing to quote", n)
	}
}

// steering returns the first rune of s (or byte, when s is not UTF-8
// there) that could steer a terminal, other than a newline or a tab, and
// whether there is one: an independent statement of what quoteControls
// guards against, for the tests of the text it guards.
func steering(s string) (rune, bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1: // a byte that is not UTF-8
			return rune(s[i-1]), true
		case r == '\n' || r == '\t':
		case r < 0x20, r >= 0x7f && r <= 0x9f,
			r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e,
			r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
			return r, true
		}
	}
	return 0, false
}
