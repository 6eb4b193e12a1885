package sim

import (
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

type decisionChunk [decisionChunkLen]scheduler.Decision

var decisionChunks = sync.Pool{New: func() any { return new(decisionChunk) }}

func (l *decisionLog) add(d scheduler.Decision) {
	if l.cur == nil || l.n == decisionChunkLen {
		l.grow()
	}
	l.cur[l.n] = d
	l.n++
}

func (l *decisionLog) grow() {
	if l.cur != nil {
		l.full = append(l.full, l.cur)
	}
	l.cur, l.n = decisionChunks.Get().(*decisionChunk), 0
}

func (l *decisionLog) len() int { return len(l.full)*decisionChunkLen + l.n }

// take returns the decisions as one slice and gives the chunks back to the
// pool; the log is empty afterwards.
func (l *decisionLog) take() []scheduler.Decision {
	if l.cur == nil {
		return nil
	}
	out := make([]scheduler.Decision, 0, l.len())
	for _, c := range l.full {
		out = append(out, c[:]...)
		decisionChunks.Put(c)
	}
	out = append(out, l.cur[:l.n]...)
	decisionChunks.Put(l.cur)
	*l = decisionLog{}
	return out
}
