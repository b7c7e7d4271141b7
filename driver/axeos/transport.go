package axeos

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
	"sync"
	"sync/atomic"
	"time"

	"github.com/hearth-fleet/hearth"
)

// userAgent names hearth to the miner; AxeOS ignores it but a network
// operator reading logs should not have to guess.
const userAgent = "hearth-axeos"

// maxHeaderBytes caps the response head. AxeOS sends a handful of short
// headers; a hostile server sending megabytes of them is cut off here.
const maxHeaderBytes = 32 << 10

// newTransport returns the transport every AxeOS request goes through.
//
// Keep-alives are off. A sweep polls each miner once per interval (tens of
// seconds), far apart compared with a connection's set-up cost on a LAN, so
// a kept connection is used once per interval at best, while it holds a
// file descriptor in hearth and one of the 20 sockets of the ESP32's web
// server for the whole interval. With keep-alives off the request carries
// "Connection: close" and the miner frees its socket as soon as it has
// answered. BenchmarkSweep measures the CPU side of this choice.
//
// Proxies from the environment are ignored (miners sit on the local
// network), HTTP/2 is never attempted, and compression is off so that no
// reply can inflate past MaxReplyBytes behind the driver's back.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{
			// The request context bounds the dial; TCP keep-alive probes
			// are pointless for a connection that lives one request.
			KeepAlive: -1,
		}).DialContext,
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		ForceAttemptHTTP2:      false,
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
}

// newHTTPClient returns a client that never follows redirects: AxeOS does
// not redirect its API, so a redirect means something else answers there,
// and following it could lead the poller anywhere.
func newHTTPClient(rt http.RoundTripper) *http.Client {
	return &http.Client{
		Transport: rt,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// defaultClient serves a zero Driver.
var defaultClient = newHTTPClient(newTransport())

func (d *Driver) httpClient() *http.Client {
	if d.client == nil {
		return defaultClient
	}
	return d.client
}

// reply is the body of one successful (HTTP 200) answer. Its buffer comes
// from a pool; call release once the body has been decoded.
type reply struct {
	buf *bytes.Buffer
	// latency is the time from the request having been written to the
	// first byte of the response: the network round trip plus the
	// miner's think time.
	latency time.Duration
}

func (r *reply) body() []byte { return r.buf.Bytes() }

func (r *reply) release() {
	putBuffer(r.buf)
	r.buf = nil
}

// statusError is the cause of an error for a non-200 answer. Identify
// inspects it to tell "not AxeOS" from "AxeOS refusing us".
type statusError struct {
	code int
	// challenge is the WWW-Authenticate header. AxeOS never sends one;
	// an Antminer's web interface does.
	challenge string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
}

// get fetches base+path and returns the body of a 200 answer, at most
// MaxReplyBytes long. Every failure is a *hearth.Error: ETIMEOUT when ctx
// expires (also in the middle of a trickling body), EUNAVAILABLE for a
// refused or dropped connection or a non-200 status, EAUTH for HTTP 401,
// ETOOLARGE for an oversized head or body, EPROTOCOL for bytes that are not
// HTTP.
func (d *Driver) get(ctx context.Context, base, path string) (*reply, error) {
	return d.request(ctx, http.MethodGet, base, path, nil)
}

// request sends one request for base+path with method and, when body is
// not nil, a JSON body, and returns the body of a 200 answer under the same
// rules as get.
func (d *Driver) request(ctx context.Context, method, base, path string, body []byte) (*reply, error) {
	// The trace hooks run on the transport's goroutines; they record
	// offsets from start atomically so that reading them is race-free
	// whatever order the write and the response complete in.
	start := time.Now()
	var wrote, firstByte atomic.Int64
	trace := &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) {
			wrote.Store(int64(time.Since(start)))
		},
		GotFirstResponseByte: func() {
			firstByte.Store(int64(time.Since(start)))
		},
	}
	var payload io.Reader
	if body != nil {
		payload = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, base+path, payload)
	if err != nil {
		return nil, hearth.WrapError(hearth.EINVALID, err, "Bad miner address %q.", base)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", userAgent)

	resp, err := d.httpClient().Do(req)
	if err != nil {
		return nil, transportError(ctx, path, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return nil, statusFailure(path, resp)
	}
	if resp.ContentLength > MaxReplyBytes {
		return nil, hearth.Errorf(hearth.ETOOLARGE, "Miner's reply to %s is %d bytes, more than the %d accepted.", path, resp.ContentLength, MaxReplyBytes)
	}

	buf := getBuffer()
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, MaxReplyBytes+1)); err != nil {
		putBuffer(buf)
		return nil, transportError(ctx, path, err)
	}
	if buf.Len() > MaxReplyBytes {
		putBuffer(buf)
		return nil, hearth.Errorf(hearth.ETOOLARGE, "Miner's reply to %s exceeds the %d bytes accepted.", path, MaxReplyBytes)
	}

	latency := time.Duration(firstByte.Load() - wrote.Load())
	if latency < 0 || wrote.Load() == 0 {
		latency = 0
	}
	return &reply{buf: buf, latency: latency}, nil
}

// statusFailure turns a non-200 answer into an error. HTTP 401 is AxeOS's
// network check (it answers only private addresses), hence EAUTH with an
// explanation a user can act on.
func statusFailure(path string, resp *http.Response) error {
	cause := &statusError{code: resp.StatusCode, challenge: resp.Header.Get("WWW-Authenticate")}
	if resp.StatusCode == http.StatusUnauthorized {
		return hearth.WrapError(hearth.EAUTH, cause,
			"Miner refused %s with HTTP 401: AxeOS answers only clients on private (RFC 1918) addresses, so poll it from the miners' LAN.", path)
	}
	return hearth.WrapError(hearth.EUNAVAILABLE, cause, "Miner answered %s with %s.", path, cause)
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

// bufferPool recycles reply buffers: a sweep reads thousands of replies a
// second, each a few kilobytes.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps a rare huge reply from pinning its memory in the
// pool for good.
const maxPooledBuffer = 64 << 10

func getBuffer() *bytes.Buffer { return bufferPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b == nil || b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	bufferPool.Put(b)
}
