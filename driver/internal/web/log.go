package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// ReadLog reads a miner's log from r, at most hearth.MaxLogSize bytes of
// it, and returns it as a MinerLog from source, fetched at now. A longer
// log is cut at the last line break within the cap and marked Truncated,
// so that a runaway or hostile log costs hearth a bounded amount of memory.
// Bytes that are not UTF-8 become U+FFFD, since the text is shown to users
// and put in JSON. A read that fails midway is ETIMEOUT when ctx expired
// and EUNAVAILABLE otherwise.
func ReadLog(ctx context.Context, r io.Reader, source string, now time.Time) (*hearth.MinerLog, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(io.LimitReader(r, hearth.MaxLogSize+1))
	if err != nil {
		code := hearth.EUNAVAILABLE
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			code = hearth.ETIMEOUT
		}
		return nil, hearth.WrapError(code, err, "Reading the miner's log %s failed.", source)
	}
	b := buf.Bytes()
	truncated := len(b) > hearth.MaxLogSize
	if truncated {
		b = b[:hearth.MaxLogSize]
		if i := bytes.LastIndexByte(b, '\n'); i > 0 {
			b = b[:i+1]
		}
	}
	return &hearth.MinerLog{
		Source:    source,
		Text:      strings.ToValidUTF8(string(b), "\uFFFD"),
		Truncated: truncated,
		FetchedAt: now,
	}, nil
}
