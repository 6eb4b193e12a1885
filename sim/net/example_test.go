package net_test

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// An echo over a link with a millisecond of latency each way: the handshake
// takes a round trip, the request and its echo another. After the run,
// HostsOf shows what the hosts were left with.
func Example() {
	r := sim.Run(sim.Config{}, func(w *sim.World) {
		client, server := net.NewHost(w, "10.0.0.1"), net.NewHost(w, "10.0.0.2")
		net.SetDefaultLink(w, net.Link{Latency: time.Millisecond})
		l, _ := server.Listen(80)
		w.Go("server", func() {
			c, _ := l.Accept()
			data, _ := c.Recv(0)
			_ = c.Send(data)
			_ = c.Close()
		})
		c, _ := client.Connect("10.0.0.2", 80)
		_ = c.Send([]byte("ping"))
		reply, _ := c.Recv(0)
		fmt.Printf("%s after %v\n", reply, w.Elapsed())
		_ = c.Close()
		_ = l.Close()
	})
	for _, h := range net.HostsOf(r) {
		fmt.Printf("%s: %d open, at most %d, %d connections\n", h.Addr, h.FDs, h.FDHigh, len(h.Conns))
	}
	// Output:
	// ping after 4ms
	// 10.0.0.1: 0 open, at most 1, 0 connections
	// 10.0.0.2: 0 open, at most 2, 0 connections
}

// Requests and responses: Serve answers each connection in a process of its
// own, and Do makes one exchange over a new connection.
func ExampleListener_Serve() {
	sim.Run(sim.Config{}, func(w *sim.World) {
		srv, cli := net.NewHost(w, "srv"), net.NewHost(w, "cli")
		l, _ := srv.Listen(80)
		w.Go("server", func() {
			err := l.Serve(func(req net.Request) net.Response {
				return net.Response{Body: []byte("hello " + req.Path)}
			})
			fmt.Println("server:", err)
		})
		resp, err := cli.Do("srv", 80, net.Request{Method: "GET", Path: "/there"})
		fmt.Println(resp.Status, string(resp.Body), err)
		_ = l.Close()
		w.Sleep(time.Millisecond) // the server sees its listener close
	})
	// Output:
	// 200 hello /there <nil>
	// server: net: use of a closed socket (closed)
}
