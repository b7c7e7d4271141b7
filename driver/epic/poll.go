package epic

import (
	"context"
	"fmt"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// Poll takes one reading from GET /summary, which carries hash rate,
// shares, uptime, fans, pools, board temperatures and the power supply's
// measured input power, plus two optional reads: /temps for each board's
// coldest and hottest PCB sensor (inlet and outlet) and /capabilities for
// the chip count of a board. When an optional read fails the reading is
// still returned and the failure listed in PollErrors.
//
// UMC reports no per-chip temperature in /summary (its /temps/chip reads
// 0.0 on boards without chip sensors), so Board.ChipTemp stays zero.
func (d *Driver) Poll(ctx context.Context, t hearth.Target) (*hearth.Reading, error) {
	base, hostport, err := baseURL(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()

	body, latency, err := d.exchange(ctx, base, pathSummary, nil)
	if err != nil {
		return nil, fmt.Errorf("epic poll %s: %w", hostport, err)
	}
	s, err := decodeSummary(body)
	if err != nil {
		return nil, fmt.Errorf("epic poll %s: %w", hostport,
			hearth.WrapError(hearth.EPROTOCOL, err, "Miner's reply to %s is not a UMC summary: %q.", pathSummary, web.Excerpt(body)))
	}

	var pollErrors []string
	var temps boardTemps
	if body, l, err := d.exchange(ctx, base, pathTemps, nil); err != nil {
		pollErrors = append(pollErrors, fmt.Sprintf("%s: %s", pathTemps, hearth.ErrorMessage(err)))
	} else if temps, err = decodeBoardTemps(body); err != nil {
		pollErrors = append(pollErrors, fmt.Sprintf("%s: reply is not a temperature list: %q", pathTemps, web.Excerpt(body)))
	} else {
		latency = shortest(latency, l)
	}
	chips := 0
	if body, l, err := d.exchange(ctx, base, pathCapabilities, nil); err != nil {
		pollErrors = append(pollErrors, fmt.Sprintf("%s: %s", pathCapabilities, hearth.ErrorMessage(err)))
	} else if caps, err := decodeCapabilities(body); err != nil {
		pollErrors = append(pollErrors, fmt.Sprintf("%s: reply has no Model: %q", pathCapabilities, web.Excerpt(body)))
	} else {
		chips = caps.chipsPerBoard()
		latency = shortest(latency, l)
	}

	r := s.reading(temps, chips)
	r.Time = time.Now()
	r.Latency = latency
	r.PollErrors = pollErrors
	return r, nil
}

// shortest returns the smaller of two latencies, ignoring zero (unknown).
func shortest(a, b time.Duration) time.Duration {
	if a == 0 || (b > 0 && b < a) {
		return b
	}
	return a
}
