package goker

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Verdict is what the runs of one kernel showed against Go's expectation.
type Verdict struct {
	Kernel string
	Runs   int
	// Listed is false for a kernel Go's test does not list (it expects no
	// particular site of it).
	Listed bool
	Flaky  bool
	// Sites are Go's expected sites, each with the runs that showed it and
	// the first seed that did.
	Sites []SiteVerdict
	// AllAt is the number of runs it took to see every expected site (0:
	// not all seen).
	AllAt int
	// Unexpected lists proven leak sites no expectation matches.
	Unexpected []string
	// Suspected counts leaks of runs cut short by a budget.
	Suspected int
	// Replay says whether every leaking run replayed the same from its log.
	Replay string
	// Determinism is the determinism check of the first seed.
	Determinism string
	Failures    []string
	Steps       int64
}

// SiteVerdict is one expected site.
type SiteVerdict struct {
	Pattern string
	// Found counts the runs that proved a leak at the site (the world was
	// quiescent); Suspected those that only suspected one (a budget ended
	// the run: given more steps the process might have moved on).
	Found, Suspected int
	FirstSeed        uint64 // the first run that proved it (0: none)
}

// Judge compares the runs of each kernel with Go's expectations.
func Judge(runs []Run, expected map[string]Expectation) []Verdict {
	by := map[string][]Run{}
	var order []string
	for _, r := range runs {
		if _, ok := by[r.Kernel]; !ok {
			order = append(order, r.Kernel)
		}
		by[r.Kernel] = append(by[r.Kernel], r)
	}
	var out []Verdict
	for _, k := range order {
		e, listed := expected[k]
		v := Verdict{Kernel: k, Runs: len(by[k]), Listed: listed, Flaky: e.Flaky, Replay: "-"}
		for _, re := range e.Sites {
			v.Sites = append(v.Sites, SiteVerdict{Pattern: re.String()})
		}
		replays := map[string]int{}
		for i, r := range by[k] {
			v.Steps += r.Steps
			if r.Failure != "" && !strings.HasPrefix(r.Failure, "leak") {
				f, _, _ := strings.Cut(r.Failure, ":")
				if !slices.Contains(v.Failures, f) {
					v.Failures = append(v.Failures, f)
				}
			}
			if r.Determinism != "" {
				v.Determinism = r.Determinism
			}
			if r.Replayed != "" {
				replays[r.Replayed]++
			}
			for _, l := range r.Leaks {
				if !l.Proven {
					v.Suspected++
				}
				matched := false
				for j, re := range e.Sites {
					if re.MatchString(l.Site) {
						matched = true
						if l.Proven && v.Sites[j].FirstSeed == 0 {
							v.Sites[j].FirstSeed = r.Seed
						}
					}
				}
				if !matched && l.Proven && !slices.Contains(v.Unexpected, l.Site) {
					v.Unexpected = append(v.Unexpected, l.Site)
				}
			}
			if v.AllAt == 0 && len(v.Sites) > 0 && !slices.ContainsFunc(v.Sites, func(s SiteVerdict) bool { return s.FirstSeed == 0 }) {
				v.AllAt = i + 1
			}
		}
		for j, re := range e.Sites {
			for _, r := range by[k] {
				switch {
				case slices.ContainsFunc(r.Leaks, func(l Leak) bool { return l.Proven && re.MatchString(l.Site) }):
					v.Sites[j].Found++
				case slices.ContainsFunc(r.Leaks, func(l Leak) bool { return re.MatchString(l.Site) }):
					v.Sites[j].Suspected++
				}
			}
		}
		switch {
		case len(replays) == 0:
		case len(replays) == 1 && replays["same"] > 0:
			v.Replay = fmt.Sprintf("same (%d)", replays["same"])
		default:
			var parts []string
			for _, what := range slices.Sorted(mapKeys(replays)) {
				parts = append(parts, fmt.Sprintf("%s (%d)", what, replays[what]))
			}
			v.Replay = strings.Join(parts, ", ")
		}
		out = append(out, v)
	}
	return out
}

func mapKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Markdown writes the verdicts as a table.
func Markdown(w io.Writer, vs []Verdict, seed uint64) {
	fmt.Fprintln(w, "| kernel | rewritten | expected sites proven (runs of N) | runs to all | first seeds | unexpected proven leaks | replay from log | same seed twice | other failures |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, v := range vs {
		var found, seeds []string
		for _, s := range v.Sites {
			f := fmt.Sprintf("%d/%d", s.Found, v.Runs)
			if s.Suspected > 0 {
				f += fmt.Sprintf(" (+%d suspected)", s.Suspected)
			}
			found = append(found, f)
			if s.Found > 0 {
				seeds = append(seeds, fmt.Sprint(s.FirstSeed))
			} else {
				seeds = append(seeds, "-")
			}
		}
		all := "-"
		if v.AllAt > 0 {
			all = fmt.Sprint(v.AllAt)
		}
		f := strings.Join(found, ", ")
		if !v.Listed {
			f = "(not listed by Go's test)"
		} else if v.Flaky {
			f += " (flaky in Go)"
		}
		unexp := strings.Join(v.Unexpected, "; ")
		switch {
		case !v.Listed && unexp != "":
			// Go's test expects nothing of it: not a false leak, unjudged.
			unexp = "not judged (Go lists no sites); proven: " + unexp
		case unexp == "":
			unexp = "none"
		}
		if v.Suspected > 0 {
			unexp += fmt.Sprintf(" (%d suspected)", v.Suspected)
		}
		fails := strings.Join(v.Failures, ", ")
		if fails == "" {
			fails = "-"
		}
		det := v.Determinism
		if det == "" {
			det = "-"
		}
		fmt.Fprintf(w, "| %s | yes | %s | %s | %s | %s | %s | %s | %s |\n", v.Kernel, f, all, strings.Join(seeds, ", "), strings.ReplaceAll(unexp, "|", `\|`), v.Replay, det, fails)
	}
}

// Summary counts the kernels whose expected sites all showed, and those with
// unexpected leaks.
func Summary(vs []Verdict) string {
	listed, all, allSuspected, unexpected := 0, 0, 0, 0
	var runsToAll []int
	var unlisted []string // kernels Go's test does not list that proved leaks
	for _, v := range vs {
		if v.Listed {
			listed++
			if v.AllAt > 0 {
				all++
				runsToAll = append(runsToAll, v.AllAt)
			} else if !slices.ContainsFunc(v.Sites, func(s SiteVerdict) bool { return s.Found+s.Suspected == 0 }) {
				allSuspected++
			}
		}
		if len(v.Unexpected) > 0 {
			if v.Listed {
				unexpected++
			} else {
				unlisted = append(unlisted, v.Kernel)
			}
		}
	}
	median := 0
	if len(runsToAll) > 0 {
		slices.Sort(runsToAll)
		median = runsToAll[len(runsToAll)/2]
	}
	s := fmt.Sprintf("%d kernels run; %d of the %d Go's test lists proved every expected site (median runs to all: %d), %d more showed every site but some only suspected; %d of those listed proved a leak no expectation matches", len(vs), all, listed, median, allSuspected, unexpected)
	if len(unlisted) > 0 {
		s += fmt.Sprintf("; not listed by Go's test, so not judged, %s proved leaks", strings.Join(unlisted, ", "))
	}
	return s
}

// Searched says, per kernel of a search's runs, how many logs it ran and
// whether it visited every one within its bound.
func Searched(runs []Run) []string {
	var out []string
	for i := 0; i < len(runs); {
		j := i
		for j < len(runs) && runs[j].Kernel == runs[i].Kernel {
			j++
		}
		last := runs[j-1]
		state := "stopped at the run budget, not exhausted"
		if last.Exhausted {
			state = "exhausted: every log within the bound ran"
		}
		out = append(out, fmt.Sprintf("%s: %s searched, %d runs, %s.", last.Kernel, last.Spec, j-i, state))
		i = j
	}
	return out
}

// FirstLeaking returns each kernel's first run that left a leak, in the
// order of runs.
func FirstLeaking(runs []Run) []Run {
	var out []Run
	seen := map[string]bool{}
	for _, r := range runs {
		if len(r.Leaks) > 0 && !seen[r.Kernel] {
			seen[r.Kernel] = true
			out = append(out, r)
		}
	}
	return out
}
