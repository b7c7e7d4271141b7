// Package web holds what hearth's HTTP miner drivers (AxeOS, ePIC, VNish)
// share: where a miner's API is, how long a request may take when the
// caller set no deadline, the hardened HTTP client and how its failures
// map to hearth codes, how to read a reply and time its first byte, how to
// quote a reply in an error safely, and how to read a miner's log within a
// bounded size.
package web

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/hearth-fleet/hearth"
)

// BaseURL returns "http://host:port" for t and the host:port alone for
// messages, with defaultPort when t names none, or an EINVALID error when
// t has no address or a bad port.
func BaseURL(t hearth.Target, defaultPort int) (base, hostport string, err error) {
	if t.Address == "" {
		return "", "", hearth.Errorf(hearth.EINVALID, "Miner address required.")
	}
	port := t.Port
	if port == 0 {
		port = defaultPort
	}
	if port < 0 || port > 65535 {
		return "", "", hearth.Errorf(hearth.EINVALID, "Miner port must be between 1 and 65535.")
	}
	hostport = net.JoinHostPort(t.Address, strconv.Itoa(port))
	return "http://" + hostport, hostport, nil
}

// WithDeadline returns ctx unchanged when it has a deadline, and otherwise
// a context bounded by timeout (def when timeout is not positive), so that
// no request to a miner can wait forever.
func WithDeadline(ctx context.Context, timeout, def time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	if timeout <= 0 {
		timeout = def
	}
	return context.WithTimeout(ctx, timeout)
}

// Excerpt returns the first bytes of b made safe to show in an error:
// printable ASCII kept, everything else replaced by '.', and an ellipsis
// when cut, so that a hostile reply can neither flood a log nor inject
// control sequences.
func Excerpt(b []byte) string {
	const max = 40
	cut := len(b) > max
	if cut {
		b = b[:max]
	}
	out := make([]byte, 0, len(b)+3)
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			out = append(out, c)
		} else {
			out = append(out, '.')
		}
	}
	if cut {
		out = append(out, "..."...)
	}
	return string(out)
}
