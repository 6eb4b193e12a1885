// Package work holds the workloads that internal/peers runs four ways: on
// plain goroutines, inside testing/synctest, under weft (rewritten, this
// package untouched) and under gosim. They are plain Go, written with no
// thought of any of the four, and build with Go 1.23 (gosim's toolchain):
//
//   - Ring: four goroutines pass a token round a ring of unbuffered
//     channels, 100 passes, as sim's BenchmarkRing does in the world.
//   - Etcd6857: one copy of GoKer's etcd#6857 kernel, whose Status can
//     block forever on a node that has stopped (a goroutine leak).
//   - Adds: a small request/response server with a map under a mutex and
//     a lost update in its add handler (a race between two critical
//     sections, which no data race detector sees).
//   - Empty: nothing, to measure what a runner costs per run by itself.
//
// The package lives under testdata, out of the weft module (the rewrite
// leaves weft's own packages alone, and gosim needs a module on Go 1.23):
// internal/peers copies it into a module of its own for each runner, as
// weft goker does with the kernels. Its tests (work_test.go) run each
// workload once and check it; they are what weft runs, seed after seed.
package work

// Empty is the workload that does nothing.
func Empty() {}
