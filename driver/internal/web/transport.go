package web

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hearth-fleet/hearth"
)

// MaxHeaderBytes caps a miner's response head: firmware sends a handful
// of short headers, and a hostile server sending megabytes of them is cut
// off here.
const MaxHeaderBytes = 32 << 10

// NewTransport returns the transport every HTTP driver's requests go
// through. Keep-alives are off: a sweep polls each miner once per interval,
// so a kept connection would hold a descriptor on both ends for the whole
// interval to save one LAN handshake. Proxies from the environment are
// ignored (miners sit on the local network), HTTP/2 is never attempted,
// compression is off so that no reply can inflate past the driver's cap,
// and the head is capped at MaxHeaderBytes.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{KeepAlive: -1}).DialContext,
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: MaxHeaderBytes,
		ForceAttemptHTTP2:      false,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
}

// NewClient returns a client over rt that does not follow redirects: no
// miner firmware hearth speaks to redirects its API, so a redirect means
// something else answers there, and following it could send a password to
// another host.
func NewClient(rt http.RoundTripper) *http.Client {
	return &http.Client{
		Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// NewRequest builds a request for method base+path with an optional JSON
// body, asking for the media type accept and naming hearth's driver as
// userAgent, so that a network operator reading logs need not guess who is
// calling. A bad base is EINVALID.
func NewRequest(ctx context.Context, method, base, path string, body []byte, accept, userAgent string) (*http.Request, error) {
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
	return req, nil
}

// TraceLatency returns ctx with a trace that times one request, and a
// function that reports the time from the request having been written to
// the first byte of the answer (0 when it was never written): hearth's
// Reading.Latency, which excludes the connection's set-up.
func TraceLatency(ctx context.Context) (context.Context, func() time.Duration) {
	start := time.Now()
	var wrote, firstByte atomic.Int64
	trace := &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { wrote.Store(int64(time.Since(start))) },
		GotFirstResponseByte: func() { firstByte.Store(int64(time.Since(start))) },
	}
	latency := func() time.Duration {
		l := time.Duration(firstByte.Load() - wrote.Load())
		if l < 0 || wrote.Load() == 0 {
			return 0
		}
		return l
	}
	return httptrace.WithClientTrace(ctx, trace), latency
}

// ReadBody reads the body of resp, the answer to path, into buf, refusing
// with ETOOLARGE a body longer than max bytes (announced or actual) so that
// a hostile reply costs a bounded amount of memory. A read that fails
// midway is coded as TransportError codes it.
func ReadBody(ctx context.Context, resp *http.Response, path string, max int, buf *bytes.Buffer) error {
	if resp.ContentLength > int64(max) {
		return hearth.Errorf(hearth.ETOOLARGE, "Miner's reply to %s is %d bytes, more than the %d accepted.", path, resp.ContentLength, max)
	}
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, int64(max)+1)); err != nil {
		return TransportError(ctx, path, err)
	}
	if buf.Len() > max {
		return hearth.Errorf(hearth.ETOOLARGE, "Miner's reply to %s exceeds the %d bytes accepted.", path, max)
	}
	return nil
}

// TransportError maps a failure of the HTTP exchange for path itself (not
// an HTTP status) to a hearth code: ETIMEOUT when ctx or the connection
// timed out, EUNAVAILABLE when canceled, refused or dropped, ETOOLARGE for
// a head beyond MaxHeaderBytes, EPROTOCOL for bytes that are not HTTP
// (such as a CGMiner socket's answer).
func TransportError(ctx context.Context, path string, err error) error {
	var netErr net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return hearth.WrapError(hearth.ETIMEOUT, err, "Miner did not answer %s in time.", path)
	case errors.Is(ctx.Err(), context.Canceled), errors.Is(err, context.Canceled):
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Request for %s was canceled.", path)
	case errors.As(err, &netErr) && netErr.Timeout():
		return hearth.WrapError(hearth.ETIMEOUT, err, "Miner did not answer %s in time.", path)
	case strings.Contains(err.Error(), "response headers exceeded"):
		return hearth.WrapError(hearth.ETOOLARGE, err, "Miner's reply headers for %s exceed the %d bytes accepted.", path, MaxHeaderBytes)
	case strings.Contains(err.Error(), "malformed HTTP"):
		return hearth.WrapError(hearth.EPROTOCOL, err, "Miner answered %s with something that is not HTTP.", path)
	default:
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Miner refused or dropped the connection for %s.", path)
	}
}
