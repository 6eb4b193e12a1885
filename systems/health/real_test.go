package health

// The original broadcaster on real goroutines, channels and a sync.RWMutex,
// run over and over with real timing: how many real runs does it take to see
// the panic and the head-of-line stall that weft finds in a handful of
// simulated runs? Method: the same code as arke.go (notifyHealth, Check,
// MonitorHealthChan), the same workload shape as the simulation (its menus,
// with every duration divided by realScale, drawn from math/rand), run until
// both defects have shown or the budget is spent. A panic is recovered and
// counted, never allowed to crash the test; a stall is a prompt client that
// has not read a code realPromptBound after its broadcast while the monitor
// is blocked sending to another client's notifier (the defect, not just a
// slow scheduler). Run it under the race detector:
//
//	go test -race -run TestRealGoroutines -v ./systems/health

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weftsim/weft/sim"
)

const (
	realScale       = 50 // every simulated duration, divided by this
	realPromptBound = PromptBound / realScale
	realBudget      = 4 * time.Second
	realMaxRuns     = 500
)

func realDur(d time.Duration) time.Duration {
	if d < 0 {
		return d
	}
	return d / realScale
}

// realNotifiers is util.ConcurrentMap: a map behind a sync.RWMutex.
type realNotifiers struct {
	mu sync.RWMutex
	m  map[string]chan Update
}

func (m *realNotifiers) Get(k string) (chan Update, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.m[k]
	return v, ok
}

func (m *realNotifiers) Add(k string, v chan Update) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[k] = v
}

func (m *realNotifiers) Delete(k string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, k)
}

func (m *realNotifiers) GetList() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.m))
	for k := range m.m {
		out = append(out, k)
	}
	return out
}

// realServer is arke's health service, as in arke.go, plus what the test
// observes: panics, and whose notifier the monitor is blocked on.
type realServer struct {
	healthNotifiers realNotifiers
	sendingTo       atomic.Pointer[string]
	panicMu         sync.Mutex
	panics          []string
}

func (s *realServer) notifyHealth(clientAddr string, receiver chan Update) {
	if rec, ok := s.healthNotifiers.Get(clientAddr); ok {
		close(rec)
		s.healthNotifiers.Delete(clientAddr)
	}
	s.healthNotifiers.Add(clientAddr, receiver)
}

func (s *realServer) MonitorHealthChan(receiver chan Update) {
	for code := range receiver {
		for _, clientAddr := range s.healthNotifiers.GetList() {
			if notifier, ok := s.healthNotifiers.Get(clientAddr); ok {
				s.sendingTo.Store(&clientAddr)
				notifier <- code
				s.sendingTo.Store(nil)
			}
		}
	}
}

func (s *realServer) Check(st *realStream) {
	notifyHealthChan := make(chan Update)
	s.notifyHealth(st.addr, notifyHealthChan)
	defer func() {
		s.healthNotifiers.Delete(st.addr)
		close(notifyHealthChan)
	}()
	for {
		select {
		case code := <-notifyHealthChan:
			st.Send(code) //nolint:errcheck
		case <-st.ctx.Done():
			return
		}
	}
}

// realStream is a stream whose Send completes when the client takes the
// message, as in stream.go.
type realStream struct {
	addr    string
	ctx     context.Context
	cancel  context.CancelFunc
	wire    chan Update
	lastSeq atomic.Int64
}

func (st *realStream) Send(u Update) error {
	select {
	case st.wire <- u:
		return nil
	case <-st.ctx.Done():
		return errStreamDone
	}
}

type realClient struct {
	addr   string
	role   role
	pace   time.Duration
	stallN int
	stall  time.Duration
	mu     sync.Mutex
	newest *realStream
	goaway chan struct{}
	once   sync.Once
}

// realRun is one run; it reports the panics (in order) and whether a stall
// was seen.
func realRun(rng *rand.Rand) (panics []string, stalled bool) {
	s := &realServer{healthNotifiers: realNotifiers{m: map[string]chan Update{}}}
	var wg sync.WaitGroup
	dead := make(chan struct{})
	var deadOnce sync.Once
	serve := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					s.panicMu.Lock()
					s.panics = append(s.panics, fmt.Sprint(v))
					s.panicMu.Unlock()
					deadOnce.Do(func() { close(dead) })
				}
			}()
			f()
		}()
	}
	stop, stopAll := context.WithCancel(context.Background())
	healthChan := make(chan Update)
	serve(func() { s.MonitorHealthChan(healthChan) })

	n := 3 + rng.IntN(2)
	clients := make([]*realClient, n)
	for i := range clients {
		c := &realClient{addr: fmt.Sprintf("10.0.0.%d:7001", i+1), goaway: make(chan struct{})}
		if i > 0 {
			c.role = role(rng.IntN(3))
		}
		switch c.role {
		case slow:
			c.pace = realDur(paces[rng.IntN(len(paces))])
		case staller:
			c.stallN, c.stall = 1+rng.IntN(2), realDur(stalls[rng.IntN(len(stalls))])
		}
		clients[i] = c
	}
	connect := func(c *realClient) *realStream {
		st := &realStream{addr: c.addr, wire: make(chan Update)}
		st.ctx, st.cancel = context.WithCancel(stop)
		c.mu.Lock()
		c.newest = st
		c.mu.Unlock()
		serve(func() { s.Check(st) })
		wg.Add(1)
		go func() { // the client's reader
			defer wg.Done()
			for reads := 1; ; reads++ {
				select {
				case <-st.ctx.Done():
					return
				case u := <-st.wire:
					st.lastSeq.Store(int64(u.Seq))
					if u.Code == GOAWAY {
						c.once.Do(func() { close(c.goaway) })
					}
					switch {
					case c.role == slow:
						time.Sleep(c.pace)
					case c.role == staller && reads == c.stallN:
						time.Sleep(c.stall)
					}
				}
			}
		}()
		return st
	}
	wait := func(c *realClient, d time.Duration) bool {
		var after <-chan time.Time
		if d == 0 {
			return true
		}
		if d > 0 {
			after = time.After(d)
		}
		select {
		case <-stop.Done():
			return false
		case <-c.goaway:
			return false
		case <-after:
			return true
		}
	}
	for _, c := range clients {
		// Draw the client's script up front: rng is not safe for concurrent use.
		start := realDur(startDelays[rng.IntN(len(startDelays))])
		sessions := 1 + rng.IntN(3)
		type step struct {
			span, wind, gap time.Duration
			overlap         bool
		}
		steps := make([]step, sessions)
		for i := range steps {
			steps[i] = step{realDur(sessionSpans[rng.IntN(len(sessionSpans))]), realDur(windDowns[rng.IntN(len(windDowns))]), realDur(gaps[rng.IntN(len(gaps))]), rng.IntN(2) == 1}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var open []*realStream
			defer func() {
				for _, st := range open {
					st.cancel()
				}
			}()
			if c.role == prompt {
				open = append(open, connect(c))
				wait(c, forever)
				return
			}
			if !wait(c, start) {
				return
			}
			st := connect(c)
			open = append(open, st)
			for i, sp := range steps {
				if !wait(c, sp.span) || i == len(steps)-1 {
					return
				}
				if sp.overlap {
					old := st
					st = connect(c)
					open = append(open, st)
					if !wait(c, sp.wind) {
						return
					}
					old.cancel()
				} else {
					for _, o := range open {
						o.cancel()
					}
					open = nil
					if !wait(c, sp.gap) {
						return
					}
					st = connect(c)
					open = append(open, st)
				}
			}
		}()
	}

	// The source, and P2's deadline after each broadcast.
	var late atomic.Bool
	k := 2 + rng.IntN(3)
	first := realDur(firstCasts[rng.IntN(len(firstCasts))])
	gapsBetween := make([]time.Duration, k)
	for i := range gapsBetween {
		gapsBetween[i] = realDur(intervals[rng.IntN(len(intervals))])
	}
	prompt0 := clients[0]
	cast := func(u Update) {
		time.AfterFunc(realPromptBound, func() {
			prompt0.mu.Lock()
			st := prompt0.newest
			prompt0.mu.Unlock()
			if st == nil || st.lastSeq.Load() >= int64(u.Seq) {
				return
			}
			if to := s.sendingTo.Load(); to != nil && *to != prompt0.addr {
				late.Store(true)
			}
		})
		select {
		case healthChan <- u:
		case <-dead:
		}
	}
	time.Sleep(first)
	code := UNHEALTHY
	for i := 1; i <= k; i++ {
		cast(Update{Code: code, Seq: i})
		code = UNHEALTHY - code
		time.Sleep(gapsBetween[i-1])
	}
	cast(Update{Code: GOAWAY, Seq: k + 1})
	close(healthChan)
	time.Sleep(2 * realPromptBound) // let the last deadline be judged
	stopAll()

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		// Only the monitor can stay blocked (on a notifier nobody reads);
		// it is left behind, as a crashed server would be.
	}
	s.panicMu.Lock()
	defer s.panicMu.Unlock()
	return append([]string(nil), s.panics...), late.Load()
}

// realCounts is what a series of real runs saw: the run (from 1; 0 for
// never) in which each defect first showed.
type realCounts struct {
	runs                      int
	panic, sendClosed, stall  int
	race                      int // the first race report of the race detector
	elapsed                   time.Duration
	firstPanic                string
	panicAt, sendAt, stallAt  time.Duration
	raceEnabled, childCrashed bool
}

func (c realCounts) String() string {
	return fmt.Sprintf("REAL health original race=%v runs=%d elapsed=%v panic_run=%d (%s, at %v) send_on_closed_run=%d (at %v) stall_run=%d (at %v) race_report_run=%d",
		c.raceEnabled, c.runs, c.elapsed.Round(time.Millisecond), c.panic, c.firstPanic, c.panicAt.Round(time.Millisecond),
		c.sendClosed, c.sendAt.Round(time.Millisecond), c.stall, c.stallAt.Round(time.Millisecond), c.race)
}

// realSeries runs realRun until every defect has shown or the budget is
// spent. Before each run it writes "REAL-RUN <i>" to stderr, so that a race
// report on stderr can be placed in its run.
func realSeries(t *testing.T) realCounts {
	start := time.Now()
	c := realCounts{raceEnabled: raceEnabled}
	for c.runs < realMaxRuns && time.Since(start) < realBudget && (c.panic == 0 || c.sendClosed == 0 || c.stall == 0) {
		c.runs++
		fmt.Fprintf(os.Stderr, "REAL-RUN %d\n", c.runs)
		panics, stalled := realRun(rand.New(rand.NewPCG(uint64(c.runs), 0)))
		for _, p := range panics {
			if p != "send on closed channel" && p != "close of closed channel" {
				t.Errorf("run %d panicked with %q, which the model never does", c.runs, p)
			}
			if p == "send on closed channel" && c.sendClosed == 0 {
				c.sendClosed, c.sendAt = c.runs, time.Since(start)
			}
		}
		if len(panics) > 0 && c.panic == 0 {
			c.panic, c.firstPanic, c.panicAt = c.runs, panics[0], time.Since(start)
		}
		if stalled && c.stall == 0 {
			c.stall, c.stallAt = c.runs, time.Since(start)
		}
	}
	c.elapsed = time.Since(start)
	return c
}

const realChildEnv = "WEFT_HEALTH_REAL_CHILD"

// TestRealGoroutinesOriginal counts real runs to the first panic, the first
// send on a closed channel, the first stall and (under -race) the first race
// report. The runs happen in a child process, the test binary run again:
// the race detector reports the close racing the monitor's send as a data
// race, which fails the test that contains it, and here it is a finding to
// count, not a failure. This test fails only when the child does something
// the model does not (another panic, no result line).
func TestRealGoroutinesOriginal(t *testing.T) {
	if os.Getenv(realChildEnv) == "1" {
		fmt.Println(realSeries(t))
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRealGoroutinesOriginal$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), realChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	text := string(out)
	m := regexp.MustCompile(`(?m)^REAL health original .*$`).FindString(text)
	if m == "" {
		t.Fatalf("the child printed no result (%v):\n%s", err, text)
	}
	if strings.Contains(text, "which the model never does") {
		t.Fatalf("the child saw a panic the model never raises:\n%s", text)
	}
	race := 0
	if i := strings.Index(text, "WARNING: DATA RACE"); i >= 0 {
		if runs := regexp.MustCompile(`REAL-RUN (\d+)`).FindAllStringSubmatch(text[:i], -1); len(runs) > 0 {
			race, _ = strconv.Atoi(runs[len(runs)-1][1])
		}
		if !strings.Contains(text[i:], "MonitorHealthChan") && !strings.Contains(text[i:], "notifyHealth") {
			t.Errorf("the race detector reports a race outside the broadcaster:\n%s", text[i:])
		}
	}
	m = strings.Replace(m, "race_report_run=0", fmt.Sprintf("race_report_run=%d", race), 1)
	t.Log(m)
	fmt.Println(m)
}

// TestSimulatedRunsToBug is TestRealGoroutinesOriginal's twin in the
// simulation: the first seed (from 1, as TestVerdicts and weft demo explore)
// whose run of original panics, panics with a send on a closed channel, and
// stalls a prompt client (P2), and the time it takes to run the seeds up to
// it, without shrinking.
func TestSimulatedRunsToBug(t *testing.T) {
	type target struct {
		name  string
		p     Property
		match string
	}
	for _, tg := range []target{
		{"panic", NoPanic, "panicked"},
		{"send_on_closed", NoPanic, "send on closed channel"},
		{"stall", NoHOLBlocking, "MonitorHealthChan is blocked"},
	} {
		start := time.Now()
		found := 0
		for seed := uint64(1); seed <= 10_000 && found == 0; seed++ {
			r := sim.Run(sim.Config{Seed: seed}, Scenario(Original, tg.p))
			if r.Failure != nil && strings.Contains(fmt.Sprint(r.Failure.Value), tg.match) {
				found = int(seed)
			}
		}
		if found == 0 {
			t.Errorf("%s: no run in 10,000 shows it", tg.name)
		}
		line := fmt.Sprintf("SIM health original %s_run=%d (at %v)", tg.name, found, time.Since(start).Round(time.Microsecond))
		t.Log(line)
		fmt.Println(line)
	}
}
