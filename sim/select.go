package sim

// Case is one case of a Select: a send, a receive or the default. Make cases
// with Chan.SendCase, Chan.RecvCase and DefaultCase.
type Case struct {
	impl caseImpl // nil for the default case
}

// caseImpl is a channel operation a select can try, wait on, and withdraw.
type caseImpl interface {
	obj() *Object
	isNil() bool
	ready() bool
	commit()
	enqueue(s *selecting, idx int)
	withdraw()
	finish()
}

// selecting is the state shared by the waiters of one blocked select.
type selecting struct {
	fired int // index of the case that completed, -1 while waiting
	cases []Case
}

// Withdraw withdraws every case: the selecting process is ending.
func (s *selecting) Withdraw() {
	for _, cs := range s.cases {
		if cs.impl != nil && !cs.impl.isNil() {
			cs.impl.withdraw()
		}
	}
}

// DefaultCase is the default case: Select takes it when no other case is
// ready.
func DefaultCase() Case { return Case{} }

// SendCase is the case "ch <- v".
func (c *Chan[T]) SendCase(v T) Case { return Case{&sendCase[T]{c: c, v: v}} }

// RecvCase is the case "*v, *ok = <-ch"; v and ok may be nil.
func (c *Chan[T]) RecvCase(v *T, ok *bool) Case { return Case{&recvCase[T]{c: c, v: v, ok: ok}} }

// Select waits until one of the cases can proceed, performs it, and returns
// its index, with Go's semantics: when several cases are ready a Select
// decision picks one (option 0: the first in written order); the default
// case runs only when none is ready; cases on nil channels are never ready;
// Select with no ready case and no default blocks until one is, and forever
// if there is none. Select is a scheduling point.
func (w *World) Select(cases ...Case) int {
	w.point()
	var readyBuf [8]int
	ready := readyBuf[:0]
	dflt := -1
	for i, cs := range cases {
		if cs.impl == nil {
			if dflt >= 0 {
				panic("sim: Select with more than one DefaultCase")
			}
			dflt = i
			continue
		}
		if cs.impl.ready() {
			ready = append(ready, i)
		}
	}
	if w.fp != nil {
		// Which case is ready depends on every channel it names: the
		// select reads them all, whichever it takes.
		for _, cs := range cases {
			if cs.impl != nil && !cs.impl.isNil() {
				w.fpTouch(cs.impl.obj())
			}
		}
	}
	if len(ready) > 0 {
		k := 0
		if len(ready) > 1 {
			k = w.decide(schedulerSelect, len(ready), nil)
		}
		i := ready[k]
		w.event(EventSelect, cases[i].impl.obj(), int64(i), nil)
		cases[i].impl.commit()
		return i
	}
	if dflt >= 0 {
		w.event(EventSelect, nil, int64(dflt), func() string { return "default" })
		return dflt
	}
	s := &selecting{fired: -1, cases: cases}
	var on []*Object
	for i, cs := range cases {
		if cs.impl != nil && !cs.impl.isNil() {
			cs.impl.enqueue(s, i)
			on = append(on, cs.impl.obj())
		}
	}
	w.event(EventBlock, nil, int64(len(on)), func() string { return "select" })
	w.block("select", s, on...)
	for i, cs := range cases {
		if i != s.fired && cs.impl != nil && !cs.impl.isNil() {
			cs.impl.withdraw()
		}
	}
	w.event(EventSelect, cases[s.fired].impl.obj(), int64(s.fired), nil)
	cases[s.fired].impl.finish()
	return s.fired
}

type sendCase[T any] struct {
	c  *Chan[T]
	v  T
	wt *waiter[T]
}

func (s *sendCase[T]) obj() *Object {
	if s.c == nil {
		return nil
	}
	return &s.c.obj
}
func (s *sendCase[T]) isNil() bool { return s.c == nil }
func (s *sendCase[T]) ready() bool {
	c := s.c
	return c != nil && (c.closed || c.count < len(c.buf) || c.recvq.hasLive())
}
func (s *sendCase[T]) commit() { s.c.trySend(s.v) }
func (s *sendCase[T]) enqueue(sel *selecting, idx int) {
	s.wt = s.c.newWaiter(sel, idx)
	s.wt.val = s.v
	s.c.sendq.push(s.wt)
}
func (s *sendCase[T]) withdraw() {
	s.c.sendq.remove(s.wt)
	s.c.freeWaiter(s.wt)
}
func (s *sendCase[T]) finish() {
	ok := s.wt.ok
	s.c.freeWaiter(s.wt)
	if !ok {
		panic(errSendClosed)
	}
	s.c.traceSend(s.v)
}

type recvCase[T any] struct {
	c  *Chan[T]
	v  *T
	ok *bool
	wt *waiter[T]
}

func (r *recvCase[T]) obj() *Object {
	if r.c == nil {
		return nil
	}
	return &r.c.obj
}
func (r *recvCase[T]) isNil() bool { return r.c == nil }
func (r *recvCase[T]) ready() bool {
	c := r.c
	return c != nil && (c.count > 0 || c.closed || c.sendq.hasLive())
}
func (r *recvCase[T]) commit() {
	v, ok, _ := r.c.tryRecv()
	r.store(v, ok)
}
func (r *recvCase[T]) enqueue(sel *selecting, idx int) {
	r.wt = r.c.newWaiter(sel, idx)
	r.c.recvq.push(r.wt)
}
func (r *recvCase[T]) withdraw() {
	r.c.recvq.remove(r.wt)
	r.c.freeWaiter(r.wt)
}
func (r *recvCase[T]) finish() {
	v, ok := r.wt.val, r.wt.ok
	r.c.freeWaiter(r.wt)
	r.c.traceRecv(v, ok)
	r.store(v, ok)
}
func (r *recvCase[T]) store(v T, ok bool) {
	if r.v != nil {
		*r.v = v
	}
	if r.ok != nil {
		*r.ok = ok
	}
}
