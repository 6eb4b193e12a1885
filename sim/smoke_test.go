package sim

import (
	"testing"
	"time"
)

func TestSmokePingPong(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		r := Run(Config{Seed: seed}, func(w *World) {
			ping, pong := NewChan[int](w, 0), NewChan[int](w, 0)
			w.Go("ponger", func() {
				for v := range ping.Range() {
					pong.Send(v + 1)
				}
				pong.Close()
			})
			for i := 0; i < 10; i++ {
				ping.Send(i)
				if got := pong.Recv(); got != i+1 {
					w.Fatalf("got %d", got)
				}
			}
			ping.Close()
			if _, ok := pong.RecvOK(); ok {
				w.Fatalf("pong not closed")
			}
			w.Sleep(time.Second)
		})
		if r.Failure != nil {
			t.Fatalf("seed %d: %v", seed, r.Failure)
		}
		r2 := Run(Config{Seed: seed}, func(w *World) {})
		_ = r2
	}
}

func TestSmokeFailures(t *testing.T) {
	r := Run(Config{}, func(w *World) {
		c := NewChan[int](w, 0)
		c.Recv()
	})
	t.Log(r.Failure)
	r = Run(Config{}, func(w *World) {
		w.Go("x", func() { panic("boom") })
		w.Sleep(time.Second)
	})
	t.Log(r.Failure)
	r = Run(Config{}, func(w *World) {
		w.Go("x", func() { t.SkipNow() })
		w.Sleep(time.Second)
	})
	t.Log(r.Failure)
	r = Run(Config{}, func(w *World) {
		c := NewChan[int](w, 0)
		w.Go("x", func() { c.Send(1) })
	})
	t.Log(r.Failure)
	r = Run(Config{Watchdog: 200 * time.Millisecond}, func(w *World) {
		c := make(chan int)
		<-c
	})
	t.Log(r.Failure)
}
