package sim

import (
	"math/bits"
	"sync"

	"github.com/weftsim/weft/scheduler"
)

// decisionLog records a run's decisions in fixed-size chunks drawn from a
// pool shared by all worlds, and copies them once, at the end, into the
// exact-size slice the Result keeps. Growing one slice by append instead
// copied every decision about four times and, through the garbage it made,
// tripled the cost of a recorded step (measured: 66 B and ~300 ns a step).
// The pool only recycles memory; nothing in it outlives a run's meaning.
type decisionLog struct {
	full []*decisionChunk // filled chunks, in order
	cur  *decisionChunk
	n    int // decisions in cur
}

const decisionChunkLen = 4096

// decisionChunk holds decisions and, one bit each, whether each is a hold
// (Result.Holds): a bit rather than an index list that grows with the run,
// which cost a recorded step 40 bytes.
type decisionChunk struct {
	ds    [decisionChunkLen]scheduler.Decision
	holds [decisionChunkLen / 64]uint64
}

var decisionChunks = sync.Pool{New: func() any { return new(decisionChunk) }}

func (l *decisionLog) add(d scheduler.Decision) {
	if l.cur == nil || l.n == decisionChunkLen {
		l.grow()
	}
	l.cur.ds[l.n] = d
	l.n++
}

// markHold marks the decision added last as a hold.
func (l *decisionLog) markHold() {
	i := l.n - 1
	l.cur.holds[i/64] |= 1 << (i % 64)
}

func (l *decisionLog) grow() {
	if l.cur != nil {
		l.full = append(l.full, l.cur)
	}
	l.cur, l.n = decisionChunks.Get().(*decisionChunk), 0
}

func (l *decisionLog) len() int { return len(l.full)*decisionChunkLen + l.n }

// take returns the decisions as one slice, and the indexes of the holds,
// and gives the chunks back to the pool; the log is empty afterwards.
func (l *decisionLog) take() ([]scheduler.Decision, []int) {
	if l.cur == nil {
		return nil, nil
	}
	chunks := append(l.full, l.cur)
	holds := 0
	for _, c := range chunks {
		for _, b := range c.holds {
			holds += bits.OnesCount64(b)
		}
	}
	out := make([]scheduler.Decision, 0, l.len())
	var at []int
	if holds > 0 {
		at = make([]int, 0, holds)
	}
	for k, c := range chunks {
		n := decisionChunkLen
		if k == len(chunks)-1 {
			n = l.n
		}
		out = append(out, c.ds[:n]...)
		for w, b := range c.holds {
			for b != 0 {
				at = append(at, k*decisionChunkLen+w*64+bits.TrailingZeros64(b))
				b &= b - 1
			}
		}
		c.holds = [decisionChunkLen / 64]uint64{}
		decisionChunks.Put(c)
	}
	*l = decisionLog{}
	return out, at
}
