package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEachRunnerOnce runs every runner once on the ring and reads its
// outcome back, and runs the kernel under the goroutines and weft runners
// until it leaks, so that the parsing of both a pass and a failure is
// exercised. gosim runs only when WEFT_PEERS_GOSIM=1 asks for it and go run
// ./internal/peers has prepared it (its first preparation fetches a Go 1.23
// toolchain and translates the standard library: minutes): it lives in the
// user's cache, outside the repository, and whether it works there depends
// on that machine (under another GOCACHE it fails to find its translated
// packages), so make test does not judge weft by it.
func TestEachRunnerOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the workloads twice (seconds)")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	ring, _ := lookup("ring")
	kernel, _ := lookup("etcd6857")
	for _, name := range []string{"goroutines", "synctest", "weft", "gosim"} {
		t.Run(name, func(t *testing.T) {
			if name == "gosim" {
				if os.Getenv("WEFT_PEERS_GOSIM") != "1" {
					t.Skip("gosim runs only with WEFT_PEERS_GOSIM=1 (and once go run ./internal/peers -runners gosim has prepared it)")
				}
				cache, err := os.UserCacheDir()
				if err != nil {
					t.Skip(err)
				}
				if _, err := os.Stat(filepath.Join(cache, "weft-peers-gosim", "gosim")); err != nil {
					t.Skipf("gosim is not prepared on this machine (%v): go run ./internal/peers -runners gosim prepares it, fetching the %s toolchain and gosim %s", err, gosimToolchain, gosimVersion)
				}
			}
			r, err := newRunner(name, repo, work)
			if err != nil {
				t.Fatal(err)
			}
			o, err := r.campaign(ring, 1, 1, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if o.runs != 1 || o.first != 0 || o.seconds <= 0 {
				t.Fatalf("one run of the ring: %+v, want 1 run, no failure, a time", o)
			}
			switch r := r.(type) {
			case *goroutineRunner:
				if r.name() != "goroutines" {
					return
				}
			case *weftRunner:
				if det := r.determinism(ring, 2); !strings.HasPrefix(det, "same") {
					t.Errorf("the ring's determinism: %s", det)
				}
			default:
				return
			}
			// The kernel leaks in most runs on either runner.
			o, err = r.campaign(kernel, 1, 50, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if o.first == 0 || o.first != o.runs || o.message == "" {
				t.Fatalf("the kernel under %s: %+v, want a leak with its message", name, o)
			}
		})
	}
}
