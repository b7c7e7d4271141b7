package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
)

// The AxeOS control endpoints (ESP-Miner http_server.c): POST
// /api/system/restart, /identify (v2.12+), /pause and /resume (v2.14+),
// and PATCH /api/system with a subset of the settings. Half the simulated
// Bitaxes run v2.9.0 and half v2.14.0 (axeOSFirmwareOf), so a driver meets
// both the old and the new route table and reply formats.

// axeOSFirmware is one ESP-Miner release and what it has.
type axeOSFirmware struct {
	version string
	minor   int // the 2.x minor version
}

// The two simulated releases.
var (
	axeOSv29  = axeOSFirmware{version: "v2.9.0", minor: 9}
	axeOSv214 = axeOSFirmware{version: "v2.14.0", minor: 14}
)

// axeOSFirmwareOf returns the release miner m runs: v2.9.0 on even miner
// indexes, v2.14.0 on odd ones.
func axeOSFirmwareOf(m *miner) axeOSFirmware {
	if m.index%2 == 0 {
		return axeOSv29
	}
	return axeOSv214
}

// numericBestDiff: bestDiff and bestSessionDiff became numbers in v2.11.0.
func (f axeOSFirmware) numericBestDiff() bool { return f.minor >= 11 }

// hasIdentify: POST /api/system/identify came in v2.12.0.
func (f axeOSFirmware) hasIdentify() bool { return f.minor >= 12 }

// jsonRestart: the restart reply became JSON in v2.13.0.
func (f axeOSFirmware) jsonRestart() bool { return f.minor >= 13 }

// hasPause: POST /api/system/pause and /resume came in v2.14.0.
func (f axeOSFirmware) hasPause() bool { return f.minor >= 14 }

// ESP-Miner's reply texts.
const (
	axeRestartText   = "System will restart shortly."
	axeRestartJSON   = `{"message":"System will restart shortly."}`
	axeIdentifyOn    = `{"message":"The device says \"Hi!\" for 30 seconds."}`
	axeIdentifyOff   = `{"message":"The device no longer says \"Hi!\"."}`
	axePaused        = `{"message":"Mining paused"}`
	axeResumed       = `{"message":"Mining resumed"}`
	axeWrongInput    = "Wrong API input"
	axeInvalidJSON   = "Invalid JSON"
	axeTooLong       = "content too long"
	axeIdentifyTime  = 30.0  // seconds the identify display stays on
	axeScratchBuffer = 10240 // ESP-Miner's request buffer: longer bodies are refused
)

// axeOSControlReply answers the control endpoints for POST and PATCH, or
// reports false when the request is not one of them on m's release.
func (s *Sim) axeOSControlReply(r *http.Request, m *miner, buf []byte) (httpReply, bool) {
	fw := axeOSFirmwareOf(m)
	json := func(body string) httpReply {
		return httpReply{status: http.StatusOK, contentType: "application/json", cors: true, body: append(buf, body...)}
	}
	switch {
	case r.URL.Path == "/api/system" && r.Method == http.MethodPatch:
		body, err := io.ReadAll(io.LimitReader(r.Body, axeScratchBuffer))
		if err != nil {
			return axeError(buf, http.StatusInternalServerError, "Failed to receive request"), true
		}
		if len(body) >= axeScratchBuffer {
			return axeError(buf, http.StatusInternalServerError, axeTooLong), true
		}
		p, err := parseAxeOSPatch(body)
		if errors.Is(err, errAxeInvalidJSON) {
			return axeError(buf, http.StatusBadRequest, axeInvalidJSON), true
		}
		if err != nil {
			return axeError(buf, http.StatusBadRequest, axeWrongInput), true
		}
		s.write(m, s.elapsed(), false, func(c *minerControl) { p.apply(&c.settings) })
		return httpReply{status: http.StatusOK, contentType: "text/html", cors: true, body: buf}, true
	case r.URL.Path == "/api/system/restart" && r.Method == http.MethodPost:
		s.write(m, s.elapsed(), true, func(*minerControl) {})
		if fw.jsonRestart() {
			return json(axeRestartJSON), true
		}
		return httpReply{status: http.StatusOK, contentType: "text/html", cors: true, body: append(buf, axeRestartText...)}, true
	case r.URL.Path == "/api/system/identify" && r.Method == http.MethodPost && fw.hasIdentify():
		t := s.elapsed()
		var on bool
		s.write(m, t, false, func(c *minerControl) {
			on = t >= c.identifyUntil
			if on {
				c.identifyUntil = t + axeIdentifyTime
			} else {
				c.identifyUntil = 0
			}
			c.settings.Locate = on
		})
		if on {
			return json(axeIdentifyOn), true
		}
		return json(axeIdentifyOff), true
	case r.URL.Path == "/api/system/pause" && r.Method == http.MethodPost && fw.hasPause():
		s.write(m, s.elapsed(), false, func(c *minerControl) { c.settings.Paused = true })
		return json(axePaused), true
	case r.URL.Path == "/api/system/resume" && r.Method == http.MethodPost && fw.hasPause():
		s.write(m, s.elapsed(), false, func(c *minerControl) { c.settings.Paused = false })
		return json(axeResumed), true
	}
	return httpReply{}, false
}

// axeError is httpd_resp_send_err's reply: the status and a plain message.
func axeError(buf []byte, status int, msg string) httpReply {
	return httpReply{status: status, contentType: "text/html", cors: true, body: append(buf, msg...)}
}

// errAxeInvalidJSON marks a PATCH body that is not JSON at all.
var errAxeInvalidJSON = errors.New("invalid JSON")

// axeOSPatch is what a PATCH /api/system body changes; nil fields are
// left as they are.
type axeOSPatch struct {
	url, user, pass         [2]*string // primary, fallback
	port                    [2]*int
	frequency               *float64
	coreVoltage, fanPercent *int
	autoFan                 *bool
}

// apply writes p into st; the primary pool is Pools[0], the fallback
// Pools[1].
func (p axeOSPatch) apply(st *MinerSettings) {
	for len(st.Pools) < 2 {
		st.Pools = append(st.Pools, PoolSetting{})
	}
	for i := 0; i < 2; i++ {
		if p.url[i] != nil {
			st.Pools[i].URL = *p.url[i]
		}
		if p.port[i] != nil {
			st.Pools[i].Port = *p.port[i]
		}
		if p.user[i] != nil {
			st.Pools[i].User = *p.user[i]
		}
		if p.pass[i] != nil {
			st.Pools[i].Password = *p.pass[i]
		}
	}
	if p.frequency != nil {
		st.FrequencyMHz = *p.frequency
	}
	if p.coreVoltage != nil {
		st.CoreVoltageMV = *p.coreVoltage
	}
	if p.fanPercent != nil {
		st.FanPercent = *p.fanPercent
	}
	if p.autoFan != nil {
		st.FanManual = !*p.autoFan
	}
}

// parseAxeOSPatch parses and validates a PATCH /api/system body. It
// returns errAxeInvalidJSON when the body is not JSON, and another error
// (the firmware's "Wrong API input") when a known key has the wrong type
// or an out-of-range value: a pool host must be a bare host (no scheme,
// port or spaces, at most 128 bytes), ports 1-65535, users and passwords
// at most 128 bytes, frequency 1-1200 MHz, coreVoltage 1-1500 mV,
// fanspeed 0-100 and autofanspeed 0 or 1 (or a boolean, as older AxeOS
// pages sent). Keys the simulator does not model are accepted and ignored,
// as the firmware's Settings schema allows additional properties.
func parseAxeOSPatch(body []byte) (axeOSPatch, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return axeOSPatch{}, fmt.Errorf("PATCH body is not an object: %w", err)
		}
		return axeOSPatch{}, fmt.Errorf("%w: %v", errAxeInvalidJSON, err)
	}
	if raw == nil {
		return axeOSPatch{}, errors.New("PATCH body is null")
	}
	var p axeOSPatch
	for i, prefix := range []string{"stratum", "fallbackStratum"} {
		var err error
		if p.url[i], err = axeString(raw, prefix+"URL", 128, validStratumHost); err != nil {
			return axeOSPatch{}, err
		}
		if p.user[i], err = axeString(raw, prefix+"User", 128, nil); err != nil {
			return axeOSPatch{}, err
		}
		if p.pass[i], err = axeString(raw, prefix+"Password", 128, nil); err != nil {
			return axeOSPatch{}, err
		}
		if p.port[i], err = axeInt(raw, prefix+"Port", 1, 65535); err != nil {
			return axeOSPatch{}, err
		}
	}
	if v, ok := raw["frequency"]; ok {
		var f float64
		if err := json.Unmarshal(v, &f); err != nil || f < 1 || f > 1200 {
			return axeOSPatch{}, fmt.Errorf("frequency %s is not 1-1200 MHz", v)
		}
		p.frequency = &f
	}
	var err error
	if p.coreVoltage, err = axeInt(raw, "coreVoltage", 1, 1500); err != nil {
		return axeOSPatch{}, err
	}
	if p.fanPercent, err = axeInt(raw, "fanspeed", 0, 100); err != nil {
		return axeOSPatch{}, err
	}
	if v, ok := raw["autofanspeed"]; ok {
		var on bool
		switch string(bytes.TrimSpace(v)) {
		case "1", "true":
			on = true
		case "0", "false":
		default:
			return axeOSPatch{}, fmt.Errorf("autofanspeed %s is not 0 or 1", v)
		}
		p.autoFan = &on
	}
	return p, nil
}

// axeString decodes the string key name of raw, nil when absent; it must
// be at most max bytes, without control characters, and pass check.
func axeString(raw map[string]json.RawMessage, name string, max int, check func(string) bool) (*string, error) {
	v, ok := raw[name]
	if !ok {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(s) > max || !validPoolText(s) || (check != nil && !check(s)) {
		return nil, fmt.Errorf("%s %q is not valid", name, s)
	}
	return &s, nil
}

// axeInt decodes the integer key name of raw, nil when absent; it must lie
// in lo..hi.
func axeInt(raw map[string]json.RawMessage, name string, lo, hi int) (*int, error) {
	v, ok := raw[name]
	if !ok {
		return nil, nil
	}
	var f float64
	if err := json.Unmarshal(v, &f); err != nil || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		return nil, fmt.Errorf("%s %s is not an integer in %d..%d", name, v, lo, hi)
	}
	n := int(f)
	return &n, nil
}

// validStratumHost reports whether s is a bare host as AxeOS stores it:
// no scheme, no port, no spaces. Empty clears a fallback.
func validStratumHost(s string) bool {
	return !strings.ContainsAny(s, ":/ \t")
}
