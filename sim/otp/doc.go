// Package otp gives the processes of a sim world OTP's supervisors and
// applications, built only from sim's process primitives (Spawn, links,
// monitors, exit signals, selective receive) and its Kernel, so they are
// exactly as deterministic as those are. Exit reasons (sim.Normal,
// sim.Shutdown, sim.ShutdownWith, sim.Killed, ...) belong to sim: they are
// the language's.
//
// # Supervisors
//
// A supervisor after OTP's supervisor module: a Spawned process that traps
// exits and follows the rules of supervisor.erl:
//
//   - It starts its children in spec order; a child whose start panics makes
//     the start fail, and the children already started are terminated.
//   - When a child ends, its RestartType decides: Permanent children are
//     always restarted, Transient ones only after an abnormal exit (any
//     reason but sim.Normal, sim.Shutdown or sim.ShutdownWith), Temporary
//     ones never (they leave the supervisor). Its RestartStrategy decides
//     which other children are restarted with it.
//   - Every restart counts against the restart intensity: more than
//     MaxRestarts restarts within Period of virtual time (a restart exactly
//     Period ago still counts, as in OTP) and the supervisor gives up: it
//     terminates its children and exits with reason sim.Shutdown.
//   - It terminates children in reverse start order. Terminating a child is
//     OTP's shutdown/2: monitor it, send it the exit signal sim.Shutdown (or
//     sim.Kill when its Shutdown is 0), wait for its Down up to its Shutdown
//     duration, then kill it, and finally unlink and flush its ExitMsg.
//   - When its parent (the process that started it) ends with any reason,
//     even sim.Normal, it terminates its children and exits with that
//     reason, as a gen_server does when its parent's EXIT arrives.
//
// Its acts (starts, exits, restarts, terminations, giving up) are trace
// events on its own column of a timeline.
//
// # Applications
//
// An application after OTP's: an application master process that runs the
// application's start callback, so that what the callback creates (tables,
// above all) is owned by the master and lives exactly as long as the
// application; and a top process, usually a supervisor, that the callback
// starts linked to the master. The master traps exits:
//
//   - When the top process ends, with any reason, the application has
//     terminated: the master exits with the same reason (a permanent
//     application on the BEAM would take the node down with it).
//   - When the master ends for any other reason (it is killed, say), its
//     owned resources go at once, and its link ends the top process: a
//     supervisor sees its parent's exit and terminates its tree in order.
//   - Application.Stop terminates the top process first (exit signal
//     sim.Shutdown, waiting for it to end however long its tree takes),
//     then the master, which exits with reason sim.Shutdown, so the
//     resources go last.
//
// # Usage
//
// An application whose master owns a table and whose top supervisor runs
// one worker, in a process of a world w:
//
//	app, err := otp.StartApplication(w, "registry", func(app *otp.Application) (*sim.Proc, error) {
//		if _, err := ets.New[string, int](w, ets.Options{Name: "refs", Access: ets.Public}); err != nil {
//			return nil, err
//		}
//		sup, err := otp.StartSupervisor(w, "registry_sup", otp.SupervisorSpec{
//			Children: []otp.ChildSpec{{ID: "stream", Run: stream}},
//		})
//		if err != nil {
//			return nil, err
//		}
//		return sup.Proc(), nil
//	})
//
// # Index
//
// Supervisors: StartSupervisor (supervisor:start_link), SupervisorSpec,
// ChildSpec, RestartStrategy (OneForOne, OneForAll, RestForOne), RestartType
// (Permanent, Transient, Temporary), Supervisor and its Which
// (supervisor:which_children) and Stop, ChildInfo.
//
// Applications: StartApplication (application:start), Application and its
// Master, Alive and Stop.
package otp
