package registry

import (
	"fmt"
	"time"

	"github.com/weftsim/weft/sim"
)

// StreamTimeout is the stream process's own receive timeout (the request's
// timeout in the library): when no message comes for this long, the stream
// gives up and calls on_stream_error. It is far below MonitorTimeout, so a
// live stream always ends in a callback long before its waiting side gives
// up.
const StreamTimeout = 30 * time.Second

// stream is one streaming request: the workload's plan for it (the server's
// response, how its caller behaves), its processes, and what the harness
// observed. The observations are bookkeeping only: no scheduling point, no
// decision, so they never change a run.
type stream struct {
	r    *run
	name string // "s2"
	resp response
	// linger is how long the caller stays after start_stream (0: it exits
	// right away, as the incident's callers did).
	linger time.Duration
	speed  string // "fast" or "slow", for stories

	caller, waiter *sim.Proc
	proc           *sim.Proc // the stream process, once it runs
	started        bool      // its stream process began to run

	lastOp    string       // the library step it was last in, for crash stories
	lastTable *tableRecord // the table that step used, as the harness knew it then
	inLoop    bool         // in its receive loop (past request_stream_messages)
	zlibIn    *tableRecord // where maybe_store_stream_zlib stored its context
	zlibLost  string       // why its context was never stored, if it was not
	missed    string       // why its last chunk was not decompressed, if it was not

	launchedAt time.Duration // when main launched it (virtual time)

	// The waiting side's view.
	chunks  int           // chunks delivered to on_stream_chunk
	outcome outcome       // how its waiting side stopped waiting
	endedAt time.Duration // when (virtual time)
	failure string        // the on_stream_error reason, for outcome gotError
	done    bool
}

type outcome uint8

const (
	waiting   outcome = iota
	gotEnd            // on_stream_end
	gotError          // on_stream_error
	sawAppDie         // the application running the library died (supervised: it watches)
	gaveUp            // the monitor timeout passed: nothing came
)

func (st *stream) String() string { return st.name }

// at notes which library step the stream's work is in, and which table that
// step reaches ("" for none), so that a crash or a masked badarg can be
// explained.
func (st *stream) at(op, table string) {
	st.lastOp, st.lastTable = op, nil
	if table != "" {
		st.lastTable = st.r.current(table)
	}
}

// The callbacks a request carries. In the library they run in the stream
// process and, here as in the incident, send to the waiting side; a stream
// process that dies without running one leaves the waiting side with
// nothing.

type (
	evStart struct{ st *stream }
	evChunk struct {
		st   *stream
		data string
	}
	evEnd   struct{ st *stream }
	evError struct {
		st      *stream
		failure string
	}
	// handoff is the caller telling the waiting side that its stream has
	// been started (or could not be).
	handoff struct {
		st  *stream
		err error
	}
)

func (e evStart) String() string { return fmt.Sprintf("on_stream_start(%s)", e.st) }
func (e evChunk) String() string { return fmt.Sprintf("on_stream_chunk(%s, %q)", e.st, e.data) }
func (e evEnd) String() string   { return fmt.Sprintf("on_stream_end(%s)", e.st) }
func (e evError) String() string { return fmt.Sprintf("on_stream_error(%s, %s)", e.st, e.failure) }
func (h handoff) String() string {
	if h.err != nil {
		return fmt.Sprintf("handoff(%s, error: %v)", h.st, h.err)
	}
	return fmt.Sprintf("handoff(%s)", h.st)
}

func (st *stream) onStart()               { st.r.w.Send(st.waiter, evStart{st}) }
func (st *stream) onChunk(data string)    { st.r.w.Send(st.waiter, evChunk{st, data}) }
func (st *stream) onEnd()                 { st.r.w.Send(st.waiter, evEnd{st}) }
func (st *stream) onError(failure string) { st.r.w.Send(st.waiter, evError{st, failure}) }

// runStream is run_stream_process: start the request (stream_messages),
// then process messages until the stream completes.
func (r *run) runStream(st *stream) {
	st.proc, st.started = r.w.Self(), true
	r.track(st.proc)
	id := r.shim.requestStreamMessages(st)
	st.inLoop = true
	r.streamLoop(st, id)
}

// streamLoop is process_stream_loop with handle_stream_message: receive an
// httpc message through the selector (which decodes it, looking the
// request up in the tables), and call the callback it calls for. A message
// for another request id is skipped. No message for StreamTimeout is a
// timeout error.
func (r *run) streamLoop(st *stream, id StringID) {
	w := r.w
	for {
		m, ok := w.Receive(isHTTP, StreamTimeout)
		if !ok {
			st.at("on_stream_error", "")
			st.onError(fmt.Sprintf("timed out: no message in %v", StreamTimeout))
			return
		}
		d := r.shim.decode(st, m.(httpMsg))
		if d.id != id {
			continue
		}
		switch d.kind {
		case streamStart:
			st.at("on_stream_start", "")
			st.onStart()
		case streamChunk:
			st.at("on_stream_chunk", "")
			st.onChunk(d.data)
		case streamEnd:
			st.at("on_stream_end", "")
			st.onEnd()
			return
		case streamFail:
			st.at("on_stream_error", "")
			st.onError(d.reason)
			return
		}
	}
}
