package scheduler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode"
)

// Reading a log from a stream (a file, or DEFLATE expanding a text) within
// the bounds of a log, so that a source that goes on and on costs a few
// reads, not memory. ReadLog is the entry point for files.

// readUpTo appends to b what r yields until b holds n bytes or r ends. b
// grows as bytes arrive and never past n.
func readUpTo(r io.Reader, b []byte, n int) (_ []byte, eof bool, _ error) {
	for len(b) < n {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(max(len(b), 512), n-len(b)))
		}
		m, err := r.Read(b[len(b):min(cap(b), n)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, true, nil
		}
		if err != nil {
			return b, false, &sourceError{err}
		}
	}
	return b, false, nil
}

// sourceError is an error of the reader a log is read from.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// readLogBinary reads the binary form of a log from r, after the bytes of it
// already in b, and no more than the log can take: first its header, as it
// arrives, then, from the decision count the header declares, at most
// maxOpBytes a decision and the checksum. A source that goes on past that (a
// decompression bomb, an endless file) is refused with an error once it
// has, not read into memory; so is a header that declares more than a log
// may hold, before anything else is read. Nothing past the header is
// checked here: UnmarshalBinary does that. An error of r comes back as a
// *sourceError.
func readLogBinary(r io.Reader, b []byte) ([]byte, error) {
	for want := 64; ; want = min(2*want, maxLogHeaderBytes) {
		var eof bool
		var err error
		if b, eof, err = readUpTo(r, b, want); err != nil {
			return nil, err
		}
		d := logDecoder{b: b}
		var count uint64
		if err = d.preamble(); err == nil {
			count, err = d.header(nil)
		}
		var t *truncatedError
		switch {
		case err == nil:
			limit := d.off + int(count)*maxOpBytes + logChecksumBytes
			if b, _, err = readUpTo(r, b, limit+1); err != nil {
				return nil, err
			}
			if len(b) > limit {
				return nil, fmt.Errorf("scheduler: log goes on past the %d bytes that its header's %d decisions can take", limit, count)
			}
			return b, nil
		case eof:
			return b, nil // all there is: UnmarshalBinary says what is wrong
		case errors.As(err, &t) && want < maxLogHeaderBytes:
			continue // the header goes on
		default:
			return nil, err
		}
	}
}

// ReadLog reads a log in any form from r and decodes it as DecodeLog
// does, reading no more of r than that log can take: a binary log or a log
// file no further than its header's decision count allows, a text no longer
// than the largest log's (about 246 MB), and only the first bytes of what is
// not a log at all. So a huge or endless source (/dev/zero, say) fails fast with
// an error, where reading it whole would fill memory. An error of r is
// returned prefixed "scheduler: reading a log: ".
func ReadLog(r io.Reader) (*Log, error) {
	const (
		peekBytes  = 512     // enough to tell the forms apart
		spaceBytes = 4 << 10 // white space a text file may have around the text
	)
	b, eof, err := readUpTo(r, nil, peekBytes)
	if err == nil && !eof {
		switch t := bytes.TrimLeftFunc(b, unicode.IsSpace); {
		case isLogFile(t):
			b, err = readLogFileForm(r, b)
		case isLogText(t):
			limit := maxLogTextBytes + spaceBytes
			if b, _, err = readUpTo(r, b, limit+1); err == nil && len(b) > limit {
				err = fmt.Errorf("scheduler: log text goes on past the %d bytes of the largest log's", maxLogTextBytes)
			}
		case bytes.HasPrefix(b, []byte(logMagic)):
			b, err = readLogBinary(r, b)
		}
		// Otherwise it is not a log, which DecodeLog says from what was read.
	}
	if err != nil {
		var src *sourceError
		if errors.As(err, &src) {
			return nil, fmt.Errorf("scheduler: reading a log: %w", src.err)
		}
		return nil, err
	}
	return DecodeLog(b)
}

// readLogFileForm reads the file form of a log from r, after the bytes of
// it already in b: its header, as its lines arrive, then no more than the
// decision count it declares can take (maxDecisionLineBytes a decision, and
// comments), and never more than the largest log file. Only whole lines of
// the header are read as such, so a count cut in the middle is not taken
// for a smaller one. An error of r comes back as a *sourceError.
func readLogFileForm(r io.Reader, b []byte) ([]byte, error) {
	const most = fileSpaceBytes + maxFileBytes
	for want := 1 << 10; ; want = min(2*want, fileSpaceBytes+maxFileHeaderBytes+maxCommentBytes) {
		var eof bool
		var err error
		if b, eof, err = readUpTo(r, b, want); err != nil {
			return nil, err
		}
		whole := b
		if !eof {
			whole = b[:bytes.LastIndexByte(b, '\n')+1]
		}
		d := fileDecoder{b: whole}
		count, err := d.header(nil)
		var t *truncatedError
		switch {
		case err == nil:
			limit := min(d.off+int(count)*maxDecisionLineBytes+maxCommentBytes, most)
			if b, _, err = readUpTo(r, b, limit+1); err != nil {
				return nil, err
			}
			if len(b) > limit {
				return nil, fmt.Errorf("scheduler: log file goes on past the %d bytes that its header's %d decisions can take", limit, count)
			}
			return b, nil
		case eof:
			return b, nil // all there is: decodeLogFile says what is wrong
		case errors.As(err, &t) && want < fileSpaceBytes+maxFileHeaderBytes+maxCommentBytes:
			continue // the header goes on
		default:
			return nil, err
		}
	}
}
