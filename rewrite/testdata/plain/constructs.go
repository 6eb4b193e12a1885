package plain

import (
	"context"
	"math/rand"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Package-level primitives: made again in every world.
var (
	events = make(chan string, 16)
	evMu   sync.Mutex
	hits   int64
)

// Events is a defined channel type with a method.
type Events chan<- string

func (e Events) Emit(s string) { e <- s }

// Pipeline runs a producer, a squarer and a collector joined by channels,
// and returns the sum of the squares of 1..n.
func Pipeline(n int64) int64 {
	nums, squares := make(chan int64), make(chan int64, 2)
	go produce(nums, n)
	var wg sync.WaitGroup
	wg.Add(1)
	go func(in <-chan int64, out chan<- int64) {
		defer wg.Done()
		for v := range in {
			out <- v * v
		}
	}(nums, squares)
	go func() { wg.Wait(); close(squares) }()
	var sum int64
	for {
		v, ok := <-squares
		if !ok {
			return sum
		}
		sum += v
	}
}

func produce(out chan<- int64, n int64) {
	for i := int64(1); i <= n; i++ {
		out <- i
	}
	close(out)
}

// Poll waits for done with a ticker and a select with default, and gives up
// after a deadline.
func Poll(ctx context.Context, done <-chan struct{}) (polls int, err error) {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Second)
loop:
	for {
		select {
		case <-done:
			break loop
		case <-deadline:
			return polls, context.DeadlineExceeded
		case <-ctx.Done():
			return polls, ctx.Err()
		default:
		}
		<-tick.C
		polls++
		atomic.AddInt64(&hits, 1)
	}
	return polls, nil
}

// Keys returns the keys of m as the loop visits them, and their sum.
func Keys(m map[string]int) (order []string, sum int) {
	for k, v := range m {
		order = append(order, k)
		sum += v
	}
	return order, sum
}

// Queue is a bounded queue under a Cond.
type Queue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
	once  sync.Once
	rw    sync.RWMutex
	count atomic.Int32
}

func (q *Queue) init() { q.once.Do(func() { q.cond = sync.NewCond(&q.mu) }) }

func (q *Queue) Put(v int) {
	q.init()
	q.mu.Lock()
	q.items = append(q.items, v)
	q.cond.Signal()
	q.mu.Unlock()
	q.count.Add(1)
}

func (q *Queue) Get() int {
	q.init()
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		q.cond.Wait()
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v
}

func (q *Queue) Len() int {
	q.rw.RLock()
	defer q.rw.RUnlock()
	return int(q.count.Load())
}

// Shuffled returns 0..n-1 in an order math/rand draws.
func Shuffled(n int) []int {
	p := rand.Perm(n)
	sorted := append([]int(nil), p...)
	sort.Ints(sorted)
	return p
}

// Emit sends s to the package's events.
func Emit(s string) {
	evMu.Lock()
	defer evMu.Unlock()
	Events(events).Emit(s)
}

// Drain returns what was emitted.
func Drain() []string {
	var out []string
	for len(events) > 0 {
		out = append(out, <-events)
	}
	return out
}

type counter struct{ n int64 }

func (c *counter) add(d int64, done chan<- bool) {
	c.n += d
	done <- true
}

// GoArgs starts goroutines whose function and arguments are evaluated at
// the go statement: later changes to them are not seen.
func GoArgs() (int64, int64) {
	a, b := &counter{}, &counter{}
	c := a
	done := make(chan bool)
	d := int64(5)
	go c.add(d, done) // the receiver, a, is taken now
	go b.add(1, done) // an untyped constant for an int64
	c, d = b, 100
	<-done
	<-done
	return a.n, b.n
}

type adder interface {
	add(d int64, done chan<- bool)
}

// GoIface starts a goroutine on a method of an interface.
func GoIface() int64 {
	c := &counter{}
	var a adder = c
	done := make(chan bool)
	go a.add(2, done)
	<-done
	return c.n
}
