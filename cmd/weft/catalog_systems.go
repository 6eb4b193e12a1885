package main

import (
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/systems"
	"github.com/weftsim/weft/systems/acceptor"
	"github.com/weftsim/weft/systems/health"
	"github.com/weftsim/weft/systems/longpoll"
	"github.com/weftsim/weft/systems/registry"
)

// referenceSystems are the reference systems the command knows; each
// describes itself (package systems).
func referenceSystems() []systems.System {
	return []systems.System{health.System(), registry.System(), longpoll.System(), acceptor.System()}
}

// systemEntries lists every variant of every reference system judged by
// every property, as "<system>/<variant>/<property>", each with the run
// configuration its property needs. Buggy is the verdict the simulation is
// expected to give (System.Fails).
func systemEntries() []entry {
	var out []entry
	for _, s := range referenceSystems() {
		for _, v := range s.Variants {
			for _, p := range s.Properties {
				out = append(out, entry{
					Name:     s.Entry(v.Name, p.Name),
					About:    v.About + ": " + p.About,
					Buggy:    s.Fails(v.Name, p.Name),
					Quiet:    s.Shown != nil && !s.Shown(v.Name, p.Name),
					Scenario: s.Scenario(v.Name, p.Name),
					Config: func(cfg *sim.Config) {
						if s.Configure != nil {
							s.Configure(cfg, p.Name)
						}
					},
				})
			}
		}
	}
	return out
}
