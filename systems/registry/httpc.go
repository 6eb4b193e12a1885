package registry

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Ref is an httpc request reference (an Erlang reference): httpc tags every
// stream message of a request with it.
type Ref int

func (r Ref) String() string { return fmt.Sprintf("#Ref<0.%d>", int(r)) }

// StringID is a Ref's string form (the shim's ref_to_string), the id the
// library's Gleam API deals in.
type StringID string

func (s StringID) String() string { return strconv.Quote(string(s)) }

// refToString is the shim's ref_to_string: a Ref's printed form, so the same
// Ref always gives the same StringID.
func refToString(r Ref) StringID { return StringID(r.String()) }

// httpKind says which httpc stream message an httpMsg is.
type httpKind uint8

const (
	streamStart httpKind = iota + 1 // {http, {Ref, stream_start, Headers}}
	streamChunk                     // {http, {Ref, stream, BinBodyPart}}
	streamEnd                       // {http, {Ref, stream_end, Headers}}
	streamFail                      // {http, {Ref, {error, Reason}}}
)

// httpMsg is one message httpc sends a streaming request's receiver.
type httpMsg struct {
	Ref    Ref
	Kind   httpKind
	Gzip   bool   // streamStart: the headers say content-encoding: gzip
	Data   string // streamChunk: the body part, as it came off the wire
	Reason string // streamFail
}

func (m httpMsg) String() string {
	switch m.Kind {
	case streamStart:
		if m.Gzip {
			return fmt.Sprintf("{http, {%v, stream_start, [content-encoding: gzip]}}", m.Ref)
		}
		return fmt.Sprintf("{http, {%v, stream_start, []}}", m.Ref)
	case streamChunk:
		return fmt.Sprintf("{http, {%v, stream, <<%q>>}}", m.Ref, m.Data)
	case streamEnd:
		return fmt.Sprintf("{http, {%v, stream_end, []}}", m.Ref)
	}
	return fmt.Sprintf("{http, {%v, {error, %s}}}", m.Ref, m.Reason)
}

func isHTTP(m any) bool { _, ok := m.(httpMsg); return ok }

// response is what the server at the other end of one stream does: the
// workload draws it (see workload.go), and an httpc handler plays it out.
type response struct {
	gzip      bool
	chunks    []string        // the body parts, uncompressed
	firstByte time.Duration   // until stream_start
	gaps      []time.Duration // before each chunk, then before the end
	fail      bool            // ends with {error, Reason} rather than stream_end
}

// The server compresses a body part by wrapping it; decompressing unwraps
// it. A chunk that reaches a callback still wrapped was never decompressed.
const gzipPrefix = "gz:"

func compress(s string) string { return gzipPrefix + s }

// decompress is zlib:inflate with the stream's context.
func decompress(s string) string { return strings.TrimPrefix(s, gzipPrefix) }

// httpcRequest is httpc:request(Method, Req, HttpOpts, [{stream, self},
// {sync, false}]) for the calling process: it returns the request's Ref at
// once, and a handler process (as httpc's per-request handler) plays st's
// response to the caller, after the network delays the response drew.
func (r *run) httpcRequest(st *stream) Ref {
	w := r.w
	r.nextRef++
	ref := Ref(r.nextRef)
	to := w.Self()
	resp := st.resp
	w.Spawn("httpc "+st.name, func() {
		r.track(w.Self())
		w.Sleep(resp.firstByte)
		w.Send(to, httpMsg{Ref: ref, Kind: streamStart, Gzip: resp.gzip})
		for i, c := range resp.chunks {
			w.Sleep(resp.gaps[i])
			if resp.gzip {
				c = compress(c)
			}
			w.Send(to, httpMsg{Ref: ref, Kind: streamChunk, Data: c})
		}
		w.Sleep(resp.gaps[len(resp.chunks)])
		if resp.fail {
			w.Send(to, httpMsg{Ref: ref, Kind: streamFail, Reason: "socket_closed_remotely"})
			return
		}
		w.Send(to, httpMsg{Ref: ref, Kind: streamEnd})
	})
	return ref
}
