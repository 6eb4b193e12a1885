package scheduler

import (
	"testing"
)

// Method: every accepted form parses to the expected Spec whose String
// parses back to the same Spec; every rejected form names what is wrong.

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in        string
		want      Spec
		canonical string
	}{
		{"random", Spec{Name: "random"}, "random"},
		{"pct", Spec{Name: "pct", Depth: 3}, "pct:3"},
		{"pct:1", Spec{Name: "pct", Depth: 1}, "pct:1"},
		{"pct:3", Spec{Name: "pct", Depth: 3}, "pct:3"},
		{"pct:3:5000", Spec{Name: "pct", Depth: 3, Steps: 5000}, "pct:3:5000"},
		{"pct:03:0100", Spec{Name: "pct", Depth: 3, Steps: 100}, "pct:3:100"},
		{"dfs", Spec{Name: "dfs", Depth: 2}, "dfs:2"},
		{"dfs:1", Spec{Name: "dfs", Depth: 1}, "dfs:1"},
		{"dpor", Spec{Name: "dpor", Depth: 2}, "dpor:2"},
		{"dpor:3", Spec{Name: "dpor", Depth: 3}, "dpor:3"},
		{"pos", Spec{Name: "pos"}, "pos"},
		{"starve", Spec{Name: "starve"}, "starve"},
		{"starve:40", Spec{Name: "starve", Steps: 40}, "starve:40"},
		{"portfolio", Spec{Name: "portfolio"}, "portfolio"},
		{"portfolio:057", Spec{Name: "portfolio", Steps: 57}, "portfolio:57"},
		{"pct:2:57+fair:228", Spec{Name: "pct", Depth: 2, Steps: 57, Fair: 228}, "pct:2:57+fair:228"},
		{"random+fair:9", Spec{Name: "random", Fair: 9}, "random+fair:9"},
		{"portfolio:57+fair:100", Spec{Name: "portfolio", Steps: 57, Fair: 100}, "portfolio:57+fair:100"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSpec(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("ParseSpec(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.canonical {
				t.Fatalf("String() = %q, want %q", s, tt.canonical)
			}
			again, err := ParseSpec(got.String())
			if err != nil || again != got {
				t.Fatalf("round trip: %+v, %v", again, err)
			}
			if got.New(1) == nil {
				t.Fatal("New returned nil")
			}
		})
	}
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"foo", `scheduler: unknown strategy "foo" (want random, pct, pct:<depth>[:<steps>], pos, starve[:<steps>], portfolio[:<steps>], dfs[:<bound>], dpor[:<bound>]; then +fault:<points> and +fair:<points> after any but a search)`},
		{"", `scheduler: unknown strategy "" (want random, pct, pct:<depth>[:<steps>], pos, starve[:<steps>], portfolio[:<steps>], dfs[:<bound>], dpor[:<bound>]; then +fault:<points> and +fair:<points> after any but a search)`},
		{"dfs:0", `scheduler: strategy "dfs:0": bound "0" is not a whole number of at least 1`},
		{"PCT", `scheduler: unknown strategy "PCT" (want random, pct, pct:<depth>[:<steps>], pos, starve[:<steps>], portfolio[:<steps>], dfs[:<bound>], dpor[:<bound>]; then +fault:<points> and +fair:<points> after any but a search)`},
		{"random:3", `scheduler: strategy "random:3": random takes no parameters`},
		{"pct:", `scheduler: strategy "pct:": depth "" is not a whole number of at least 1`},
		{"pct:0", `scheduler: strategy "pct:0": depth "0" is not a whole number of at least 1`},
		{"pct:-1", `scheduler: strategy "pct:-1": depth "-1" is not a whole number of at least 1`},
		{"pct:+2", `scheduler: strategy "pct:+2": depth "+2" is not a whole number of at least 1`},
		{"pct:x", `scheduler: strategy "pct:x": depth "x" is not a whole number of at least 1`},
		{"pct:3:", `scheduler: strategy "pct:3:": steps "" is not a whole number of at least 1`},
		{"pct:3:0", `scheduler: strategy "pct:3:0": steps "0" is not a whole number of at least 1`},
		{"pct:3:4:5", `scheduler: strategy "pct:3:4:5": steps "4:5" is not a whole number of at least 1`},
		{"pct:99999999999999999999", `scheduler: strategy "pct:99999999999999999999": depth "99999999999999999999" is not a whole number of at least 1`},
		{"pct:5:3", `scheduler: strategy "pct:5:3": depth 5 needs at least 4 steps for its change points`},
		{"pct:10001", `scheduler: strategy "pct:10001": depth 10001 is above the most PCT allows (10000)`},
		{"pos:3", `scheduler: strategy "pos:3": pos takes no parameters`},
		{"starve:0", `scheduler: strategy "starve:0": steps "0" is not a whole number of at least 1`},
		{"portfolio:x", `scheduler: strategy "portfolio:x": steps "x" is not a whole number of at least 1`},
		{"portfolio:3:4", `scheduler: strategy "portfolio:3:4": steps "3:4" is not a whole number of at least 1`},
		{"random+fair:0", `scheduler: strategy "random+fair:0": fair points "0" is not a whole number of at least 1`},
		{"dfs:2+fair:10", `scheduler: strategy "dfs:2+fair:10": a search (dfs) takes no +fault or +fair`},
		{"pct:x+fair:10", `scheduler: strategy "pct:x+fair:10": depth "x" is not a whole number of at least 1`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseSpec(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestSpecZeroValues(t *testing.T) {
	tests := []struct {
		spec Spec
		want string
	}{
		{Spec{}, "random"},
		{Spec{Name: "pct"}, "pct:3"},
		{Spec{Name: "pct", Steps: 50}, "pct:3:50"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if s := tt.spec.String(); s != tt.want {
				t.Fatalf("String() = %q, want %q", s, tt.want)
			}
			tt.spec.New(1).Choose(Point{Kind: Schedule, N: 2})
		})
	}
}

func TestSpecNewIsSeeded(t *testing.T) {
	for _, in := range []string{"random", "pct:2:20", "pos", "starve:30", "portfolio:30"} {
		t.Run(in, func(t *testing.T) {
			sp, _ := ParseSpec(in)
			a, b := sp.New(9), sp.New(9)
			for i := range 100 {
				p := Point{Kind: Schedule, N: 2 + i%3}
				if a.Choose(p) != b.Choose(p) {
					t.Fatalf("two strategies of seed 9 differ at point %d", i)
				}
			}
		})
	}
}

func TestSpecNewPanicsOnInvalid(t *testing.T) {
	for _, sp := range []Spec{{Name: "bfs"}, {Name: "random", Depth: 2}, {Name: "pct", Depth: -1}, {Name: "dfs", Steps: 3},
		{Name: "pos", Steps: 1}, {Name: "starve", Depth: 1}, {Name: "portfolio", Steps: -1}} {
		t.Run(sp.Name, func(t *testing.T) {
			err := sp.Validate()
			if err == nil {
				t.Fatalf("Validate accepts %+v", sp)
			}
			defer func() {
				if r := recover(); r == nil || r != err.Error() {
					t.Fatalf("New on %+v panicked with %v, want Validate's error %v", sp, r, err)
				}
			}()
			sp.New(1)
		})
	}
}
