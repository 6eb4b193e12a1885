package scheduler

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The text form of a log is one line that a shell passes through unquoted:
// a prefix, then the binary form in unpadded URL-safe base64 (letters,
// digits, '-' and '_'). With prefix "weft1-" the binary is stored as is; with
// "weft1z-" it is compressed with DEFLATE first, which String picks when that
// is shorter. The 1 versions the text wrapping only; the binary inside carries
// its own format version.
const (
	textPrefix       = "weft1-"
	textPrefixFlate  = "weft1z-"
	textVersion      = 1
	textFlateMinSize = 64 // below this, DEFLATE's own overhead eats the gain

	// maxLogTextBytes is the most the text of a log takes: the longer
	// prefix, then the largest binary form in base64 (String never picks a
	// compressed form longer than that).
	maxLogTextBytes = len(textPrefixFlate) + (maxLogBytes*4+2)/3
)

// String returns the text form of l, or, when l cannot be encoded, a text
// in angle brackets that says why (and that ParseLog rejects).
func (l *Log) String() string {
	b, err := l.MarshalText()
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// MarshalText returns the text form of l; it fails when MarshalBinary does.
func (l *Log) MarshalText() ([]byte, error) {
	bin, err := l.MarshalBinary()
	if err != nil {
		return nil, err
	}
	prefix, body := textPrefix, bin
	if len(bin) >= textFlateMinSize {
		if z := deflate(bin); len(z) < len(bin) {
			prefix, body = textPrefixFlate, z
		}
	}
	out := make([]byte, len(prefix)+base64.RawURLEncoding.EncodedLen(len(body)))
	copy(out, prefix)
	base64.RawURLEncoding.Encode(out[len(prefix):], body)
	return out, nil
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression) // the level is valid
	w.Write(b)                                           // a bytes.Buffer does not fail
	w.Close()
	return buf.Bytes()
}

// UnmarshalText decodes the text form, as ParseLog does.
func (l *Log) UnmarshalText(text []byte) error {
	p, err := ParseLog(string(text))
	if err != nil {
		return err
	}
	*l = *p
	return nil
}

// DecodeLog decodes a log in any of its forms: the file form (MarshalFile),
// as weft.Test saves logs; the binary form (MarshalBinary), as it saved them
// before; or the one-line text form (String), which people paste into files
// too. Data that starts, after white space, with "weft log" is the file
// form, whatever its version. Other data that starts with "weft" and a
// printable character is text, whatever its version: a "weft2-..." text is
// reported as a log of an unknown format version, never read as binary.
// (The binary form has its format version right after "weft", and that
// version stays below ' ', as logFormatVersion says.) To read a log from a
// file, ReadLog reads no more of it than the log can take.
func DecodeLog(data []byte) (*Log, error) {
	t := bytes.TrimSpace(data)
	if isLogFile(t) {
		return decodeLogFile(data)
	}
	if isLogText(t) {
		return ParseLog(string(t))
	}
	l := new(Log)
	if err := l.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return l, nil
}

// isLogText reports whether b, trimmed, looks like the text form of some
// version: "weft", then a printable ASCII character.
func isLogText(b []byte) bool {
	return len(b) > len(logMagic) && string(b[:len(logMagic)]) == logMagic && b[len(logMagic)] >= ' ' && b[len(logMagic)] < 0x7f
}

// ParseLog decodes the text form of a log, ignoring white space around it.
// Its errors, prefixed "scheduler: ", say what is wrong, as UnmarshalBinary's.
// A compressed text is expanded no further than the log inside can take
// (its header first, then as many bytes as its decisions can), so a text
// that expands past that, a decompression bomb, fails after a few reads;
// UnmarshalBinary then decodes what was expanded, within its own bounds.
func ParseLog(s string) (*Log, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("scheduler: empty log text")
	}
	if len(s) > maxLogTextBytes {
		return nil, fmt.Errorf("scheduler: log text of %d bytes is longer than a log's can be (%d)", len(s), maxLogTextBytes)
	}
	var body string
	compressed := false
	switch {
	case strings.HasPrefix(s, textPrefix):
		body = s[len(textPrefix):]
	case strings.HasPrefix(s, textPrefixFlate):
		body, compressed = s[len(textPrefixFlate):], true
	default:
		return nil, badPrefix(s)
	}
	bin, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		var c base64.CorruptInputError
		if errors.As(err, &c) {
			return nil, fmt.Errorf("scheduler: log text is not valid base64url at byte %d after the prefix (damaged in copying?)", int64(c))
		}
		return nil, fmt.Errorf("scheduler: log text is not valid base64url: %v", err)
	}
	if compressed {
		if bin, err = inflate(bin); err != nil {
			return nil, err
		}
	}
	l := new(Log)
	if err := l.UnmarshalBinary(bin); err != nil {
		return nil, err
	}
	return l, nil
}

func inflate(z []byte) ([]byte, error) {
	b, err := readLogBinary(flate.NewReader(bytes.NewReader(z)), nil)
	var src *sourceError
	switch {
	case err == nil:
		return b, nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, errors.New("scheduler: log text truncated (compressed data ends early)")
	case errors.As(err, &src):
		return nil, fmt.Errorf("scheduler: log text corrupted (%v)", err)
	}
	return nil, err
}

// badPrefix explains a text that does not start with a known prefix: a log
// of an unknown format version when it starts with "weft" (a newer one when
// its version number is higher), or not a log at all.
func badPrefix(s string) error {
	const show = 16
	if rest, ok := strings.CutPrefix(s, logMagic); ok {
		prefix := s
		if i := strings.IndexByte(s, '-'); i >= 0 && i < show {
			prefix = s[:i+1]
		} else if len(s) > show {
			prefix = s[:show] + "..."
		}
		digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
		newer := digits > 9 // too long to be a version we know
		if digits > 0 && !newer {
			v := 0
			for _, c := range rest[:digits] {
				v = v*10 + int(c-'0')
			}
			newer = v > textVersion
		}
		if newer {
			return fmt.Errorf("scheduler: log of unknown format version %q, newer than this weft, which reads %q and %q", prefix, textPrefix, textPrefixFlate)
		}
		return fmt.Errorf("scheduler: log of unknown format version %q; this weft reads %q and %q", prefix, textPrefix, textPrefixFlate)
	}
	if len(s) > show {
		s = s[:show] + "..."
	}
	return fmt.Errorf("scheduler: log text %q does not start with %q or %q", s, textPrefix, textPrefixFlate)
}
