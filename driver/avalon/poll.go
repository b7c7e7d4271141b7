package avalon

import (
	"context"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// pollCommands are the commands of one poll, sent one per connection and
// one at a time (Avalon's API does not take joined or concurrent
// commands): summary for rates and counters, pools, and stats for the
// Avalon blob (asic-rs reads the same three plus devs and version).
var pollCommands = [...]string{"summary", "pools", "stats"}

// Poll reads t with summary, pools and stats. A command that fails is
// listed in Reading.PollErrors as "<command>: <why>" and the rest of the
// reading is still filled; Poll returns an error only when all fail. When
// the first connection cannot be made, the others are not tried.
func (d *Driver) Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error) {
	addr := d.rpcAddr(t)
	start := time.Now()
	sw, err := cgminer.SendEach(ctx, addr, pollCommands[:], d.command)
	if err != nil {
		return nil, err
	}
	r := newReading(sw.Docs[0], sw.Docs[1], sw.Docs[2])
	r.Time = start
	r.Latency = sw.Latency
	r.PollErrors = sw.PollErrors
	return r, nil
}
