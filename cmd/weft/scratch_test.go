package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/weftsim/weft/sim"
)

func TestScratchDump(t *testing.T) {
	e, _ := lookup(os.Getenv("SCEN"))
	l, err := loadLog(os.Getenv("LOG"))
	if err != nil {
		t.Fatal(err)
	}
	r := sim.Replay(e.config(), l, e.Scenario)
	for _, ev := range r.Trace {
		fmt.Printf("%d %v p%d %s obj=%d arg=%d %q\n", ev.Step, ev.Time, ev.Proc, ev.Kind, ev.Obj, ev.Arg, ev.Detail)
	}
	fmt.Println(r.Procs)
	fmt.Printf("%+v\n", r.Processes)
	fmt.Println(r.Failure)
}
