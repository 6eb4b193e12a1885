//go:build amd64 || arm64

package sim

// curG tells goroutines apart: it returns the address of the calling
// goroutine's runtime record (the runtime's getg), which no two live
// goroutines share. A record may be reused once its goroutine has ended,
// so curG identifies a goroutine only while it lives, which is all that
// checkAlive needs: telling the running process's goroutine from any other,
// at the cost of a call (about a nanosecond) rather than a parse of
// runtime.Stack (about a microsecond).
//
// On amd64 and arm64 it reads the runtime's own thread-local slot or
// register for the current goroutine (curg_amd64.s, curg_arm64.s), and
// nothing of the record's layout, so it does not depend on the Go version.
// Elsewhere (curg_other.go) it returns 0 for every goroutine: the checks
// that use it then pass without telling anything apart, and only the race
// detector catches a foreign call.
//
//go:noescape
func curG() uintptr
