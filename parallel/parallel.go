package parallel

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"pgregory.net/rapid"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/properties"
	"github.com/weftsim/weft/sim"
)

// Machine is a state machine to test a concurrent system with: a
// sequential model (Init and each command's Model) and the system it
// specifies (New and each command's Run).
type Machine[S, Sys any] struct {
	// Name names the system in failures ("": "the system").
	Name string
	// Init returns the model's initial state.
	Init func() S
	// New makes the system under test in w, from w's main process, before
	// any command runs.
	New func(w *sim.World) Sys
	// Commands are what clients do, at least one.
	Commands []Command[S, Sys]
	// Equal says whether two model states are the same; nil compares them
	// with ==, which needs S to be comparable.
	Equal func(a, b S) bool
	// Describe writes a model state for porcupine's page and failures; nil
	// uses fmt.Sprint.
	Describe func(s S) string

	_ struct{} // disallow positional literals, for extensibility
}

// Command is one thing a client may do.
type Command[S, Sys any] struct {
	// Name names the command (in draws, histories and failures); no two
	// commands of a machine have the same.
	Name string
	// Input draws the command's input; nil for a command that takes none.
	// It runs on the test's goroutine, before the world runs.
	Input func(t *rapid.T) any
	// Run performs the command with input in against the system, from a
	// process of w, and returns its output.
	Run func(w *sim.World, sys Sys, in any) any
	// Model is the command's sequential specification: from state s, with
	// input in, the state it leaves and the output it must return.
	Model func(s S, in any) (next S, want any)
	// Post judges an output got against the model's want, from state s;
	// nil requires got to equal want (reflect.DeepEqual).
	Post func(s S, in, want, got any) bool

	_ struct{} // disallow positional literals, for extensibility
}

// Options sizes the workloads Check draws and says how to run them. The
// zero value is usable.
type Options struct {
	// Clients is the number of processes that run commands in parallel (0:
	// 2).
	Clients int
	// MaxPrefix is the most commands the main process runs alone before
	// the clients start (0: 3; negative: none).
	MaxPrefix int
	// MaxPerClient is the most commands each client runs, at least 1 (0: 3).
	MaxPerClient int
	// Config is the world's configuration. Check, Test and Shrink add the
	// machine's Property to its Properties; the strategy is rapid's, or
	// Shrink's search. Porcupine's page of the reported failure goes under
	// its ReportDir when set (Test: else the test's artifact directory;
	// Check: where weft.RunRapid puts it).
	Config sim.Config
	// Timeout bounds the linearizability check (0: none).
	Timeout time.Duration
	// Bound is how far Shrink (and Test, after rapid) searches each
	// workload's schedules: every one within this many changes from the
	// calm schedule, as weft's dfs:<bound> does (0: 2).
	Bound int
	// ShrinkRuns bounds the runs Shrink spends (0: 200,000). It is a count,
	// not a time, so that what Shrink finds does not depend on the machine.
	ShrinkRuns int

	_ struct{} // disallow positional literals, for extensibility
}

func (o Options) withDefaults() Options {
	if o.Clients == 0 {
		o.Clients = 2
	}
	switch {
	case o.MaxPrefix == 0:
		o.MaxPrefix = 3
	case o.MaxPrefix < 0:
		o.MaxPrefix = 0
	}
	if o.MaxPerClient == 0 {
		o.MaxPerClient = 3
	}
	if o.Bound == 0 {
		o.Bound = 2
	}
	if o.ShrinkRuns == 0 {
		o.ShrinkRuns = 200_000
	}
	if o.Clients < 1 || o.MaxPerClient < 1 {
		panic(fmt.Sprintf("parallel: Options with %d clients of at most %d commands: both must be at least 1", o.Clients, o.MaxPerClient))
	}
	if o.Bound < 0 || o.ShrinkRuns < 0 {
		panic(fmt.Sprintf("parallel: Options with Bound %d and ShrinkRuns %d: neither may be negative", o.Bound, o.ShrinkRuns))
	}
	return o
}

// Invocation is one command of a workload with its input, and what goes
// into the run's history as the operation's input.
type Invocation struct {
	Command int // its index in Machine.Commands
	Name    string
	Input   any
}

func (c Invocation) String() string {
	if c.Input == nil {
		return c.Name + "()"
	}
	return fmt.Sprintf("%s(%v)", c.Name, c.Input)
}

// result wraps a command's output in the history, so that a command that
// returns nil is told from one that never returned.
type result struct{ v any }

// Workload is what a run does: the main process runs Prefix alone, then
// each of Clients runs its commands in order, all at once.
type Workload struct {
	Prefix  []Invocation
	Clients [][]Invocation
}

func (wl Workload) String() string {
	var b strings.Builder
	line := func(who string, cs []Invocation) {
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = c.String()
		}
		fmt.Fprintf(&b, "%s: %s\n", who, strings.Join(parts, ", "))
	}
	if len(wl.Prefix) > 0 {
		line("prefix", wl.Prefix)
	}
	for i, cs := range wl.Clients {
		line(fmt.Sprintf("client %d", i+1), cs)
	}
	return b.String()
}

// Draw draws a workload of m's commands from t, sized by opts.
func Draw[S, Sys any](t *rapid.T, m Machine[S, Sys], opts Options) Workload {
	m.validate()
	opts = opts.withDefaults()
	names := make([]string, len(m.Commands))
	for i, c := range m.Commands {
		names[i] = c.Name
	}
	pick := rapid.SampledFrom(names)
	draw := func(label string) Invocation {
		name := pick.Draw(t, label)
		i := slices.Index(names, name)
		c := Invocation{Command: i, Name: name}
		if in := m.Commands[i].Input; in != nil {
			c.Input = in(t)
		}
		return c
	}
	var wl Workload
	n := rapid.IntRange(0, opts.MaxPrefix).Draw(t, "prefix length")
	for i := 0; i < n; i++ {
		wl.Prefix = append(wl.Prefix, draw(fmt.Sprintf("prefix %d", i)))
	}
	for c := 1; c <= opts.Clients; c++ {
		n := rapid.IntRange(1, opts.MaxPerClient).Draw(t, fmt.Sprintf("client %d length", c))
		var cs []Invocation
		for i := 0; i < n; i++ {
			cs = append(cs, draw(fmt.Sprintf("client %d command %d", c, i)))
		}
		wl.Clients = append(wl.Clients, cs)
	}
	return wl
}

func (m Machine[S, Sys]) validate() {
	if m.Init == nil || m.New == nil || len(m.Commands) == 0 {
		panic("parallel: a Machine needs Init, New and at least one Command")
	}
	for i, c := range m.Commands {
		if c.Name == "" || c.Run == nil || c.Model == nil {
			panic(fmt.Sprintf("parallel: Machine command %d (%q) needs a Name, Run and Model", i, c.Name))
		}
		if slices.IndexFunc(m.Commands[:i], func(d Command[S, Sys]) bool { return d.Name == c.Name }) >= 0 {
			panic(fmt.Sprintf("parallel: Machine has two commands named %q", c.Name))
		}
	}
}

// Scenario returns the scenario that runs wl against a new system: the
// main process makes it (New) and runs the prefix as client 0, then
// processes "client 1", "client 2", ... run their commands at once, each
// command one operation of the run's history (World.Call and Return).
func (m Machine[S, Sys]) Scenario(wl Workload) func(w *sim.World) {
	m.validate()
	return func(w *sim.World) {
		sys := m.New(w)
		k := w.Kernel()
		run := func(client int, c Invocation) {
			// Notes name the command and its output in the timeline, whose
			// call and return events do not.
			k.Event(sim.EventNote, nil, int64(c.Command), c.String)
			id := w.Call(client, c)
			out := m.Commands[c.Command].Run(w, sys, c.Input)
			w.Return(id, result{out})
			k.Event(sim.EventNote, nil, int64(c.Command), func() string {
				if out == nil {
					return c.String() + " done"
				}
				return fmt.Sprintf("%v -> %v", c, out)
			})
		}
		for _, c := range wl.Prefix {
			run(0, c)
		}
		wg := sim.NewWaitGroup(w)
		for i, cs := range wl.Clients {
			wg.Go(fmt.Sprintf("client %d", i+1), func() {
				for _, c := range cs {
					run(i+1, c)
				}
			})
		}
		wg.Wait()
	}
}

// Model is the porcupine model the machine's sequential model makes, over
// the histories Scenario records: a command linearizes in state s when its
// output fits what Model says from s (Post, or equality), and one that
// never returned may take effect at any point after its call, or never.
func (m Machine[S, Sys]) Model() porcupine.Model {
	m.validate()
	equal := m.Equal
	if equal == nil {
		equal = func(a, b S) bool { return any(a) == any(b) }
	}
	describe := m.Describe
	if describe == nil {
		describe = func(s S) string { return fmt.Sprint(s) }
	}
	return porcupine.Model{
		Init: func() any { return m.Init() },
		Step: func(state, input, output any) (bool, any) {
			s := state.(S)
			c := input.(Invocation)
			cmd := m.Commands[c.Command]
			next, want := cmd.Model(s, c.Input)
			got, returned := output.(result)
			if !returned {
				return true, next
			}
			if cmd.Post != nil {
				return cmd.Post(s, c.Input, want, got.v), next
			}
			return reflect.DeepEqual(want, got.v), next
		},
		Equal: func(a, b any) bool { return equal(a.(S), b.(S)) },
		DescribeOperation: func(input, output any) string {
			c := input.(Invocation)
			if got, ok := output.(result); ok {
				if got.v == nil {
					return c.String()
				}
				return fmt.Sprintf("%v -> %v", c, got.v)
			}
			return c.String() + " -> (no answer)"
		},
		DescribeState: func(state any) string { return describe(state.(S)) },
	}
}

// Property is the end-of-run check that the run's history linearizes
// against Model.
func (m Machine[S, Sys]) Property(timeout time.Duration) sim.Property {
	return properties.Linearizable(properties.Linearizability{
		Model:   m.Model(),
		Timeout: timeout,
		Message: m.name() + " is not linearizable against its state machine",
	})
}

// Check draws a workload from t (Draw), runs it in one world whose every
// decision t draws as well (weft.RunRapid), and fails t when the history
// does not linearize against the machine's model, with the workload, the
// failure and its timeline. Call it inside rapid.Check, with other draws
// of one's own:
//
//	rapid.Check(t, func(t *rapid.T) { parallel.Check(t, machine, parallel.Options{}) })
//
// Only rapid shrinks what it finds; Test shrinks further (Shrink).
func Check[S, Sys any](t *rapid.T, m Machine[S, Sys], opts Options) *sim.Result {
	wl := Draw(t, m, opts)
	opts = opts.withDefaults()
	t.Logf("workload:\n%s", wl)
	cfg := opts.Config
	cfg.Properties = append(append([]sim.Property(nil), cfg.Properties...), m.Property(opts.Timeout))
	return weft.RunRapid(t, cfg, m.Scenario(wl))
}
