package scheduler

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Method: build by hand the inputs of issue 13 that made a decoder ask for
// gigabytes (decision counts that lie, runs of calm decisions that expand 33
// to a byte, checksums that fail, strings longer than any header's), decode
// each while counting the bytes it allocates (runtime.MemStats.TotalAlloc),
// and check that it is refused with an error that names what is wrong,
// having allocated at most hostileBudgetBytes. The sizes are large enough
// that the code before the fix allocated tens of megabytes (noted on each
// case), and small enough that it did not hurt the machine.
//
// No test of this package runs in parallel, which keeps the counts exact.

const hostileBudgetBytes = 1 << 20

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// hostileHeader is the binary form up to and including the decision count,
// with empty strings and seed 0.
func hostileHeader(count uint64) []byte {
	return binary.AppendUvarint(append([]byte(logMagic), 1, 0, 0, 0, 0, 0), count)
}

// hostile returns a log by hand: a header declaring count decisions, the ops,
// and a checksum that is wrong when damaged.
func hostile(count uint64, ops []byte, damaged bool) []byte {
	b := append(hostileHeader(count), ops...)
	sum := crc32.ChecksumIEEE(b)
	if damaged {
		sum ^= 1
	}
	return binary.LittleEndian.AppendUint32(b, sum)
}

// calmRuns returns ops for 1+33*runs decisions: one schedule decision, then
// runs bytes that each repeat it 33 times with choice 0.
func calmRuns(runs int) []byte {
	return append([]byte{0x09, 0x00}, bytes.Repeat([]byte{0xf8}, runs)...)
}

// singles returns ops for n decisions of one byte each (schedule, choice 0).
func singles(n int) []byte {
	return append([]byte{0x09, 0x00}, bytes.Repeat([]byte{0x01}, n-1)...)
}

// compressedText returns the "weft1z-" text of the binary form bin.
func compressedText(bin []byte) string {
	return textPrefixFlate + base64.RawURLEncoding.EncodeToString(deflate(bin))
}

// bombText returns the compressed text of a log that declares and holds
// 1+33*runs decisions (calmRuns), streaming it through DEFLATE so that
// building it costs its text, not its expansion.
func bombText(runs int) string {
	head := append(hostileHeader(uint64(1+33*runs)), calmRuns(0)...)
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(head)
	sum := crc32.ChecksumIEEE(head)
	chunk := bytes.Repeat([]byte{0xf8}, 64<<10)
	for left := runs; left > 0; left -= len(chunk) {
		c := chunk[:min(left, len(chunk))]
		w.Write(c)
		sum = crc32.Update(sum, crc32.IEEETable, c)
	}
	w.Write(binary.LittleEndian.AppendUint32(nil, sum))
	w.Close()
	return textPrefixFlate + base64.RawURLEncoding.EncodeToString(z.Bytes())
}

// The texts of issue 13: 87 KB of text that expands to a 64 MiB log of 2.2
// billion decisions, and 11 KB that expands to 8 MiB and 277 million.
var (
	issueBomb87KB = sync.OnceValue(func() string { return bombText(64<<20 - 64) })
	issueBomb11KB = sync.OnceValue(func() string { return bombText(8 << 20) })
)

func TestHostileBinaryLogs(t *testing.T) {
	// A scenario name of 128 KiB, then seed 0, empty strings, no decisions.
	longName := append(append([]byte(logMagic), 1), binary.AppendUvarint(nil, 1<<17)...)
	longName = append(longName, make([]byte, 1<<17)...)
	longName = reseal(append(longName, 0, 0, 0, 0, 0, 0, 0, 0, 0))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		// Before: 26 MB, allocated from the count before the ops ran out.
		{"a count its bytes could hold but do not", hostile(33<<16, singles(1<<16), false),
			"scheduler: log truncated after 65536 of 2162688 decisions"},
		// Before: 26 MB, decoded in full before the mismatch was reported.
		{"a damaged log is not decoded", hostile(1+33<<16, calmRuns(1<<16), true),
			"scheduler: log corrupted (checksum mismatch)"},
		// Before: 13 MB, the same way.
		{"a cut log is told from a damaged one", hostile(1+33<<16, calmRuns(1<<16), false)[:1<<15],
			"scheduler: log truncated after"},
		// Before: refused as a count its bytes cannot hold.
		{"more decisions than a log may hold", hostile(maxLogDecisions+1, calmRuns(100), false),
			"scheduler: log claims 16777217 decisions, more than the 16777216 a log may hold (16 a step of a 1,000,000-step run)"},
		// Before: decoded.
		{"a string longer than a header's", longName,
			"scheduler: log has 131072 bytes in the scenario name, more than the 65536 a log allows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() {
				var l Log
				err = l.UnmarshalBinary(tt.data)
			})
			t.Logf("%d bytes in, %d bytes allocated: %v", len(tt.data), n, err)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant %q", err, tt.want)
			}
			if n > hostileBudgetBytes {
				t.Errorf("decoding allocated %d bytes, want at most %d", n, hostileBudgetBytes)
			}
		})
	}
}

// A valid log is decoded into exactly the memory it needs: its decisions and
// its strings, nothing from a count before the count was checked.
func TestUnmarshalAllocatesWhatTheLogHolds(t *testing.T) {
	const decisions = 1 + 33<<16
	data := hostile(decisions, calmRuns(1<<16), false)
	var l Log
	n := allocated(func() {
		if err := l.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
	})
	want := uint64(decisions * 12)
	if len(l.Decisions) != decisions || cap(l.Decisions) != decisions {
		t.Fatalf("decoded %d decisions (capacity %d), want %d", len(l.Decisions), cap(l.Decisions), decisions)
	}
	if n < want || n > want+want/16 {
		t.Fatalf("allocated %d bytes for %d decisions, want about %d", n, decisions, want)
	}
}

// What MarshalBinary writes, UnmarshalBinary reads: a string longer than a
// log allows is refused on the way out too.
func TestMarshalRefusesWhatUnmarshalWould(t *testing.T) {
	l := &Log{Scenario: strings.Repeat("s", maxLogStringBytes+1)}
	_, err := l.MarshalBinary()
	if err == nil || !strings.HasPrefix(err.Error(), "scheduler: cannot encode a log with 65537 bytes in the scenario name, more than the 65536 a log allows") {
		t.Fatalf("err = %v", err)
	}
	l.Scenario = l.Scenario[1:]
	b, err := l.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Log
	if err := back.UnmarshalBinary(b); err != nil || back.Scenario != l.Scenario {
		t.Fatalf("a scenario name of %d bytes does not round trip: %v", len(l.Scenario), err)
	}
}

func TestHostileLogTexts(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		// Before: asked for 26,575,110,144 bytes and died.
		{"the 87 KB text of issue 13", issueBomb87KB(),
			"scheduler: log claims 2214590401 decisions, more than the 16777216 a log may hold (16 a step of a 1,000,000-step run)"},
		// Before: asked for 3,326,083,072 bytes.
		{"the 11 KB text of issue 13", issueBomb11KB(),
			"scheduler: log claims 276824065 decisions, more than the 16777216 a log may hold"},
		// Before: 26 MB, allocated from the count before the ops ran out.
		{"a count its bytes could hold but do not", compressedText(hostile(33<<16, singles(1<<16), false)),
			"scheduler: log truncated after 65536 of 2162688 decisions"},
		// Before: 26 MB, decoded in full before the mismatch was reported.
		{"a damaged log is not decoded", compressedText(hostile(1+33<<16, calmRuns(1<<16), true)),
			"scheduler: log corrupted (checksum mismatch)"},
		// Before: 21 MB, expanded in full.
		{"a text that expands past its decisions", compressedText(hostile(1, append(calmRuns(0), make([]byte, 8<<20)...), false)),
			"scheduler: log goes on past the 26 bytes that its header's 1 decisions can take"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = ParseLog(tt.text) })
			t.Logf("%d bytes of text, %d bytes allocated: %v", len(tt.text), n, err)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant %q", err, tt.want)
			}
			if n > hostileBudgetBytes {
				t.Errorf("decoding allocated %d bytes, want at most %d", n, hostileBudgetBytes)
			}
		})
	}
}
