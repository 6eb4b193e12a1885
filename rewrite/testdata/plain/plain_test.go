package plain

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestCounter(t *testing.T) {
	var c Counter
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(c.Inc)
	}
	wg.Wait()
	if c.n != 3 {
		t.Fatalf("n = %d", c.n)
	}
}

func TestWaitTimesOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	start := time.Now()
	if _, err := Wait(ctx, make(chan int)); err != context.DeadlineExceeded {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) < time.Hour {
		t.Fatalf("returned after %v", time.Since(start))
	}
}

func TestFirst(t *testing.T) {
	if got := First([]func() int{func() int { return 1 }, func() int { return 2 }}); got != 1 && got != 2 {
		t.Fatalf("got %d", got)
	}
}
