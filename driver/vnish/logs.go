package vnish

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// pathMinerLog is the miner program's log as text (GET /logs/{log_type},
// log_type "miner"): the chains found with their chip counts, the pools
// connected, the frequency set and the warnings of the running miner. The
// other types ("status", "autotune", "system", "messages", "api") are
// narrower or about the operating system.
const pathMinerLog = apiPrefix + "/logs/miner"

// maxErrorBody bounds what is read of a refused log request for its
// {"err": …} explanation.
const maxErrorBody = 4 << 10

// FetchLogs reads the miner log from GET /api/v1/logs/miner, within the
// driver's timeout and hearth.MaxLogSize. The spec lists the logs among the
// reads that need no token, but some releases protect them: the cached
// token is sent when there is one, and a 401 unlocks with the password and
// retries once, as for the other reads.
func (d *Driver) FetchLogs(ctx context.Context, t hearth.Target) (*hearth.MinerLog, error) {
	ep, err := endpointOf(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	resp, err := d.openLog(ctx, ep)
	if err != nil {
		return nil, wrap("logs", ep, err)
	}
	defer resp.Body.Close()
	l, err := web.ReadLog(ctx, resp.Body, pathMinerLog, time.Now())
	if err != nil {
		return nil, wrap("logs", ep, err)
	}
	return l, nil
}

// openLog requests the miner log and returns a 200 response with its body
// unread, unlocking and retrying once when the miner answers 401.
func (d *Driver) openLog(ctx context.Context, ep endpoint) (*http.Response, error) {
	tok := d.token(ep)
	resp, err := d.client.open(ctx, http.MethodGet, ep.base, pathMinerLog, nil, tok, "text/plain")
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		resp.Body.Close()
		d.forgetToken(ep, tok)
		if tok, err = d.unlock(ctx, ep); err != nil {
			return nil, err
		}
		if resp, err = d.client.open(ctx, http.MethodGet, ep.base, pathMinerLog, nil, tok, "text/plain"); err != nil {
			return nil, err
		}
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, statusFailure(http.MethodGet, pathMinerLog, &response{status: resp.StatusCode, body: body})
	}
	return resp, nil
}
