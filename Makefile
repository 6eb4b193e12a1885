# The README opens with `go run ./cmd/weft demo` (make demo) and `make test`; this file needs
# make, and each of its steps is one go command.
GO ?= go
# Packages that run real goroutines (the world's loop and its watchdog) get
# the race detector as well; so do the reference systems' real-goroutine
# twins, alone (their simulated verdicts are the same code as above). The
# root package, weft, runs many worlds, several at once from parallel
# subtests, so it is among them; measured, -race costs it about 3 s against
# 25 s for ./sim/... (package properties starts no goroutine of its own:
# only porcupine's checker does).
RACE_PKGS ?= . ./sim/...
FUZZTIME ?= 10s

.PHONY: test vet fmt-check unit race demo bench bench-search fuzz browser goker peers

test: browser vet fmt-check unit race

# The page's browser test (cmd/weft's TestPages) opens a page in
# headless Chromium. This installs Debian's chromium when it is missing and
# this user may (root, or sudo without a password); where it cannot, it
# says so and the test skips, saying so too. It never fails make test.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then echo "make browser: no chromium and no apt-get: TestPages will skip (WEFT_CHROMIUM names a browser)"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get install -y chromium || { apt-get update && apt-get install -y chromium; } || echo "make browser: could not install chromium: TestPages will skip"; \
	elif sudo -n true 2>/dev/null; then sudo apt-get install -y chromium || { sudo apt-get update && sudo apt-get install -y chromium; } || echo "make browser: could not install chromium: TestPages will skip"; \
	else echo "make browser: no chromium, and this user cannot install it (apt-get install chromium, as root): TestPages will skip"; fi

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$(gofmt -l . | grep -v '^testdata/' || true)"; \
	if [ -n "$$out" ]; then echo "gofmt -l reports unformatted files:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test ./...

# The race pass skips the test that runs go test in a module of its own
# (TestPrintedCommandsFromAFreshShell): its go test runs build without
# -race, and the unit pass has run it already; skipping it saves about 10 s.
#
# It skips the strategy tests of strategies_test.go as well: each runs one
# world at a time for hundreds of thousands of steps (a livelock, a spin to
# the step limit), which the race detector slows a hundredfold (measured: the
# livelock test alone took 365 s) while the unit pass has judged them; the
# race pass is for the tests that run worlds side by side, and -short (a
# tenth of the runs) is enough for that.
RACE_SKIP = ^(TestPrintedCommandsFromAFreshShell|TestFairModeTellsARealLivelock|TestPortfolioMembersAreFair|TestStarvationWindowFindsTheHeldBackWorker)$$

race:
	$(GO) test -race -short -skip '$(RACE_SKIP)' $(RACE_PKGS)
	$(GO) test -race -run '^TestRealGoroutines' ./systems/health

demo:
	$(GO) run ./cmd/weft demo

# GoKer's bug kernels, as the Go toolchain ships them, rewritten and run
# under weft, with a table of the leaks found against those Go's own test
# expects (BENCHMARKS.md). Minutes: not part of make test.
GOKER_SEEDS ?= 10
goker:
	$(GO) run ./cmd/weft goker -seeds $(GOKER_SEEDS)

# weft against its peers on the same work: the ring, a GoKer kernel and a
# small server, run on plain goroutines, in testing/synctest, under weft
# (rewritten) and under gosim (fetched with a Go 1.23 toolchain into the
# user's cache); the table of BENCHMARKS.md. Minutes: not part of make test.
peers:
	$(GO) run ./internal/peers

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# How many runs, and how much time, each strategy takes to find each seeded
# defect of the catalogue (20 campaigns of up to 10,000 runs each), and the
# exhaustive search with and without DPOR; the tables of BENCHMARKS.md.
# Minutes, not seconds: it is a measurement, not part of make test.
bench-search:
	$(GO) run ./cmd/weft bench-search

# A short run of every fuzz target in the module. The decoders' targets
# (scheduler/log_fuzz_test.go) hold each input to a memory budget
# proportional to its size, so a decoder that allocates from what an input
# claims fails here as a crash would.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done
