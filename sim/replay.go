package sim

import "github.com/weftsim/weft/scheduler"

// Replay runs scenario once, replaying log's decisions, with a trace. cfg's
// Strategy and KeepTrace are overridden; its Seed, Spec and (when empty) Name
// come from the log, so the Result reads as the original run. A log that no
// longer fits the code (it changed since the log was saved) is followed as
// far as it fits (see scheduler.ReplayStrategy).
func Replay(cfg Config, log *scheduler.Log, scenario func(*World)) *Result {
	if log == nil {
		panic("sim: Replay of a nil log")
	}
	cfg.Strategy = scheduler.Replay(log.Decisions)
	cfg.KeepTrace = true
	cfg.Seed = log.Seed
	cfg.Spec = log.Spec
	if cfg.Name == "" {
		cfg.Name = log.Scenario
	}
	return Run(cfg, scenario)
}
