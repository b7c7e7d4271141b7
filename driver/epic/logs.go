package epic

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// pathLog is UMC's primary runtime log as plain text (spec 1.22.5 and
// 1.30.0: GET /log, "Returns the primary miner runtime log"). GET
// /log/error holds only the failures, which the runtime log also carries.
const pathLog = "/log"

// FetchLogs reads the runtime log from GET /log on the API port, within the
// driver's timeout and hearth.MaxLogSize. Like every UMC read it needs no
// password. A release without the endpoint (HTTP 404 or 405) gets
// EUNSUPPORTED.
func (d *Driver) FetchLogs(ctx context.Context, t hearth.Target) (*hearth.MinerLog, error) {
	base, hostport, err := baseURL(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	resp, err := d.open(ctx, base, pathLog, nil, "text/plain")
	if err != nil {
		return nil, fmt.Errorf("epic logs %s: %w", hostport, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return nil, fmt.Errorf("epic logs %s: %w", hostport, hearth.WrapError(hearth.EUNSUPPORTED, &statusError{code: resp.StatusCode},
			"Miner has no GET %s (answered HTTP %d): the UMC release is too old to serve its log.", pathLog, resp.StatusCode))
	default:
		cause := &statusError{code: resp.StatusCode}
		return nil, fmt.Errorf("epic logs %s: %w", hostport, hearth.WrapError(hearth.EUNAVAILABLE, cause, "Miner answered %s with %s.", pathLog, cause))
	}
	l, err := web.ReadLog(ctx, resp.Body, pathLog, time.Now())
	if err != nil {
		return nil, fmt.Errorf("epic logs %s: %w", hostport, err)
	}
	return l, nil
}
