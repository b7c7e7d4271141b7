package antminer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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
			// Every field after the cut would read as zero: counters
			// that seem reset, boards that seem dead. A cut-short reply
			// is a failed command, not a reading.
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

	r := newReading(t.Model, docs[0], docs[1], docs[2])
	r.Time = start
	r.Latency = latency
	for i, err := range errs {
		if err != nil {
			r.PollErrors = append(r.PollErrors, pollCommands[i]+": "+hearth.ErrorMessage(err))
		}
	}
	return r, nil
}
