package health

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
)

// role is how a client reads its stream.
type role uint8

const (
	prompt  role = iota // reads every message as soon as it arrives
	slow                // takes pace to read each message
	staller             // reads promptly, but stops reading for stall once, after stallAfter messages
)

// The workload's menus: each run draws from these with World.Intn, option 0
// being the calmest, so that shrinking tends toward short, quiet runs.
var (
	paces        = []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, time.Second}
	stalls       = []time.Duration{500 * time.Millisecond, 2 * time.Second}
	startDelays  = []time.Duration{0, 50 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond}
	sessionSpans = []time.Duration{forever, 0, 30 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond, time.Second}
	windDowns    = []time.Duration{0, 10 * time.Millisecond, 100 * time.Millisecond}
	gaps         = []time.Duration{0, 50 * time.Millisecond}
)

// forever, as a span, means "until GOAWAY arrives or the run ends".
const forever time.Duration = -1

// client is one client address: its reading habits, its streams, and its
// script of connects, disconnects and reconnects.
type client struct {
	r    *run
	name string // "c2"
	addr string // the peer address arke keys notifiers by
	role role
	pace time.Duration // slow: per message
	// staller: stops reading for stall after its stallAfter-th message.
	stallAfter int
	stall      time.Duration

	streams []*stream // every stream it opened, oldest first
	open    int       // how many are open

	gotGoaway bool
	leave     *sim.Chan[struct{}] // closed when it first reads GOAWAY
	// For P3: connected when GOAWAY was broadcast, and whether it left by
	// itself (disconnectAll with a stream open) since then.
	connectedAtGoaway bool
	atGoaway          []*stream // its streams open then
	leftByItself      bool
	// reregistered: one of its streams opened while the handler of an
	// earlier one still ran.
	reregistered bool
}

func newClient(r *run, i int, rl role) *client {
	c := &client{r: r, name: fmt.Sprintf("c%d", i), addr: fmt.Sprintf("10.0.0.%d:7001", i), role: rl}
	c.leave = sim.NewChan[struct{}](r.w, 0).Named(c.name + " leave")
	switch rl {
	case slow:
		c.pace = paces[r.w.Intn(len(paces))]
	case staller:
		c.stallAfter = 1 + r.w.Intn(2)
		c.stall = stalls[r.w.Intn(len(stalls))]
	}
	return c
}

func (c *client) String() string { return c.name }

// pauseAfter is how long the client takes before reading again, after its
// n-th message on a stream.
func (c *client) pauseAfter(n int) time.Duration {
	switch c.role {
	case slow:
		return c.pace
	case staller:
		if n == c.stallAfter {
			return c.stall
		}
	}
	return 0
}

// bound is how long a code may take to reach this client when nothing
// delays it but its own reading. A slow client can have one stale message
// in flight ahead of the latest (a Send cannot be taken back), so it sees
// the latest state within two of its paces; a stalling one reads the stale
// message and the latest promptly once its stall ends.
func (c *client) bound() time.Duration {
	switch c.role {
	case slow:
		return PromptBound + 2*c.pace
	case staller:
		return PromptBound + c.stall
	}
	return PromptBound
}

// paceStory says how the client reads, for failure messages.
func (c *client) paceStory() string {
	switch c.role {
	case slow:
		return fmt.Sprintf("%s reads slowly (one message per %v)", c.name, c.pace)
	case staller:
		return fmt.Sprintf("%s stalls (stops reading for %v after its message %d)", c.name, c.stall, c.stallAfter)
	}
	return c.name + " reads promptly"
}

func (c *client) roleName() string {
	switch c.role {
	case slow:
		return fmt.Sprintf("slow client %s (one message per %v)", c.name, c.pace)
	case staller:
		return fmt.Sprintf("stalling client %s (stops reading for %v)", c.name, c.stall)
	}
	return "prompt client " + c.name
}

// script is the client's life. A prompt client connects at once and stays
// until GOAWAY; the others connect after a while, keep each stream for a
// drawn span, and then disconnect, or reconnect from the same address, with
// a gap or while the old stream is still winding down.
func (c *client) script() {
	w := c.r.w
	if c.role == prompt {
		c.connect()
		c.wait(forever)
		c.disconnectAll()
		return
	}
	if !c.wait(startDelays[w.Intn(len(startDelays))]) {
		return
	}
	sessions := 1 + w.Intn(3)
	st := c.connect()
	for s := 1; ; s++ {
		if !c.wait(sessionSpans[w.Intn(len(sessionSpans))]) || s == sessions {
			break
		}
		if w.Bool() {
			// Reconnect while the old stream winds down.
			old := st
			st = c.connect()
			if !c.wait(windDowns[w.Intn(len(windDowns))]) {
				break
			}
			old.disconnect()
		} else {
			c.disconnectAll()
			if !c.wait(gaps[w.Intn(len(gaps))]) {
				return
			}
			st = c.connect()
		}
	}
	c.disconnectAll()
}

// wait waits for d (forever: no limit) and reports whether it elapsed; it
// returns false early when the client reads GOAWAY or the run ends.
func (c *client) wait(d time.Duration) bool {
	r := c.r
	if c.gotGoaway {
		return false
	}
	if d == 0 {
		return true
	}
	cases := []sim.Case{r.stop.Done().RecvCase(nil, nil), c.leave.RecvCase(nil, nil)}
	if d > 0 {
		cases = append(cases, r.w.After(d).RecvCase(nil, nil))
	}
	return r.w.Select(cases...) == 2
}

// connect opens a new stream from the client's address: the server starts a
// Check handler for it, and the client a reader.
func (c *client) connect() *stream {
	r := c.r
	r.nextConn++
	r.tick++
	st := &stream{r: r, c: c, id: r.nextConn, open: true, openTick: r.tick, handlerRunning: true}
	st.name = fmt.Sprintf("%s#%d", c.name, st.id)
	st.ctx, st.cancel = sim.WithCancel(r.stop)
	st.wire = sim.NewChan[Update](r.w, window).Named("stream " + st.name)
	for _, o := range c.streams {
		if o.handlerRunning {
			st.reregistered, st.overlapped, c.reregistered = true, o, true
		}
	}
	c.streams = append(c.streams, st)
	c.open++
	r.serve("check "+st.name, st, func() { r.srv.Check(st) }, func() {
		st.handlerRunning = false
		st.endedByServer()
	})
	r.spawn("reader "+st.name, st.read)
	return st
}

// disconnectAll closes every stream: the client goes away. (Closing only
// an old stream, while a newer one stays, is winding down, not leaving.)
func (c *client) disconnectAll() {
	if c.open > 0 && c.r.goaway != nil && !c.gotGoaway {
		c.leftByItself = true
	}
	for _, st := range c.streams {
		st.disconnect()
	}
}

// receivedGoaway is the client reading GOAWAY: it will leave.
func (c *client) receivedGoaway() {
	if !c.gotGoaway {
		c.gotGoaway = true
		c.leave.Close()
	}
}

// newest is the client's most recently opened stream.
func (c *client) newest() *stream {
	if len(c.streams) == 0 {
		return nil
	}
	return c.streams[len(c.streams)-1]
}
