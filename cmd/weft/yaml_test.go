package main

// A reader of the YAML that the campaign recipes (the GitHub Actions
// workflow and the Kubernetes Job) are written in, for their tests: block
// mappings and sequences, flow sequences of scalars, plain and quoted
// scalars, literal and folded block scalars, and comments. Every scalar is
// a string. It refuses what it does not know (anchors, aliases, tags, flow
// mappings, tabs, several documents) rather than misread it, so a recipe
// that needs more fails its test until this reader learns it.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

type yamlLine struct {
	num    int    // 1-based, for errors
	indent int    // spaces before the content
	text   string // the content, comment stripped
	raw    string // the whole line, for block scalars
}

type yamlReader struct {
	lines []yamlLine
	i     int
}

// parseYAML reads text into map[string]any, []any and string values.
func parseYAML(text string) (any, error) {
	r := &yamlReader{}
	for n, raw := range strings.Split(text, "\n") {
		content := strings.TrimLeft(raw, " ")
		if strings.HasPrefix(content, "\t") {
			return nil, fmt.Errorf("line %d: a tab: YAML indents with spaces", n+1)
		}
		indent := len(raw) - len(content)
		content = strings.TrimRight(stripComment(content), " ")
		if content == "---" && len(r.lines) == 0 {
			continue
		}
		r.lines = append(r.lines, yamlLine{num: n + 1, indent: indent, text: content, raw: raw})
	}
	r.skipBlank()
	if r.i == len(r.lines) {
		return nil, fmt.Errorf("an empty document")
	}
	v, err := r.block(r.lines[r.i].indent)
	if err != nil {
		return nil, err
	}
	r.skipBlank()
	if r.i < len(r.lines) {
		return nil, fmt.Errorf("line %d: unexpected %q (indentation?)", r.lines[r.i].num, r.lines[r.i].text)
	}
	return v, nil
}

// stripComment cuts a comment: a # at the start or after a space, outside
// quotes.
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 || s[i-1] == ' ' || s[i-1] == '[' || s[i-1] == ',' {
				quote = c
			}
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return s[:i]
		}
	}
	return s
}

func (r *yamlReader) skipBlank() {
	for r.i < len(r.lines) && r.lines[r.i].text == "" {
		r.i++
	}
}

func isItem(text string) bool { return text == "-" || strings.HasPrefix(text, "- ") }

// block reads the mapping or sequence whose lines are indented by indent.
func (r *yamlReader) block(indent int) (any, error) {
	r.skipBlank()
	if isItem(r.lines[r.i].text) {
		return r.sequence(indent)
	}
	return r.mapping(indent)
}

func (r *yamlReader) sequence(indent int) (any, error) {
	var out []any
	for {
		r.skipBlank()
		if r.i == len(r.lines) || r.lines[r.i].indent != indent || !isItem(r.lines[r.i].text) {
			return out, nil
		}
		l := &r.lines[r.i]
		rest := strings.TrimLeft(strings.TrimPrefix(l.text, "-"), " ")
		switch {
		case rest == "":
			r.i++
			r.skipBlank()
			if r.i == len(r.lines) || r.lines[r.i].indent <= indent {
				out = append(out, "")
				continue
			}
			v, err := r.block(r.lines[r.i].indent)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		case mappingKey(rest) != "":
			// "- key: value": a mapping whose lines are indented as its
			// first key is.
			at := indent + len(l.text) - len(rest)
			l.indent, l.text = at, rest
			v, err := r.mapping(at)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		default:
			v, err := scalar(rest, l.num)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			r.i++
		}
	}
}

// mappingKey returns the key of a "key: value" or "key:" line, "" if the
// line is not one.
func mappingKey(text string) string {
	if text[0] == '"' || text[0] == '\'' {
		end := strings.IndexByte(text[1:], text[0])
		if end < 0 || !strings.HasPrefix(text[end+2:], ":") {
			return ""
		}
		return text[1 : end+1]
	}
	for i := 0; i < len(text); i++ {
		if text[i] == ':' && (i+1 == len(text) || text[i+1] == ' ') {
			return text[:i]
		}
		if text[i] == ' ' && i+1 < len(text) && text[i+1] == '#' {
			return ""
		}
	}
	return ""
}

func (r *yamlReader) mapping(indent int) (any, error) {
	out := map[string]any{}
	for {
		r.skipBlank()
		if r.i == len(r.lines) || r.lines[r.i].indent < indent {
			return out, nil
		}
		l := r.lines[r.i]
		if l.indent > indent {
			return nil, fmt.Errorf("line %d: indented more than the keys before it", l.num)
		}
		if isItem(l.text) {
			return out, nil // a sequence at the same indentation ends the mapping
		}
		key := mappingKey(l.text)
		if key == "" {
			return nil, fmt.Errorf("line %d: want key: value, have %q", l.num, l.text)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("line %d: key %q twice", l.num, key)
		}
		rest := strings.TrimSpace(l.text[strings.Index(l.text, ":")+1:])
		if l.text[0] == '"' || l.text[0] == '\'' {
			rest = strings.TrimSpace(l.text[len(key)+3:])
		}
		r.i++
		switch {
		case rest == "":
			r.skipBlank()
			switch {
			case r.i < len(r.lines) && r.lines[r.i].indent > indent:
				v, err := r.block(r.lines[r.i].indent)
				if err != nil {
					return nil, err
				}
				out[key] = v
			case r.i < len(r.lines) && r.lines[r.i].indent == indent && isItem(r.lines[r.i].text):
				v, err := r.sequence(indent)
				if err != nil {
					return nil, err
				}
				out[key] = v
			default:
				out[key] = ""
			}
		case rest == "|" || rest == "|-" || rest == ">" || rest == ">-":
			out[key] = r.blockScalar(indent, rest)
		default:
			v, err := scalar(rest, l.num)
			if err != nil {
				return nil, err
			}
			out[key] = v
		}
	}
}

// blockScalar reads the lines of a | or > scalar, indented more than
// indent, from their raw text (a # there is text).
func (r *yamlReader) blockScalar(indent int, style string) string {
	var lines []string
	at := -1
	for r.i < len(r.lines) {
		l := r.lines[r.i]
		if strings.TrimSpace(l.raw) != "" && l.indent <= indent {
			break
		}
		if at < 0 && strings.TrimSpace(l.raw) != "" {
			at = l.indent
		}
		if len(l.raw) >= at && at >= 0 {
			lines = append(lines, l.raw[at:])
		} else {
			lines = append(lines, "")
		}
		r.i++
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	sep := "\n"
	if style[0] == '>' {
		sep = " "
	}
	s := strings.Join(lines, sep)
	if !strings.HasSuffix(style, "-") {
		s += "\n"
	}
	return s
}

// scalar reads a value on one line: quoted, a flow sequence, or plain.
func scalar(s string, line int) (any, error) {
	switch s[0] {
	case '"':
		v, err := strconv.Unquote(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: a double-quoted scalar this reader cannot read: %s", line, s)
		}
		return v, nil
	case '\'':
		if len(s) < 2 || s[len(s)-1] != '\'' {
			return nil, fmt.Errorf("line %d: an unterminated single-quoted scalar: %s", line, s)
		}
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), nil
	case '[':
		if s[len(s)-1] != ']' {
			return nil, fmt.Errorf("line %d: a flow sequence over several lines: %s", line, s)
		}
		var out []any
		inner := strings.TrimSpace(s[1 : len(s)-1])
		if inner == "" {
			return out, nil
		}
		for _, item := range strings.Split(inner, ",") {
			item = strings.TrimSpace(item)
			if item == "" || strings.ContainsAny(item[:1], "[{") {
				return nil, fmt.Errorf("line %d: a flow sequence this reader cannot read: %s", line, s)
			}
			v, err := scalar(item, line)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case '{', '&', '*', '!', '%', '@', '`', '|', '>':
		return nil, fmt.Errorf("line %d: %q: flow mappings, anchors, aliases, tags and directives are beyond this reader", line, s)
	}
	return s, nil
}

func TestYAMLReader(t *testing.T) {
	doc, err := parseYAML(`# a comment
top:
  plain: a b: c   # not a key: the first ": " splits
  quoted: "x # y"
  single: 'it''s'
  flow: [1, "two", three]
  list:
  - a
  - k: v
    k2: v2
  -
    nested: yes
  block: |
    line 1
    # kept
  folded: >-
    a
    b
  empty:
"quoted key": 1
`)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(doc)
	want := `map[quoted key:1 top:map[block:line 1
# kept
 empty: flow:[1 two three] folded:a b list:[a map[k:v k2:v2] map[nested:yes]] plain:a b: c quoted:x # y single:it's]]`
	if got != want {
		t.Fatalf("parsed\n%s\nwant\n%s", got, want)
	}
	for _, bad := range []string{
		"a: &anchor x", "a: *alias", "a: {b: c}", "a:\n\tb: c", "a: 1\na: 2", "a:\n  b: 1\n    c: 2", "just text", "a: [1,\n 2]",
	} {
		if _, err := parseYAML(bad); err == nil {
			t.Errorf("parseYAML(%q) accepted what it cannot read", bad)
		}
	}
}
