package whatsminer

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// exchange sends one request to addr on a new TCP connection and returns
// the reply and the time to its first byte. With framed set it speaks the
// API v3 framing (a 4-byte little-endian length before the JSON, both
// ways); otherwise it writes req as it is and reads, as cgminer clients
// do, until the miner closes, sends a NUL, or has sent one whole JSON
// object.
//
// The request is bounded by the Driver's Timeout within ctx's deadline and
// the reply by MaxReplySize. Errors carry hearth codes: ETIMEOUT,
// EUNAVAILABLE (wrapping cgminer.ErrConnect when no connection was made),
// ETOOLARGE.
func (d *Driver) exchange(ctx context.Context, addr string, req []byte, framed bool) ([]byte, time.Duration, error) {
	conn, sent, done, err := d.send(ctx, addr, req, framed)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	if framed {
		return d.readFrame(ctx, conn, addr, sent)
	}
	return d.readStream(ctx, conn, addr, sent)
}

// send opens a TCP connection to addr bounded by the Driver's Timeout
// within ctx's deadline (and cut when ctx is cancelled), writes req to it
// (framed as API v3 when framed is set), and returns the connection, when
// the request was written, and done, which closes the connection.
func (d *Driver) send(ctx context.Context, addr string, req []byte, framed bool) (conn net.Conn, sent time.Time, done func(), err error) {
	deadline := time.Now().Add(d.timeout())
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	dialCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var dialer net.Dialer
	conn, err = dialer.DialContext(dialCtx, "tcp", addr)
	if err != nil {
		return nil, sent, nil, netError(ctx, addr, "accept a connection", fmt.Errorf("%w: %w", cgminer.ErrConnect, err))
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	done = func() {
		stop()
		conn.Close()
	}
	if err := conn.SetDeadline(deadline); err != nil {
		done()
		return nil, sent, nil, netError(ctx, addr, "accept a connection", err)
	}
	out := req
	if framed {
		out = binary.LittleEndian.AppendUint32(make([]byte, 0, 4+len(req)), uint32(len(req)))
		out = append(out, req...)
	}
	sent = time.Now()
	if _, err := conn.Write(out); err != nil {
		done()
		return nil, sent, nil, netError(ctx, addr, "take the request", err)
	}
	return conn, sent, done, nil
}

// readFrame reads one length-prefixed API v3 reply.
func (d *Driver) readFrame(ctx context.Context, conn net.Conn, addr string, sent time.Time) ([]byte, time.Duration, error) {
	var head [4]byte
	if _, err := io.ReadFull(conn, head[:1]); err != nil {
		return nil, 0, netError(ctx, addr, "answer", err)
	}
	firstByte := max(time.Since(sent), 1)
	if _, err := io.ReadFull(conn, head[1:]); err != nil {
		return nil, firstByte, netError(ctx, addr, "answer", err)
	}
	n := binary.LittleEndian.Uint32(head[:])
	if uint64(n) > uint64(d.maxReplySize()) {
		return nil, firstByte, hearth.Errorf(hearth.ETOOLARGE,
			"Miner at %s announced a reply of %d bytes, more than the %d accepted.", addr, n, d.maxReplySize())
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(conn, body); err != nil {
		return nil, firstByte, netError(ctx, addr, "finish its answer", err)
	}
	return body, firstByte, nil
}

// readStream reads an unframed API v2 reply.
func (d *Driver) readStream(ctx context.Context, conn net.Conn, addr string, sent time.Time) ([]byte, time.Duration, error) {
	limit := d.maxReplySize()
	var buf []byte
	var firstByte time.Duration
	chunk := make([]byte, 16<<10)
	for {
		n, err := conn.Read(chunk)
		if n > 0 {
			if firstByte == 0 {
				firstByte = max(time.Since(sent), 1)
			}
			if k := bytes.IndexByte(chunk[:n], 0); k >= 0 {
				buf = append(buf, chunk[:k]...)
				break
			}
			buf = append(buf, chunk[:n]...)
			if len(buf) > limit {
				return nil, firstByte, hearth.Errorf(hearth.ETOOLARGE,
					"Miner at %s sent a reply larger than %d bytes.", addr, limit)
			}
			if last := bytes.TrimRight(buf, " \r\n\t"); len(last) > 0 && last[len(last)-1] == '}' && json.Valid(last) {
				break
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(buf) > 0 {
				break
			}
			return nil, firstByte, netError(ctx, addr, "answer", err)
		}
	}
	if len(buf) > limit {
		return nil, firstByte, hearth.Errorf(hearth.ETOOLARGE,
			"Miner at %s sent a reply larger than %d bytes.", addr, limit)
	}
	return buf, firstByte, nil
}

// netError turns a connection error into a hearth error: timeouts give
// ETIMEOUT, everything else (refused, reset, closed early, cancelled)
// EUNAVAILABLE.
func netError(ctx context.Context, addr, op string, err error) error {
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Request to miner at %s was canceled.", addr)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout(), ctx.Err() != nil:
		return hearth.WrapError(hearth.ETIMEOUT, err, "Miner at %s did not %s in time.", addr, op)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Miner at %s closed the connection without answering.", addr)
	}
	return hearth.WrapError(hearth.EUNAVAILABLE, err, "Miner at %s is unreachable.", addr)
}

// decode parses a reply with the cgminer package's repairs for btminer's
// JSON defects; its errors carry cgminer.Decode's codes (EPROTOCOL,
// EUNAVAILABLE).
func decode(addr, command string, raw []byte) (*cgminer.Document, error) {
	doc, err := cgminer.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", addr, command, err)
	}
	return doc, nil
}
