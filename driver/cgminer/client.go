package cgminer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Dialer opens connections to miners. *net.Dialer satisfies it; a test or
// a site agent behind a proxy may supply another.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Client sends commands to cgminer-compatible miners, one command per TCP
// connection, as the protocol requires. The zero value is ready to use and
// a Client is safe for concurrent use.
type Client struct {
	// Dialer opens the connections; nil means a plain net.Dialer.
	Dialer Dialer
	// Timeout bounds each request from connect to last byte, within any
	// deadline of the caller's context. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxReplySize caps a reply in bytes; a longer reply fails with
	// ETOOLARGE and is not read further. Zero means MaxReplySize.
	MaxReplySize int
}

// Reply is a decoded, successful answer to a command.
type Reply struct {
	// Document is the parsed reply; its methods (Section, First, Root,
	// Status) are the way to read it.
	Document
	// Command is the command that was sent.
	Command string
	// Raw is the reply as received, without its NUL terminator and before
	// repair, kept for debugging.
	Raw []byte
	// FirstByte is the time from sending the request to receiving the
	// first byte of the reply: one network round trip plus the miner's
	// time to answer. Drivers report the poll's shortest as its latency.
	FirstByte time.Duration
}

// Command sends command (with parameter, when not empty) to the miner at
// addr ("host:port"), decodes the reply and checks its STATUS.
//
// Errors carry hearth codes: ETIMEOUT when the miner does not answer in
// time, EUNAVAILABLE when it refuses, drops or closes the connection,
// ETOOLARGE when the reply exceeds the cap, EPROTOCOL when the reply is
// not JSON even after repair, and the codes of Document.Check when the
// miner answers with an error status.
func (c *Client) Command(ctx context.Context, addr, command, parameter string) (*Reply, error) {
	raw, firstByte, err := c.Send(ctx, addr, command, parameter)
	if err != nil {
		return nil, err
	}
	r := &Reply{Command: command, Raw: raw, FirstByte: firstByte}
	if err := r.decode(raw); err != nil {
		return nil, fmt.Errorf("%s %s: %w", addr, command, err)
	}
	if err := r.Check(command); err != nil {
		return nil, fmt.Errorf("%s %s: %w", addr, command, err)
	}
	return r, nil
}

// Send sends one request and returns the raw reply up to its first NUL,
// and the time to its first byte. It reads until the miner closes the
// connection, sends a NUL, ends a complete JSON object with a newline (some
// firmwares keep the connection open), or the deadline passes; see Command
// for the errors.
func (c *Client) Send(ctx context.Context, addr, command, parameter string) (raw []byte, firstByte time.Duration, err error) {
	req := appendRequest(make([]byte, 0, 64), command, parameter)
	if len(req) > MaxRequestSize {
		return nil, 0, hearth.Errorf(hearth.EINVALID, "Command %q is longer than the %d bytes cgminer reads.", command, MaxRequestSize)
	}
	timeout := c.timeout()
	deadline := time.Now().Add(timeout)
	dialCtx := ctx
	if d, ok := ctx.Deadline(); !ok || d.After(deadline) {
		var cancel context.CancelFunc
		dialCtx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	} else {
		deadline = d
		timeout = max(time.Until(d), 0).Round(time.Millisecond)
	}

	conn, err := c.dialer().DialContext(dialCtx, "tcp", addr)
	if err != nil {
		return nil, 0, transportError(ctx, addr, "accept a connection", timeout, fmt.Errorf("%w: %w", ErrConnect, err))
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, 0, transportError(ctx, addr, "accept a connection", timeout, err)
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
		defer stop()
	}

	sent := time.Now()
	if _, err := conn.Write(req); err != nil {
		return nil, 0, transportError(ctx, addr, "take the request", timeout, err)
	}
	return c.read(ctx, conn, addr, sent, timeout)
}

// bufferPool holds read buffers, so that reading a reply allocates only
// its final, exactly sized copy.
var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, initialBuffer); return &b }}

const (
	initialBuffer = 16 << 10
	// maxPooledBuffer keeps a rare huge reply from pinning its buffer.
	maxPooledBuffer = 256 << 10
)

// read reads the reply from conn; see Send.
func (c *Client) read(ctx context.Context, conn net.Conn, addr string, sent time.Time, timeout time.Duration) ([]byte, time.Duration, error) {
	limit := c.maxReplySize() + 1 // one byte more tells "too large" from "exactly at the cap"
	bp := bufferPool.Get().(*[]byte)
	buf := (*bp)[:0]
	defer func() {
		if cap(buf) <= maxPooledBuffer {
			*bp = buf[:0]
			bufferPool.Put(bp)
		}
	}()

	var firstByte time.Duration
	var end objectEnd
	for {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*cap(buf), limit))
			copy(grown, buf)
			buf = grown
		}
		n, err := conn.Read(buf[len(buf):min(cap(buf), limit)])
		if n > 0 {
			if firstByte == 0 {
				firstByte = max(time.Since(sent), 1)
			}
			chunk := buf[len(buf) : len(buf)+n]
			if k := bytes.IndexByte(chunk, 0); k >= 0 {
				buf = buf[:len(buf)+k]
				break
			}
			buf = buf[:len(buf)+n]
			if len(buf) >= limit {
				return nil, firstByte, hearth.Errorf(hearth.ETOOLARGE,
					"Miner at %s sent a reply larger than %d bytes.", addr, limit-1)
			}
			if chunk[n-1] == '\n' && end.complete(buf) {
				break
			}
		}
		if err != nil {
			if err == io.EOF || (len(buf) > 0 && isReset(err)) {
				if len(buf) == 0 {
					return nil, 0, transportError(ctx, addr, "answer", timeout, err)
				}
				break
			}
			return nil, firstByte, transportError(ctx, addr, "answer", timeout, err)
		}
	}
	return bytes.Clone(buf), firstByte, nil
}

func (c *Client) dialer() Dialer {
	if c.Dialer != nil {
		return c.Dialer
	}
	return defaultDialer
}

var defaultDialer = &net.Dialer{}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Client) maxReplySize() int {
	if c.MaxReplySize > 0 {
		return c.MaxReplySize
	}
	return MaxReplySize
}

// objectEnd tells whether the bytes read so far hold one whole JSON object,
// for firmwares that end a reply with a newline and keep the connection
// open. It scans incrementally and only when a read ends in a newline, so
// the usual NUL-terminated reply never pays for it.
type objectEnd struct {
	scanned  int
	depth    int
	started  bool
	inString bool
	escaped  bool
	closed   bool
	// trailing is set when data follows the closed object: then the reply
	// is not one object and only EOF, NUL or the deadline ends it.
	trailing bool
}

// complete scans what is new in buf and reports whether the object that
// buf starts with has closed.
func (e *objectEnd) complete(buf []byte) bool {
	for _, c := range buf[e.scanned:] {
		switch {
		case e.trailing:
		case e.closed:
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				e.closed, e.trailing = false, true
			}
		case e.inString:
			switch {
			case e.escaped:
				e.escaped = false
			case c == '\\':
				e.escaped = true
			case c == '"':
				e.inString = false
			}
		case c == '"':
			e.inString = true
		case c == '{' || c == '[':
			e.started = true
			e.depth++
		case c == '}' || c == ']':
			e.depth--
			if e.started && e.depth == 0 {
				e.closed = true
			}
		}
	}
	e.scanned = len(buf)
	return e.closed
}
