package antminer

import (
	"context"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// logPath is the web CGI that serves bmminer's log as text.
const logPath = "/cgi-bin/log.cgi"

// FetchLogs reads the miner's log from the web CGI (Digest auth with the
// web credentials), within the web timeout and hearth.MaxLogSize.
func (d *Driver) FetchLogs(ctx context.Context, t hearth.Target) (*hearth.MinerLog, error) {
	ctx, cancel := web.WithDeadline(ctx, d.WebTimeout, DefaultWebTimeout)
	defer cancel()
	resp, err := d.webOpen(ctx, t, http.MethodGet, logPath, nil)
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	return web.ReadLog(ctx, resp.Body, logPath, time.Now())
}
