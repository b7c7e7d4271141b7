package vnish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// userAgent names hearth to the miner so that an operator reading logs
// need not guess who is calling.
const userAgent = "hearth-vnish"

// httpClient sends the driver's requests.
type httpClient struct{ c *http.Client }

// newHTTPClient returns the HTTP drivers' hardened client (see
// web.NewTransport and web.NewClient): no keep-alives, proxies, HTTP/2,
// compression or redirects; VNish does not redirect its API, so a redirect
// means something else answers there.
func newHTTPClient() *httpClient {
	return &httpClient{c: web.NewClient(web.NewTransport())}
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
	traced, latency := web.TraceLatency(ctx)
	resp, err := c.open(traced, method, base, path, body, token, "application/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if err := web.ReadBody(ctx, resp, path, MaxReplyBytes, &b); err != nil {
		return nil, err
	}
	return &response{status: resp.StatusCode, body: b.Bytes(), latency: latency()}, nil
}

// open sends method base+path with an optional JSON body and bearer token,
// accepting the media type accept, and returns the response with its body
// unread, whatever its status; the caller closes the body. A failure of the
// exchange itself is a *hearth.Error as for do.
func (c *httpClient) open(ctx context.Context, method, base, path string, body []byte, token, accept string) (*http.Response, error) {
	req, err := web.NewRequest(ctx, method, base, path, body, accept, userAgent)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		return nil, web.TransportError(ctx, path, err)
	}
	return resp, nil
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
