package systems_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
	"github.com/weftsim/weft/systems/health"
	"github.com/weftsim/weft/systems/registry"
)

// Every reference system describes itself completely, and its description
// agrees with its typed API.
func TestDescriptions(t *testing.T) {
	for _, s := range []systems.System{health.System(), registry.System()} {
		t.Run(s.Name, func(t *testing.T) {
			require.NoError(t, s.Check())
			for _, v := range s.Variants {
				for _, p := range s.Properties {
					require.NotNil(t, s.Scenario(v.Name, p.Name), "%s %s", v.Name, p.Name)
					s.Fails(v.Name, p.Name) // a known pair never panics
				}
			}
			require.Panics(t, func() { s.Scenario("no-such-variant") })
			require.Panics(t, func() { s.Scenario(s.Variants[0].Name, "P9-no-such") })
			got, ok := s.Violated(&sim.Failure{Kind: sim.Fatal, Value: s.Properties[0].Name + ": it broke"})
			require.True(t, ok)
			require.Equal(t, s.Properties[0].Name, got)
			_, ok = s.Violated(&sim.Failure{Kind: sim.Panic, Value: s.Properties[0].Name + ": it broke"})
			require.False(t, ok, "only a judged violation names a property")
		})
	}
}

func TestGroups(t *testing.T) {
	s := registry.System()
	require.Equal(t, [][]string{
		{"P1-no-silent-stream", "P2-first-use-safe", "P3-linearizable"},
		{"P4-nothing-masked", "P5-no-silent-loss"},
	}, s.Groups())
	cfg := s.Config("x", "P5-no-silent-loss")
	require.Equal(t, registry.KillRate, cfg.Faults.Rate(sim.FaultKill), "P5 is judged under kills")
	require.Zero(t, s.Config("x", "P1-no-silent-stream").Faults.Rate(sim.FaultKill))
	h := health.System()
	require.Len(t, h.Groups(), 1)
	require.Equal(t, "health/owned/P1-no-panic", h.Entry("owned", "P1-no-panic"))
}

func TestCheck(t *testing.T) {
	s := systems.System{
		Name:       "a/b",
		Variants:   []systems.Variant{{Name: "v"}, {Name: "v"}},
		Properties: []systems.Property{{Name: "p"}},
	}
	err := s.Check()
	require.ErrorContains(t, err, `name "a/b" is empty or has a slash`)
	require.ErrorContains(t, err, "Scenario, Violated and Fails are required")
	require.ErrorContains(t, err, `variant name "v" is empty, has a slash or is used twice`)
}

type prop string

func (p prop) String() string { return string(p) }

// Reported names the property whose name starts a Fatal failure's message,
// and nothing for another kind of failure or a message that only mentions
// a property's name.
func TestReported(t *testing.T) {
	all := []prop{"P1-first", "P2-second"}
	p, ok := systems.Reported(&sim.Failure{Kind: sim.Fatal, Value: "P2-second: lost a write"}, all)
	require.True(t, ok)
	require.Equal(t, prop("P2-second"), p)
	for _, f := range []*sim.Failure{
		nil,
		{Kind: sim.Fatal, Value: "something else: P1-first"},
		{Kind: sim.Fatal, Value: "P1-firstly: not the same name"},
		{Kind: sim.Deadlock, Value: "P1-first: a deadlock is not a check's report"},
	} {
		_, ok := systems.Reported(f, all)
		require.False(t, ok, "%v", f)
	}
}

type num int

// SetOf holds the properties asked for, all of them when none is, and
// refuses one the system does not have.
func TestSetOf(t *testing.T) {
	all := []num{1, 2, 3}
	s := systems.SetOf("sys", all, []num{2})
	require.True(t, s.Has(2))
	require.False(t, s.Has(1))
	every := systems.SetOf("sys", all, nil)
	for _, p := range all {
		require.True(t, every.Has(p))
	}
	require.PanicsWithValue(t, "sys: unknown property 4 (have [1 2 3])", func() { systems.SetOf("sys", all, []num{4}) })
}
