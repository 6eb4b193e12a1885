package health

import "fmt"

// Code is a health status code, as arke's pb.HealthStatus_Code: OK is 0,
// so it is also what a receive from a closed notifier yields.
type Code int

// The codes arke broadcasts. GOAWAY tells clients that the server is
// leaving (an autoscaler added a replica) and that they should reconnect.
const (
	OK Code = iota
	UNHEALTHY
	GOAWAY
)

func (c Code) String() string {
	switch c {
	case OK:
		return "OK"
	case UNHEALTHY:
		return "UNHEALTHY"
	case GOAWAY:
		return "GOAWAY"
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// Update is what travels from the health source through MonitorHealthChan
// and a notifier to a client: a code and the number of its broadcast (1, 2,
// ...). arke sends the bare code; the number is instrumentation, so that a
// client's view can be compared with what was broadcast. The zero Update,
// "OK #0", is what a receive from a closed notifier yields: no broadcast has
// number 0, so a client that receives it received something nobody sent.
type Update struct {
	Code Code
	Seq  int
}

func (u Update) String() string { return fmt.Sprintf("%v #%d", u.Code, u.Seq) }
