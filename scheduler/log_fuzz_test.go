package scheduler

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// Method: a decoder must never panic, whatever it accepts must survive a
// round trip (encode what was decoded, decode that, and get the same log),
// and each input must cost at most its memory budget (decodeBudget), so
// that the fuzzer finds a decoder that allocates from what an input claims
// rather than from what it holds. Issue 13's hostile inputs, scaled down,
// seed every target.

// The memory budget of decoding one input: budgetBytesPerByte for each byte
// of the input (and of what a compressed text expands to), for the copies a
// decoder makes (base64, strings, a read buffer that doubles); 12 bytes for
// each decision of the decoded log, none when the input is refused; and
// budgetConstBytes for a DEFLATE reader (about 40 KiB) and error values. A
// byte holds at most 33 decisions, so the budget is proportional to the
// input's size. Allocating from a declared count before checking it, 12
// bytes a claimed decision, breaks it for any input of a few hundred bytes.
const (
	budgetBytesPerByte = 8
	budgetConstBytes   = 64 << 10
)

func decodeBudget(inputBytes, decisions int) uint64 {
	return budgetBytesPerByte*uint64(inputBytes) + uint64(unsafe.Sizeof(Decision{}))*uint64(decisions) + budgetConstBytes
}

// checkBudget decodes with decode, counting what it allocates, and fails t
// when that is over the budget for inputBytes. It returns decode's log.
func checkBudget(t *testing.T, inputBytes int, decode func() (*Log, error)) (*Log, error) {
	t.Helper()
	var l *Log
	var err error
	n := allocated(func() { l, err = decode() })
	decisions := 0
	if err == nil {
		decisions = len(l.Decisions)
	}
	if budget := decodeBudget(inputBytes, decisions); n > budget {
		t.Fatalf("decoding %d bytes into %d decisions allocated %d bytes, over its budget of %d (err: %v)", inputBytes, decisions, n, budget, err)
	}
	return l, err
}

// expandedBytes returns what a compressed text in data expands to, as far as
// the largest log's binary form, or 0 when data is not a compressed text.
func expandedBytes(data []byte) int {
	body, ok := bytes.CutPrefix(bytes.TrimSpace(data), []byte(textPrefixFlate))
	if !ok {
		return 0
	}
	z := make([]byte, base64.RawURLEncoding.DecodedLen(len(body)))
	n, err := base64.RawURLEncoding.Decode(z, body)
	if err != nil {
		return 0
	}
	m, _ := io.Copy(io.Discard, io.LimitReader(flate.NewReader(bytes.NewReader(z[:n])), int64(maxLogBytes)+1))
	return int(m)
}

// hostileSeeds are issue 13's hostile logs in binary form, scaled down: a
// count its bytes could hold but do not, a damaged log of many runs, more
// decisions than a log may hold, a string longer than a header's, and a log
// followed by more bytes than its decisions can take.
func hostileSeeds() [][]byte {
	return [][]byte{
		hostile(33<<8, singles(1<<8), false),
		hostile(1+33<<10, calmRuns(1<<10), true),
		hostile(maxLogDecisions+1, calmRuns(10), false),
		hostile(1+33<<10, calmRuns(1<<10), false),
		reseal(append(append([]byte(logMagic), 1), binary.AppendUvarint(make([]byte, 0, 16), 1<<17)...)),
		hostile(1, append(calmRuns(0), make([]byte, 4<<10)...), false),
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	for _, l := range roundTripLogs() {
		if len(l.Decisions) > 300 {
			continue
		}
		b, _ := l.MarshalBinary()
		f.Add(b)
	}
	small, _ := randomLog(9, 50).MarshalBinary()
	f.Add(small)
	f.Add(build(3, 0x19, 0x00, 0x00))
	f.Add(build(40, 0x0a, 0x03, 0xf2, 0x01, 0xf8, 0x00))
	f.Add([]byte("weft\x01"))
	for _, b := range hostileSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The fuzzer cannot forge checksums, so also try the input with a
		// valid one appended: that reaches every check behind the checksum.
		sealed := binary.LittleEndian.AppendUint32(slices.Clone(data), crc32.ChecksumIEEE(data))
		for _, b := range [][]byte{data, sealed} {
			l, err := checkBudget(t, len(b), func() (*Log, error) {
				var l Log
				return &l, l.UnmarshalBinary(b)
			})
			if err != nil {
				if !strings.HasPrefix(err.Error(), "scheduler: ") {
					t.Fatalf("error without the package prefix: %v", err)
				}
				continue
			}
			checkRoundTrip(t, l)
		}
	})
}

func FuzzParseLog(f *testing.F) {
	for _, l := range roundTripLogs() {
		if len(l.Decisions) > 300 {
			continue
		}
		f.Add(l.String())
	}
	f.Add(randomLog(9, 200).String())
	f.Add("weft1-")
	f.Add("weft1z-AwA")
	f.Add("weft2-AAAA")
	f.Add("weft0z-AAAA")
	for _, b := range hostileSeeds() {
		f.Add(compressedText(b))
		f.Add(textPrefix + base64.RawURLEncoding.EncodeToString(b))
	}
	f.Add(bombText(1 << 16)) // 2.2 million decisions in 64 KiB of runs
	f.Fuzz(func(t *testing.T, s string) {
		l, err := checkBudget(t, len(s)+expandedBytes([]byte(s)), func() (*Log, error) { return ParseLog(s) })
		if err != nil {
			if !strings.HasPrefix(err.Error(), "scheduler: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		checkRoundTrip(t, l)
		again, err := ParseLog(l.String())
		if err != nil {
			t.Fatalf("the text of a parsed log does not parse: %v", err)
		}
		if !logsEqual(l, again) {
			t.Fatal("text round trip of a parsed log changed it")
		}
	})
}

// ReadLog reads either form from a stream; DecodeLog is behind it.
func FuzzReadLog(f *testing.F) {
	l := randomLog(9, 50)
	bin, _ := l.MarshalBinary()
	f.Add(bin)
	f.Add([]byte(l.String()))
	f.Add([]byte("\n " + l.String() + " \r\n"))
	file, _ := l.MarshalFile()
	f.Add(file)
	f.Add([]byte("weft2-AAAA\n"))
	f.Add(make([]byte, 600))
	for _, b := range hostileSeeds() {
		f.Add(b)
		f.Add([]byte(compressedText(b) + "\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := checkBudget(t, len(data)+expandedBytes(data), func() (*Log, error) { return ReadLog(bytes.NewReader(data)) })
		if err != nil {
			if !strings.HasPrefix(err.Error(), "scheduler: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		checkRoundTrip(t, l)
		d, err := DecodeLog(data)
		if err != nil || !logsEqual(l, d) {
			t.Fatalf("ReadLog read what DecodeLog does not: %v", err)
		}
	})
}

func checkRoundTrip(t *testing.T, l *Log) {
	t.Helper()
	b, err := l.MarshalBinary()
	if err != nil {
		t.Fatalf("a decoded log does not encode: %v", err)
	}
	var again Log
	if err := again.UnmarshalBinary(b); err != nil {
		t.Fatalf("a re-encoded log does not decode: %v", err)
	}
	if !logsEqual(l, &again) {
		t.Fatalf("round trip changed the log:\n got %+v\nwant %+v", again, *l)
	}
}
