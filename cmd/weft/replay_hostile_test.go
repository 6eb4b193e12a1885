package main

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Method: hand weft replay the hostile logs of issue 13, as an argument and
// as a file, and check that each ends the command with exit 1 and the
// scheduler's message, allocating a few megabytes at most. Before the fix,
// the first one asked for 3.3 GB and killed the process.

// bombLog returns the binary form of a log that declares and holds
// 1+33*runs decisions: one schedule decision, then runs bytes that each
// repeat it 33 times, compressed as it is written (so building it costs its
// compressed size), with a checksum that is wrong when damaged.
func bombLog(runs int, damaged bool) (compressed []byte) {
	head := binary.AppendUvarint([]byte{'w', 'e', 'f', 't', 1, 0, 0, 0, 0, 0}, uint64(1+33*runs))
	head = append(head, 0x09, 0x00)
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
	if damaged {
		sum ^= 1
	}
	w.Write(binary.LittleEndian.AppendUint32(nil, sum))
	w.Close()
	return z.Bytes()
}

func TestReplayHostileLogs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// The 11 KB text of issue 13: 277 million decisions in 8 MiB of runs.
	bomb := "weft1z-" + base64.RawURLEncoding.EncodeToString(bombLog(8<<20, false))
	var damaged bytes.Buffer
	r := flate.NewReader(bytes.NewReader(bombLog(1<<16, true)))
	damaged.ReadFrom(r)
	tests := []struct {
		name, arg, want string
	}{
		{"bomb text", bomb, "weft replay: scheduler: log claims 276824065 decisions, more than the 16777216 a log may hold (16 a step of a 1,000,000-step run)"},
		{"bomb text in a file", write("bomb.txt", []byte(bomb+"\n")), "bomb.txt: scheduler: log claims 276824065 decisions, more than the 16777216 a log may hold"},
		{"damaged binary file", write("damaged", damaged.Bytes()), "damaged: scheduler: log corrupted (checksum mismatch)"},
		{"endless file", "/dev/zero", `weft replay: /dev/zero: scheduler: not a weft decision log (starts with "\x00\x00\x00\x00", want "weft")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.arg); tt.arg == "/dev/zero" && err != nil {
				t.Skip("no /dev/zero here")
			}
			var code int
			var stderr string
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			code, _, stderr = runWeft("replay", "zoo/leak", tt.arg)
			runtime.ReadMemStats(&after)
			n := after.TotalAlloc - before.TotalAlloc
			t.Logf("exit %d, %d bytes allocated: %s", code, n, strings.TrimSpace(stderr))
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tt.want)
			}
			if n > 8<<20 {
				t.Errorf("replay allocated %d bytes, want at most 8 MiB", n)
			}
		})
	}
}
