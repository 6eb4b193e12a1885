package sim

// Property is a named check of a finished run: it reads the Result (its
// history, leaked processes, trace when kept) and returns an error when the
// run broke the property. Properties run after the run ends, outside any
// process, and only when the run has not already failed; the first one that
// returns an error fails the run with a Failure of kind PropertyViolated
// that names it. Package properties has reusable ones.
type Property struct {
	Name  string
	Check func(r *Result) error
}

// checkProperties applies cfg's properties to a finished run.
func checkProperties(cfg *Config, r *Result) {
	if r.Failure != nil {
		return
	}
	for _, p := range cfg.Properties {
		if err := p.Check(r); err != nil {
			r.Failure = &Failure{Kind: PropertyViolated, Proc: -1, Property: p.Name, Value: err.Error(), Step: r.Steps, Time: r.Time}
			return
		}
	}
}
