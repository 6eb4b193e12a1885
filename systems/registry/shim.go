package registry

import (
	"errors"

	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/sim/ets"
)

// The tables. RefTable is the incident's: a named public table mapping each
// request's StringID to its Ref and back. ZlibTable holds the per-stream
// decompression state (in the library the zlib contexts shared the
// reference table; the issue gives them a table of their own, created and
// owned the same way, so a stream depends on two tables and either one's
// loss shows).
const (
	RefTable  = "dream_http_client_ref_mapping"
	ZlibTable = "dream_http_client_stream_zlib"
)

// zctx is a stream's zlib inflate context.
type zctx struct{ id StringID }

func (z zctx) String() string { return "zlib context of " + z.id.String() }

// shim is dream_httpc_shim, the Erlang half of the library: lazy table
// creation (original, holder), the seven table access functions, and the
// decoding of httpc's messages inside a stream's receive loop. The
// variants share this code and differ where their diffs do:
//
//   - original: ensure_ref_mapping_table checks ets:info and creates the
//     table owned by the calling process; every access is a bare ets call,
//     so a missing table raises badarg in the caller.
//   - holder: ensure creates the table inside try/catch error:badarg, spawns
//     a bare holder process and gives the table away to it; every access is
//     wrapped in try/catch error:badarg with a safe fallback (none for
//     lookups, ok for writes, the raw data for decompression), and
//     get_or_create_string_id re-creates the table on badarg.
//   - appowned and supervised: no lazy creation (the application's start
//     callback made the tables); bare ets calls, so a missing table is a
//     crash.
//
// Every function takes the stream it works for, for the harness's notes
// only (which function a crash happened in, which lookups were masked).
type shim struct {
	r *run
	// lazy: tables are created on first use (original, holder).
	lazy bool
	// guarded: every access is wrapped in try/catch error:badarg (holder).
	guarded bool
}

func (s *shim) refs() *ets.Table[any, any] { return ets.ByName[any, any](s.r.w, RefTable) }

func (s *shim) zlibs() *ets.Table[StringID, zctx] {
	return ets.ByName[StringID, zctx](s.r.w, ZlibTable)
}

// must is what an ets call does with badarg in Erlang: raise it.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// try is `try ... catch error:badarg -> Fallback end` around the rest of
// the function that defers it: it absorbs a badarg raised there, notes it,
// and runs fallback to set the function's results. Anything else (the world
// unwinding a finished run, a kill) goes through.
func (s *shim) try(st *stream, fn string, fallback func()) {
	v := recover()
	if v == nil {
		return
	}
	err, ok := v.(error)
	if !ok || !errors.Is(err, sim.ErrBadArg) {
		panic(v)
	}
	s.r.masked(st, fn, err)
	fallback()
}

// ensureTables is the lazy creation both start_stream (in the caller) and
// request_stream_messages (in the stream process) do before using the
// tables: ensure_ref_mapping_table and the same for the zlib table. The
// application-owned library has none.
func (s *shim) ensureTables(st *stream) {
	if !s.lazy {
		return
	}
	s.ensureRefTable(st)
	ensureTable[StringID, zctx](s, st, ZlibTable)
}

func (s *shim) ensureRefTable(st *stream) { ensureTable[any, any](s, st, RefTable) }

// ensureName names the ensure function of a table, for stories.
func ensureName(table string) string {
	if table == RefTable {
		return "ensure_ref_mapping_table"
	}
	return "ensure_stream_zlib_table"
}

// ensureTable is ensure_ref_mapping_table for the table named name:
//
//	case ets:info(Name) of
//	    undefined -> ets:new(Name, [set, public, named_table]), ok;
//	    _ -> ok
//	end.
//
// and, in the holder variant, PR 66's first commit:
//
//	case ets:info(Name) of
//	    undefined ->
//	        try
//	            ets:new(Name, [set, public, named_table]),
//	            Holder = spawn(fun table_holder_loop/0),
//	            ets:give_away(Name, Holder, undefined),
//	            ok
//	        catch error:badarg -> ok
//	        end;
//	    _ -> ok
//	end.
//
// ets:info and ets:new are two scheduling points: two first calls can both
// find the table missing, and the second ets:new fails with badarg.
func ensureTable[K comparable, V any](s *shim, st *stream, name string) {
	w := s.r.w
	st.at(ensureName(name), name)
	if ets.ByName[K, V](w, name).Exists() {
		return
	}
	if s.guarded {
		defer s.try(st, ensureName(name), func() {})
	}
	st.at("ets:new in "+ensureName(name), name)
	t, err := ets.New[K, V](w, ets.Options{Name: name, Access: ets.Public, Record: name == RefTable})
	if err != nil {
		st.lastTable = s.r.current(name) // the table in the way
	}
	must(err)
	rec := s.r.created(name)
	if !s.guarded {
		return
	}
	holder := w.Spawn("table_holder", s.r.holderLoop)
	st.at("ets:give_away in "+ensureName(name), name)
	err = t.GiveAway(holder, nil)
	if err != nil {
		rec.lostHolder = holder // the try/catch will swallow it
	}
	must(err)
	rec.owner = holder
}

// holderLoop is table_holder_loop/0: it takes the ETS-TRANSFER message and
// then waits forever, so the table outlives whoever created it. Nobody
// links to it or supervises it.
func (r *run) holderLoop() {
	r.track(r.w.Self())
	for {
		r.w.Receive(nil, sim.Infinity)
	}
}

// storeRefMapping is store_ref_mapping/2: both directions.
func (s *shim) storeRefMapping(st *stream, id StringID, ref Ref) {
	if s.guarded {
		defer s.try(st, "store_ref_mapping", func() {})
	}
	st.at("store_ref_mapping", RefTable)
	must(s.refs().Insert(id, ref))
	must(s.refs().Insert(ref, id))
}

// lookupRefByString is lookup_ref_by_string/1.
func (s *shim) lookupRefByString(st *stream, id StringID) (ref Ref, found bool) {
	if s.guarded {
		defer s.try(st, "lookup_ref_by_string", func() { ref, found = 0, false })
	}
	st.at("lookup_ref_by_string", RefTable)
	v, ok, err := s.refs().Lookup(id)
	must(err)
	if !ok {
		return 0, false
	}
	return v.(Ref), true
}

// lookupStringByRef is lookup_string_by_ref/1. lost reports that the
// holder variant's try/catch absorbed a badarg (the table was missing).
func (s *shim) lookupStringByRef(st *stream, ref Ref) (id StringID, found, lost bool) {
	if s.guarded {
		defer s.try(st, "lookup_string_by_ref", func() { id, found, lost = "", false, true })
	}
	st.at("lookup_string_by_ref", RefTable)
	v, ok, err := s.refs().Lookup(ref)
	must(err)
	if !ok {
		return "", false, false
	}
	return v.(StringID), true, false
}

// removeRefMapping is remove_ref_mapping/1.
func (s *shim) removeRefMapping(st *stream, id StringID) {
	if s.guarded {
		defer s.try(st, "remove_ref_mapping", func() {})
	}
	ref, ok := s.lookupRefByString(st, id)
	if !ok {
		return
	}
	st.at("remove_ref_mapping", RefTable)
	must(s.refs().Delete(id))
	must(s.refs().Delete(ref))
}

// maybeStoreStreamZlib is maybe_store_stream_zlib/2: a gzip stream gets an
// inflate context.
func (s *shim) maybeStoreStreamZlib(st *stream, id StringID, gzip bool) {
	if !gzip {
		return
	}
	if s.guarded {
		defer s.try(st, "maybe_store_stream_zlib", func() {})
	}
	st.at("maybe_store_stream_zlib", ZlibTable)
	must(s.zlibs().Insert(id, zctx{id: id}))
	st.zlibIn = st.lastTable
}

// maybeDecompressStreamChunk is maybe_decompress_stream_chunk/2: with the
// stream's context, inflate; without one, the data as it came (which is
// right only for a stream that is not compressed).
func (s *shim) maybeDecompressStreamChunk(st *stream, id StringID, data string) (out string) {
	if s.guarded {
		defer s.try(st, "maybe_decompress_stream_chunk", func() { out = data })
	}
	st.at("maybe_decompress_stream_chunk", ZlibTable)
	_, ok, err := s.zlibs().Lookup(id)
	must(err)
	if !ok {
		s.r.zlibMissing(st)
		return data
	}
	return decompress(data)
}

// cleanupStreamZlib is cleanup_stream_zlib/1.
func (s *shim) cleanupStreamZlib(st *stream, id StringID) {
	if s.guarded {
		defer s.try(st, "cleanup_stream_zlib", func() {})
	}
	st.at("cleanup_stream_zlib", ZlibTable)
	_, ok, err := s.zlibs().Lookup(id)
	must(err)
	if ok {
		must(s.zlibs().Delete(id))
	}
}

// getOrCreateStringID is get_or_create_string_id/1: the StringID of ref,
// stored if it was not (httpc may deliver before the mapping is stored).
// The holder variant re-creates the table when the lookup found it gone.
func (s *shim) getOrCreateStringID(st *stream, ref Ref) StringID {
	id, found, lost := s.lookupStringByRef(st, ref)
	if found {
		return id
	}
	if lost {
		s.ensureRefTable(st)
	}
	id = refToString(ref)
	s.storeRefMapping(st, id, ref)
	return id
}

// requestStreamMessages is request_stream_messages/6, run by the stream
// process: make sure the tables exist (original, holder), start the httpc
// request, store its mapping, and return the request's StringID.
func (s *shim) requestStreamMessages(st *stream) StringID {
	s.ensureTables(st)
	ref := s.r.httpcRequest(st)
	id := refToString(ref)
	s.storeRefMapping(st, id, ref)
	return id
}

// decoded is what decode_stream_message_for_selector returns.
type decoded struct {
	kind   httpKind
	id     StringID
	data   string // streamChunk
	reason string // streamFail
}

// decode is decode_stream_message_for_selector/1. It runs inside the stream
// process's receive (the selector), so a badarg here kills the stream
// process, and no callback fires.
func (s *shim) decode(st *stream, m httpMsg) decoded {
	id := s.getOrCreateStringID(st, m.Ref)
	d := decoded{kind: m.Kind, id: id}
	switch m.Kind {
	case streamStart:
		s.maybeStoreStreamZlib(st, id, m.Gzip)
	case streamChunk:
		d.data = s.maybeDecompressStreamChunk(st, id, m.Data)
	case streamEnd, streamFail:
		s.cleanupStreamZlib(st, id)
		s.removeRefMapping(st, id)
		d.reason = m.Reason
	}
	return d
}
