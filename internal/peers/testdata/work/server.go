package work

import "sync"

// Server is a tiny key-value server: requests arrive on a channel, each is
// handled in a goroutine of its own, and the values live in a map under a
// mutex.
type Server struct {
	reqs chan request
	mu   sync.Mutex
	data map[string]int
}

type request struct {
	op, key string
	reply   chan int
}

// NewServer returns a server; Serve runs it, Close stops it.
func NewServer() *Server {
	return &Server{reqs: make(chan request), data: map[string]int{}}
}

// Serve handles requests until Close.
func (s *Server) Serve() {
	for r := range s.reqs {
		go s.handle(r)
	}
}

// Close stops Serve. No call may follow it.
func (s *Server) Close() { close(s.reqs) }

// Get returns the value of key.
func (s *Server) Get(key string) int { return s.call("get", key) }

// Add adds one to the value of key and returns the new value.
func (s *Server) Add(key string) int { return s.call("add", key) }

func (s *Server) call(op, key string) int {
	reply := make(chan int)
	s.reqs <- request{op, key, reply}
	return <-reply
}

func (s *Server) handle(r request) {
	switch r.op {
	case "get":
		r.reply <- s.load(r.key)
	case "add":
		// The seeded bug: the read and the write are two critical
		// sections, so two adds to one key that interleave between them
		// lose one of the two.
		v := s.load(r.key) + 1
		s.store(r.key, v)
		r.reply <- v
	}
}

func (s *Server) load(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data[key]
}

func (s *Server) store(key string, v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data[key] = v
}

// AddClients is how many clients Adds starts.
const AddClients = 2

// Adds starts a server and AddClients clients that each add one to the same
// key, waits for them, and returns the key's value: AddClients, unless an
// add was lost.
func Adds() int {
	s := NewServer()
	go s.Serve()
	var wg sync.WaitGroup
	for range AddClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Add("k")
		}()
	}
	wg.Wait()
	n := s.Get("k")
	s.Close()
	return n
}
