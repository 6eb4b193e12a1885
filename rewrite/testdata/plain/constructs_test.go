package plain

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestPipeline(t *testing.T) {
	if got := Pipeline(10); got != 385 {
		t.Fatalf("sum of squares = %d", got)
	}
}

func TestPoll(t *testing.T) {
	done := make(chan struct{})
	go func() {
		time.Sleep(5 * time.Millisecond)
		close(done)
	}()
	// Five ticks pass before done closes, give or take a slow step
	// (sim.FaultSlow) on either side: a descheduled closer lets more ticks
	// in, a descheduled poller misses some, as on a loaded machine.
	polls, err := Poll(context.Background(), done)
	if err != nil || polls < 1 || polls > 1000 {
		t.Fatalf("polls = %d, err = %v", polls, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Poll(ctx, nil); err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
	if _, err := Poll(context.Background(), nil); err != context.DeadlineExceeded {
		t.Fatalf("err = %v", err)
	}
}

func TestKeysVisitsEveryKeyOnce(t *testing.T) {
	order, sum := Keys(map[string]int{"a": 1, "b": 2, "c": 3})
	slices.Sort(order)
	if !slices.Equal(order, []string{"a", "b", "c"}) || sum != 6 {
		t.Fatalf("order %v, sum %d", order, sum)
	}
}

func TestQueue(t *testing.T) {
	var q Queue
	got := make(chan int)
	for range 2 {
		go func() { got <- q.Get() }()
	}
	q.Put(1)
	q.Put(2)
	if a, b := <-got, <-got; a+b != 3 || q.Len() != 2 {
		t.Fatalf("got %d and %d, len %d", a, b, q.Len())
	}
}

func TestShuffledAndEvents(t *testing.T) {
	p := Shuffled(5)
	slices.Sort(p)
	if !slices.Equal(p, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("not a permutation: %v", p)
	}
	Emit("x")
	Emit("y")
	if got := Drain(); !slices.Equal(got, []string{"x", "y"}) {
		t.Fatalf("drained %v", got)
	}
}

func TestGoArgs(t *testing.T) {
	if a, b := GoArgs(); a != 5 || b != 1 {
		t.Fatalf("a = %d, b = %d", a, b)
	}
}

func TestGoIface(t *testing.T) {
	if n := GoIface(); n != 2 {
		t.Fatalf("n = %d", n)
	}
}
