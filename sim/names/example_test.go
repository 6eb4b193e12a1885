package names_test

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/names"
)

func Example() {
	sim.Run(sim.Config{}, func(w *sim.World) {
		db := w.Spawn("db", func() { w.Receive(nil, sim.Infinity) })
		fmt.Println(names.Register(w, "db", db))
		fmt.Println(names.Whereis(w, "db") == db)
		fmt.Println(names.Register(w, "db", w.Self()))
		w.Kill(db)
		w.Yield()
		fmt.Println(names.Whereis(w, "db"))
		fmt.Println(names.Send(w, "db", "query"))

		total := 0
		names.Serve(w, "counter", func(n int) int { total += n; return total })
		fmt.Println(names.Call[int, int](w, "counter", 5, time.Second))
		fmt.Println(names.Call[int, int](w, "counter", 2, time.Second))
		w.Kill(names.Whereis(w, "counter"))
	})
	// Output:
	// <nil>
	// true
	// sim: badarg: register("db", p0): the name is taken by p1
	// <nil>
	// sim: badarg: db ! query: not a registered name
	// 5 <nil>
	// 7 <nil>
}
