package kv

import (
	"bytes"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// lineConn frames a connection's byte stream into lines: TCP keeps bytes in
// order but not the boundaries between sends, so a line may arrive in
// pieces, or with the start of the next one.
type lineConn struct {
	w   *sim.World
	c   *net.Conn
	buf []byte // received, not yet returned
}

// readLine returns the next line without its newline, waiting up to timeout
// of virtual time for it (negative: forever). It fails with the
// connection's error, io.EOF when the peer closed it, or net.ErrTimeout.
func (lc *lineConn) readLine(timeout time.Duration) (string, error) {
	deadline := lc.w.Elapsed() + timeout
	for {
		if i := bytes.IndexByte(lc.buf, '\n'); i >= 0 {
			line := string(lc.buf[:i])
			lc.buf = lc.buf[i+1:]
			return line, nil
		}
		wait := timeout
		if timeout >= 0 {
			if wait = deadline - lc.w.Elapsed(); wait <= 0 {
				return "", net.ErrTimeout
			}
		}
		data, err := lc.c.RecvTimeout(0, wait)
		if err != nil {
			return "", err
		}
		lc.buf = append(lc.buf, data...)
	}
}

// writeLine sends line and a newline.
func (lc *lineConn) writeLine(line string) error {
	return lc.c.Send(append([]byte(line), '\n'))
}
