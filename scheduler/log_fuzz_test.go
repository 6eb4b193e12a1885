package scheduler

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"strings"
	"testing"
)

// Method: a decoder must never panic, and whatever it accepts must survive a
// round trip: encode what was decoded, decode that, and get the same log.

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
	f.Fuzz(func(t *testing.T, data []byte) {
		// The fuzzer cannot forge checksums, so also try the input with a
		// valid one appended: that reaches every check behind the checksum.
		sealed := binary.LittleEndian.AppendUint32(slices.Clone(data), crc32.ChecksumIEEE(data))
		for _, b := range [][]byte{data, sealed} {
			var l Log
			if err := l.UnmarshalBinary(b); err != nil {
				if !strings.HasPrefix(err.Error(), "scheduler: ") {
					t.Fatalf("error without the package prefix: %v", err)
				}
				continue
			}
			checkRoundTrip(t, &l)
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
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLog(s)
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
