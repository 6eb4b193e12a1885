package disk_test

import (
	"fmt"
	"strings"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/examples/disk"
	"github.com/weftsim/weft/sim"
)

// A write that no Sync covered is gone after a crash when a lost-write
// fault strikes; the synced one stays.
func Example() {
	cfg := sim.Config{Seed: 1, Faults: sim.FaultPlan{}.With(disk.FaultLostWrite, 1)}
	r := sim.Run(cfg, func(w *sim.World) {
		d := disk.New(w, "d", disk.Options{})
		d.Mount()
		f, _ := d.Open("f")
		f.WriteAt([]byte("synced"), 0)
		f.Sync()
		f.WriteAt([]byte(" and not"), 6)
		d.Crash()

		d.Mount()
		f, _ = d.Open("f")
		buf := make([]byte, 14)
		n, _ := f.ReadAt(buf, 0)
		fmt.Printf("%q\n", buf[:n])
		d.Unmount()
	})
	fmt.Println(disk.Crashes(r)[0])
	// Output:
	// "synced"
	// disk "d" crashed at 2.2ms, step 6 (Crash by p0 "main"); not durable: f write #2 [6,14) lost
}

// The write-ahead log's twins, judged as the tests judge them: the store
// that acknowledges before its Sync loses an acknowledged write, and the
// shrunk run keeps the two faults that lose it; the one that syncs first
// passes.
func Example_twins() {
	for _, v := range disk.Variants() {
		var cfg sim.Config
		disk.Configure(&cfg)
		rep := weft.Explore(weft.Options{Runs: 200, Config: cfg}, disk.Scenario(v))
		if rep.Failure == nil {
			fmt.Printf("%v: passed %d runs\n", v, rep.Runs)
			continue
		}
		var faults []string
		for _, e := range rep.Failure.Shrunk.Trace {
			if e.Kind == sim.EventFault {
				faults = append(faults, e.Detail)
			}
		}
		fmt.Printf("%v: property %s violated at run %d; the shrunk run's faults: %s\n",
			v, rep.Failure.Shrunk.Failure.Property, rep.Runs, strings.Join(faults, ", "))
	}
	// Output:
	// ack-before-sync: property durable violated at run 6; the shrunk run's faults: kill, disk-lost-write
	// sync-before-ack: passed 200 runs
}
