package vnish

import (
	"context"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Poll takes one reading with GET /api/v1/summary, which carries the hash
// rate, power, boards, fans and pools. The hash-rate unit comes from
// /api/v1/info, read once per miner and remembered; when that read fails
// the reading assumes GH/s and lists the failure in PollErrors. Latency is
// the summary request's time to first byte; MinerID is left to the caller.
func (d *Driver) Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error) {
	ep, err := endpointOf(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()

	r, err := d.send(ctx, ep, http.MethodGet, pathSummary, nil, false)
	if err != nil {
		return nil, wrap("poll", ep, err)
	}
	sum, err := decodeSummary(r.body)
	if err != nil {
		return nil, wrap("poll", ep, err)
	}
	unit, unitErr := d.hashUnit(ctx, ep)
	reading := sum.reading(unit)
	if unitErr != nil {
		reading.PollErrors = append(reading.PollErrors, pathInfo+": "+hearth.ErrorMessage(unitErr)+" (hash rates read as GH/s)")
	}
	reading.Time = time.Now()
	reading.Latency = r.latency
	return reading, nil
}
