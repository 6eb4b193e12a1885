package model_test

// The Lease model judging a world: a lease keeper that answers slowly, and
// holders that work under the lease and then write, fenced by it. A holder
// that counts its lease from when the grant reached it, rather than from
// when it asked, writes after the keeper's lease ran out: the history does
// not linearize. Counting from the request is safe.

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft"
	"github.com/weftsim/weft/model"
	"github.com/weftsim/weft/properties"
	"github.com/weftsim/weft/sim"
)

const (
	leaseTTL   = 10 * time.Millisecond
	slowAnswer = 3 * time.Millisecond // the keeper's answer takes this long to arrive
)

type grantReq struct {
	holder int
	reply  *sim.Chan[model.LeaseOutput] // granted or not, and when the keeper decided
}

// String keeps the reply channel's address out of the trace's data.
func (r grantReq) String() string { return fmt.Sprintf("acquire for #%d", r.holder) }

// leaseWorld runs a keeper and two holders; fromRequest says whether a
// holder counts its lease from its request (safe) or from the answer.
func leaseWorld(fromRequest bool) func(w *sim.World) {
	return func(w *sim.World) {
		reqs := sim.NewChan[grantReq](w, 0)
		w.Go("keeper", func() {
			holder, until := 0, time.Duration(0)
			for {
				r, ok := reqs.RecvOK()
				if !ok {
					return
				}
				answer := model.LeaseOutput{At: w.Elapsed()}
				if holder == 0 || answer.At >= until || holder == r.holder {
					holder, until, answer.OK = r.holder, answer.At+leaseTTL, true
				}
				w.Go("answer", func() { w.Sleep(slowAnswer); r.reply.Send(answer) })
			}
		})
		wg := sim.NewWaitGroup(w)
		for h := 1; h <= 2; h++ {
			wg.Go("holder", func() {
				w.Sleep(time.Duration(w.Intn(4)) * 5 * time.Millisecond)
				asked := w.Elapsed()
				id := w.Call(h, model.LeaseInput{Op: model.LeaseAcquire, Holder: h, TTL: leaseTTL})
				reply := sim.NewChan[model.LeaseOutput](w, 1)
				reqs.Send(grantReq{holder: h, reply: reply})
				answer := reply.Recv()
				w.Return(id, answer)
				if !answer.OK {
					return
				}
				expiry := w.Elapsed() + leaseTTL // BUG: counts from the answer
				if fromRequest {
					expiry = asked + leaseTTL
				}
				w.Sleep(time.Duration(w.Intn(5)) * 2 * time.Millisecond) // the work
				if w.Elapsed() < expiry {
					id := w.Call(h, model.LeaseInput{Op: model.LeaseCheck, Holder: h})
					w.Return(id, model.LeaseOutput{OK: true, At: w.Elapsed()}) // the fenced write
				}
			})
		}
		wg.Wait()
		reqs.Close()
	}
}

func TestLeaseJudgesAWorld(t *testing.T) {
	cfg := sim.Config{ReportDir: t.TempDir(), Properties: []sim.Property{properties.Linearizable(properties.Linearizability{
		Model: model.Lease, Message: "the fenced writes are not linearizable against a lease",
	})}}
	rep := weft.Explore(weft.Options{Runs: 300, CheckDeterminism: true, Config: cfg}, leaseWorld(false))
	require.NotNil(t, rep.Failure, "Explore missed the write after expiry")
	require.Contains(t, rep.Failure.Shrunk.Failure.Error(), "the fenced writes are not linearizable against a lease")
	seed := rep.Failure.Seed
	cfg.Seed = seed
	first, again := sim.Run(cfg, leaseWorld(false)), sim.Run(cfg, leaseWorld(false))
	require.NotNil(t, first.Failure)
	require.Equal(t, first.Hash, again.Hash, "same seed, same run")

	safe := weft.Explore(weft.Options{Runs: 300, CheckDeterminism: true, Config: cfg}, leaseWorld(true))
	require.Nil(t, safe.Failure, "counting from the request never writes after expiry")
}
