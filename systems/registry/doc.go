// Package registry is weft's reference system for a named table that dies
// with its creator: the streaming HTTP client of dream_http_client (a Gleam
// library over Erlang's httpc), the incident "Fix silent stream crashes
// caused by ETS table ownership" (PR 66), the fix that PR first tried, the
// design it merged, and that design with the two additions it needs to keep
// a stream from vanishing silently.
//
// # The system
//
// The library, modelled on weft's OTP processes and owned tables, function
// for function (shim.go, stream.go, library.go):
//
//   - A caller (a request handler, a task: a short-lived process) calls
//     start_stream, which makes sure the tables exist (ensure_ets_tables)
//     and spawns a stream process, unlinked, and returns. The caller hands
//     off to a waiting side and exits, here at once or after lingering a
//     drawn while.
//   - The stream process calls request_stream_messages: it makes sure the
//     tables exist too, starts an httpc request, which returns a Ref at
//     once, and stores the mapping between the Ref and its StringID in both
//     directions. Then it loops: a selective receive of httpc's messages
//     ({http, {Ref, stream_start | stream | stream_end | {error, R}}}), with
//     a StreamTimeout, whose selector decodes each message
//     (decode_stream_message_for_selector): get_or_create_string_id looks
//     the Ref up; stream_start stores a zlib context for a gzip stream;
//     each chunk is decompressed with it; the end cleans up both. Then the
//     stream calls the request's callback (on_stream_start, on_stream_chunk,
//     on_stream_end, on_stream_error), which sends to the waiting side.
//   - httpc: each request gets a handler process that plays the server's
//     response to the stream process, after network delays drawn from the
//     world (httpc.go).
//   - The tables: RefTable (the incident's dream_http_client_ref_mapping, a
//     named public set) and ZlibTable for the per-stream decompression state.
//     The library kept its zlib contexts in the reference table; the issue
//     gives them a table of their own, created and owned the same way, so a
//     stream depends on two tables.
//   - ensure (ensure_ref_mapping_table, and the same for the zlib table):
//     ets:info, then, if the table is missing, ets:new, owned by the calling
//     process. Both are scheduling points: two first calls can both see
//     "missing", and the second ets:new fails with badarg.
//   - The waiting side waits for the stream's callbacks and gives up only at
//     MonitorTimeout (900 s of virtual time).
//
// So, as in production: the table belongs to whichever short-lived process
// created it, a caller or a stream process; when that process exits, the
// table goes; the next lookup in another stream's receive loop raises badarg,
// the stream process dies, no callback fires (it was spawned unlinked), and
// the waiting side hangs until the monitor timeout. No flag says "be buggy":
// the defect comes from those code paths alone.
//
// # Workloads
//
// Each run draws one of the incident's own scenarios, the regression tests
// of PR 66 (workload.go): streams from callers that exit right away; a fast
// stream (about a second) and a slow one (about ten seconds) concurrently,
// followed by a trickle of fast requests as production traffic would; two or
// three sequential streams; three concurrent streams at drawn offsets; and a
// 5-way concurrent burst. Speeds, delays, chunk counts, compression, whether
// the server ends the stream with an error, and how long callers linger are
// all decisions of the world, so the explorer varies the workload and the
// schedule together and the shrinker simplifies both.
//
// # Variants
//
//   - original: the library as it was.
//   - holder: PR 66's first commit. ensure creates the table inside
//     try/catch error:badarg, spawns a bare, unsupervised holder process and
//     gives the table away to it (ets:give_away); all seven table access
//     functions are wrapped in try/catch error:badarg with a safe fallback
//     (none for lookups, ok for writes and deletes, the raw data for
//     decompression); get_or_create_string_id re-creates the table on
//     badarg.
//   - appowned: PR 66's merged commit, exactly as written. The library is
//     an OTP application: its start callback creates both tables, owned by
//     the application master for the application's lifetime, and starts
//     dream_http_client_sup, a supervisor with no children; the lazy
//     creation is gone; table accesses are plain calls again, so a missing
//     table is a crash. Nothing else changed: start_stream still spawns the
//     stream process unlinked from the caller, and the waiting side watches
//     nothing but its mailbox.
//   - supervised: our design, appowned plus the two things it needs for a
//     crash to be loud rather than silent (see "Verdicts"): start_stream
//     asks the application's stream manager (a permanent child of its
//     supervisor, which allows no restart) to start the stream process
//     linked to it, and the manager turns a stream process's abnormal exit
//     into on_stream_error; and the waiting side watches the application (a
//     monitor on its master), so the application's death, which takes the
//     manager and its streams with it, reaches the waiting side too.
//     start_stream finds the manager that the application's start callback
//     recorded before the start returned, so the manager that runs a
//     stream is always the one of the application its waiting side watches.
//
// The variants share one code path (shim.go) and differ where their diffs
// do: whether ensure is lazy, whether it hands the table to a holder,
// whether the accesses are guarded, who owns the tables, and (library.go)
// how start_stream starts the stream process and what the waiting side
// watches.
//
// # Properties
//
// Five properties judge every variant (properties.go):
//
//   - P1 no silent stream: every started stream ends, from its waiting side's
//     point of view, with on_stream_end or on_stream_error within EndBound
//     (a third of the monitor timeout). Judged without faults.
//   - P2 first use is safe: any number of concurrent first calls never crash
//     a caller of start_stream. Judged without faults.
//   - P3 the reference table is linearizable: the table records its
//     operations in the run's history (ets.Options.Record); at the end
//     of the run, porcupine checks them against model.KV, partitioned by key
//     (Linearizable). The table is judged by its name, as the library uses
//     it: a table that dies and comes back empty under the same name has
//     lost its users' mappings. A failing check writes porcupine's HTML view,
//     annotated with the scheduler steps of the run's table deaths, crashes,
//     kills and faults. Judged without faults.
//   - P4 nothing is masked: a lookup that could not be performed never
//     returns a made-up value that the stream then uses as if real: every
//     chunk that reaches on_stream_chunk is the body part the server sent.
//     Judged under process-kill faults.
//   - P5 no silent loss: under process-kill faults, no stream is silently
//     lost: it completes, or its waiting side gets an error or sees the
//     application die.
//
// P1, P2, P4 and P5 are checked inside the run, the moment a violation
// shows, and fail it with World.Fatalf and the story of the failure: which
// stream, which library function, which table, who owned it and how that
// process ended. The stories name streams and processes, never steps or
// times, so that a failure keeps its signature while the shrinker simplifies
// its schedule; the timeline has the steps. P3 and the kill faults live in
// the run's configuration: use Configure(p) with Scenario(v, p).
//
// Process-kill faults (KillRate per scheduling point) may end any process
// but the harness's main process and the waiting sides, whose point of view
// the properties take: callers, stream processes, httpc handlers, holders,
// and the application master, its supervisor and its stream manager.
// Killing the master destroys its tables at once and takes the application
// down, as on the BEAM (otp.Application).
//
// # Verdicts
//
// go test ./systems/registry -run TestVerdicts -v explores every pair under
// the random walk and then under PCT of depth 3 (package
// systems/internal/verdict) and prints one VERDICT line each, with the
// strategy and seed that found a failure and the command that replays it.
// The simulation finds:
//
//	original    P1 FAIL  P2 FAIL  P3 FAIL  P4 FAIL  P5 FAIL
//	holder      P1 pass  P2 pass  P3 pass  P4 FAIL  P5 FAIL
//	appowned    P1 pass  P2 pass  P3 pass  P4 pass  P5 FAIL
//	supervised  P1 pass  P2 pass  P3 pass  P4 pass  P5 pass
//
// The issue expected original to fail P1 and P2 (it does, in the calm
// schedule for P1: the incident needs no preemption), holder to pass P1 to
// P3 and fail P4 or P5 once its holder can be killed, and appowned to pass
// everything. That last expectation is wrong for the merged code; the
// simulation finds:
//
//   - original fails P3, P4 and P5 too. P3: a table that died and was made
//     again answers "not found" for a mapping stored before. P4: under
//     steady traffic the table usually comes back before a slow stream's
//     next message, and then the stream does not crash: it finds no zlib
//     context in the new, empty table and hands its waiting side the raw,
//     compressed chunk. P5 fails without any fault, as P1 does.
//   - holder fails both P4 and P5. P4: a killed holder takes its table with
//     it, and the try/catch turns the failed decompression into raw data;
//     also, a holder killed before the ets:give_away makes the give_away fail
//     with badarg, which the same try/catch swallows, so the short-lived
//     creator keeps the table after all. P5: the stream processes are still
//     spawned unlinked, so a killed stream process is as silent as in the
//     incident.
//   - appowned, PR 66's merged commit as written, passes P1 to P4 (the
//     tables live as long as the application, and no access is guarded, so
//     nothing is masked) but fails P5 at the first run explored, and in
//     over half of all runs under kill faults. The merged commit moved the
//     tables' ownership and nothing else: start_stream still spawns the
//     stream process unlinked, and the waiting side still watches nothing.
//     So the kill of a stream process is the incident's silence with
//     another cause. The shrunk failure is a single kill fault and no
//     preemption: stream process s5 is killed right after it starts its
//     httpc request; no callback fires, nobody is linked to hear the exit,
//     the application stays up, and s5's waiting side hears nothing until
//     the monitor timeout ("its stream process was killed (an injected
//     fault); it was spawned unlinked, so no on_stream_error fired and
//     nobody noticed"). The death of the master or its supervisor is
//     silent too: the application goes, its tables with it, each stream
//     process dies of badarg at its next table access, unlinked, and no
//     waiting side watches the application. "A missing table is a loud
//     crash" holds for the process that crashes, not for the request whose
//     callbacks it carried. Kills are P5's faults, not the incident's
//     (production saw none), so the merged commit does fix the incident
//     (P1 to P3 pass); it does not meet P5, and the issue's "appowned
//     passes all five" is wrong for it.
//   - supervised, our design, adds what P5 needs: a stream manager that
//     links to each stream process and turns its abnormal exit into
//     on_stream_error, and a monitor on the application master held by the
//     waiting side, for the deaths that take the manager too. Without the
//     monitor, a design with the manager still fails P5 when the master or
//     the manager dies (TestMonitorNeeded). With both, and with start_stream
//     finding the manager as below, it passes all five properties.
//
// The supervised design's two additions must meet: the manager that runs a
// stream has to belong to the application its waiting side watches. Issue
// 13 found the design losing a stream under PCT of depth 3 (seed 367) after
// 100,000 random runs had passed, when each manager recorded itself as the
// manager the first time it ran. The first application instance's master
// was killed after its supervisor had started the manager and before the
// boot heard that the application started; the boot started a second
// instance, whose manager had not run yet. So the caller of s1 reached the
// first instance's manager, still alive: it started s1, then, when its
// supervisor handled the master's exit, it exited and took s1 with it
// through the link, reporting nothing, while s1's waiting side watched the
// second instance, which stayed up (TestStaleManager replays that run). Now
// the application's start callback records its manager once its supervisor
// has started it, before the start returns (persistent_term or the
// application environment, in the library), and start_stream calls the
// recorded manager.
//
// Why no stream can then be lost. The record names the manager M of the
// running application A: only a start callback writes it, and the boot
// starts an instance only once the previous one's start has failed, so A's
// callback wrote it last; a failed instance's manager, which lives on until
// its supervisor handles its master's exit, is never found. start_stream
// runs once A has started, so every stream process is linked to M. While M
// lives, a stream process that ends abnormally reaches it as an exit
// message, and M calls on_stream_error; one that ends normally has called
// on_stream_end or on_stream_error itself. If M dies first, killed or shut
// down with its supervisor (which takes its streams with it through the
// links), A dies too: M is a permanent child of a supervisor that allows no
// restart, so the supervisor gives up and the master exits; and a master or
// supervisor that dies first takes M with it. The waiting side's monitor on
// A's master, set before its caller starts (a Down at once if A is already
// dead), then fires. So every stream that starts ends, for its waiting
// side, in a callback or in the death of the application it watches.
//
// With -verdict.runs=33334 every PASS stands on 100,002 runs, a third each
// under weft's default portfolio, the random walk and PCT of depth 3; go
// test runs 10,000 under each (3,334 with -short). The portfolio explores
// first, so a failure keeps the portfolio's seed and member (its VERDICT
// line names them); weft demo -strategy pct:3 finds each FAIL under PCT too.
//
// # Modelling notes
//
//   - A badarg is an Erlang exception: the model panics with sim's error
//     (must), the holder variant's try/catch is a deferred recover that takes
//     only errors wrapping sim.ErrBadArg, and a stream process made with
//     World.Spawn turns the panic into its exit reason, as the BEAM does.
//   - The harness's observations (who created and owns each table, which
//     library step a stream is in, what a try/catch absorbed) are
//     bookkeeping only: no scheduling point, no decision, so they never
//     change a run.
//   - At the end of a run, once every waiting side is done and everything is
//     judged, the harness stops the application and kills what the library
//     left running (holders wait forever by design), so the run ends
//     quiescent.
//   - supervised's record of its manager stands for what the library would
//     keep in persistent_term or the application environment. A registered
//     name (gen_server:start_link({local, dream_http_client_streams}, ...))
//     would hold on the BEAM too, being unique: a second instance's start
//     fails with already_started while the first instance's manager lives.
//     Modelled that way, the name conflict fails the supervisor's start,
//     and sim/otp's StartSupervisor then waits on a link that the failing
//     supervisor has already dropped: a kill between that unlink and the
//     supervisor's error reply leaves the application master waiting
//     forever (PCT depth 3 found it at seed 1447, a deadlock of the model's
//     library, not of the design). The record needs no failing start.
package registry
