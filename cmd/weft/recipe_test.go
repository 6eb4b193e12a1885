package main

// The campaign recipes: the GitHub Actions workflow
// (.github/workflows/weft-campaign.yml) and the Kubernetes Indexed Job
// (deploy/weft-campaign-job.yaml). Method: read each with the small YAML
// reader of yaml_test.go; check it against the parts of its schema that
// matter (listed in checkWorkflow and checkJob: the keys each level may
// have and must have, the shard matrix and the Indexed completion mode, the
// artifacts and the merge); then take the command lines out of the files,
// run every shard of each as a local process, with the weft binary for go
// run ./cmd/weft and a tiny budget for the campaign's, and merge their
// summaries as the merge job does. A command line edited in a file is the
// command line this test runs, so the two cannot drift apart.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// moduleRoot is the module's root, from cmd/weft.
const moduleRoot = "../.."

var (
	weftBinOnce sync.Once
	weftBin     string
	weftBinErr  error
)

// buildWeft builds the weft command once per test binary, for the tests
// that run it as a shell would.
func buildWeft(t *testing.T) string {
	t.Helper()
	weftBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "weft-bin")
		if err != nil {
			weftBinErr = err
			return
		}
		weftBin = filepath.Join(dir, "weft")
		if out, err := exec.Command("go", "build", "-o", weftBin, ".").CombinedOutput(); err != nil {
			weftBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if weftBinErr != nil {
		t.Fatal(weftBinErr)
	}
	return weftBin
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(moduleRoot, path))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parseYAML(string(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("%s: the document is not a mapping", path)
	}
	return m
}

// schema checks a YAML document, collecting what is wrong with it.
type schema struct {
	file string
	errs []string
}

func (s *schema) errorf(format string, args ...any) {
	s.errs = append(s.errs, s.file+": "+fmt.Sprintf(format, args...))
}

// mapping returns v[key] as a mapping whose keys are among allowed and
// include required.
func (s *schema) mapping(where string, v any, allowed, required []string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		s.errorf("%s: want a mapping, have %T", where, v)
		return map[string]any{}
	}
	for k := range m {
		if !slices.Contains(allowed, k) {
			s.errorf("%s: key %q is not one the schema allows (%s)", where, k, strings.Join(allowed, ", "))
		}
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			s.errorf("%s: required key %q is missing", where, k)
		}
	}
	return m
}

func (s *schema) list(where string, v any) []any {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		s.errorf("%s: want a non-empty sequence, have %v", where, v)
	}
	return l
}

func (s *schema) str(where string, v any) string {
	str, ok := v.(string)
	if !ok || str == "" {
		s.errorf("%s: want a non-empty string, have %v", where, v)
	}
	return str
}

func (s *schema) integer(where string, v any) int {
	n, err := strconv.Atoi(fmt.Sprint(v))
	if err != nil {
		s.errorf("%s: want an integer, have %v", where, v)
	}
	return n
}

func (s *schema) done(t *testing.T) {
	t.Helper()
	for _, e := range s.errs {
		t.Error(e)
	}
	if len(s.errs) > 0 {
		t.FailNow()
	}
}

// The keys GitHub's workflow schema allows at each level this recipe uses
// (https://json.schemastore.org/github-workflow.json, trimmed to them).
var (
	workflowKeys = []string{"name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"}
	jobKeys      = []string{"name", "needs", "if", "runs-on", "permissions", "environment", "concurrency", "outputs", "env", "defaults", "steps", "timeout-minutes", "strategy", "continue-on-error", "container", "services"}
	strategyKeys = []string{"matrix", "fail-fast", "max-parallel"}
	stepKeys     = []string{"id", "if", "name", "uses", "run", "shell", "with", "env", "continue-on-error", "timeout-minutes", "working-directory"}
	actionRef    = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_.-]+$`)
)

// workflowRecipe is what the test takes out of the workflow.
type workflowRecipe struct {
	shards         []string // the matrix's values
	explore        string   // the explore step's command line
	artifact       string   // the name of the explore job's artifact
	summary        string   // the summary file the explore step writes
	merge          string   // the merge step's command line
	downloadFilter string   // the pattern the merge job downloads
	env            map[string]string
}

// checkWorkflow validates the workflow: every level's keys against the
// schema's, each job's required runs-on and steps, each step exactly one
// of uses (owner/repo@ref) and run, needs that name jobs; then the recipe:
// an explore job whose matrix is the shards 1 to n and whose step passes
// -shard <shard>of<n>, uploads its summary and the saved logs always, under
// a name per shard; a fuzz job whose matrix names fuzz targets that exist,
// run with go test -fuzz, their inputs uploaded on failure; a merge job
// after explore, always, that downloads the shards' artifacts and merges
// their summaries.
func checkWorkflow(t *testing.T) workflowRecipe {
	const file = ".github/workflows/weft-campaign.yml"
	s := &schema{file: file}
	w := s.mapping("workflow", readYAML(t, file), workflowKeys, []string{"on", "jobs"})
	rec := workflowRecipe{env: map[string]string{}}
	for k, v := range s.mapping("env", w["env"], []string{"WEFT_PACKAGES", "WEFT_RUN", "WEFT_BUDGET"}, []string{"WEFT_PACKAGES", "WEFT_RUN", "WEFT_BUDGET"}) {
		rec.env[k] = fmt.Sprint(v)
	}
	jobs, _ := w["jobs"].(map[string]any)
	if len(jobs) == 0 {
		s.errorf("jobs: none")
	}
	steps := map[string][]map[string]any{}
	for name, j := range jobs {
		job := s.mapping("jobs."+name, j, jobKeys, []string{"runs-on", "steps"})
		s.str("jobs."+name+".runs-on", job["runs-on"])
		if job["timeout-minutes"] != nil {
			s.integer("jobs."+name+".timeout-minutes", job["timeout-minutes"])
		}
		if needs, ok := job["needs"].(string); ok {
			if _, ok := jobs[needs]; !ok {
				s.errorf("jobs.%s.needs: no job %q", name, needs)
			}
		}
		if st, ok := job["strategy"]; ok {
			strategy := s.mapping("jobs."+name+".strategy", st, strategyKeys, []string{"matrix"})
			s.mapping("jobs."+name+".strategy.matrix", strategy["matrix"], []string{"shard", "target"}, nil)
		}
		for i, st := range s.list("jobs."+name+".steps", job["steps"]) {
			where := fmt.Sprintf("jobs.%s.steps[%d]", name, i)
			step := s.mapping(where, st, stepKeys, nil)
			_, uses := step["uses"]
			_, run := step["run"]
			if uses == run {
				s.errorf("%s: want exactly one of uses and run", where)
			}
			if uses && !actionRef.MatchString(s.str(where+".uses", step["uses"])) {
				s.errorf("%s.uses: %q is not owner/repo@ref", where, step["uses"])
			}
			if with, ok := step["with"]; ok {
				for k, v := range s.mapping(where+".with", with, []string{"go-version-file", "name", "path", "pattern", "if-no-files-found"}, nil) {
					s.str(where+".with."+k, v)
				}
			}
			steps[name] = append(steps[name], step)
		}
	}
	s.done(t)

	// The explore job: the shard matrix, its step, its artifact.
	explore := jobs["explore"].(map[string]any)
	matrix := explore["strategy"].(map[string]any)["matrix"].(map[string]any)
	for i, v := range s.list("jobs.explore.strategy.matrix.shard", matrix["shard"]) {
		if fmt.Sprint(v) != strconv.Itoa(i+1) {
			s.errorf("jobs.explore.strategy.matrix.shard: want 1 to n, have %v", matrix["shard"])
		}
		rec.shards = append(rec.shards, fmt.Sprint(v))
	}
	if explore["strategy"].(map[string]any)["fail-fast"] != "false" {
		s.errorf("jobs.explore.strategy.fail-fast: want false, so that a shard that finds a bug does not cancel the others")
	}
	n := len(rec.shards)
	for _, step := range steps["explore"] {
		if run, ok := step["run"].(string); ok && strings.Contains(run, " explore ") {
			rec.explore = run
		}
		if step["uses"] == "actions/upload-artifact@v4" {
			with := step["with"].(map[string]any)
			rec.artifact = fmt.Sprint(with["name"])
			if step["if"] != "always()" {
				s.errorf("jobs.explore: the upload step runs if: %v, want always(): a failing shard's summary and logs matter most", step["if"])
			}
			if !strings.Contains(rec.artifact, "${{ matrix.shard }}") {
				s.errorf("jobs.explore: artifact name %q is not one per shard", rec.artifact)
			}
			path := fmt.Sprint(with["path"])
			if !strings.Contains(path, "**/testdata/weft/**") {
				s.errorf("jobs.explore: the artifact's path %q leaves out the saved logs (**/testdata/weft/**)", path)
			}
			rec.summary = strings.TrimSpace(strings.SplitN(path, "\n", 2)[0])
		}
	}
	if want := fmt.Sprintf(`-shard "${{ matrix.shard }}of%d"`, n); !strings.HasPrefix(rec.explore, "go run ./cmd/weft explore ") || !strings.Contains(rec.explore, want) {
		s.errorf("jobs.explore: the step %q does not run go run ./cmd/weft explore with %s", rec.explore, want)
	}
	if rec.summary == "" || !strings.Contains(rec.explore, `-summary "`+rec.summary+`"`) {
		s.errorf("jobs.explore: the summary the step writes (-summary) is not the first path it uploads (%q)", rec.summary)
	}

	// The fuzz job: targets that exist, go test -fuzz, inputs kept.
	fuzz := jobs["fuzz"].(map[string]any)
	src, err := os.ReadFile(filepath.Join(moduleRoot, "examples/zoo/fuzz_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	targets := fuzz["strategy"].(map[string]any)["matrix"].(map[string]any)["target"]
	for _, target := range s.list("jobs.fuzz.strategy.matrix.target", targets) {
		if !strings.Contains(string(src), "func "+fmt.Sprint(target)+"(f *testing.F)") {
			s.errorf("jobs.fuzz: no fuzz target %v in examples/zoo", target)
		}
	}
	fuzzRun, keepsInputs := "", false
	for _, step := range steps["fuzz"] {
		if run, ok := step["run"].(string); ok && strings.Contains(run, "-fuzz") {
			fuzzRun = run
		}
		if step["uses"] == "actions/upload-artifact@v4" && step["if"] == "failure()" && strings.Contains(fmt.Sprint(step["with"].(map[string]any)["path"]), "testdata/fuzz") {
			keepsInputs = true
		}
	}
	if !regexp.MustCompile(`^go test \./examples/zoo -run '\^\$' -fuzz "\^\$\{\{ matrix\.target \}\}\$" -fuzztime "\$WEFT_BUDGET"$`).MatchString(fuzzRun) {
		s.errorf("jobs.fuzz: the step %q is not go test -fuzz of one target", fuzzRun)
	}
	if !keepsInputs {
		s.errorf("jobs.fuzz: no step uploads testdata/fuzz on failure")
	}

	// The merge job: after explore, always; downloads the shards' artifacts.
	merge := jobs["merge"].(map[string]any)
	if merge["needs"] != "explore" || merge["if"] != "always()" {
		s.errorf("jobs.merge: needs %v if %v, want needs explore, if always()", merge["needs"], merge["if"])
	}
	for _, step := range steps["merge"] {
		if run, ok := step["run"].(string); ok && strings.Contains(run, " merge ") {
			rec.merge = run
		}
		if step["uses"] == "actions/download-artifact@v4" {
			with := step["with"].(map[string]any)
			rec.downloadFilter = fmt.Sprint(with["pattern"])
			if with["path"] != "shards" {
				s.errorf("jobs.merge: artifacts downloaded to %v, the merge reads shards/", with["path"])
			}
		}
	}
	if ok, _ := filepath.Match(rec.downloadFilter, strings.ReplaceAll(rec.artifact, "${{ matrix.shard }}", "1")); !ok {
		s.errorf("jobs.merge: the download pattern %q does not match the explore job's artifacts %q", rec.downloadFilter, rec.artifact)
	}
	if !strings.HasPrefix(rec.merge, "go run ./cmd/weft merge ") {
		s.errorf("jobs.merge: the step %q does not run go run ./cmd/weft merge", rec.merge)
	}
	s.done(t)
	return rec
}

// The keys of the Kubernetes objects this recipe uses (batch/v1 Job, its
// pod template, a container; from the API reference, trimmed to them).
var (
	objectKeys    = []string{"apiVersion", "kind", "metadata", "spec"}
	metadataKeys  = []string{"name", "namespace", "labels", "annotations"}
	jobSpecKeys   = []string{"completionMode", "completions", "parallelism", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "podFailurePolicy", "template", "suspend"}
	templateKeys  = []string{"metadata", "spec"}
	podSpecKeys   = []string{"restartPolicy", "containers", "volumes", "nodeSelector", "tolerations", "serviceAccountName", "securityContext"}
	containerKeys = []string{"name", "image", "command", "args", "workingDir", "env", "resources", "volumeMounts", "imagePullPolicy"}
	dnsLabel      = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// jobRecipe is what the test takes out of the Job.
type jobRecipe struct {
	shards  int
	command []string          // the container's command
	line    string            // its one argument: the explore command line
	env     map[string]string // the container's environment
	results string            // where the results volume is mounted
}

// checkJob validates the Job: every level's keys against the API's,
// apiVersion batch/v1 and kind Job, a DNS-label name; completionMode
// Indexed, with parallelism = completions = the n of -shard
// "$JOB_COMPLETION_INDEX/n" (the index counts from 0, as i/n does);
// backoffLimitPerIndex, so that one shard's failure leaves the others
// running, and the restartPolicy Never it requires; one container whose
// command is sh -c with the explore line, whose summary goes to a mounted
// volume that the pod declares.
func checkJob(t *testing.T) jobRecipe {
	const file = "deploy/weft-campaign-job.yaml"
	s := &schema{file: file}
	job := s.mapping("Job", readYAML(t, file), objectKeys, objectKeys)
	if job["apiVersion"] != "batch/v1" || job["kind"] != "Job" {
		s.errorf("apiVersion %v kind %v, want batch/v1 Job", job["apiVersion"], job["kind"])
	}
	meta := s.mapping("metadata", job["metadata"], metadataKeys, []string{"name"})
	if !dnsLabel.MatchString(fmt.Sprint(meta["name"])) {
		s.errorf("metadata.name %v is not a DNS label", meta["name"])
	}
	spec := s.mapping("spec", job["spec"], jobSpecKeys, []string{"completionMode", "completions", "parallelism", "backoffLimitPerIndex", "template"})
	if spec["completionMode"] != "Indexed" {
		s.errorf("spec.completionMode %v, want Indexed: the completion index is the shard", spec["completionMode"])
	}
	rec := jobRecipe{shards: s.integer("spec.completions", spec["completions"]), env: map[string]string{}}
	if p := s.integer("spec.parallelism", spec["parallelism"]); p != rec.shards {
		s.errorf("spec.parallelism %d, spec.completions %d: want them equal, every shard at once", p, rec.shards)
	}
	s.integer("spec.backoffLimitPerIndex", spec["backoffLimitPerIndex"])
	tmpl := s.mapping("spec.template", spec["template"], templateKeys, []string{"spec"})
	pod := s.mapping("spec.template.spec", tmpl["spec"], podSpecKeys, []string{"restartPolicy", "containers"})
	if pod["restartPolicy"] != "Never" {
		s.errorf("spec.template.spec.restartPolicy %v, want Never (backoffLimitPerIndex requires it)", pod["restartPolicy"])
	}
	containers := s.list("spec.template.spec.containers", pod["containers"])
	s.done(t)
	if len(containers) != 1 {
		t.Fatalf("%s: %d containers, want the one that explores", file, len(containers))
	}
	c := s.mapping("containers[0]", containers[0], containerKeys, []string{"name", "image", "command", "args"})
	if !dnsLabel.MatchString(fmt.Sprint(c["name"])) {
		s.errorf("containers[0].name %v is not a DNS label", c["name"])
	}
	s.str("containers[0].image", c["image"])
	for _, v := range s.list("containers[0].command", c["command"]) {
		rec.command = append(rec.command, fmt.Sprint(v))
	}
	args := s.list("containers[0].args", c["args"])
	if !slices.Equal(rec.command, []string{"sh", "-c"}) || len(args) != 1 {
		s.errorf("containers[0]: command %q with %d args, want sh -c and the command line", rec.command, len(args))
	} else {
		rec.line = fmt.Sprint(args[0])
	}
	for i, e := range s.list("containers[0].env", c["env"]) {
		env := s.mapping(fmt.Sprintf("containers[0].env[%d]", i), e, []string{"name", "value"}, []string{"name", "value"})
		rec.env[fmt.Sprint(env["name"])] = fmt.Sprint(env["value"])
	}
	volumes := map[string]bool{}
	for i, v := range s.list("spec.template.spec.volumes", pod["volumes"]) {
		volumes[fmt.Sprint(s.mapping(fmt.Sprintf("volumes[%d]", i), v, []string{"name", "persistentVolumeClaim", "emptyDir"}, []string{"name"})["name"])] = true
	}
	for i, m := range s.list("containers[0].volumeMounts", c["volumeMounts"]) {
		mount := s.mapping(fmt.Sprintf("containers[0].volumeMounts[%d]", i), m, []string{"name", "mountPath", "readOnly"}, []string{"name", "mountPath"})
		if !volumes[fmt.Sprint(mount["name"])] {
			s.errorf("containers[0].volumeMounts[%d]: no volume %v", i, mount["name"])
		}
		if strings.Contains(rec.line, `-summary "`+fmt.Sprint(mount["mountPath"])+"/") {
			rec.results = fmt.Sprint(mount["mountPath"])
		}
	}
	if want := fmt.Sprintf(`-shard "$JOB_COMPLETION_INDEX/%d"`, rec.shards); !strings.HasPrefix(rec.line, "go run ./cmd/weft explore ") || !strings.Contains(rec.line, want) {
		s.errorf("containers[0]: the command line %q does not run go run ./cmd/weft explore with %s", rec.line, want)
	}
	if rec.results == "" {
		s.errorf("containers[0]: the summary (-summary) is not written to a mounted volume")
	}
	s.done(t)
	return rec
}

// shell runs a recipe's command line with sh, from dir, the weft binary
// standing in for go run ./cmd/weft, with env added to the test's own.
func shell(t *testing.T, dir, line string, env map[string]string) (string, error) {
	t.Helper()
	if !strings.HasPrefix(line, "go run ./cmd/weft ") {
		t.Fatalf("%q does not start with go run ./cmd/weft", line)
	}
	line = strings.Replace(line, "go run ./cmd/weft", "\"$WEFT_BIN\"", 1)
	return sh(t, dir, line, env, "WEFT_BIN="+buildWeft(t))
}

// sh runs a command line with sh, from dir, with env and the variables
// vars added to the test's environment.
func sh(t *testing.T, dir, line string, env map[string]string, vars ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), vars...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// tiny makes a campaign's environment cheap: the zoo only, a few
// milliseconds a test, one go test process a shard.
func tiny(env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	out["WEFT_PACKAGES"] = "./examples/zoo"
	out["WEFT_BUDGET"] = "20ms"
	out["GOMAXPROCS"] = "1"
	return out
}

// runShards runs n shard command lines at once; line(i) is shard i's (from
// 0), env(i) its environment.
func runShards(t *testing.T, n int, line func(i int) string, env func(i int) map[string]string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]string, n)
	for i := range n {
		wg.Go(func() {
			if out, err := shell(t, moduleRoot, line(i), env(i)); err != nil {
				errs[i] = fmt.Sprintf("shard %d: %v\n%s", i, err, out)
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

func TestCampaignRecipe(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the recipes' command lines are for sh")
	}
	t.Run("workflow", func(t *testing.T) {
		t.Parallel()
		rec := checkWorkflow(t)
		// Each shard as its job runs it; its summary, in the module
		// root as in the job's checkout, moves to where download-artifact
		// puts it: shards/<artifact name>/.
		shards := filepath.Join(t.TempDir(), "shards")
		expand := func(s string, i int) string { return strings.ReplaceAll(s, "${{ matrix.shard }}", rec.shards[i]) }
		t.Cleanup(func() {
			for i := range rec.shards {
				os.Remove(filepath.Join(moduleRoot, expand(rec.summary, i)))
			}
		})
		runShards(t, len(rec.shards), func(i int) string { return expand(rec.explore, i) }, func(int) map[string]string { return tiny(rec.env) })
		for i := range rec.shards {
			dir := filepath.Join(shards, expand(rec.artifact, i))
			if err := os.MkdirAll(dir, 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(moduleRoot, expand(rec.summary, i)), filepath.Join(dir, expand(rec.summary, i))); err != nil {
				t.Fatalf("shard %s wrote no summary: %v", rec.shards[i], err)
			}
		}
		out, err := shell(t, filepath.Dir(shards), rec.merge, nil)
		checkMerged(t, out, err, len(rec.shards), filepath.Join(filepath.Dir(shards), "weft-summary.json"))
	})
	t.Run("job", func(t *testing.T) {
		t.Parallel()
		rec := checkJob(t)
		results := t.TempDir()
		runShards(t, rec.shards, func(int) string {
			return strings.ReplaceAll(rec.line, `"`+rec.results+"/", `"`+results+"/")
		}, func(i int) map[string]string {
			env := tiny(rec.env)
			env["JOB_COMPLETION_INDEX"] = strconv.Itoa(i)
			return env
		})
		files, _ := filepath.Glob(filepath.Join(results, "*.json"))
		if len(files) != rec.shards {
			t.Fatalf("%d summaries in the results volume, want %d: %v", len(files), rec.shards, files)
		}
		merged := filepath.Join(results, "merged.json")
		code, out, errOut := runWeft(append([]string{"merge", "-o", merged}, files...)...)
		var err error
		if code != 0 {
			err = fmt.Errorf("exit %d: %s", code, errOut)
		}
		checkMerged(t, out, err, rec.shards, merged)
	})
}

// checkMerged checks what weft merge printed and wrote for a campaign of n
// shards of the zoo that all passed.
func checkMerged(t *testing.T, out string, err error, n int, file string) {
	t.Helper()
	if err != nil {
		t.Fatalf("merge: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("coverage: %d of %d shards", n, n); !strings.Contains(out, want) || !strings.Contains(out, "the whole seed space") {
		t.Fatalf("merge does not say %q and the whole seed space:\n%s", want, out)
	}
	m, err := readSummary(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Shards) != n || m.Runs == 0 || len(m.Failures) != 0 {
		t.Fatalf("merged summary: shards %v, %d runs, %d failures; want %d shards, some runs, no failure", m.Shards, m.Runs, len(m.Failures), n)
	}
	passed := 0
	for _, ts := range m.Tests {
		if ts.Result == "pass" && ts.Runs > 0 {
			passed++
		}
	}
	if passed < 5 {
		t.Fatalf("merged summary: %d tests passed with runs, want the zoo's five fixed twins:\n%s", passed, out)
	}
}
