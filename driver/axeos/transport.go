package axeos

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// userAgent names hearth to the miner; AxeOS ignores it but a network
// operator reading logs should not have to guess.
const userAgent = "hearth-axeos"

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
//
// The transport is the HTTP drivers' shared one (web.NewTransport), which
// also caps the response head at web.MaxHeaderBytes.
func newTransport() *http.Transport {
	return web.NewTransport()
}

// defaultClient serves a zero Driver.
var defaultClient = web.NewClient(newTransport())

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
	traced, latency := web.TraceLatency(ctx)
	req, err := web.NewRequest(traced, method, base, path, body, "application/json", userAgent)
	if err != nil {
		return nil, err
	}
	resp, err := d.httpClient().Do(req)
	if err != nil {
		return nil, web.TransportError(ctx, path, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return nil, statusFailure(path, resp)
	}
	buf := getBuffer()
	if err := web.ReadBody(ctx, resp, path, MaxReplyBytes, buf); err != nil {
		putBuffer(buf)
		return nil, err
	}
	return &reply{buf: buf, latency: latency()}, nil
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
