package kv

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// Client timing: how long a client waits for an answer before it gives up
// on a request, and how it retries a connection while the acceptor is down
// (killed, and not yet restarted).
const (
	replyTimeout   = 5 * time.Second
	connectRetry   = 50 * time.Millisecond
	connectRetries = 20
)

// client is one client of the server, on its own host, with one connection
// at a time. It records every operation it sends into the world's history,
// from its own point of view, which is the one linearizability is about:
// Call just before the request goes out, Return when the answer is in. An
// operation without an answer (the connection closed, or the client gave
// up) stays open, because it may or may not have taken effect; the client
// then takes a fresh client id, as a Jepsen client does after an
// indeterminate operation, so that each id's operations stay sequential.
type client struct {
	w      *sim.World
	host   *net.Host
	server string
	port   int
	ids    *int // the scenario's client id counter
	id     int
	conn   *lineConn // nil between connections
}

func newClient(w *sim.World, h *net.Host, server string, port int, ids *int) *client {
	c := &client{w: w, host: h, server: server, port: port, ids: ids}
	c.renew()
	return c
}

// renew gives the client a fresh id.
func (c *client) renew() {
	*c.ids++
	c.id = *c.ids
}

// do performs one operation, recording it. It returns false when the server
// could not be reached at all (nothing was sent, nothing is recorded).
func (c *client) do(in model.KVInput) bool {
	if c.conn == nil && !c.connect() {
		return false
	}
	op := c.w.Call(c.id, in)
	out, ok := c.exchange(in)
	if !ok {
		c.disconnect() // the operation stays open
		c.renew()
		return true
	}
	c.w.Return(op, out)
	return true
}

// exchange sends in's request and reads its answer.
func (c *client) exchange(in model.KVInput) (model.KVOutput, bool) {
	var req string
	switch in.Op {
	case model.Put:
		req = fmt.Sprintf("PUT %s %d", in.Key, in.Value.(int))
	case model.Get:
		req = "GET " + in.Key
	default:
		panic(fmt.Sprintf("kv: the client does not do %v", in.Op))
	}
	if err := c.conn.writeLine(req); err != nil {
		return model.KVOutput{}, false
	}
	line, err := c.conn.readLine(replyTimeout)
	if err != nil {
		return model.KVOutput{}, false
	}
	switch {
	case in.Op == model.Put && line == "OK":
		// The protocol does not say whether the key was there.
		return model.KVOutput{FoundUnknown: true}, true
	case in.Op == model.Get && line == "NONE":
		return model.KVOutput{}, true
	case in.Op == model.Get && strings.HasPrefix(line, "VALUE "):
		if v, err := strconv.Atoi(strings.TrimPrefix(line, "VALUE ")); err == nil {
			return model.KVOutput{Found: true, Value: v}, true
		}
	}
	panic(fmt.Sprintf("kv: the server answered %q to %q", line, req))
}

// connect opens a connection, retrying while the server refuses (its
// acceptor is being restarted).
func (c *client) connect() bool {
	for range connectRetries {
		conn, err := c.host.Connect(c.server, c.port)
		if err == nil {
			c.conn = &lineConn{w: c.w, c: conn}
			return true
		}
		c.w.Sleep(connectRetry)
	}
	return false
}

func (c *client) disconnect() {
	if c.conn != nil {
		_ = c.conn.c.Close()
		c.conn = nil
	}
}
