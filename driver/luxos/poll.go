package luxos

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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
	var docs [len(pollCommands)]*cgminer.Document
	var errs [len(pollCommands)]error
	var latency time.Duration
	for i, cmd := range pollCommands {
		reply, err := d.RPC.Command(ctx, addr, cmd, "")
		if err != nil {
			errs[i] = err
			if errors.Is(err, cgminer.ErrConnect) {
				for j := i + 1; j < len(errs); j++ {
					errs[j] = err
				}
				break
			}
			continue
		}
		if reply.Truncated() {
			// Fields after the cut would read as zero; a cut-short
			// reply is a failed command, not a reading.
			errs[i] = hearth.Errorf(hearth.EPROTOCOL, "Reply was cut short.")
			continue
		}
		docs[i] = &reply.Document
		if latency == 0 || reply.FirstByte < latency {
			latency = reply.FirstByte
		}
	}
	if docs[0] == nil && docs[1] == nil && docs[2] == nil && docs[3] == nil {
		return nil, fmt.Errorf("poll %s: %w", addr, cmp.Or(errs[0], errs[1], errs[2], errs[3]))
	}
	r := newReading(docs[0], docs[1], docs[2], docs[3])
	r.Time = start
	r.Latency = latency
	for i, err := range errs {
		if err != nil {
			r.PollErrors = append(r.PollErrors, pollCommands[i]+": "+hearth.ErrorMessage(err))
		}
	}
	return r, nil
}
