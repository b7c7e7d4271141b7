package axeos

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/driver/internal/web"
)

// identifyPeriod is how long AxeOS keeps identify mode on by itself
// (identify_mode_time_ms = 30000 in ESP-Miner's POST_identify).
const identifyPeriod = 30 * time.Second

// SetLocate drives AxeOS's identify mode (the display says "Hi!"), the
// Bitaxe's stand-in for a fault light, with POST /api/system/identify
// (v2.12.0 and later; older firmware gets EUNSUPPORTED).
//
// The endpoint toggles, and /api/system/info does not report the state, but
// each reply says which way it went: "The device says \"Hi!\" for 30
// seconds." (now on) or "The device no longer says \"Hi!\"." (now off).
// SetLocate posts once and, when the reply shows the opposite of what was
// asked, once more, so that on and off are honoured whatever the state was.
//
// The firmware always switches identify mode off by itself after 30
// seconds, whatever d is: a caller that wants it on longer must repeat the
// call, and one that wants it shorter calls SetLocate with on false.
func (d *Driver) SetLocate(ctx context.Context, t hearth.Target, on bool, _ time.Duration) error {
	for range 2 {
		body, err := d.post(ctx, t, pathIdentify, "locate", "v2.12.0")
		if err != nil {
			return err
		}
		state, err := parseIdentifyReply(body)
		if err != nil {
			return fmt.Errorf("axeos locate %s: %w", t.Address, err)
		}
		if state == on {
			return nil
		}
	}
	return hearth.Errorf(hearth.EUNAVAILABLE, "axeos locate %s: identify mode did not switch %s after two requests.", t.Address, onOff(on))
}

// parseIdentifyReply reads the state identify mode was switched to from
// POST /api/system/identify's {"message": …} reply.
func parseIdentifyReply(body []byte) (on bool, err error) {
	var reply struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return false, hearth.WrapError(hearth.EPROTOCOL, err, "Miner's reply to %s is not JSON: %q.", pathIdentify, web.Excerpt(body))
	}
	msg := strings.ToLower(reply.Message)
	switch {
	case strings.Contains(msg, "no longer"):
		return false, nil
	case strings.Contains(msg, "says"):
		return true, nil
	}
	return false, hearth.Errorf(hearth.EPROTOCOL, "Miner's reply to %s does not say whether identify mode is on: %q.", pathIdentify, web.Excerpt(body))
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
