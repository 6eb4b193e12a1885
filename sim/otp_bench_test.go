package sim

// Message passing against channels, in the same run of the same benchmark
// binary, so the ratio holds on a noisy machine:
//
//	go test -run='^$' -bench='Pair' -cpu=1 -count=5 ./sim
//
// Each op is one send/receive pair of a ping-pong between two processes, so
// both sides include the switch between the processes.

import "testing"

const pairsPerRun = 4096

func benchPairs(b *testing.B, scenario func(w *World, pairs int)) {
	b.ReportAllocs()
	for done := 0; done < b.N; done += pairsPerRun {
		r := Run(Config{Seed: uint64(done)}, func(w *World) { scenario(w, pairsPerRun) })
		if r.Failure != nil {
			b.Fatal(r.Failure)
		}
	}
}

func BenchmarkPairChan(b *testing.B) {
	benchPairs(b, func(w *World, pairs int) {
		ping, pong := NewChan[int](w, 0), NewChan[int](w, 0)
		w.Go("echo", func() {
			for v := range ping.Range() {
				pong.Send(v)
			}
		})
		for i := 0; i < pairs/2; i++ {
			ping.Send(i)
			pong.Recv()
		}
		ping.Close()
	})
}

func BenchmarkPairMessage(b *testing.B) {
	benchPairs(b, func(w *World, pairs int) {
		self := w.Self()
		echo := w.Spawn("echo", func() {
			for {
				m, _ := w.Receive(nil, Infinity)
				if m == nil {
					return
				}
				w.Send(self, m)
			}
		})
		for i := 0; i < pairs/2; i++ {
			w.Send(echo, i+1)
			w.Receive(nil, Infinity)
		}
		w.Send(echo, nil)
	})
}
