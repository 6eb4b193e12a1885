package acceptor

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/net"
)

// httpd_ws_handler: the WebSocket process. It takes the frames httpd routes
// to it, unmasks each payload, and answers with a frame that says how many
// bytes it got. The review's item 6 is its unmask/4, which builds a list in
// reverse and converts it to a binary at the end; its cost is modelled as
// scheduler time and memory per payload byte.

// The unmask's costs, per payload byte.
const (
	// listUnmaskPerByte is the scheduler time of unmask/4 (cons a cell,
	// then reverse the list and build the binary) per byte: a 32 KiB frame
	// holds a scheduler for 1.3ms, a 64 KiB one for 2.6ms.
	listUnmaskPerByte = 40 * time.Nanosecond
	// listCellBytes is the memory of one list cell on a 64-bit emulator (two
	// words): what the reversed list costs per payload byte.
	listCellBytes = 16
	// chunkUnmaskPerByte is the fixed unmask's time per byte (a binary
	// comprehension over the chunk).
	chunkUnmaskPerByte = 4 * time.Nanosecond
	// unmaskChunk is how many bytes the fixed unmask does before it yields.
	unmaskChunk = 8 << 10
)

// wsHandler is the WebSocket process of connection c.
func (s *srv) wsHandler(c *net.Conn, sc *sconn) {
	w := s.r.w
	var buf []byte
	for {
		m, _ := w.Receive(nil, sim.Infinity)
		switch m := m.(type) {
		case wsData:
			buf = append(buf, m.data...)
			for {
				payload, mask, rest, ok := cutFrame(buf)
				if !ok {
					break
				}
				s.unmask(sc, payload, mask)
				_ = c.Send(wsFrame([]byte(fmt.Sprintf("got %d", len(payload))), nil))
				buf = rest
			}
		case wsStop:
			return
		}
	}
}

// unmask unmasks payload in place, and accounts for what it costs (see the
// constants above): as it was, in one go; fixed, in chunks with a yield
// between them.
func (s *srv) unmask(sc *sconn, payload []byte, mask [4]byte) {
	if !s.v.has(FixUnmask) {
		s.r.hold(sc, len(payload), time.Duration(len(payload))*listUnmaskPerByte, len(payload)*(listCellBytes+1))
		xorMask(payload, mask, 0)
		return
	}
	for off := 0; off < len(payload); off += unmaskChunk {
		end := min(off+unmaskChunk, len(payload))
		s.r.hold(sc, len(payload), time.Duration(end-off)*chunkUnmaskPerByte, end-off)
		xorMask(payload[off:end], mask, off)
	}
}

// wsFrame encodes a binary frame with a 64-bit length; masked with mask
// when mask is not nil (as a client must).
func wsFrame(payload []byte, mask []byte) []byte {
	head := 2 + 8
	if mask != nil {
		head += 4
	}
	f := make([]byte, head+len(payload))
	f[0], f[1] = 0x82, 127
	binary.BigEndian.PutUint64(f[2:10], uint64(len(payload)))
	copy(f[head:], payload)
	if mask != nil {
		f[1] |= 0x80
		copy(f[10:14], mask)
		xorMask(f[head:], [4]byte(mask), 0)
	}
	return f
}

// xorMask applies mask to b, whose first byte is at offset off of the
// payload.
func xorMask(b []byte, mask [4]byte, off int) {
	for i := range b {
		b[i] ^= mask[(off+i)%4]
	}
}

// cutFrame takes the first whole masked frame off buf, and returns its
// payload (still masked: it is buf's own bytes) and mask.
func cutFrame(buf []byte) (payload []byte, mask [4]byte, rest []byte, ok bool) {
	const head = 2 + 8 + 4
	if len(buf) < head {
		return nil, mask, buf, false
	}
	n := binary.BigEndian.Uint64(buf[2:10])
	if uint64(len(buf)-head) < n {
		return nil, mask, buf, false
	}
	copy(mask[:], buf[10:14])
	return buf[head : head+int(n)], mask, buf[head+int(n):], true
}
