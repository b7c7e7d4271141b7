package avalon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/cgminer"
)

// cgminer's ascset status codes (api.c): 118 "ASC %d set info" (Avalon
// reports softoff/softon results with it), 119 "ASC %d set OK".
const (
	codeSetInfo = 118
	codeSetOK   = 119
)

// ascset sends "ascset|0,<option>" to the first device of t and checks that
// the miner did it: code 119 ("ASC 0 set OK"), or code 118 whose message
// says "success" ("ASC 0 set info: success softoff:1753434821"). Any other
// code 118 (the help text, a value read back) is not a success; a refusal
// (code 120 "set failed", 117 "does not support ascset") is EUNSUPPORTED
// with the miner's words.
//
// silentOK accepts a connection the miner closes without a reply, which
// Avalons do for softon (asic-rs's fixture notes) and while rebooting.
func (d *Driver) ascset(ctx context.Context, t hearth.Target, option string, silentOK bool) error {
	addr := d.rpcAddr(t)
	param := "0," + option
	reply, err := d.command(ctx, addr, "ascset", param)
	if err != nil {
		if silentOK && closedWithoutReply(err) {
			return nil
		}
		return fmt.Errorf("ascset %s on %s: %w", param, addr, err)
	}
	s, _ := reply.Status()
	switch {
	case s.Code == codeSetOK:
		return nil
	case s.Code == codeSetInfo && strings.Contains(strings.ToLower(s.Msg), "success"):
		return nil
	}
	return hearth.Errorf(hearth.EPROTOCOL, "Miner at %s did not confirm ascset %s: %q (code %d).", addr, param, printable(s.Msg), s.Code)
}

// closedWithoutReply reports a connection that was made and then closed by
// the miner before it sent a byte.
func closedWithoutReply(err error) bool {
	return hearth.ErrorCode(err) == hearth.EUNAVAILABLE && !errors.Is(err, cgminer.ErrConnect) &&
		(errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF))
}

// printable cuts a miner's message for an error text.
func printable(s string) string {
	const limit = 120
	if len(s) > limit {
		return s[:limit] + "…"
	}
	return s
}
