// Package plain is plain Go code, written with no thought of weft, that the
// rewrite tests run in a world.
package plain

import (
	"context"
	"sync"
)

// First asks every source at once and returns the first answer. The other
// senders leak: nobody receives from the unbuffered channel again.
func First(sources []func() int) int {
	ch := make(chan int)
	for _, s := range sources {
		go func() { ch <- s() }()
	}
	return <-ch
}

// Counter counts under a mutex.
type Counter struct {
	mu sync.Mutex
	n  int
}

func (c *Counter) Inc() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
}

// Wait returns the value sent on ch, or the context's error.
func Wait(ctx context.Context, ch <-chan int) (int, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
