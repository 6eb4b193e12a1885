package scheduler

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
)

// Method: write logs of every shape in the file form and read them back with
// DecodeLog and with ReadLog a byte at a time; pin the form of one small log
// exactly (it is what a pull request shows); then damage files in each way a
// person or a tool could, and check that every error names the line and
// what is wrong, within the memory budget of the other forms.

// The file of a small log, as a reviewer sees it.
func TestLogFileForm(t *testing.T) {
	l := &Log{Scenario: "TestWithdraw/two\x00tellers", Seed: 3, Spec: "random", WeftVersion: "v0.1.0", GoVersion: "go1.26.8",
		Decisions: []Decision{
			{Kind: Schedule, N: 2}, {Kind: Schedule, N: 2}, {Kind: Schedule, N: 2},
			{Kind: Schedule, N: 2, Choice: 1},
			{Kind: Random, N: 100, Choice: 7},
			{Kind: Schedule, N: 3}, {Kind: Schedule, N: 2},
		}}
	b, err := l.MarshalFile()
	if err != nil {
		t.Fatal(err)
	}
	const want = `weft log v1
scenario "TestWithdraw/two\x00tellers"
seed 3
strategy "random"
weft "v0.1.0"
go "go1.26.8"
decisions 7
schedule 0/2 x3
schedule 1/2
random 7/100
schedule 0/3
schedule 0/2
`
	if string(b) != want {
		t.Fatalf("file form:\n%s\nwant:\n%s", b, want)
	}
	// Comments, blank lines and CRLF line endings, as an editor or a
	// Windows checkout may leave them, read the same.
	edited := strings.ReplaceAll(strings.Replace(want, "seed 3\n", "# found by TestWithdraw\n\nseed 3\n", 1), "\n", "\r\n")
	edited = "\n  " + strings.Replace(edited, "random 7/100", "# the draw\r\nrandom 7/100", 1) + "# end\n"
	for name, data := range map[string]string{"as written": want, "edited": edited} {
		got, err := DecodeLog([]byte(data))
		if err != nil || !logsEqual(got, l) {
			t.Errorf("%s: DecodeLog = %+v, %v", name, got, err)
		}
		got, err = ReadLog(iotest.OneByteReader(strings.NewReader(data)))
		if err != nil || !logsEqual(got, l) {
			t.Errorf("%s: ReadLog = %+v, %v", name, got, err)
		}
	}
}

func TestLogFileRoundTrip(t *testing.T) {
	logs := roundTripLogs()
	logs["long header"] = &Log{Scenario: strings.Repeat("\xff", maxLogStringBytes), Spec: strings.Repeat("p", maxLogStringBytes), Decisions: randomLog(2, 100).Decisions}
	for name, l := range logs {
		t.Run(name, func(t *testing.T) {
			b, err := l.MarshalFile()
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeLog(b)
			if err != nil || !logsEqual(got, l) {
				t.Fatalf("DecodeLog: %v", err)
			}
			got, err = ReadLog(iotest.OneByteReader(bytes.NewReader(b)))
			if err != nil || !logsEqual(got, l) {
				t.Fatalf("ReadLog: %v", err)
			}
			// The form is canonical: a log decoded from a file writes that
			// file again.
			if again, _ := got.MarshalFile(); !bytes.Equal(again, b) {
				t.Fatal("writing a decoded log changed its file")
			}
		})
	}
}

func TestLogFileErrors(t *testing.T) {
	const head = "weft log v1\nscenario \"s\"\nseed 1\nstrategy \"random\"\nweft \"v0\"\ngo \"go1\"\n"
	tests := []struct {
		name, file, want string
	}{
		{"newer version", "weft log v2\nwhatever\n", `scheduler: log file of format version 2, newer than this weft, which reads "weft log v1"`},
		{"other first line", "weft log version one\n", `scheduler: log file starts with "weft log version one", want "weft log v1"`},
		{"cut in the first line", "weft log", `scheduler: log file truncated in its first line`},
		{"fields out of order", "weft log v1\nseed 1\n", `scheduler: log file line 2: want the scenario line, got "seed 1"`},
		{"no count", head, `scheduler: log file truncated in its header: no decisions line`},
		{"unquoted name", "weft log v1\nscenario s\n", `scheduler: log file line 2: scenario "s" is not a Go string literal in double quotes`},
		{"raw string", "weft log v1\nscenario `s`\n", "scheduler: log file line 2: scenario \"`s`\" is not a Go string literal"},
		{"negative seed", "weft log v1\nscenario \"s\"\nseed -1\n", `scheduler: log file line 3: seed "-1": not a decimal number`},
		{"seed past 64 bits", "weft log v1\nscenario \"s\"\nseed 18446744073709551616\n", `line 3: seed "18446744073709551616": not a number of 64 bits`},
		{"count past the bound", head + "decisions 16777217\n", `scheduler: log claims 16777217 decisions, more than the 16777216 a log may hold`},
		{"too few decisions", head + "decisions 3\nschedule 1/2\n", `scheduler: log file truncated after 1 of 3 decisions`},
		{"too many decisions", head + "decisions 1\nschedule 1/2\nschedule 1/2\n", `scheduler: log file line 9: the decisions go past the 1 the header declares`},
		{"a repeat past the count", head + "decisions 3\nschedule 0/2 x4\n", `line 8: the decisions go past the 3 the header declares`},
		{"unknown kind", head + "decisions 1\npreempt 1/2\n", `line 8: "preempt 1/2": want a kind (schedule, select, random, fault, timer), then choice/N`},
		{"no N", head + "decisions 1\nschedule 1\n", `line 8: "schedule 1": want choice/N after the kind`},
		{"choice out of range", head + "decisions 1\nschedule 2/2\n", `line 8: "schedule 2/2": schedule decision chose 2 of n 2`},
		{"one option", head + "decisions 1\nschedule 0/1\n", `"schedule 0/1": schedule decision with n 1 (want at least 2)`},
		{"leading zero", head + "decisions 1\nschedule 01/2\n", `"schedule 01/2": choice/N: not a decimal number without sign or leading zeros`},
		{"N past 32 bits", head + "decisions 1\ntimer 1/4294967296\n", `choice/N: not a number of 32 bits`},
		{"repeat of one", head + "decisions 1\nschedule 1/2 x1\n", `"schedule 1/2 x1": a repeat xK wants a whole number K of at least 2`},
		{"trailing space", head + "decisions 1\nschedule 1/2 \n", `"schedule 1/2 ": choice/N: not a decimal number`},
		{"a long line", head + "decisions 1\nschedule 1/2" + strings.Repeat(" ", 100) + "\n", `: longer than a decision line can be`},
		{"comments without end", head + strings.Repeat("#\n", maxCommentBytes), `scheduler: log file has more than 65536 bytes of comments and blank lines`},
		{"a name longer than a log's", "weft log v1\nscenario \"" + strings.Repeat("x", maxLogStringBytes+1) + "\"\n", `line 2: the scenario has 65537 bytes, more than the 65536 a log allows`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() { _, err = DecodeLog([]byte(tt.file)) })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodeLog: err = %v\nwant %q", err, tt.want)
			}
			if n > hostileBudgetBytes {
				t.Errorf("refusing %d bytes allocated %d", len(tt.file), n)
			}
			if _, err2 := ReadLog(strings.NewReader(tt.file)); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("ReadLog: err = %v, DecodeLog's is %v", err2, err)
			}
		})
	}
}

// A file's count bounds how much of it is read and what is allocated: a
// count that its lines do not hold, and lines that go on past it, are
// refused after reading no more than the count can take.
func TestLogFileHostile(t *testing.T) {
	const head = "weft log v1\nscenario \"s\"\nseed 1\nstrategy \"random\"\nweft \"v0\"\ngo \"go1\"\n"
	var err error
	claim := head + "decisions 16777216\nschedule 1/2\n"
	if n := allocated(func() { _, err = DecodeLog([]byte(claim)) }); err == nil || n > hostileBudgetBytes {
		t.Errorf("a count its lines do not hold: allocated %d, err %v", n, err)
	}
	src := &endlessLines{head: head + "decisions 1000\n", line: "schedule 0/2\n"}
	n := allocated(func() { _, err = ReadLog(src) })
	want := fmt.Sprintf("scheduler: log file goes on past the %d bytes", len(head+"decisions 1000\n")+1000*maxDecisionLineBytes+maxCommentBytes)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("endless lines: err = %v\nwant %q", err, want)
	}
	if most := 2 * (len(head) + 1000*maxDecisionLineBytes + maxCommentBytes); src.count > most || n > hostileBudgetBytes {
		t.Errorf("endless lines: read %d bytes (want at most %d), allocated %d", src.count, most, n)
	}
}

// endlessLines yields head, then line forever, and counts what it yields.
type endlessLines struct {
	head, line string
	off, count int
}

func (e *endlessLines) Read(p []byte) (int, error) {
	for i := range p {
		if e.off < len(e.head) {
			p[i] = e.head[e.off]
		} else {
			p[i] = e.line[(e.off-len(e.head))%len(e.line)]
		}
		e.off++
	}
	e.count += len(p)
	return len(p), nil
}

func FuzzDecodeLogFile(f *testing.F) {
	for _, l := range roundTripLogs() {
		if len(l.Decisions) > 300 {
			continue
		}
		b, _ := l.MarshalFile()
		f.Add(b)
	}
	b, _ := randomLog(9, 200).MarshalFile()
	f.Add(b)
	f.Add([]byte("weft log v1\nscenario \"s\"\nseed 1\nstrategy \"\"\nweft \"\"\ngo \"\"\ndecisions 1000000\nschedule 1/2\n"))
	f.Add([]byte("weft log v2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := checkBudget(t, len(data), func() (*Log, error) { return DecodeLog(data) })
		if err != nil {
			if !strings.HasPrefix(err.Error(), "scheduler: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		checkRoundTrip(t, l)
		file, err := l.MarshalFile()
		if err != nil {
			t.Fatalf("a decoded log does not write its file: %v", err)
		}
		again, err := ReadLog(bytes.NewReader(file))
		if err != nil || !logsEqual(l, again) {
			t.Fatalf("file round trip: %v", err)
		}
	})
}
