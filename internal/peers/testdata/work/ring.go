package work

// RingProcs and RingPasses are the ring's size: sim's BenchmarkRing's.
const (
	RingProcs  = 4
	RingPasses = 100
)

// Ring passes a token round RingProcs goroutines joined by unbuffered
// channels, RingPasses passes in all; the caller is the first goroutine. It
// returns the count the token arrived with, RingPasses when all went well.
func Ring() int {
	var ch [RingProcs]chan int
	for i := range ch {
		ch[i] = make(chan int)
	}
	laps := RingPasses / RingProcs
	for i := 1; i < RingProcs; i++ {
		in, out := ch[i], ch[(i+1)%RingProcs]
		go func() {
			for range laps {
				out <- (<-in + 1)
			}
		}()
	}
	ch[1] <- 1
	for range laps - 1 {
		ch[1] <- (<-ch[0] + 1)
	}
	return <-ch[0]
}
