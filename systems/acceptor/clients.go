package acceptor

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// The clients, on their own host: what each kind does, drawn from the
// world's decisions (option 0 the calmest, so that shrinking simplifies the
// workload with the schedule).

// kind is what a client does.
type kind uint8

const (
	// plain: one or two requests, sent at once (fast: right after connect)
	// or slowly, in pieces; then it leaves.
	plain kind = iota
	// deferredClient: a request to /deferred, whose handler answers
	// noreply and replies later; first on its connection, or after a plain
	// one.
	deferredClient
	// quitter: leaves at a drawn moment: right after connecting, in the
	// middle of its request, or before the response; by closing or by a
	// reset.
	quitter
	// slowloris: a request whose headers never end, sent a line at a time
	// (a partial request); it stays until the end of the run.
	slowloris
	// badUpgrade: a WebSocket upgrade without Sec-WebSocket-Key.
	badUpgrade
	// keysClient: requests with many distinct query keys.
	keysClient
	// wsClient: a WebSocket: a valid upgrade, then one frame of a drawn
	// size (4 KiB, 32 KiB or 64 KiB); it stays until the end of the run.
	wsClient

	kinds
)

var kindNames = [...]string{plain: "plain", deferredClient: "deferred", quitter: "quitter", slowloris: "slowloris",
	badUpgrade: "bad-upgrade", keysClient: "keys", wsClient: "websocket"}

func (k kind) String() string { return kindNames[k] }

// The workload's menus.
var (
	startDelays   = []time.Duration{0, 5 * time.Millisecond, 100 * time.Millisecond, time.Second}
	frameSizes    = []int{4 << 10, 32 << 10, 64 << 10}
	hogStarts     = []time.Duration{5 * time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond}
	hogSpans      = []time.Duration{200 * time.Millisecond, time.Second, 3 * time.Second}
	burstStarts   = []time.Duration{0, 50 * time.Millisecond, 300 * time.Millisecond}
	modes         = []net.ActiveMode{net.ActiveOnce, net.ActiveTrue, net.ActiveFalse}
	lorisLine     = 1 << 10
	lorisLines    = 10
	lorisGap      = 300 * time.Millisecond
	keysPerReq    = 50
	keysRequests  = 3
	responseLimit = 5 * time.Second
	connectTries  = 4
)

// client is one client process and what happened to it.
type client struct {
	r     *run
	name  string
	kind  kind
	long  bool // stays connected until the end of the run
	fast  bool
	delay time.Duration
	// deferredFirst: the /deferred request comes first on its connection.
	deferredFirst bool
	requests      int
	frame         int
	quitAt        int  // quitter: 0 after connecting, 1 mid-request, 2 before the response
	abort         bool // quitter: leaves with a reset
	proc          *sim.Proc
	conn          *cconn
	outcome       string // what it saw, for stories
}

// cconn is a client's connection and every byte the client sent on it.
type cconn struct {
	cl   *client
	c    *net.Conn
	sent []byte
}

// drawClient draws client i's kind and behaviour.
func (r *run) drawClient(name string) *client {
	w := r.w
	cl := &client{r: r, name: name, kind: kind(w.Intn(int(kinds))), delay: startDelays[w.Intn(len(startDelays))]}
	cl.fast = !w.Bool()
	switch cl.kind {
	case plain:
		cl.requests = 1 + w.Intn(2)
	case deferredClient:
		cl.deferredFirst = !w.Bool()
		cl.requests = 2
		if cl.deferredFirst && w.Bool() {
			cl.requests = 1
		}
	case quitter:
		cl.quitAt = w.Intn(3)
		cl.abort = w.Bool()
	case slowloris:
		cl.long = true
	case wsClient:
		cl.long = true
		cl.frame = frameSizes[w.Intn(len(frameSizes))]
	}
	return cl
}

// script is the client's process.
func (cl *client) script() {
	r, w := cl.r, cl.r.w
	defer func() { w.Send(r.mainProc, clientDone{cl}) }()
	w.Sleep(cl.delay)
	cc := cl.connect()
	if cc == nil {
		return
	}
	switch cl.kind {
	case plain:
		for i := range cl.requests {
			if !cl.exchange(cc, fmt.Sprintf("/hello?name=%s&n=%d", cl.name, i), "") {
				break
			}
		}
	case deferredClient:
		paths := []string{"/hello?name=" + cl.name, "/deferred"}
		if cl.deferredFirst {
			paths[0], paths[1] = paths[1], paths[0]
		}
		for _, p := range paths[:cl.requests] {
			if !cl.exchange(cc, p, "") {
				break
			}
		}
	case quitter:
		req := requestText("/hello?name="+cl.name, "")
		if cl.quitAt >= 1 {
			cl.send(cc, req[:len(req)/2])
		}
		if cl.quitAt >= 2 {
			cl.send(cc, req[len(req)/2:])
		}
		cl.outcome = "it left on purpose"
	case slowloris:
		cl.send(cc, "GET /report HTTP/1.1\r\nHost: srv\r\n")
		for i := range lorisLines {
			w.Sleep(lorisGap)
			line := fmt.Sprintf("X-Filler-%d: %s\r\n", i, strings.Repeat("z", lorisLine-16))
			if !cl.send(cc, line) {
				break
			}
		}
	case badUpgrade:
		cl.exchange(cc, "/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\n")
	case keysClient:
		for i := range keysRequests {
			var q []string
			for j := range keysPerReq {
				q = append(q, fmt.Sprintf("%s_%d_%d=1", cl.name, i, j))
			}
			if !cl.exchange(cc, "/search?"+strings.Join(q, "&"), "") {
				break
			}
		}
	case wsClient:
		if cl.exchange(cc, "/ws", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "+cl.name+"\r\n") {
			payload := bytes.Repeat([]byte{'w'}, cl.frame)
			if cl.send(cc, string(wsFrame(payload, []byte{1, 2, 3, 4}))) {
				if _, err := cl.read(cc, 2+8+len(fmt.Sprintf("got %d", cl.frame))); err != nil {
					cl.outcome = "no answer to its frame: " + err.Error()
				}
			}
		}
	}
	if cl.long {
		w.Receive(func(m any) bool { return m == leave }, sim.Infinity)
	}
	if cl.kind == quitter && cl.abort {
		_ = cc.c.Abort()
		return
	}
	_ = cc.c.Close()
}

// leave tells a long-lived client the run is ending.
const leave = "leave"

// clientDone: a client's process ended.
type clientDone struct{ cl *client }

// connect connects to the server's current port, trying again after a
// refusal (the server restarting), and records the connection.
func (cl *client) connect() *cconn {
	r, w := cl.r, cl.r.w
	for try := 0; try < connectTries; try++ {
		if r.port == 0 || !r.node.Alive() {
			break
		}
		c, err := r.cliHost.Connect("srv", r.port)
		if err == nil {
			cc := &cconn{cl: cl, c: c}
			cl.conn = cc
			r.byAddr[c.Local()] = cc
			return cc
		}
		cl.outcome = "connect: " + err.Error()
		if !errors.Is(err, net.ErrRefused) {
			break
		}
		w.Sleep(200 * time.Millisecond)
	}
	return nil
}

// send sends data, after noting it as sent: a byte may arrive before Send
// returns.
func (cl *client) send(cc *cconn, data string) bool {
	cc.sent = append(cc.sent, data...)
	if err := cc.c.Send([]byte(data)); err != nil {
		cl.outcome = "send: " + err.Error()
		return false
	}
	return true
}

// exchange sends a request (fast: at once; slow: after a pause, in two
// pieces) and reads its response; it reports whether the response came.
func (cl *client) exchange(cc *cconn, path, headers string) bool {
	w := cl.r.w
	req := requestText(path, headers)
	if cl.fast {
		if !cl.send(cc, req) {
			return false
		}
	} else {
		w.Sleep(100 * time.Millisecond)
		if !cl.send(cc, req[:len(req)/2]) {
			return false
		}
		w.Sleep(50 * time.Millisecond)
		if !cl.send(cc, req[len(req)/2:]) {
			return false
		}
	}
	status, err := cl.response(cc)
	if err != nil {
		cl.outcome = fmt.Sprintf("%s: %v", path, err)
		return false
	}
	cl.outcome = fmt.Sprintf("%s: %d", path, status)
	return status == 200 || status == 101
}

func requestText(path, headers string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: srv\r\n" + headers + "\r\n"
}

// response reads one response head and body.
func (cl *client) response(cc *cconn) (int, error) {
	var buf []byte
	deadline := cl.r.w.Elapsed() + responseLimit
	for {
		if i := bytes.Index(buf, crlf2); i >= 0 {
			head := string(buf[:i])
			status, _ := strconv.Atoi(strings.Fields(head + " x x")[1])
			n := 0
			if _, v, ok := strings.Cut(head, "Content-Length: "); ok {
				n, _ = strconv.Atoi(strings.Fields(v)[0])
			}
			if len(buf)-i-4 >= n {
				return status, nil
			}
		}
		left := deadline - cl.r.w.Elapsed()
		if left <= 0 {
			return 0, fmt.Errorf("no response in %v", responseLimit)
		}
		data, err := cc.c.RecvTimeout(0, left)
		if err != nil {
			return 0, err
		}
		buf = append(buf, data...)
	}
}

// read reads n bytes.
func (cl *client) read(cc *cconn, n int) ([]byte, error) {
	var buf []byte
	deadline := cl.r.w.Elapsed() + responseLimit
	for len(buf) < n {
		left := deadline - cl.r.w.Elapsed()
		if left <= 0 {
			return buf, fmt.Errorf("no answer in %v", responseLimit)
		}
		data, err := cc.c.RecvTimeout(n-len(buf), left)
		if err != nil {
			return buf, err
		}
		buf = append(buf, data...)
	}
	return buf, nil
}
