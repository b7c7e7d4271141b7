package epic

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hearth-fleet/hearth"
)

// userAgent names hearth to the miner, so that a network operator reading
// logs need not guess who is calling.
const userAgent = "hearth-epic"

// maxHeaderBytes caps the response head; UMC sends a handful of short
// headers, and a hostile server sending megabytes of them is cut off here.
const maxHeaderBytes = 32 << 10

// newHTTPClient returns the client every UMC request goes through.
//
// Keep-alives are off: a sweep polls each miner once per interval, so a
// kept connection would hold a descriptor on both ends for the whole
// interval to save one LAN handshake. Proxies from the environment are
// ignored (miners sit on the local network), HTTP/2 is never attempted,
// compression is off so that no reply can inflate past MaxReplyBytes, and
// redirects are not followed: UMC does not redirect its API, so one means
// something else answers there.
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            (&net.Dialer{KeepAlive: -1}).DialContext,
			DisableKeepAlives:      true,
			DisableCompression:     true,
			MaxResponseHeaderBytes: maxHeaderBytes,
			TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
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
	start := time.Now()
	var wrote, firstByte atomic.Int64
	trace := &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { wrote.Store(int64(time.Since(start))) },
		GotFirstResponseByte: func() { firstByte.Store(int64(time.Since(start))) },
	}
	resp, err := d.open(httptrace.WithClientTrace(ctx, trace), base, path, body, "application/json")
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		cause := &statusError{code: resp.StatusCode}
		return nil, 0, hearth.WrapError(hearth.EUNAVAILABLE, cause, "Miner answered %s with %s.", path, cause)
	}
	if resp.ContentLength > MaxReplyBytes {
		return nil, 0, hearth.Errorf(hearth.ETOOLARGE, "Miner's reply to %s is %d bytes, more than the %d accepted.", path, resp.ContentLength, MaxReplyBytes)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplyBytes+1))
	if err != nil {
		return nil, 0, transportError(ctx, path, err)
	}
	if len(b) > MaxReplyBytes {
		return nil, 0, hearth.Errorf(hearth.ETOOLARGE, "Miner's reply to %s exceeds the %d bytes accepted.", path, MaxReplyBytes)
	}
	latency := time.Duration(firstByte.Load() - wrote.Load())
	if latency < 0 || wrote.Load() == 0 {
		latency = 0
	}
	return b, latency, nil
}

// open sends one request for base+path — a GET when body is nil, a POST
// of the JSON body otherwise — accepting the media type accept, and
// returns the response with its body unread, whatever its status; the
// caller closes the body. A failure of the exchange itself is a
// *hearth.Error as for exchange.
func (d *Driver) open(ctx context.Context, base, path string, body []byte, accept string) (*http.Response, error) {
	method := http.MethodGet
	var payload io.Reader
	if body != nil {
		method = http.MethodPost
		payload = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, payload)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Bad miner address %q.", base)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return nil, transportError(ctx, path, err)
	}
	return resp, nil
}

// transportError maps a failure of the HTTP exchange itself to a code.
func transportError(ctx context.Context, path string, err error) error {
	var netErr net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return hearth.WrapError(hearth.ETIMEOUT, err, "Miner did not answer %s in time.", path)
	case errors.Is(ctx.Err(), context.Canceled), errors.Is(err, context.Canceled):
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Request for %s was canceled.", path)
	case errors.As(err, &netErr) && netErr.Timeout():
		return hearth.WrapError(hearth.ETIMEOUT, err, "Miner did not answer %s in time.", path)
	case strings.Contains(err.Error(), "response headers exceeded"):
		return hearth.WrapError(hearth.ETOOLARGE, err, "Miner's reply headers for %s exceed the %d bytes accepted.", path, maxHeaderBytes)
	case strings.Contains(err.Error(), "malformed HTTP"):
		return hearth.WrapError(hearth.EPROTOCOL, err, "Miner answered %s with something that is not HTTP.", path)
	default:
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Miner refused or dropped the connection for %s.", path)
	}
}
