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
	// Clean first, then cut: U+FFFD takes three bytes, so a log with
	// binary bytes grows when cleaned and must be cut after it.
	text := strings.ToValidUTF8(buf.String(), "\uFFFD")
	truncated := buf.Len() > hearth.MaxLogSize || len(text) > hearth.MaxLogSize
	if len(text) > hearth.MaxLogSize {
		text = text[:hearth.MaxLogSize]
		if i := strings.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i+1]
		} else {
			text = strings.ToValidUTF8(text, "") // do not end in a cut rune
		}
	}
	return &hearth.MinerLog{
		Source:    source,
		Text:      text,
		Truncated: truncated,
		FetchedAt: now,
	}, nil
}
