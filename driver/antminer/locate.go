package antminer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
)

// SetLocate switches the fault light (the blinking red LED) with POST
// /cgi-bin/blink.cgi {"blink":"true"} or {"blink":"false"}; the firmware
// answers {"code":"B000"} (on) or {"code":"B100"} (off). It then reads
// GET /cgi-bin/get_blink_status.cgi ({"blink":true|false}) and fails with
// EUNAVAILABLE when the miner reports the other state; a firmware without
// that CGI, or a read-back that fails, leaves the blink request as the
// answer.
//
// Stock firmware has no timer: a light switched on blinks until switched
// off. A duration above zero is therefore not honoured by the miner; the
// caller (the reconciler) switches the light off itself when d has passed.
func (d *Driver) SetLocate(ctx context.Context, t hearth.Target, on bool, _ time.Duration) error {
	ctx, cancel := d.controlContext(ctx)
	defer cancel()
	body := []byte(`{"blink":"false"}`)
	if on {
		body = []byte(`{"blink":"true"}`)
	}
	reply, err := d.webRequest(ctx, t, http.MethodPost, cgiBlink, body)
	if err != nil {
		return fmt.Errorf("antminer locate %s: %w", t.Address, err)
	}
	if err := checkCGIResult(cgiBlink, reply); err != nil {
		return fmt.Errorf("antminer locate %s: %w", t.Address, err)
	}
	status, err := d.webGet(ctx, t, cgiBlinkStatus)
	if err != nil {
		return nil // the read-back is a courtesy; the blink request was accepted
	}
	if blinking, ok := parseBlinkStatus(status); ok && blinking != on {
		return hearth.Errorf(hearth.EUNAVAILABLE, "antminer locate %s: the miner accepted the request but reports blink %v.", t.Address, blinking)
	}
	return nil
}

// parseBlinkStatus reads get_blink_status.cgi's {"blink": …}, accepting a
// JSON boolean or the strings "true" and "false". ok is false when the
// reply says neither.
func parseBlinkStatus(body []byte) (blinking, ok bool) {
	var r struct {
		Blink json.RawMessage `json:"blink"`
	}
	if json.Unmarshal(body, &r) != nil {
		return false, false
	}
	switch string(bytes.ToLower(bytes.TrimSpace(r.Blink))) {
	case `true`, `"true"`:
		return true, true
	case `false`, `"false"`:
		return false, true
	}
	return false, false
}
