package scheduler

import (
	"encoding"
	"encoding/binary"
	"hash/crc32"
	"slices"
	"strings"
	"testing"
)

// Method: encode logs of known shapes, check that they decode equal and stay
// small; then damage valid encodings in every way the format can be damaged
// and check that the error names the damage.

var (
	_ encoding.BinaryMarshaler   = (*Log)(nil)
	_ encoding.BinaryUnmarshaler = (*Log)(nil)
	_ encoding.TextMarshaler     = (*Log)(nil)
	_ encoding.TextUnmarshaler   = (*Log)(nil)
)

// randomLog returns a log of n decisions as a random walk over a system of
// 2 to 6 processes, with select, random and fault points mixed in.
func randomLog(seed uint64, n int) *Log {
	r := rng{state: seed}
	l := &Log{Scenario: "registry/owner-dies", Seed: seed, Spec: "random", WeftVersion: "v0.1.0", GoVersion: "go1.26.8"}
	procs := 3
	for range n {
		var d Decision
		switch x := r.below(10); {
		case x < 7:
			if r.below(20) == 0 {
				procs = 2 + int(r.below(5))
			}
			d = Decision{Kind: Schedule, N: uint32(procs)}
		case x < 8:
			d = Decision{Kind: Select, N: 2}
		case x < 9:
			d = Decision{Kind: Random, N: 1000}
		default:
			d = Decision{Kind: Fault, N: 100}
		}
		d.Choice = uint32(r.below(uint64(d.N)))
		l.Decisions = append(l.Decisions, d)
	}
	return l
}

func logsEqual(a, b *Log) bool {
	return a.Scenario == b.Scenario && a.Seed == b.Seed && a.Spec == b.Spec &&
		a.WeftVersion == b.WeftVersion && a.GoVersion == b.GoVersion &&
		slices.Equal(a.Decisions, b.Decisions)
}

func roundTripLogs() map[string]*Log {
	calm := &Log{Scenario: "calm"}
	for i := range 1000 {
		calm.Decisions = append(calm.Decisions, Decision{Kind: Schedule, N: uint32(2 + i%3)})
	}
	return map[string]*Log{
		"empty":  {},
		"header": {Scenario: "s", Seed: 1<<64 - 1, Spec: "pct:3:5000", WeftVersion: "v1.2.3", GoVersion: "go1.26.8"},
		"one":    {Decisions: []Decision{{Kind: Schedule, N: 2, Choice: 1}}},
		"extremes": {Decisions: []Decision{
			{Kind: Timer, N: 1<<32 - 1, Choice: 1<<32 - 2},
			{Kind: Timer, N: 1<<32 - 1, Choice: 0},
			{Kind: Timer, N: 1<<32 - 1, Choice: 0},
			{Kind: Random, N: 16, Choice: 15},
			{Kind: Random, N: 16, Choice: 14},
			{Kind: Select, N: 2, Choice: 0},
		}},
		"runs": {Decisions: slices.Concat(
			[]Decision{{Kind: Fault, N: 10, Choice: 3}},
			slices.Repeat([]Decision{{Kind: Fault, N: 10}}, 100),
			[]Decision{{Kind: Select, N: 3, Choice: 0}, {Kind: Select, N: 3, Choice: 0}},
		)},
		"calm":   calm,
		"random": randomLog(1, 10000),
		"utf8":   {Scenario: "hé\x00llo", Spec: strings.Repeat("x", 300)},
	}
}

func TestLogRoundTrip(t *testing.T) {
	for name, l := range roundTripLogs() {
		t.Run(name, func(t *testing.T) {
			b, err := l.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got Log
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if !logsEqual(l, &got) {
				t.Fatalf("binary round trip changed the log:\n got %+v\nwant %+v", got, *l)
			}
			s := l.String()
			if strings.TrimLeft(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
				t.Fatalf("text form %q has characters a shell would interpret", s)
			}
			p, err := ParseLog("  " + s + "\n")
			if err != nil {
				t.Fatal(err)
			}
			if !logsEqual(l, p) {
				t.Fatalf("text round trip changed the log")
			}
			var u Log
			if err := u.UnmarshalText([]byte(s)); err != nil || !logsEqual(l, &u) {
				t.Fatalf("UnmarshalText: %v", err)
			}
		})
	}
}

func TestLogSize(t *testing.T) {
	tests := []struct {
		name     string
		log      *Log
		maxBytes int // binary
	}{
		{"empty", &Log{}, 15},
		{"calm 1000", roundTripLogs()["calm"], 30 + 1000*2},
		{"runs", roundTripLogs()["runs"], 30},
		{"random 10000", randomLog(1, 10000), 17000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := tt.log.MarshalBinary()
			text := tt.log.String()
			t.Logf("%d decisions: %d bytes binary, %d bytes text", len(tt.log.Decisions), len(b), len(text))
			if len(b) > tt.maxBytes {
				t.Errorf("binary is %d bytes, want at most %d", len(b), tt.maxBytes)
			}
		})
	}
}

func TestLogMarshalRejectsInvalidDecisions(t *testing.T) {
	tests := []struct {
		d    Decision
		want string
	}{
		{Decision{Kind: 0, N: 2}, "unknown kind 0"},
		{Decision{Kind: kindEnd, N: 2}, "unknown kind 6"},
		{Decision{Kind: Schedule, N: 1}, "n 1"},
		{Decision{Kind: Fault, N: 3, Choice: 3}, "chose 3 of n 3"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			l := &Log{Decisions: []Decision{{Kind: Select, N: 2}, tt.d}}
			_, err := l.MarshalBinary()
			if err == nil || !strings.HasPrefix(err.Error(), "scheduler: cannot encode decision 1: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one about decision 1 and %q", err, tt.want)
			}
			if s := l.String(); !strings.HasPrefix(s, "<scheduler: ") {
				t.Fatalf("String() = %q, want the error in angle brackets", s)
			}
		})
	}
}

// reseal replaces the checksum of b after an edit, so that the decoder gets
// past it to the edit.
func reseal(b []byte) []byte {
	body := b[:len(b)-4]
	return binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.ChecksumIEEE(body))
}

// build encodes a log by hand: header, then count, then raw ops.
func build(count uint64, ops ...byte) []byte {
	b := append([]byte(logMagic), 1, 0, 0, 0, 0, 0)
	b = binary.AppendUvarint(b, count)
	b = append(b, ops...)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func TestLogUnmarshalErrors(t *testing.T) {
	good, _ := randomLog(7, 40).MarshalBinary()
	mid := len(good) - 20
	flipped := slices.Clone(good)
	flipped[mid] ^= 0x40
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"nil", nil, "scheduler: log truncated in its header"},
		{"magic prefix", []byte("we"), "scheduler: log truncated in its header"},
		{"not a log", []byte("PK\x03\x04 zip"), `scheduler: not a weft decision log (starts with "PK\x03\x04", want "weft")`},
		{"magic only", []byte("weft"), "scheduler: log truncated in its header"},
		{"version 0", []byte("weft\x00"), "scheduler: log format version 0 is not a valid version"},
		{"newer", append([]byte("weft\x09"), good[5:]...), "scheduler: log format version 9 is newer than this weft (1)"},
		{"truncated in decisions", good[:mid], "scheduler: log truncated after"},
		{"truncated in checksum", good[:len(good)-2], "scheduler: log truncated in its checksum"},
		{"truncated in header", good[:10], "scheduler: log truncated in the scenario name"},
		{"flipped bit", flipped, "scheduler: log corrupted (checksum mismatch)"},
		{"trailing", reseal(append(slices.Clone(good[:len(good)-4]), 0x11, 0, 0, 0, 0)), "scheduler: log has 1 bytes of trailing data after its decisions"},
		{"count too big", build(1000, 0x18, 0x10), "scheduler: log claims 1000 decisions but its 2 remaining bytes can hold at most 66"},
		{"unknown kind", build(1, 0x0e), "scheduler: log decision 0 has unknown kind 6"},
		{"no N", build(1, 0x01), "scheduler: log decision 0 is the first schedule decision but does not give its number of options"},
		{"choice >= N", build(1, 0x39, 0x01), "scheduler: log decision 0 (schedule) chose 3 of only 3 options"},
		{"escaped choice >= N", build(1, 0xf9, 0x00, 0x00), "scheduler: log decision 0 (schedule) chose 15 of only 2 options"},
		{"huge choice", build(1, 0xf9, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), "chose more than its 2 options"},
		{"huge N", build(1, 0x09, 0xff, 0xff, 0xff, 0xff, 0x0f), "scheduler: log decision 0 has 4294967297 options, more than a Decision holds"},
		{"overflowing varint", build(1, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), "scheduler: log decision 0 has a malformed number (overflows 64 bits)"},
		{"run first", build(2, 0x00), "scheduler: log starts with a run of calm decisions that has no decision to repeat"},
		{"run past count", build(3, 0x09, 0x00, 0x08), "scheduler: log has a run of 3 calm decisions at decision 1, past its 3 decisions"},
		{"truncated op", build(3, 0x09, 0x00, 0x09), "scheduler: log truncated after 1 of 3 decisions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Log{Scenario: "untouched"}
			err := l.UnmarshalBinary(tt.data)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) && !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %q", err, tt.want)
			}
			if l.Scenario != "untouched" {
				t.Fatal("a failed decode changed the log")
			}
		})
	}
}

// TestLogTruncatedEverywhere cuts a valid log at every length: each must fail
// with a truncation error, never a panic or a corruption report.
func TestLogTruncatedEverywhere(t *testing.T) {
	good, _ := randomLog(3, 200).MarshalBinary()
	for n := range len(good) {
		var l Log
		err := l.UnmarshalBinary(good[:n])
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("cut at %d of %d: err = %v, want a truncation", n, len(good), err)
		}
	}
}

// TestLogCorruptedEverywhere flips each bit of a valid log once: each must fail.
func TestLogCorruptedEverywhere(t *testing.T) {
	good, _ := randomLog(4, 100).MarshalBinary()
	for i := range len(good) * 8 {
		b := slices.Clone(good)
		b[i/8] ^= 1 << (i % 8)
		var l Log
		if err := l.UnmarshalBinary(b); err == nil {
			t.Fatalf("flipping bit %d went unnoticed", i)
		}
	}
}

func TestParseLogErrors(t *testing.T) {
	l := randomLog(5, 300)
	text := l.String()
	if !strings.HasPrefix(text, textPrefixFlate) {
		t.Fatalf("a 300-decision random log should compress: %q", text[:10])
	}
	small := (&Log{Scenario: "x"}).String()
	tests := []struct {
		name, text, want string
	}{
		{"empty", " \n", "scheduler: empty log text"},
		{"foreign", "hello", `scheduler: log text "hello" does not start with "weft1-" or "weft1z-"`},
		{"long foreign", strings.Repeat("a", 100), `scheduler: log text "aaaaaaaaaaaaaaaa..." does not start with`},
		{"newer", "weft2-AAAA", `scheduler: log of unknown format version "weft2-", newer than this weft, which reads "weft1-" and "weft1z-"`},
		{"newer compressed", "weft12z-AAAA", `scheduler: log of unknown format version "weft12z-", newer than this weft`},
		{"older", "weft0-AAAA", `scheduler: log of unknown format version "weft0-"; this weft reads "weft1-" and "weft1z-"`},
		{"unknown variant", "weft1x-AAAA", `scheduler: log of unknown format version "weft1x-"; this weft reads`},
		{"huge version", "weft99999999999-AAAA", `scheduler: log of unknown format version "weft99999999999-", newer than this weft`},
		{"no dash", "weft" + strings.Repeat("7", 40), `scheduler: log of unknown format version "weft777777777777...", newer than this weft`},
		{"bad base64", small[:8] + "*" + small[9:], "scheduler: log text is not valid base64url at byte 2 after the prefix"},
		{"quoted", `"` + small + `"`, `scheduler: log text "\"weft1-`},
		{"truncated deflate", text[:len(text)/2], "scheduler: log text truncated (compressed data ends early)"},
		{"truncated raw", small[:len(small)-3], "scheduler: log truncated"},
		{"garbage deflate", textPrefixFlate + "____", "scheduler: log text corrupted"},
		{"deflated nonsense", textPrefixFlate + "AwA", "scheduler: log truncated in its header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLog(tt.text)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %q", err, tt.want)
			}
		})
	}
}

func TestTrimmed(t *testing.T) {
	s := func(c uint32) Decision { return Decision{Kind: Schedule, N: 4, Choice: c} }
	tests := []struct {
		name string
		in   []Decision
		want int
	}{
		{"nil", nil, 0},
		{"all calm", []Decision{s(0), s(0)}, 0},
		{"calm tail", []Decision{s(0), s(2), s(0), s(0)}, 2},
		{"no tail", []Decision{s(1), s(0), s(3)}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &Log{Decisions: tt.in}
			got := l.Trimmed()
			if len(got) != tt.want || !slices.Equal(got, tt.in[:tt.want]) {
				t.Fatalf("Trimmed = %v, want %v", got, tt.in[:tt.want])
			}
			if cap(got) != len(got) {
				t.Fatal("Trimmed leaves capacity that an append would overwrite")
			}
		})
	}
}

// DecodeLog takes either form a log is kept in, and refuses anything else.
func TestDecodeLogEitherForm(t *testing.T) {
	l := &Log{Scenario: "s", Seed: 3, Spec: "random", WeftVersion: "v0", GoVersion: "go1", Decisions: []Decision{{Kind: Schedule, N: 3, Choice: 2}}}
	bin, err := l.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []struct {
		name string
		data []byte
	}{{"binary", bin}, {"text", []byte(l.String())}, {"text with a newline", []byte(l.String() + "\n")}} {
		got, err := DecodeLog(form.data)
		if err != nil || got.String() != l.String() {
			t.Errorf("%s: got %v, %v; want %v", form.name, got, err, l)
		}
	}
	if _, err := DecodeLog([]byte("not a log")); err == nil {
		t.Error("garbage decoded without an error")
	}
}

// A text of another version saved in a file is reported as such: it is not
// read as binary, which would see the version digit's byte as a format
// version ("log format version 50").
func TestDecodeLogUnknownTextVersion(t *testing.T) {
	for _, data := range []string{"weft2-AAAA", "weft2-AAAA\n", " \tweft2z-AAAA\r\n", "weft0-AAAA"} {
		_, err := DecodeLog([]byte(data))
		if err == nil || !strings.HasPrefix(err.Error(), "scheduler: log of unknown format version \"weft") {
			t.Errorf("DecodeLog(%q): err = %v, want a log of an unknown format version", data, err)
		}
	}
}
