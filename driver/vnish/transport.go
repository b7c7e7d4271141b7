package vnish

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
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
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// userAgent names hearth to the miner so that an operator reading logs
// need not guess who is calling.
const userAgent = "hearth-vnish"

// maxHeaderBytes caps the response head; a server sending megabytes of
// headers is cut off here.
const maxHeaderBytes = 32 << 10

// httpClient sends the driver's requests.
type httpClient struct{ c *http.Client }

// newHTTPClient returns a client without keep-alives (a miner is polled
// once per interval, far apart compared with a LAN connection's set-up),
// proxies (miners sit on the local network), HTTP/2, compression (no reply
// can inflate past MaxReplyBytes) or redirects (VNish does not redirect its
// API, so a redirect means something else answers there).
func newHTTPClient() *httpClient {
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{KeepAlive: -1}).DialContext,
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	return &httpClient{c: &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// response is one answer: its status and (bounded) body, and its time to
// first byte.
type response struct {
	status  int
	body    []byte
	latency time.Duration
}

// do sends method base+path with an optional JSON body and bearer token and
// returns the answer whatever its status, its body read to at most
// MaxReplyBytes. Failures of the exchange itself are *hearth.Error:
// ETIMEOUT when ctx expires (also mid-body), ETOOLARGE for an oversized head
// or body, EPROTOCOL for bytes that are not HTTP, EUNAVAILABLE otherwise.
func (c *httpClient) do(ctx context.Context, method, base, path string, body []byte, token string) (*response, error) {
	start := time.Now()
	var wrote, first atomic.Int64
	trace := &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { wrote.Store(int64(time.Since(start))) },
		GotFirstResponseByte: func() { first.Store(int64(time.Since(start))) },
	}
	resp, err := c.open(httptrace.WithClientTrace(ctx, trace), method, base, path, body, token, "application/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > MaxReplyBytes {
		return nil, hearth.Errorf(hearth.ETOOLARGE, "Miner's reply to %s is %d bytes, more than the %d accepted.", path, resp.ContentLength, MaxReplyBytes)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplyBytes+1))
	if err != nil {
		return nil, transportError(ctx, path, err)
	}
	if len(b) > MaxReplyBytes {
		return nil, hearth.Errorf(hearth.ETOOLARGE, "Miner's reply to %s exceeds the %d bytes accepted.", path, MaxReplyBytes)
	}
	latency := time.Duration(first.Load() - wrote.Load())
	if latency < 0 || wrote.Load() == 0 {
		latency = 0
	}
	return &response{status: resp.StatusCode, body: b, latency: latency}, nil
}

// open sends method base+path with an optional JSON body and bearer token,
// accepting the media type accept, and returns the response with its body
// unread, whatever its status; the caller closes the body. A failure of the
// exchange itself is a *hearth.Error as for do.
func (c *httpClient) open(ctx context.Context, method, base, path string, body []byte, token, accept string) (*http.Response, error) {
	var payload io.Reader
	if body != nil {
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
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.c.Do(req)
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

// statusError is the cause of an error for an unexpected HTTP status.
type statusError struct {
	code int
	// detail is the firmware's own explanation ({"err": …}), if any.
	detail string
}

func (e *statusError) Error() string {
	if e.detail != "" {
		return fmt.Sprintf("HTTP %d %s: %s", e.code, http.StatusText(e.code), e.detail)
	}
	return fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
}

// statusFailure turns a non-200 answer to method path into an error: 401 and
// 403 are EAUTH (the token or the password was refused), 404 and 405
// EUNSUPPORTED (this release lacks the endpoint), 400 and 422 EINVALID (the
// firmware refused the values), anything else EUNAVAILABLE. VNish's
// {"err": "…"} body is kept, made safe to show.
func statusFailure(method, path string, r *response) error {
	cause := &statusError{code: r.status, detail: errDetail(r.body)}
	switch r.status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return hearth.WrapError(hearth.EAUTH, cause, "Miner refused %s %s with %s: check the VNish password.", method, path, cause)
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return hearth.WrapError(hearth.EUNSUPPORTED, cause, "Miner has no %s %s (answered %s): the VNish release is too old or this is not VNish.", method, path, cause)
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return hearth.WrapError(hearth.EINVALID, cause, "Miner rejected the values sent to %s %s (%s).", method, path, cause)
	}
	return hearth.WrapError(hearth.EUNAVAILABLE, cause, "Miner answered %s %s with %s.", method, path, cause)
}

// errDetail returns the "err" text of a VNish error body, made safe to show.
func errDetail(body []byte) string {
	var e struct {
		Err string `json:"err"`
	}
	if json.Unmarshal(body, &e) != nil || e.Err == "" {
		return ""
	}
	return web.Excerpt([]byte(e.Err))
}

// decode unmarshals a 200 body into v, or returns EPROTOCOL with an excerpt.
func decode(path string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return hearth.WrapError(hearth.EPROTOCOL, err, "Miner's reply to %s is not the JSON VNish sends: %q.", path, web.Excerpt(body))
	}
	return nil
}
