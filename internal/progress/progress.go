// Package progress is the line a test binary prints under -weft.progress,
// and reads it back: how far each weft.Test has got (runs, steps, distinct
// schedules), and, once it is done, its failure with the seed and the
// command that replays it. The weft command reads these lines out of go test
// -json's output to draw a campaign's progress and write its summary; both
// sides share this one definition.
package progress

import (
	"encoding/json"
	"strings"
)

// Prefix starts every progress line; the JSON of a Line follows it. go test
// indents a test's output, so a reader trims the line's spaces first.
const Prefix = "weft:progress "

// Line is how far one exploration (one test, one shard) has got.
type Line struct {
	// Test is the test's name as t.Name spells it; Pkg is its package as
	// go test names it from the module root ("./examples/zoo").
	Test string `json:"test"`
	Pkg  string `json:"pkg,omitempty"`
	// Shard is the shard of the seed space this exploration runs, "i/n";
	// Seed its first seed, Strategy the strategy's spec.
	Shard    string `json:"shard"`
	Seed     uint64 `json:"seed"`
	Strategy string `json:"strategy"`
	// Planned is how many runs the shard is to run (0: as many as Budget,
	// in seconds, lets run).
	Planned int     `json:"planned"`
	Budget  float64 `json:"budget,omitempty"`
	// Runs, Steps and Elapsed (seconds) count what ran so far; Schedules
	// estimates how many of the runs were distinct (trace hashes), and
	// Sketch is that estimate's mergeable sketch (package distinct's text).
	Runs      int     `json:"runs"`
	Steps     int64   `json:"steps"`
	Elapsed   float64 `json:"elapsed"`
	Schedules int     `json:"schedules"`
	Sketch    string  `json:"sketch,omitempty"`
	// Done marks the exploration's last line; Failure is set on it when
	// the test failed.
	Done    bool     `json:"done,omitempty"`
	Failure *Failure `json:"failure,omitempty"`
}

// Failure is what a campaign keeps of a failing test.
type Failure struct {
	// Seed and Strategy say which run failed.
	Seed     uint64 `json:"seed"`
	Strategy string `json:"strategy,omitempty"`
	// Headline is the failure's first line.
	Headline string `json:"headline"`
	// Log is the saved log's path from the module root, "" when none was
	// saved; LogText is the log's one-line text (weft1-...), so that a
	// summary carries the failure even where the file is lost.
	Log     string `json:"log,omitempty"`
	LogText string `json:"log_text,omitempty"`
	// Replay is the command, run from the module root, that replays it.
	Replay string `json:"replay"`
}

// Format returns l as a progress line, without its newline.
func Format(l Line) string {
	b, err := json.Marshal(l)
	if err != nil {
		panic("progress: " + err.Error()) // a Line always marshals
	}
	return Prefix + string(b)
}

// Parse reads a progress line out of a line of a test's output; ok is false
// when the line is not one.
func Parse(text string) (l Line, ok bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, Prefix) {
		return Line{}, false
	}
	if err := json.Unmarshal([]byte(text[len(Prefix):]), &l); err != nil || l.Test == "" {
		return Line{}, false
	}
	return l, true
}
