package sim

// The kernel operations a library needs to carry links and monitors
// between places of its own (BEAM nodes): it keeps such a link or monitor
// itself, and delivers what it carries when and if it arrives.

// ExitSignal sends p an exit signal with reason from process from (which
// may have ended), as one that arrives from another node: Kill ends p; a
// process that traps exits gets an ExitMsg; Normal from another process is
// ignored; any other reason ends p. A signal to a process that has ended
// does nothing. It is not a scheduling point, and may be called from a
// process or an alarm; sent to the running process, it does not return.
func (k *Kernel) ExitSignal(p, from *Proc, reason any) {
	k.World().signal(from, p, reason)
}

// NewMonitorRef returns a monitor reference that no monitor of the world
// has, for a library that keeps a monitor of its own (one across nodes) and
// delivers its Down itself. World.Demonitor of it does nothing: the library
// turns its own monitors off.
func (k *Kernel) NewMonitorRef() MonitorRef {
	w := k.World()
	w.monitorSeq++
	m := &monitor{ref: MonitorRef{w.monitorSeq}} // inactive: Demonitor and demonitorFlush leave it be
	w.monitorsByRef = append(w.monitorsByRef, m)
	return m.ref
}
