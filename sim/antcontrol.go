package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The Antminer web CGI control scripts (stock firmware, JSON bodies as
// modern releases take them; asic-rs v2020/web.rs and pyasic
// AntminerModernWebAPI send them): get_miner_conf, set_miner_conf, blink,
// get_blink_status and reboot. Replies are the scripts' JSON.

// Replies of the control scripts. M000 and B000/B100 are the success codes
// clients check; the reboot and error codes follow the same scheme.
const (
	antConfOK       = `{"stats":"success","code":"M000","msg":"OK!"}`
	antConfInvalid  = `{"stats":"error","code":"M001","msg":"Illegal parameters!"}`
	antBlinkOn      = `{"code":"B000"}`
	antBlinkOff     = `{"code":"B100"}`
	antBlinkInvalid = `{"code":"B001"}`
	antRebootOK     = `{"stats":"success","code":"R000","msg":"OK!"}`
)

// maxCGIBody caps what a control script reads of a request body.
const maxCGIBody = 64 << 10

// maxAntPools is the number of pool slots of a stock Antminer.
const maxAntPools = 3

// antControlReply answers the control scripts, or reports false when path
// is not one of them.
func (s *Sim) antControlReply(r *http.Request, m *miner, buf []byte) (httpReply, bool) {
	ok := func(body string) httpReply {
		return httpReply{status: http.StatusOK, contentType: "application/json", body: append(buf, body...)}
	}
	switch r.URL.Path {
	case "/cgi-bin/get_miner_conf.cgi":
		return httpReply{status: http.StatusOK, contentType: "application/json",
			body: appendMinerConf(buf, m.settingsAt(s.elapsed()))}, true
	case "/cgi-bin/get_blink_status.cgi":
		if m.settingsAt(s.elapsed()).Locate {
			return ok(`{"blink":true}`), true
		}
		return ok(`{"blink":false}`), true
	case "/cgi-bin/set_miner_conf.cgi":
		body, err := readCGIBody(r)
		if err != nil {
			return ok(antConfInvalid), true
		}
		conf, err := parseMinerConf(body)
		if err != nil {
			return ok(antConfInvalid), true
		}
		s.write(m, s.elapsed(), false, func(c *minerControl) { conf.apply(&c.settings) })
		return ok(antConfOK), true
	case "/cgi-bin/blink.cgi":
		body, err := readCGIBody(r)
		if err != nil {
			return ok(antBlinkInvalid), true
		}
		on, err := parseBlink(body)
		if err != nil {
			return ok(antBlinkInvalid), true
		}
		s.write(m, s.elapsed(), false, func(c *minerControl) { c.settings.Locate = on })
		if on {
			return ok(antBlinkOn), true
		}
		return ok(antBlinkOff), true
	case "/cgi-bin/reboot.cgi":
		// pyasic sends a GET, asic-rs a POST with {}; the script runs alike.
		s.write(m, s.elapsed(), true, func(*minerControl) {})
		return ok(antRebootOK), true
	}
	return httpReply{}, false
}

// readCGIBody reads a request body up to maxCGIBody.
func readCGIBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxCGIBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(b) > maxCGIBody {
		return nil, errors.New("body too large")
	}
	return b, nil
}

// appendMinerConf writes get_miner_conf.cgi's JSON: always three pool
// slots (empty strings in unused ones), the fan and frequency settings as
// the strings and booleans the firmware keeps, and the work mode both as
// the "miner-mode" number set_miner_conf takes and the "bitmain-work-mode"
// string pyasic reads back.
func appendMinerConf(b []byte, st MinerSettings) []byte {
	b = append(b, `{"pools":[`...)
	for i := 0; i < maxAntPools; i++ {
		var p PoolSetting
		if i < len(st.Pools) {
			p = st.Pools[i]
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = appendJSONField(b, true, "url", p.URL)
		b = appendJSONField(b, false, "user", p.User)
		b = appendJSONField(b, false, "pass", p.Password)
		b = append(b, '}')
	}
	b = append(b, `],"api-listen":true,"api-network":true,"api-groups":"A:stats:pools:devs:summary:version","api-allow":"A:0/0,W:*","bitmain-fan-ctrl":`...)
	b = strconv.AppendBool(b, st.FanManual)
	b = appendJSONField(b, false, "bitmain-fan-pwm", strconv.Itoa(st.FanPercent))
	b = appendJSONField(b, false, "bitmain-use-vil", "true")
	b = appendJSONField(b, false, "freq-level", "100")
	b = append(b, `,"miner-mode":`...)
	b = strconv.AppendInt(b, int64(st.Mode), 10)
	b = appendJSONField(b, false, "bitmain-work-mode", strconv.Itoa(int(st.Mode)))
	return append(b, '}')
}

// minerConf is what a set_miner_conf.cgi body changes; nil fields are left
// as they are.
type minerConf struct {
	pools    []PoolSetting
	setPools bool
	mode     *WorkMode
	fanCtrl  *bool
	fanPWM   *int
}

// apply writes c into st.
func (c minerConf) apply(st *MinerSettings) {
	if c.setPools {
		st.Pools = c.pools
	}
	if c.mode != nil {
		st.Mode = *c.mode
	}
	if c.fanCtrl != nil {
		st.FanManual = *c.fanCtrl
	}
	if c.fanPWM != nil {
		st.FanPercent = *c.fanPWM
	}
}

// parseMinerConf parses a set_miner_conf.cgi JSON body. It takes "pools"
// (at most 3 objects of url, user, pass; slots with an empty url are
// unused), "miner-mode" (0, 1 or 3, as a number or a numeric string, as
// pyasic sends it either way), "bitmain-fan-ctrl" (boolean) and
// "bitmain-fan-pwm" (0-100, string or number). Other keys a client sends
// back from get_miner_conf ("freq-level", "api-*") are accepted and
// ignored.
func parseMinerConf(body []byte) (minerConf, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return minerConf{}, fmt.Errorf("set_miner_conf: %w", err)
	}
	if raw == nil {
		return minerConf{}, errors.New("set_miner_conf: body is not an object")
	}
	var c minerConf
	if v, ok := raw["pools"]; ok {
		var pools []struct {
			URL  *string `json:"url"`
			User *string `json:"user"`
			Pass *string `json:"pass"`
		}
		if err := json.Unmarshal(v, &pools); err != nil {
			return minerConf{}, fmt.Errorf("set_miner_conf pools: %w", err)
		}
		if len(pools) > maxAntPools {
			return minerConf{}, fmt.Errorf("set_miner_conf: %d pools, at most %d", len(pools), maxAntPools)
		}
		c.setPools = true
		c.pools = []PoolSetting{}
		for i, p := range pools {
			if p.URL == nil {
				return minerConf{}, fmt.Errorf("set_miner_conf: pool %d has no url", i)
			}
			if *p.URL == "" {
				continue
			}
			ps := PoolSetting{URL: *p.URL}
			if p.User != nil {
				ps.User = *p.User
			}
			if p.Pass != nil {
				ps.Password = *p.Pass
			}
			if !validPoolText(ps.URL) || !validPoolText(ps.User) || !validPoolText(ps.Password) {
				return minerConf{}, fmt.Errorf("set_miner_conf: pool %d has a field too long or with control characters", i)
			}
			c.pools = append(c.pools, ps)
		}
		if len(c.pools) == 0 {
			return minerConf{}, errors.New("set_miner_conf: no pool with a url")
		}
	}
	if v, ok := raw["miner-mode"]; ok {
		n, err := intOrString(v)
		if err != nil {
			return minerConf{}, fmt.Errorf("set_miner_conf miner-mode: %w", err)
		}
		mode := WorkMode(n)
		if mode != ModeNormal && mode != ModeSleep && mode != ModeLowPower {
			return minerConf{}, fmt.Errorf("set_miner_conf: miner-mode %d is not 0, 1 or 3", n)
		}
		c.mode = &mode
	}
	if v, ok := raw["bitmain-fan-ctrl"]; ok {
		var on bool
		if err := json.Unmarshal(v, &on); err != nil {
			return minerConf{}, fmt.Errorf("set_miner_conf bitmain-fan-ctrl: %w", err)
		}
		c.fanCtrl = &on
	}
	if v, ok := raw["bitmain-fan-pwm"]; ok {
		n, err := intOrString(v)
		if err != nil || n < 0 || n > 100 {
			return minerConf{}, fmt.Errorf("set_miner_conf: bitmain-fan-pwm %s is not 0-100", v)
		}
		c.fanPWM = &n
	}
	return c, nil
}

// validPoolText reports whether s fits a firmware pool field: at most 256
// bytes without control characters.
func validPoolText(s string) bool {
	if len(s) > 256 {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// intOrString decodes a JSON integer or a string holding one.
func intOrString(v json.RawMessage) (int, error) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, err
		}
		return strconv.Atoi(strings.TrimSpace(s))
	}
	var n int
	if err := json.Unmarshal(v, &n); err != nil {
		return 0, err
	}
	return n, nil
}

// parseBlink parses a blink.cgi body, {"blink":"true"} or
// {"blink":"false"}; a JSON boolean is taken too.
func parseBlink(body []byte) (bool, error) {
	var req struct {
		Blink json.RawMessage `json:"blink"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return false, fmt.Errorf("blink: %w", err)
	}
	switch string(bytes.TrimSpace(req.Blink)) {
	case `"true"`, `true`:
		return true, nil
	case `"false"`, `false`:
		return false, nil
	}
	return false, fmt.Errorf("blink: %q is not true or false", req.Blink)
}
