//go:build !amd64 && !arm64

package sim

// curG returns 0: this architecture has no implementation (see curg_asm.go).
func curG() uintptr { return 0 }
