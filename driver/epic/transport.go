package epic

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// userAgent names hearth to the miner, so that a network operator reading
// logs need not guess who is calling.
const userAgent = "hearth-epic"

// newHTTPClient returns the client every UMC request goes through: the
// HTTP drivers' hardened client (see web.NewTransport and web.NewClient;
// UMC does not redirect its API either).
func newHTTPClient() *http.Client {
	return web.NewClient(web.NewTransport())
}

// defaultClient serves a zero Driver.
var defaultClient = newHTTPClient()

func (d *Driver) httpClient() *http.Client {
	if d.client == nil {
		return defaultClient
	}
	return d.client
}

// statusError is the cause of an error for a non-200 answer; Identify and
// the control verbs inspect its code.
type statusError struct{ code int }

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
}

// exchange sends one request for base+path — a GET when body is nil, a
// POST of the JSON body otherwise — and returns the body of a 200 answer,
// at most MaxReplyBytes long, with the time from the request having been
// written to the first byte of the answer. Every failure is a
// *hearth.Error: ETIMEOUT when ctx expires (also in the middle of a
// trickling body), EUNAVAILABLE for a refused or dropped connection or a
// non-200 status, ETOOLARGE for an oversized head or body, EPROTOCOL for
// bytes that are not HTTP (such as a CGMiner socket's answer).
func (d *Driver) exchange(ctx context.Context, base, path string, body []byte) ([]byte, time.Duration, error) {
	traced, latency := web.TraceLatency(ctx)
	resp, err := d.open(traced, base, path, body, "application/json")
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		cause := &statusError{code: resp.StatusCode}
		return nil, 0, hearth.WrapError(hearth.EUNAVAILABLE, cause, "Miner answered %s with %s.", path, cause)
	}
	var b bytes.Buffer
	if err := web.ReadBody(ctx, resp, path, MaxReplyBytes, &b); err != nil {
		return nil, 0, err
	}
	return b.Bytes(), latency(), nil
}

// open sends one request for base+path — a GET when body is nil, a POST
// of the JSON body otherwise — accepting the media type accept, and
// returns the response with its body unread, whatever its status; the
// caller closes the body. A failure of the exchange itself is a
// *hearth.Error as for exchange.
func (d *Driver) open(ctx context.Context, base, path string, body []byte, accept string) (*http.Response, error) {
	method := http.MethodGet
	if body != nil {
		method = http.MethodPost
	}
	req, err := web.NewRequest(ctx, method, base, path, body, accept, userAgent)
	if err != nil {
		return nil, err
	}
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return nil, web.TransportError(ctx, path, err)
	}
	return resp, nil
}
