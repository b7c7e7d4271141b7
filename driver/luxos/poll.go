package luxos

import (
	"context"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// pollCommands are the commands of one poll, one connection each: summary
// (rates, shares, uptime), pools, stats (boards, chips, temperatures,
// fans, in bmminer's layout, which LuxOS keeps) and power (the measured
// wall power). Four connections, one after the other, so that a poll
// holds at most one connection to the miner at a time.
var pollCommands = [...]string{"summary", "pools", "stats", "power"}

// Poll reads t with summary, pools, stats and power. A command that fails
// is listed in Reading.PollErrors as "<command>: <why>" and the rest of
// the reading is still filled; Poll returns an error only when all fail.
// When the first connection cannot even be made, the others are not
// tried, as nothing listens there.
func (d *Driver) Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error) {
	addr := rpcAddr(t)
	start := time.Now()
	sw, err := cgminer.SendEach(ctx, addr, pollCommands[:], d.RPC.Command)
	if err != nil {
		return nil, err
	}
	r := newReading(sw.Docs[0], sw.Docs[1], sw.Docs[2], sw.Docs[3])
	r.Time = start
	r.Latency = sw.Latency
	r.PollErrors = sw.PollErrors
	return r, nil
}
