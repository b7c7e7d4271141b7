package axeos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// Poll takes one reading with a single GET of /api/system/info, which
// carries everything hearth records for a Bitaxe. Reading.Latency is that
// request's time to first byte; MinerID is left for the caller, who knows
// which miner t is. A reply that is not JSON, or JSON that is not AxeOS's
// system info, is EPROTOCOL.
func (d *Driver) Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error) {
	base, hostport, err := d.baseURL(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()

	info, latency, err := d.systemInfo(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("axeos poll %s: %w", hostport, err)
	}
	if !info.looksLikeAxeOS() {
		return nil, fmt.Errorf("axeos poll %s: %w", hostport,
			hearth.Errorf(hearth.EPROTOCOL, "Miner's reply to %s is JSON but not AxeOS system info (no ASICModel and hashRate).", pathSystemInfo))
	}
	r := info.reading(t.Model)
	r.Time = time.Now()
	r.Latency = latency
	return r, nil
}

// systemInfo fetches and decodes /api/system/info. A body that is not JSON
// is EPROTOCOL, with a short excerpt of what came instead.
func (d *Driver) systemInfo(ctx context.Context, base string) (*systemInfo, time.Duration, error) {
	rep, err := d.get(ctx, base, pathSystemInfo)
	if err != nil {
		return nil, 0, err
	}
	defer rep.release()
	info, err := decodeSystemInfo(rep.body())
	if err != nil {
		return nil, 0, hearth.WrapError(hearth.EPROTOCOL, err, "Miner's reply to %s is not JSON: %q.", pathSystemInfo, web.Excerpt(rep.body()))
	}
	return info, rep.latency, nil
}

// isNotJSON reports whether err is systemInfo's complaint about a body that
// is not JSON.
func isNotJSON(err error) bool { return errors.Is(err, errNotJSON) }
