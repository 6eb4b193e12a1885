package gort

import (
	"io"
	"runtime/pprof"
	"sync"
)

// leakProfile stands in for the goroutine leak profile (Go 1.26's
// "goroutineleak", present only with GOEXPERIMENT=goroutineleakprofile): in
// a world the leaks are the world's own, proven when the run ends (see
// Leaks), so writing it writes nothing.
var (
	leakOnce    sync.Once
	leakProfile *pprof.Profile
)

// Lookup is pprof.Lookup, with a stand-in for a "goroutineleak" profile the
// runtime does not have.
func Lookup(name string) *pprof.Profile {
	if p := pprof.Lookup(name); p != nil || name != "goroutineleak" {
		return p
	}
	leakOnce.Do(func() { leakProfile = pprof.NewProfile("weft.goroutineleak") })
	return leakProfile
}

// WriteProfile is (*pprof.Profile).WriteTo, which writes nothing for the
// stand-in of the goroutine leak profile.
func WriteProfile(p *pprof.Profile, w io.Writer, debug int) error {
	if p != nil && p == leakProfile {
		return nil
	}
	return p.WriteTo(w, debug)
}
