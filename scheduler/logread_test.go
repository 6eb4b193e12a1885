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
