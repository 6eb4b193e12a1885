package scheduler

// Bytes returns a strategy that reads its decisions from data, as a fuzzer
// supplies it: each point consumes the fewest bytes that can name every
// option (1 byte when N <= 256, 2 when N <= 65536, 4 when N <= 2^32, else 8),
// read big-endian, and chooses that value mod N; at a fault with a Rate, the
// byte fires the fault when it is among the top round(Rate*256) values (at
// least one). When fewer bytes are left
// than a point needs, it takes what is left; past the end of data every
// choice is 0 (the default).
//
// Because each point owns a fixed slice of the input, a fuzzer's mutation of
// one byte changes one decision, and zero bytes mean the calm schedule.
// data is read, never modified or copied.
func Bytes(data []byte) Strategy { return &byteStrategy{data: data} }

type byteStrategy struct{ data []byte }

func (s *byteStrategy) Choose(p Point) int {
	mustHaveOptions(p)
	n := uint64(p.N)
	width := 8
	switch {
	case n <= 1<<8:
		width = 1
	case n <= 1<<16:
		width = 2
	case n <= 1<<32:
		width = 4
	}
	width = min(width, len(s.data))
	var v uint64
	for _, b := range s.data[:width] {
		v = v<<8 | uint64(b)
	}
	s.data = s.data[width:]
	if p.Rate > 0 && n == 2 && width == 1 {
		if v >= 256-uint64(min(max(p.Rate*256+0.5, 1), 255)) {
			return 1
		}
		return 0
	}
	return int(v % n)
}
