package avalon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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
	var docs [len(pollCommands)]*cgminer.Document
	var errs [len(pollCommands)]error
	var latency time.Duration
	for i, cmd := range pollCommands {
		reply, err := d.command(ctx, addr, cmd, "")
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
			errs[i] = hearth.Errorf(hearth.EPROTOCOL, "Reply was cut short.")
			continue
		}
		docs[i] = &reply.Document
		if latency == 0 || reply.FirstByte < latency {
			latency = reply.FirstByte
		}
	}
	if docs[0] == nil && docs[1] == nil && docs[2] == nil {
		return nil, fmt.Errorf("poll %s: %w", addr, cmp.Or(errs[0], errs[1], errs[2]))
	}
	r := newReading(docs[0], docs[1], docs[2])
	r.Time = start
	r.Latency = latency
	for i, err := range errs {
		if err != nil {
			r.PollErrors = append(r.PollErrors, pollCommands[i]+": "+hearth.ErrorMessage(err))
		}
	}
	return r, nil
}
