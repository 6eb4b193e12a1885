package scheduler

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Log is the record of one run: where it came from and every decision it
// made, in order. Replaying Decisions (see Replay) reproduces the run bit for
// bit while the code under test is unchanged, and keeps it close when the code
// has drifted a little.
//
// A Log is saved with MarshalBinary, as one line of text with String, or as
// a file of lines with MarshalFile; DecodeLog and ReadLog read every form.
type Log struct {
	// Scenario names the scenario that ran, as the test spells it.
	Scenario string
	// Seed is the seed the strategy was made with.
	Seed uint64
	// Spec is the strategy's Spec in canonical form, for example "pct:3".
	Spec string
	// WeftVersion is the version of weft that recorded the log.
	WeftVersion string
	// GoVersion is the Go version that built the recording binary.
	GoVersion string
	// Decisions are the decisions of the run, in the order they were made.
	// Each must satisfy the Decision invariant for the log to encode.
	Decisions []Decision

	_ struct{} // disallow positional literals, for extensibility
}

// Trimmed returns the decisions without the trailing ones that chose 0.
// Replay past the end of a log continues with 0, so those carry no
// information: replaying Trimmed is replaying Decisions. The result shares
// memory with l.Decisions; its capacity is cut so appending to it copies.
func (l *Log) Trimmed() []Decision { return trimmed(l.Decisions) }

func trimmed(ds []Decision) []Decision {
	n := len(ds)
	for n > 0 && ds[n-1].Choice == 0 {
		n--
	}
	return ds[:n:n]
}

// The binary form, format version 1. Integers are unsigned varints
// (encoding/binary) unless said otherwise.
//
//	magic      "weft"
//	version    format version (1)
//	scenario   length, bytes
//	seed
//	strategy   length, bytes
//	weft       length, bytes
//	go         length, bytes
//	count      number of decisions
//	ops        the decisions, see below
//	checksum   CRC-32 (IEEE) of every byte before it, 4 bytes little endian
//
// Each op starts with a byte h. When h&7 is a Kind (1 to 5), the op is one
// decision of that kind: if h&8 is set, a varint N-2 follows, otherwise N is
// the N of the previous decision of the same kind; h>>4 is the choice when it
// is below 15, and 15 means a varint choice-15 follows (after N). When h&7 is
// 0, the op is a run of (h>>3)+2 decisions (2 to 33) that repeat the kind and
// N of the decision before them with choice 0. So a decision of a recurring
// shape with a choice below 15 takes one byte, and 33 calm ones take one byte.
const (
	logMagic = "weft"
	// logFormatVersion must stay below ' ' (32): DecodeLog takes data that
	// has a printable character after the magic for the text form.
	logFormatVersion = 1
	logChecksumBytes = 4

	opKindMask  = 0x07
	opExplicitN = 0x08
	opChoiceEsc = 15 // h>>4 == opChoiceEsc: the choice follows as a varint
	opRunMin    = 2
	opRunMax    = opRunMin + 0xff>>3 // 33
)

// Bounds on a log. A decoder checks a log against them before it allocates
// for it, so that no input, however small or hostile, makes weft ask for
// more memory than the largest real log takes; MarshalBinary checks them
// too, so that weft never writes a log it would refuse to read.
const (
	// maxLogDecisions bounds the decisions of a log. A run is bounded by
	// sim's Config.MaxSteps, 1,000,000 scheduling points by default, and a
	// step asks a handful of decisions: over the 47 scenarios of cmd/weft's
	// catalog, 20 seeds each, at most 3.8 a step and 1.25 on average (some
	// are not scheduling points: random draws, fault sites). The bound
	// allows 16 a step of a default run, four times the most measured.
	// Decoded, the largest log takes 192 MiB (12 bytes a decision), as much
	// as the run that recorded it held.
	maxLogDecisions = 1 << 24
	// maxLogStringBytes bounds each string of the header. A scenario's
	// name, a strategy and a version take a few dozen bytes.
	maxLogStringBytes = 1 << 16

	// maxOpBytes is the most an op takes: its byte, then N-2 and choice-15
	// as varints of at most 32 bits. The least a decision takes is 1/opRunMax
	// of a byte (in a run).
	maxOpBytes = 1 + 2*binary.MaxVarintLen32
	// maxLogHeaderBytes is the most the bytes before the ops take: the magic,
	// a one-byte version, four strings (a varint below 2^21 takes 3 bytes),
	// the seed, and the count (below 2^28: 4 bytes).
	maxLogHeaderBytes = len(logMagic) + 1 + 4*(3+maxLogStringBytes) + binary.MaxVarintLen64 + 4
	// maxLogBytes is the most the binary form of a log takes (about 185 MB).
	maxLogBytes = maxLogHeaderBytes + maxLogDecisions*maxOpBytes + logChecksumBytes
)

// errTooManyDecisions names the bound on decisions, for n of them.
func errTooManyDecisions(verb string, n uint64) error {
	return fmt.Errorf("scheduler: %s %d decisions, more than the %d a log may hold (16 a step of a 1,000,000-step run)", verb, n, uint64(maxLogDecisions))
}

// MarshalBinary encodes l in the binary form above. It fails when a
// decision breaks the Decision invariant or has an unknown Kind, and when l
// is larger than a log may be: more than 16,777,216 decisions (16 a step
// of a run at sim's default step limit), or a string of more than 64 KiB.
func (l *Log) MarshalBinary() ([]byte, error) {
	if len(l.Decisions) > maxLogDecisions {
		return nil, errTooManyDecisions("cannot encode a log of", uint64(len(l.Decisions)))
	}
	for _, f := range [...]struct{ what, s string }{
		{"the scenario name", l.Scenario}, {"the strategy", l.Spec}, {"the weft version", l.WeftVersion}, {"the Go version", l.GoVersion},
	} {
		if len(f.s) > maxLogStringBytes {
			return nil, fmt.Errorf("scheduler: cannot encode a log with %d bytes in %s, more than the %d a log allows", len(f.s), f.what, maxLogStringBytes)
		}
	}
	b := make([]byte, 0, 48+len(l.Scenario)+len(l.Spec)+len(l.WeftVersion)+len(l.GoVersion)+len(l.Decisions)*5/4)
	b = append(b, logMagic...)
	b = binary.AppendUvarint(b, logFormatVersion)
	b = appendString(b, l.Scenario)
	b = binary.AppendUvarint(b, l.Seed)
	b = appendString(b, l.Spec)
	b = appendString(b, l.WeftVersion)
	b = appendString(b, l.GoVersion)
	b = binary.AppendUvarint(b, uint64(len(l.Decisions)))
	b, err := appendDecisions(b, l.Decisions)
	if err != nil {
		return nil, err
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendDecisions(b []byte, ds []Decision) ([]byte, error) {
	var lastN [kindEnd]uint32 // 0: no decision of this kind yet
	for i := 0; i < len(ds); {
		if i > 0 {
			calm := Decision{Kind: ds[i-1].Kind, N: ds[i-1].N}
			run := 0
			for run < opRunMax && i+run < len(ds) && ds[i+run] == calm {
				run++
			}
			if run >= opRunMin {
				b = append(b, byte(run-opRunMin)<<3)
				i += run
				continue
			}
		}
		d := ds[i]
		if err := checkDecision(d); err != nil {
			return nil, fmt.Errorf("scheduler: cannot encode decision %d: %w", i, err)
		}
		h := byte(d.Kind)
		if lastN[d.Kind] != d.N {
			h |= opExplicitN
		}
		h |= byte(min(d.Choice, opChoiceEsc)) << 4
		b = append(b, h)
		if h&opExplicitN != 0 {
			b = binary.AppendUvarint(b, uint64(d.N-2))
			lastN[d.Kind] = d.N
		}
		if d.Choice >= opChoiceEsc {
			b = binary.AppendUvarint(b, uint64(d.Choice-opChoiceEsc))
		}
		i++
	}
	return b, nil
}

// checkDecision checks the Decision invariant and the kind.
func checkDecision(d Decision) error {
	switch {
	case !d.Kind.Valid():
		return fmt.Errorf("unknown kind %d", uint8(d.Kind))
	case d.N < 2:
		return fmt.Errorf("%s decision with n %d (want at least 2)", d.Kind, d.N)
	case d.Choice >= d.N:
		return fmt.Errorf("%s decision chose %d of n %d", d.Kind, d.Choice, d.N)
	}
	return nil
}

// UnmarshalBinary decodes the binary form. It never panics. It checks the
// checksum before anything else it decodes, then every decision of the log
// without allocating, and only then allocates exactly what the log holds:
// its strings and its decisions, at most 16,777,216 of them (see
// MarshalBinary), so that no input costs more memory than the largest real
// log. On error l is left unchanged and the error, prefixed "scheduler: ",
// says what is wrong: not a log, a newer format, truncated (and where),
// corrupted (the checksum does not match), larger than a log may be, or
// impossible contents.
func (l *Log) UnmarshalBinary(data []byte) error {
	d := logDecoder{b: data}
	// The version comes before the checksum check, so that a log from a
	// newer weft is reported as such rather than as corrupted.
	if err := d.preamble(); err != nil {
		return err
	}
	body := len(data) - logChecksumBytes
	if body < d.off || crc32.ChecksumIEEE(data[:body]) != binary.LittleEndian.Uint32(data[body:]) {
		return d.mismatch()
	}
	// The checksum matches. Check the whole log, allocating nothing, then
	// decode it into just the memory it needs.
	d.b, d.sealed = data[:body], true
	start := d.off
	count, err := d.header(nil)
	if err != nil {
		return err
	}
	if err := d.ops(count, nil); err != nil {
		return err
	}
	if d.off != body {
		return fmt.Errorf("scheduler: log has %d bytes of trailing data after its decisions", body-d.off)
	}
	var out Log
	d.off = start
	if _, err := d.header(&out); err != nil {
		return err // not reached: the same header passed above
	}
	if count > 0 {
		out.Decisions = make([]Decision, count)
		if err := d.ops(count, out.Decisions); err != nil {
			return err // not reached: the same ops passed above
		}
	}
	*l = out
	return nil
}

// mismatch explains a log whose checksum does not match, from a pass over it
// that allocates nothing: a log that was cut short (and where) or one that
// was damaged.
func (d *logDecoder) mismatch() error {
	count, err := d.header(nil)
	if err == nil {
		err = d.ops(count, nil)
	}
	var t *truncatedError
	switch {
	case errors.As(err, &t):
		return err
	case err == nil && len(d.b)-d.off < logChecksumBytes:
		return errors.New("scheduler: log truncated in its checksum")
	}
	return errors.New("scheduler: log corrupted (checksum mismatch)")
}

// truncatedError is a decoding error caused by running out of input.
type truncatedError struct{ msg string }

func (e *truncatedError) Error() string { return e.msg }

// logDecoder reads the binary form in d.b from d.off on. Its methods that
// take somewhere to store what they read only check it when given nil, and
// allocate nothing then.
type logDecoder struct {
	b   []byte
	off int
	// sealed is set when the checksum matched: the contents are what an
	// encoder wrote, so a count the input cannot hold is a lie, not a cut.
	sealed bool
}

// preamble reads the magic and the format version.
func (d *logDecoder) preamble() error {
	data := d.b
	if len(data) < len(logMagic) || string(data[:len(logMagic)]) != logMagic {
		if len(data) < len(logMagic) && string(data) == logMagic[:len(data)] {
			return errors.New("scheduler: log truncated in its header")
		}
		return fmt.Errorf("scheduler: not a weft decision log (starts with %q, want %q)", data[:min(len(data), len(logMagic))], logMagic)
	}
	d.off = len(logMagic)
	version, err := d.uvarint("its header")
	if err != nil {
		return err
	}
	switch {
	case version == 0:
		return errors.New("scheduler: log format version 0 is not a valid version")
	case version > logFormatVersion:
		return fmt.Errorf("scheduler: log format version %d is newer than this weft (%d)", version, logFormatVersion)
	}
	return nil
}

func (d *logDecoder) uvarint(where string) (uint64, error) {
	v, n := binary.Uvarint(d.b[d.off:])
	if n == 0 {
		return 0, &truncatedError{"scheduler: log truncated in " + where}
	}
	if n < 0 {
		return 0, fmt.Errorf("scheduler: log has a malformed number in %s (overflows 64 bits)", where)
	}
	d.off += n
	return v, nil
}

// string reads a string, or only checks and skips it when keep is false.
func (d *logDecoder) string(what string, keep bool) (string, error) {
	n, err := d.uvarint(what)
	if err != nil {
		return "", err
	}
	if n > maxLogStringBytes {
		return "", fmt.Errorf("scheduler: log has %d bytes in %s, more than the %d a log allows", n, what, maxLogStringBytes)
	}
	if n > uint64(len(d.b)-d.off) {
		return "", &truncatedError{fmt.Sprintf("scheduler: log truncated in %s (%d bytes declared, %d left)", what, n, len(d.b)-d.off)}
	}
	s := ""
	if keep {
		s = string(d.b[d.off : d.off+int(n)])
	}
	d.off += int(n)
	return s, nil
}

// header reads everything after the version up to the decision count, into
// l (or only checks it when l is nil), and returns the count.
func (d *logDecoder) header(l *Log) (uint64, error) {
	keep := l != nil
	var h Log
	var err error
	if h.Scenario, err = d.string("the scenario name", keep); err != nil {
		return 0, err
	}
	if h.Seed, err = d.uvarint("the seed"); err != nil {
		return 0, err
	}
	if h.Spec, err = d.string("the strategy", keep); err != nil {
		return 0, err
	}
	if h.WeftVersion, err = d.string("the weft version", keep); err != nil {
		return 0, err
	}
	if h.GoVersion, err = d.string("the Go version", keep); err != nil {
		return 0, err
	}
	count, err := d.uvarint("the decision count")
	if err != nil {
		return 0, err
	}
	if count > maxLogDecisions {
		return 0, errTooManyDecisions("log claims", count)
	}
	if keep {
		*l = h
	}
	return count, nil
}

// ops reads the count decisions after the header into ds (len(ds) ==
// count), or only checks them when ds is nil. It allocates nothing.
func (d *logDecoder) ops(count uint64, ds []Decision) error {
	if count == 0 {
		return nil
	}
	// Every op byte yields at most opRunMax decisions: a sealed log's count
	// that its bytes cannot hold is a lie.
	if most := uint64(len(d.b)-d.off) * opRunMax; count > most && d.sealed {
		return fmt.Errorf("scheduler: log claims %d decisions but its %d remaining bytes can hold at most %d", count, len(d.b)-d.off, most)
	}
	var lastN [kindEnd]uint32
	var prev Decision // the decision before i, whose kind and N a run repeats
	for i := uint64(0); i < count; {
		if d.off == len(d.b) {
			return &truncatedError{fmt.Sprintf("scheduler: log truncated after %d of %d decisions", i, count)}
		}
		h := d.b[d.off]
		d.off++
		k := Kind(h & opKindMask)
		if k == 0 {
			run := uint64(h>>3) + opRunMin
			if i == 0 {
				return errors.New("scheduler: log starts with a run of calm decisions that has no decision to repeat")
			}
			if i+run > count {
				return fmt.Errorf("scheduler: log has a run of %d calm decisions at decision %d, past its %d decisions", run, i, count)
			}
			prev = Decision{Kind: prev.Kind, N: prev.N}
			if ds != nil {
				for j := range run {
					ds[i+j] = prev
				}
			}
			i += run
			continue
		}
		if !k.Valid() {
			return fmt.Errorf("scheduler: log decision %d has unknown kind %d", i, uint8(k))
		}
		n := uint64(lastN[k])
		if h&opExplicitN != 0 {
			v, err := d.uvarint("a decision")
			if err != nil {
				return decisionErr(err, i, count)
			}
			if v > 1<<32-1-2 {
				return fmt.Errorf("scheduler: log decision %d has %d options, more than a Decision holds", i, v+2)
			}
			n = v + 2
			lastN[k] = uint32(n)
		} else if n == 0 {
			return fmt.Errorf("scheduler: log decision %d is the first %s decision but does not give its number of options", i, k)
		}
		c := uint64(h >> 4)
		if c == opChoiceEsc {
			v, err := d.uvarint("a decision")
			if err != nil {
				return decisionErr(err, i, count)
			}
			if v >= n { // also keeps c below from overflowing
				return fmt.Errorf("scheduler: log decision %d (%s) chose more than its %d options", i, k, n)
			}
			c += v
		}
		if c >= n {
			return fmt.Errorf("scheduler: log decision %d (%s) chose %d of only %d options", i, k, c, n)
		}
		prev = Decision{Kind: k, N: uint32(n), Choice: uint32(c)}
		if ds != nil {
			ds[i] = prev
		}
		i++
	}
	return nil
}

// decisionErr rewords an error in a number of decision i so that it says
// where; it is built only on failure, to keep decoding free of formatting.
func decisionErr(err error, i, count uint64) error {
	var t *truncatedError
	if errors.As(err, &t) {
		return &truncatedError{fmt.Sprintf("scheduler: log truncated after %d of %d decisions", i, count)}
	}
	return fmt.Errorf("scheduler: log decision %d has a malformed number (overflows 64 bits)", i)
}
