package cgminer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/hearth-fleet/hearth"
)

// ErrConnect is in the chain of every error that happened before a
// connection to the miner was made (refused, unreachable, connect timeout).
// Such an error says nothing on the miner will answer, so a driver may skip
// the rest of a poll (errors.Is(err, ErrConnect)).
var ErrConnect = errors.New("cgminer: could not connect")

// hearthError returns a hearth error with code and a message, keeping err
// as its cause when there is one.
func hearthError(code string, err error, format string, args ...any) *hearth.Error {
	if err == nil {
		return hearth.Errorf(code, format, args...)
	}
	return hearth.WrapError(code, err, format, args...)
}

// transportError turns an error of the connection to addr into a hearth
// error: timeouts give ETIMEOUT; refusals, resets, early closes and other
// network failures give EUNAVAILABLE. op names the step for the message.
func transportError(ctx context.Context, addr, op string, timeout time.Duration, err error) error {
	var netErr net.Error
	ctxErr := ctx.Err()
	if d, ok := ctx.Deadline(); ctxErr == nil && ok && !time.Now().Before(d) {
		// The socket's deadline, which is the context's, fired a moment
		// before the context's own timer.
		ctxErr = context.DeadlineExceeded
	}
	if ctxErr != nil && !errors.Is(err, ctxErr) {
		// The connection noticed the context's end as a deadline; report
		// the real reason.
		err = fmt.Errorf("%w: %w", ctxErr, err)
	}
	switch {
	case errors.Is(ctxErr, context.Canceled):
		// The caller gave up (hearth stopping, a scan cancelled); the
		// miner is not to blame, whatever the socket said.
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Request to miner at %s was canceled.", addr)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return hearth.WrapError(hearth.ETIMEOUT, err, "Miner at %s did not %s within %s.", addr, op, timeout)
	case errors.Is(err, context.Canceled):
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Request to miner at %s was canceled.", addr)
	case errors.Is(err, syscall.ECONNREFUSED):
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Miner at %s refused the connection.", addr)
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNABORTED):
		return hearth.WrapError(hearth.EUNAVAILABLE, err, "Miner at %s closed the connection without answering.", addr)
	}
	return hearth.WrapError(hearth.EUNAVAILABLE, err, "Miner at %s is unreachable.", addr)
}

// isReset reports a connection reset, which some firmwares send instead of
// a clean close after their reply.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED)
}

// excerptLen is how much of a bad reply an error message quotes.
const excerptLen = 48

// excerpt quotes the start of a reply for an error message: short, with
// every unprintable byte escaped, so that a hostile reply can neither flood
// a log nor inject control sequences.
func excerpt(b []byte) string {
	if len(b) == 0 {
		return "an empty reply"
	}
	cut := b
	if len(cut) > excerptLen {
		cut = cut[:excerptLen]
	}
	s := strconv.QuoteToASCII(string(cut))
	if len(cut) < len(b) {
		s += fmt.Sprintf(" (%d bytes)", len(b))
	}
	return s
}

// printable shortens a miner's message to at most max runes and replaces
// control characters, for messages shown to users.
func printable(s string, max int) string {
	out := make([]rune, 0, min(len(s), max))
	for _, r := range s {
		if len(out) == max {
			return string(out) + "…"
		}
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}
