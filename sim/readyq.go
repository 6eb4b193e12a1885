package sim

// readyQueue holds the runnable processes that are not running, oldest first.
// It is a ring buffer of process ids, not pointers: taking an option from the
// middle (a preemption chosen by the strategy) shifts the shorter side, and
// shifting int32s costs no GC write barriers, which shifting pointers does
// while the collector runs (measured: 5-10% of a step at N = 100). Pushing
// and popping the front are O(1), and the order the default schedule sees
// stays first-come first-served.
type readyQueue struct {
	buf   []int32 // len(buf) is a power of two
	head  int
	n     int
	procs *[]*Proc // the world's processes, by id
}

func (q *readyQueue) len() int { return q.n }

func (q *readyQueue) at(i int) *Proc { return (*q.procs)[q.buf[(q.head+i)&(len(q.buf)-1)]] }

func (q *readyQueue) pushBack(p *Proc) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = int32(p.id)
	q.n++
}

// removeAt removes and returns the i-th process (0 = oldest).
func (q *readyQueue) removeAt(i int) *Proc {
	mask := len(q.buf) - 1
	p := (*q.procs)[q.buf[(q.head+i)&mask]]
	if i < q.n/2 {
		for j := i; j > 0; j-- {
			q.buf[(q.head+j)&mask] = q.buf[(q.head+j-1)&mask]
		}
		q.head = (q.head + 1) & mask
	} else {
		for j := i; j < q.n-1; j++ {
			q.buf[(q.head+j)&mask] = q.buf[(q.head+j+1)&mask]
		}
	}
	q.n--
	return p
}

func (q *readyQueue) grow() {
	size := 2 * len(q.buf)
	if size == 0 {
		size = 8
	}
	buf := make([]int32, size)
	for i := 0; i < q.n; i++ {
		buf[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = buf, 0
}
