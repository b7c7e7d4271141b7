package antminer

import (
	"context"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// pollCommands are the commands of one poll. Stock S19-class bmminer
// refuses joined commands ("summary+pools+stats"), so each is sent on its
// own connection. They go one after the other: the poller already polls
// many miners at once, and a sequential poll costs no goroutines and keeps
// at most one connection per miner open.
var pollCommands = [...]string{"summary", "pools", "stats"}

// Poll reads t with summary, pools and stats. A command that fails is
// listed in Reading.PollErrors as "<command>: <why>" and the rest of the
// reading is still filled; Poll returns an error only when all three fail.
// When the first connection cannot even be made, the others are not
// tried, as nothing listens there.
func (d *Driver) Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error) {
	addr := d.rpcAddr(t)
	start := time.Now()
	sw, err := cgminer.SendEach(ctx, addr, pollCommands[:], d.RPC.Command)
	if err != nil {
		return nil, err
	}
	r := newReading(t.Model, sw.Docs[0], sw.Docs[1], sw.Docs[2])
	r.Time = start
	r.Latency = sw.Latency
	r.PollErrors = sw.PollErrors
	return r, nil
}
