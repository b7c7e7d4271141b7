package axeos

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// pathLogs is ESP-Miner's log buffer as text (v2.15.0 and later).
const pathLogs = "/api/system/logs"

// FetchLogs reads the firmware's log buffer from GET /api/system/logs,
// within hearth.MaxLogSize. Releases before v2.15.0 only stream the log
// over a websocket and get EUNSUPPORTED naming the release needed.
func (d *Driver) FetchLogs(ctx context.Context, t hearth.Target) (*hearth.MinerLog, error) {
	base, hostport, err := d.baseURL(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+pathLogs, nil)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Bad miner address %q.", base)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("axeos logs %s: %w", hostport, web.TransportError(ctx, pathLogs, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("axeos logs %s: %w", hostport, controlError(statusFailure(pathLogs, resp), http.MethodGet, pathLogs, "v2.15.0"))
	}
	return web.ReadLog(ctx, resp.Body, pathLogs, time.Now())
}
