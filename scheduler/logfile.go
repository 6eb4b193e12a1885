package scheduler

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode"
)

// The file form of a log: lines of text that a person reads, and that diff
// and review line by line, as Go's fuzz corpus files ("go test fuzz v1") and
// rapid's fail files do. weft saves failing logs under testdata/ in it.
//
//	weft log v1
//	# comments and blank lines may come anywhere after the first line
//	scenario "TestWithdraw"
//	seed 3
//	strategy "random"
//	weft "v0.1.0"
//	go "go1.26.8"
//	decisions 5
//	schedule 0/2 x3
//	schedule 1/2
//	random 7/100
//
// The first line names the format and its version. The header lines follow
// in that order: the strings are Go string literals (strconv.Quote), the
// seed and the count are decimal. Then each line is one decision, as
// Decision.String writes it (kind, choice/N), or several equal ones in a row
// with " xK" (K >= 2) after it; the decisions add up to the count. A line
// may end in "\r\n". Numbers have no sign, no leading zeros and no spaces.
//
// The bounds are the binary form's: at most 16,777,216 decisions, strings
// of at most 64 KiB; and a file takes no more bytes than the largest log's
// text form (about 246 MB), so reading one never costs more than reading a
// text. MarshalFile refuses a log whose file would be longer (one with
// millions of decisions, all far from calm); the text form holds it.
const (
	fileMagic        = "weft log"
	fileHeader       = "weft log v"
	fileVersion      = 1
	fileHeaderLine   = "weft log v1"
	maxFileBytes     = maxLogTextBytes
	maxCommentBytes  = maxLogStringBytes // of comments and blank lines, in all
	maxRepeatDigits  = 8                 // a repeat is at most maxLogDecisions
	maxUint32Digits  = 10                // an N or a choice
	maxKindNameBytes = len("schedule")
	// maxDecisionLineBytes is the longest decision line: the longest kind
	// name, a choice and an N of 10 digits, a repeat, "\r\n".
	maxDecisionLineBytes = maxKindNameBytes + 1 + maxUint32Digits + 1 + maxUint32Digits + 2 + maxRepeatDigits + 2
	// maxFileHeaderBytes bounds the bytes before the decisions: the first
	// line, and four strings that quote each byte in at most 4 (\xNN) plus
	// their names, the seed and the count. Comments are counted apart.
	maxFileHeaderBytes = len(fileHeaderLine) + 2 + 4*(len("scenario ")+2+4*maxLogStringBytes+2) +
		len("seed ") + 20 + 2 + len("decisions ") + maxRepeatDigits + 2
)

// fileFields are the header lines after the first, in order.
var fileFields = [...]string{"scenario", "seed", "strategy", "weft", "go", "decisions"}

// MarshalFile returns the file form of l, described above. It fails when
// MarshalBinary does, and when the file would be longer than the largest
// log's text form (then save the text form, MarshalText, instead).
func (l *Log) MarshalFile() ([]byte, error) {
	if _, err := l.MarshalBinary(); err != nil { // the same bounds and checks
		return nil, err
	}
	var b []byte
	b = append(b, fileHeaderLine...)
	b = append(b, '\n')
	b = appendQuotedField(b, "scenario", l.Scenario)
	b = append(append(append(b, "seed "...), strconv.FormatUint(l.Seed, 10)...), '\n')
	b = appendQuotedField(b, "strategy", l.Spec)
	b = appendQuotedField(b, "weft", l.WeftVersion)
	b = appendQuotedField(b, "go", l.GoVersion)
	b = append(append(append(b, "decisions "...), strconv.Itoa(len(l.Decisions))...), '\n')
	ds := l.Decisions
	for i := 0; i < len(ds); {
		d, k := ds[i], 1
		for i+k < len(ds) && ds[i+k] == d {
			k++
		}
		b = append(b, kindNames[d.Kind]...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(d.Choice), 10)
		b = append(b, '/')
		b = strconv.AppendUint(b, uint64(d.N), 10)
		if k > 1 {
			b = append(b, " x"...)
			b = strconv.AppendInt(b, int64(k), 10)
		}
		b = append(b, '\n')
		if len(b) > maxFileBytes {
			return nil, fmt.Errorf("scheduler: the file form of this log is longer than the %d bytes a log file may take; save its text form", maxFileBytes)
		}
		i += k
	}
	return b, nil
}

func appendQuotedField(b []byte, name, s string) []byte {
	b = append(append(b, name...), ' ')
	return append(strconv.AppendQuote(b, s), '\n')
}

// isLogFile reports whether b, with white space trimmed before it, starts as
// the file form of some version does (or as much of it as a file cut short
// in its first line has).
func isLogFile(b []byte) bool { return bytes.HasPrefix(b, []byte(fileMagic)) }

// fileDecoder reads the file form from b, a line at a time.
type fileDecoder struct {
	b        []byte
	off      int
	line     int // the number of the line last read, from 1
	comments int // bytes of comment and blank lines so far
}

// next returns the next line that is not a comment or blank, without its
// line ending, or ok false at the end of b.
func (d *fileDecoder) next() (line []byte, ok bool, err error) {
	for d.off < len(d.b) {
		rest := d.b[d.off:]
		end := bytes.IndexByte(rest, '\n')
		n := end + 1
		if end < 0 {
			end, n = len(rest), len(rest)
		}
		line = bytes.TrimSuffix(rest[:end], []byte{'\r'})
		d.off += n
		d.line++
		if len(line) == 0 || line[0] == '#' {
			if d.comments += n; d.comments > maxCommentBytes {
				return nil, false, fmt.Errorf("scheduler: log file has more than %d bytes of comments and blank lines", maxCommentBytes)
			}
			continue
		}
		return line, true, nil
	}
	return nil, false, nil
}

func (d *fileDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("scheduler: log file line %d: "+format, append([]any{d.line}, args...)...)
}

// show is a line as an error quotes it: cut to a length that reads.
func show(line []byte) string {
	const most = 40
	if len(line) > most {
		return strconv.Quote(string(line[:most])) + "..."
	}
	return strconv.Quote(string(line))
}

// header reads the first line and the header lines into l (or only checks
// them when l is nil) and returns the decision count. A header cut short
// is a *truncatedError.
func (d *fileDecoder) header(l *Log) (uint64, error) {
	// The first line is the first of the file, after white space.
	d.off = len(d.b) - len(bytes.TrimLeftFunc(d.b, unicode.IsSpace))
	d.line = bytes.Count(d.b[:d.off], []byte{'\n'})
	end := bytes.IndexByte(d.b[d.off:], '\n')
	if end < 0 {
		end = len(d.b) - d.off
	}
	first := bytes.TrimSuffix(d.b[d.off:d.off+end], []byte{'\r'})
	switch {
	case d.off+end == len(d.b) && bytes.HasPrefix([]byte(fileHeaderLine), first) && len(first) < len(fileHeaderLine):
		return 0, &truncatedError{"scheduler: log file truncated in its first line"}
	case string(first) != fileHeaderLine:
		return 0, badFileHeader(first)
	}
	d.off, d.line = min(d.off+end+1, len(d.b)), d.line+1
	var h Log
	var count uint64
	for _, name := range fileFields {
		line, ok, err := d.next()
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, &truncatedError{fmt.Sprintf("scheduler: log file truncated in its header: no %s line", name)}
		}
		value, found := bytes.CutPrefix(line, []byte(name+" "))
		if !found {
			return 0, d.errorf("want the %s line, got %s", name, show(line))
		}
		switch name {
		case "seed", "decisions":
			n, err := parseDecimal(value, 64)
			if err != nil {
				return 0, d.errorf("%s %s: %v", name, show(value), err)
			}
			if name == "seed" {
				h.Seed = n
			} else if count = n; count > maxLogDecisions {
				return 0, errTooManyDecisions("log claims", count)
			}
			continue
		}
		// Quote writes a byte of a string in at most 4 bytes (\xNN).
		if len(value) > 4*maxLogStringBytes+2 {
			return 0, d.errorf("the %s has more than the %d bytes a log allows", name, maxLogStringBytes)
		}
		s, err := strconv.Unquote(string(value))
		switch {
		case err != nil || value[0] != '"':
			return 0, d.errorf("%s %s is not a Go string literal in double quotes", name, show(value))
		case len(s) > maxLogStringBytes:
			return 0, d.errorf("the %s has %d bytes, more than the %d a log allows", name, len(s), maxLogStringBytes)
		}
		switch name {
		case "scenario":
			h.Scenario = s
		case "strategy":
			h.Spec = s
		case "weft":
			h.WeftVersion = s
		case "go":
			h.GoVersion = s
		}
	}
	if l != nil {
		*l = h
	}
	return count, nil
}

// badFileHeader explains a first line that is not "weft log v1".
func badFileHeader(first []byte) error {
	v, ok := bytes.CutPrefix(first, []byte(fileHeader))
	if n, err := parseDecimal(v, 64); ok && err == nil && n > fileVersion {
		return fmt.Errorf("scheduler: log file of format version %d, newer than this weft, which reads %q", n, fileHeaderLine)
	}
	return fmt.Errorf("scheduler: log file starts with %s, want %q", show(first), fileHeaderLine)
}

// parseDecimal parses an unsigned decimal of the given bit size with no sign,
// leading zero or space.
func parseDecimal(b []byte, bits int) (uint64, error) {
	digits := len(b) - len(bytes.TrimLeft(b, "0123456789"))
	if len(b) == 0 || digits < len(b) || len(b) > 1 && b[0] == '0' {
		return 0, errors.New("not a decimal number without sign or leading zeros")
	}
	n, err := strconv.ParseUint(string(b), 10, bits)
	if err != nil {
		return 0, fmt.Errorf("not a number of %d bits", bits)
	}
	return n, nil
}

// decisions reads the decision lines, count decisions in all, into ds
// (len(ds) == count), or only checks them when ds is nil. It allocates
// nothing but errors.
func (d *fileDecoder) decisions(count uint64, ds []Decision) error {
	var i uint64
	for {
		line, ok, err := d.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		dec, k, err := parseDecisionLine(line)
		if err != nil {
			return d.errorf("%s: %v", show(line), err)
		}
		if k > count-i {
			return d.errorf("the decisions go past the %d the header declares", count)
		}
		if ds != nil {
			for j := range k {
				ds[i+j] = dec
			}
		}
		i += k
	}
	if i < count {
		return &truncatedError{fmt.Sprintf("scheduler: log file truncated after %d of %d decisions", i, count)}
	}
	return nil
}

// parseDecisionLine parses "kind choice/N" with an optional " xK".
func parseDecisionLine(line []byte) (Decision, uint64, error) {
	if len(line) > maxDecisionLineBytes {
		return Decision{}, 0, errors.New("longer than a decision line can be")
	}
	name, rest, _ := bytes.Cut(line, []byte{' '})
	var d Decision
	for k := Schedule; k < kindEnd; k++ {
		if string(name) == kindNames[k] {
			d.Kind = k
		}
	}
	if d.Kind == 0 {
		return Decision{}, 0, errors.New("want a kind (schedule, select, random, fault, timer), then choice/N")
	}
	frac, repeat, repeated := bytes.Cut(rest, []byte(" x"))
	c, n, ok := bytes.Cut(frac, []byte{'/'})
	if !ok {
		return Decision{}, 0, errors.New("want choice/N after the kind")
	}
	choice, err1 := parseDecimal(c, 32)
	options, err2 := parseDecimal(n, 32)
	if err := errors.Join(err1, err2); err != nil {
		return Decision{}, 0, fmt.Errorf("choice/N: %v", err)
	}
	d.N, d.Choice = uint32(options), uint32(choice)
	if err := checkDecision(d); err != nil {
		return Decision{}, 0, err
	}
	k := uint64(1)
	if repeated {
		var err error
		if k, err = parseDecimal(repeat, 64); err != nil || k < 2 {
			return Decision{}, 0, errors.New("a repeat xK wants a whole number K of at least 2")
		}
	}
	return d, k, nil
}

// decodeLogFile decodes the file form in data, which starts with the first
// line after white space. Like UnmarshalBinary, it checks the whole log,
// allocating nothing but the header's strings, before it allocates the
// decisions it holds.
func decodeLogFile(data []byte) (*Log, error) {
	if len(data) > maxFileBytes+fileSpaceBytes {
		return nil, fmt.Errorf("scheduler: log file of %d bytes is longer than a log's can be (%d)", len(data), maxFileBytes)
	}
	d := fileDecoder{b: data}
	count, err := d.header(nil)
	if err != nil {
		return nil, err
	}
	if err := d.decisions(count, nil); err != nil {
		return nil, err
	}
	l := new(Log)
	d = fileDecoder{b: data}
	if _, err := d.header(l); err != nil {
		return nil, err // not reached: the same header passed above
	}
	if count > 0 {
		l.Decisions = make([]Decision, count)
		if err := d.decisions(count, l.Decisions); err != nil {
			return nil, err // not reached: the same lines passed above
		}
	}
	return l, nil
}

// fileSpaceBytes is the white space a file may have before its first line.
const fileSpaceBytes = 4 << 10
