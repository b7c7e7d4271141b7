package whatsminer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// Poll reads t. It first learns the API (get_version), then reads, one
// connection at a time: API v2 summary, devs and pools on 4028, or API v3
// get.miner.status summary, edevs and pools on 4433. A command that fails
// is listed in Reading.PollErrors as "<command>: <why>"; Poll returns an
// error only when every command failed.
func (d *Driver) Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error) {
	start := time.Now()
	v, err := d.detect(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("poll %s: %w", t.Address, err)
	}
	var names [3]string
	var docs [3]*cgminer.Document
	var errs [3]error
	var latency time.Duration
	note := func(fb time.Duration) {
		if fb > 0 && (latency == 0 || fb < latency) {
			latency = fb
		}
	}
	if v.API == apiV3 {
		names = [3]string{"get.miner.status summary", "get.miner.status edevs", "get.miner.status pools"}
		for i, p := range [3]string{"summary", "edevs", "pools"} {
			var fb time.Duration
			docs[i], fb, errs[i] = d.v3Read(ctx, t, "get.miner.status", p)
			note(fb)
			if errors.Is(errs[i], cgminer.ErrConnect) {
				break
			}
		}
	} else {
		names = [3]string{"summary", "devs", "pools"}
		for i, cmd := range names {
			reply, err := d.RPC.Command(ctx, d.v2Addr(t), cmd, "")
			if err != nil {
				errs[i] = err
				if errors.Is(err, cgminer.ErrConnect) {
					break
				}
				continue
			}
			docs[i] = &reply.Document
			note(reply.FirstByte)
		}
	}
	if docs[0] == nil && docs[1] == nil && docs[2] == nil {
		return nil, fmt.Errorf("poll %s: %w", t.Address, cmp.Or(errs[0], errs[1], errs[2]))
	}
	var r *hearth.Reading
	if v.API == apiV3 {
		r = v3Reading(docs[0], docs[1], docs[2])
	} else {
		r = v2Reading(docs[0], docs[1], docs[2])
	}
	for i, doc := range docs {
		switch {
		case errs[i] != nil:
			r.PollErrors = append(r.PollErrors, names[i]+": "+hearth.ErrorMessage(errs[i]))
		case doc == nil:
			r.PollErrors = append(r.PollErrors, names[i]+": not tried, the miner refused the connection")
		case doc.Truncated():
			r.PollErrors = append(r.PollErrors, names[i]+": reply was cut short; its later fields are missing")
		}
	}
	r.Time = start
	r.Latency = latency
	return r, nil
}
