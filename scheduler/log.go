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
// A Log is saved with MarshalBinary or as one line of text with String.
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

// MarshalBinary encodes l in the binary form above. It fails only when a
// decision breaks the Decision invariant or has an unknown Kind.
func (l *Log) MarshalBinary() ([]byte, error) {
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

// UnmarshalBinary decodes the binary form. It never panics, and what it
// allocates is bounded by a small multiple of len(data). On error l is left
// unchanged and the error, prefixed "scheduler: ", says what is wrong:
// not a log, a newer format, truncated (and where), corrupted (the checksum
// does not match), or impossible contents.
func (l *Log) UnmarshalBinary(data []byte) error {
	if len(data) < len(logMagic) || string(data[:len(logMagic)]) != logMagic {
		if len(data) < len(logMagic) && string(data) == logMagic[:len(data)] {
			return errors.New("scheduler: log truncated in its header")
		}
		return fmt.Errorf("scheduler: not a weft decision log (starts with %q, want %q)", data[:min(len(data), len(logMagic))], logMagic)
	}
	d := logDecoder{b: data, off: len(logMagic)}
	// The version comes before the checksum check, so that a log from a
	// newer weft is reported as such rather than as corrupted.
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
	body := len(data) - logChecksumBytes
	if body >= d.off && crc32.ChecksumIEEE(data[:body]) == binary.LittleEndian.Uint32(data[body:]) {
		d.b, d.sealed = data[:body], true
		out, err := d.log()
		if err != nil {
			return err
		}
		if d.off != body {
			return fmt.Errorf("scheduler: log has %d bytes of trailing data after its decisions", body-d.off)
		}
		*l = out
		return nil
	}
	// The checksum does not match. Decode anyway, only to tell a log that
	// was cut short (and where) from one that was damaged.
	if _, err := d.log(); err != nil {
		var t *truncatedError
		if errors.As(err, &t) {
			return err
		}
	} else if len(data)-d.off < logChecksumBytes {
		return errors.New("scheduler: log truncated in its checksum")
	}
	return errors.New("scheduler: log corrupted (checksum mismatch)")
}

// truncatedError is a decoding error caused by running out of input.
type truncatedError struct{ msg string }

func (e *truncatedError) Error() string { return e.msg }

type logDecoder struct {
	b   []byte
	off int
	// sealed is set when the checksum matched: the contents are what an
	// encoder wrote, so a count the input cannot hold is a lie, not a cut.
	sealed bool
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

func (d *logDecoder) string(what string) (string, error) {
	n, err := d.uvarint(what)
	if err != nil {
		return "", err
	}
	if n > uint64(len(d.b)-d.off) {
		return "", &truncatedError{fmt.Sprintf("scheduler: log truncated in %s (%d bytes declared, %d left)", what, n, len(d.b)-d.off)}
	}
	s := string(d.b[d.off : d.off+int(n)])
	d.off += int(n)
	return s, nil
}

// log decodes everything after the version, up to the end of d.b or of the
// last decision, whichever comes first.
func (d *logDecoder) log() (Log, error) {
	var l Log
	var err error
	if l.Scenario, err = d.string("the scenario name"); err != nil {
		return Log{}, err
	}
	if l.Seed, err = d.uvarint("the seed"); err != nil {
		return Log{}, err
	}
	if l.Spec, err = d.string("the strategy"); err != nil {
		return Log{}, err
	}
	if l.WeftVersion, err = d.string("the weft version"); err != nil {
		return Log{}, err
	}
	if l.GoVersion, err = d.string("the Go version"); err != nil {
		return Log{}, err
	}
	if l.Decisions, err = d.decisions(); err != nil {
		return Log{}, err
	}
	return l, nil
}

func (d *logDecoder) decisions() ([]Decision, error) {
	count, err := d.uvarint("the decision count")
	if err != nil {
		return nil, err
	}
	if count == 0 {
		return nil, nil
	}
	// Every op byte yields at most opRunMax decisions, which bounds what a
	// lying count can make us allocate by the size of the input.
	most := uint64(len(d.b)-d.off) * opRunMax
	if count > most && d.sealed {
		return nil, fmt.Errorf("scheduler: log claims %d decisions but its %d remaining bytes can hold at most %d", count, len(d.b)-d.off, most)
	}
	ds := make([]Decision, 0, min(count, most))
	var lastN [kindEnd]uint32
	for uint64(len(ds)) < count {
		i := len(ds)
		if d.off == len(d.b) {
			return nil, &truncatedError{fmt.Sprintf("scheduler: log truncated after %d of %d decisions", i, count)}
		}
		h := d.b[d.off]
		d.off++
		k := Kind(h & opKindMask)
		if k == 0 {
			run := int(h>>3) + opRunMin
			if i == 0 {
				return nil, errors.New("scheduler: log starts with a run of calm decisions that has no decision to repeat")
			}
			if uint64(i+run) > count {
				return nil, fmt.Errorf("scheduler: log has a run of %d calm decisions at decision %d, past its %d decisions", run, i, count)
			}
			calm := Decision{Kind: ds[i-1].Kind, N: ds[i-1].N}
			for range run {
				ds = append(ds, calm)
			}
			continue
		}
		if !k.Valid() {
			return nil, fmt.Errorf("scheduler: log decision %d has unknown kind %d", i, uint8(k))
		}
		n := uint64(lastN[k])
		if h&opExplicitN != 0 {
			v, err := d.uvarint("a decision")
			if err != nil {
				return nil, decisionErr(err, i, count)
			}
			if v > 1<<32-1-2 {
				return nil, fmt.Errorf("scheduler: log decision %d has %d options, more than a Decision holds", i, v+2)
			}
			n = v + 2
			lastN[k] = uint32(n)
		} else if n == 0 {
			return nil, fmt.Errorf("scheduler: log decision %d is the first %s decision but does not give its number of options", i, k)
		}
		c := uint64(h >> 4)
		if c == opChoiceEsc {
			v, err := d.uvarint("a decision")
			if err != nil {
				return nil, decisionErr(err, i, count)
			}
			if v >= n { // also keeps c below from overflowing
				return nil, fmt.Errorf("scheduler: log decision %d (%s) chose more than its %d options", i, k, n)
			}
			c += v
		}
		if c >= n {
			return nil, fmt.Errorf("scheduler: log decision %d (%s) chose %d of only %d options", i, k, c, n)
		}
		ds = append(ds, Decision{Kind: k, N: uint32(n), Choice: uint32(c)})
	}
	return ds, nil
}

// decisionErr rewords an error in a number of decision i so that it says
// where; it is built only on failure, to keep decoding free of formatting.
func decisionErr(err error, i int, count uint64) error {
	var t *truncatedError
	if errors.As(err, &t) {
		return &truncatedError{fmt.Sprintf("scheduler: log truncated after %d of %d decisions", i, count)}
	}
	return fmt.Errorf("scheduler: log decision %d has a malformed number (overflows 64 bits)", i)
}
