package scheduler

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

// Method: read the binary form of logs of every shape from readers that
// yield a byte at a time, and check that what is read is exactly the log;
// then add bytes past the end and check that they are refused.

func TestReadLogBinary(t *testing.T) {
	logs := roundTripLogs()
	logs["long header"] = &Log{Scenario: strings.Repeat("s", maxLogStringBytes), Spec: strings.Repeat("p", maxLogStringBytes), Decisions: randomLog(2, 100).Decisions}
	for name, l := range logs {
		t.Run(name, func(t *testing.T) {
			bin, err := l.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			got, err := readLogBinary(iotest.OneByteReader(bytes.NewReader(bin)), nil)
			if err != nil || !bytes.Equal(got, bin) {
				t.Fatalf("read %d of %d bytes, err %v", len(got), len(bin), err)
			}
			// Already read bytes are kept, and a reader's error is passed on.
			got, err = readLogBinary(iotest.DataErrReader(bytes.NewReader(bin[5:])), bin[:5:5])
			if err != nil || !bytes.Equal(got, bin) {
				t.Fatalf("read after a prefix: %d of %d bytes, err %v", len(got), len(bin), err)
			}
			var src *sourceError
			if _, err := readLogBinary(iotest.TimeoutReader(bytes.NewReader(bin)), nil); len(bin) > 64 && (!errors.As(err, &src) || !errors.Is(err, iotest.ErrTimeout)) {
				t.Fatalf("a reader's error came back as %#v", err)
			}
			// A log with more bytes than its decisions can take is refused.
			long := append(bytes.Clone(bin), make([]byte, len(l.Decisions)*maxOpBytes+1)...)
			if _, err := readLogBinary(bytes.NewReader(long), nil); err == nil || !strings.HasPrefix(err.Error(), "scheduler: log goes on past the ") {
				t.Fatalf("a log followed by more bytes than it can take: err = %v", err)
			}
		})
	}
}

// endless yields b, then byte c forever, and counts what it yields.
type endless struct {
	b     []byte
	c     byte
	count int
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.b)
	e.b = e.b[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.c
	}
	e.count += len(p)
	return len(p), nil
}

func TestReadLog(t *testing.T) {
	l := randomLog(6, 500)
	bin, _ := l.MarshalBinary()
	for name, data := range map[string][]byte{
		"binary":          bin,
		"text":            []byte(l.String()),
		"text in a file":  []byte("\n  " + l.String() + "\n\n"),
		"short text file": []byte("weft1-d2VmdAE\n"),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ReadLog(iotest.OneByteReader(bytes.NewReader(data)))
			if name == "short text file" {
				if err == nil || !strings.HasPrefix(err.Error(), "scheduler: log truncated in the scenario name") {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || !logsEqual(got, l) {
				t.Fatalf("ReadLog: %v", err)
			}
		})
	}
	t.Run("reader error", func(t *testing.T) {
		_, err := ReadLog(iotest.ErrReader(errors.New("disk on fire")))
		if err == nil || err.Error() != "scheduler: reading a log: disk on fire" {
			t.Fatalf("err = %v", err)
		}
	})
}

// An endless or huge source is read no further than a log can take.
func TestReadLogEndless(t *testing.T) {
	tests := []struct {
		name     string
		src      *endless
		want     string
		maxBytes int // read from the source
	}{
		{"zeros (/dev/zero)", &endless{}, `scheduler: not a weft decision log (starts with "\x00\x00\x00\x00"`, 512},
		{"a log's header, then zeros", &endless{b: hostileHeader(1)}, "scheduler: log goes on past the 26 bytes that its header's 1 decisions can take", 1024},
		{"a header of too many decisions, then zeros", &endless{b: hostileHeader(1 << 30)}, "scheduler: log claims 1073741824 decisions, more than the 16777216 a log may hold", 512},
		{"calm runs", &endless{b: append(hostileHeader(1000), calmRuns(0)...), c: 0xf8}, "scheduler: log goes on past the 11016 bytes that its header's 1000 decisions can take", 16 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = ReadLog(tt.src) })
			t.Logf("read %d bytes, allocated %d: %v", tt.src.count, n, err)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant %q", err, tt.want)
			}
			if tt.src.count > tt.maxBytes {
				t.Errorf("read %d bytes of the source, want at most %d", tt.src.count, tt.maxBytes)
			}
		})
	}
}

// The texts of issue 13 saved in a file cost what they cost as arguments.
func TestReadLogBombFile(t *testing.T) {
	text := issueBomb87KB() + "\n"
	var err error
	n := allocated(func() { _, err = ReadLog(strings.NewReader(text)) })
	if err == nil || !strings.HasPrefix(err.Error(), "scheduler: log claims 2214590401 decisions, more than the 16777216 a log may hold") {
		t.Fatalf("err = %v", err)
	}
	if n > hostileBudgetBytes {
		t.Fatalf("reading an %d-byte file allocated %d bytes, want at most %d", len(text), n, hostileBudgetBytes)
	}
}
