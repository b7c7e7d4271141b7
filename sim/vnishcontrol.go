package sim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// VNish's writes: POST /api/v1/unlock trades the web password for a bearer
// token; the settings (pools, autotune preset), the autotune preset list
// and the mining and system controls need that token in an
// "Authorization: Bearer …" header and answer 401 without it. /find-miner
// needs none (the spec gives it no security) and toggles the locate light.

// VNishPassword is the web password of every simulated VNish miner, the
// one VNish ships with.
const VNishPassword = "admin"

// Unlock lock-out: after vnishMaxWrongPasswords wrong passwords in a row
// the firmware refuses every unlock for vnishLockout seconds with 429 and
// the seconds left; before that a wrong password is 403.
const (
	vnishMaxWrongPasswords = 5
	vnishLockout           = 60.0
	// vnishMaxTokens bounds the tokens a miner remembers; the oldest is
	// forgotten first.
	vnishMaxTokens = 16
	// vnishMaxBody is the largest request body the simulated firmware reads.
	vnishMaxBody = 64 << 10
	// vnishRebootAfter is the {"after": n} of POST /system/reboot.
	vnishRebootAfter = 3
)

// vnishPresetStock is the preset name of stock clocks (no autotune).
const vnishPresetStock = "disabled"

// vnishAuth is a miner's unlock state.
type vnishAuth struct {
	tokens      []string
	wrong       int     // wrong passwords in a row
	lockedUntil float64 // sim time the lock-out ends
}

// vnishUnauthorized is the reply to a protected call without a valid token.
func vnishUnauthorized(buf []byte) httpReply {
	return httpReply{status: http.StatusUnauthorized, contentType: "application/json", body: buf}
}

// vnishError is VNish's {"err": …} reply.
func vnishError(buf []byte, status int, msg string) httpReply {
	b, _ := json.Marshal(struct {
		Err string `json:"err"`
	}{msg})
	return httpReply{status: status, contentType: "application/json", body: append(buf, b...)}
}

// vnishAuthorized reports whether r carries a token m handed out.
func (s *Sim) vnishAuthorized(r *http.Request, m *miner, t float64) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return false
	}
	c := m.ctl.Load()
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, known := range c.vnish.tokens {
		if known == tok {
			return true
		}
	}
	return false
}

// errVNishBadJSON marks a body that is not the JSON asked for.
var errVNishBadJSON = errors.New("invalid JSON body")

// parseVNishUnlock parses the body of POST /unlock, {"pw": "…"}.
func parseVNishUnlock(body []byte) (string, error) {
	var req struct {
		PW *string `json:"pw"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.PW == nil {
		return "", errVNishBadJSON
	}
	return *req.PW, nil
}

// vnishUnlock answers POST /unlock: a token for the right password, 403
// {"unlock_timeout":null} for a wrong one, and 429 with the seconds left
// during the lock-out that follows too many wrong ones.
func (s *Sim) vnishUnlock(r *http.Request, m *miner, t float64, buf []byte) httpReply {
	body, err := io.ReadAll(io.LimitReader(r.Body, vnishMaxBody))
	if err != nil {
		return vnishError(buf, http.StatusInternalServerError, "failed to read request")
	}
	pw, err := parseVNishUnlock(body)
	if err != nil {
		return httpReply{status: http.StatusBadRequest, contentType: "text/plain", body: append(buf, "Json deserialize error: missing field `pw`"...)}
	}
	var reply httpReply
	s.write(m, t, false, func(c *minerControl) {
		a := &c.vnish
		if t < a.lockedUntil {
			reply = vnishLocked(buf, http.StatusTooManyRequests, int64(math.Ceil(a.lockedUntil-t)))
			return
		}
		if pw != VNishPassword {
			a.wrong++
			if a.wrong >= vnishMaxWrongPasswords {
				a.wrong, a.lockedUntil = 0, t+vnishLockout
				reply = vnishLocked(buf, http.StatusTooManyRequests, int64(vnishLockout))
				return
			}
			reply = httpReply{status: http.StatusForbidden, contentType: "application/json", body: append(buf, `{"unlock_timeout":null}`...)}
			return
		}
		a.wrong = 0
		tok := newVNishToken()
		if len(a.tokens) >= vnishMaxTokens {
			a.tokens = append(a.tokens[:0], a.tokens[1:]...)
		}
		a.tokens = append(a.tokens, tok)
		reply = httpReply{status: http.StatusOK, contentType: "application/json", body: append(buf, `{"token":"`+tok+`"}`...)}
	})
	return reply
}

func vnishLocked(buf []byte, status int, secs int64) httpReply {
	return httpReply{status: status, contentType: "application/json", body: append(strconv.AppendInt(append(buf, `{"unlock_timeout":`...), secs, 10), '}')}
}

// newVNishToken returns a random token shaped like VNish's (a JWT: three
// base64url parts); only its identity matters to the simulator.
func newVNishToken() string {
	var b [24]byte
	rand.Read(b[:])
	return "eyJhbGciOiJIUzI1NiJ9.eyJzaW0iOnRydWV9." + hex.EncodeToString(b[:])
}

// vnishPreset is one autotune preset (spec AutotunePresetDto).
type vnishPreset struct {
	Name              string `json:"name"`
	Pretty            string `json:"pretty"`
	Status            string `json:"status"`
	ModdedPSURequired bool   `json:"modded_psu_required"`
	TuneSettings      any    `json:"tune_settings"`
}

// vnishPresetShares are the presets' powers as shares of the nameplate
// power: VNish's Antminer presets run from deep underclock to a mild
// overclock.
var vnishPresetShares = []float64{0.7, 0.8, 0.9, 1.0, 1.1}

// vnishPresetWatts returns the power of each preset of model.
func vnishPresetWatts(model *Model) []int {
	out := make([]int, len(vnishPresetShares))
	for i, f := range vnishPresetShares {
		out[i] = int(math.Round(model.Power*f/10) * 10)
		if f == 1 {
			out[i] = int(model.Power)
		}
	}
	return out
}

// vnishPresetList is GET /autotune/presets: "disabled" (stock clocks) and
// one preset per power, named by its watts.
func vnishPresetList(model *Model) []vnishPreset {
	list := []vnishPreset{{Name: vnishPresetStock, Pretty: "Disabled", Status: "tuned"}}
	for _, w := range vnishPresetWatts(model) {
		th := float64(w) / model.Power * model.HashRate / 1e12
		list = append(list, vnishPreset{
			Name: strconv.Itoa(w), Pretty: fmt.Sprintf("%d watt ~ %.0f TH", w, th),
			Status: "tuned", ModdedPSURequired: float64(w) > model.Power,
		})
	}
	return list
}

// vnishPresetWork is the hash-rate and power multiplier of preset on
// model: its watts over the nameplate power, 1 for stock clocks.
func vnishPresetWork(model *Model, preset string) float64 {
	w, err := strconv.Atoi(preset)
	if err != nil || w <= 0 {
		return 1
	}
	return float64(w) / model.Power
}

// vnishKnownPreset reports whether name is a preset of model.
func vnishKnownPreset(model *Model, name string) bool {
	for _, p := range vnishPresetList(model) {
		if p.Name == name {
			return true
		}
	}
	return false
}

// vnishPoolConf is one pool of the settings (spec PoolConfig).
type vnishPoolConf struct {
	URL  string `json:"url"`
	User string `json:"user"`
	Pass string `json:"pass"`
}

// vnishViewConfig is GET /settings (spec ViewConfig), the parts the
// simulator keeps.
type vnishViewConfig struct {
	Miner struct {
		Pools     []vnishPoolConf `json:"pools"`
		Overclock struct {
			Preset         string `json:"preset"`
			ModdedPSU      bool   `json:"modded_psu"`
			Globals        any    `json:"globals"`
			Chains         any    `json:"chains"`
			PresetSwitcher any    `json:"preset_switcher"`
		} `json:"overclock"`
		Cooling any `json:"cooling"`
		Misc    any `json:"misc"`
	} `json:"miner"`
	Network  any `json:"network"`
	Regional any `json:"regional"`
	UI       any `json:"ui"`
}

func vnishSettingsOf(st MinerSettings) vnishViewConfig {
	var v vnishViewConfig
	v.Miner.Pools = make([]vnishPoolConf, maxAntPools)
	for i, p := range st.Pools {
		if i < maxAntPools {
			v.Miner.Pools[i] = vnishPoolConf{URL: p.URL, User: p.User, Pass: p.Password}
		}
	}
	oc := &v.Miner.Overclock
	oc.Preset = st.Preset
	oc.Globals = map[string]int{"freq": int(st.FrequencyMHz), "volt": 1360}
	oc.PresetSwitcher = map[string]any{"enabled": false, "top_preset": nil, "decrease_temp": 75, "rise_temp": 65, "check_time": 300, "autochange_top_preset": false, "ignore_fan_speed": false, "min_preset": nil, "power_delta": 0}
	v.Miner.Cooling = map[string]any{"mode": map[string]string{"name": "auto"}, "fan_min_count": 4, "fan_min_duty": 10, "fan_max_duty": 100}
	v.Miner.Misc = map[string]int{"restart_temp": 95}
	v.Network = map[string]any{"dhcp": true}
	v.Regional = map[string]string{"timezone": "UTC"}
	v.UI = map[string]string{"theme": "dark", "locale": "en"}
	return v
}

// vnishSettingsPatch is what a POST /settings body changes.
type vnishSettingsPatch struct {
	pools     []PoolSetting // nil: unchanged
	setPools  bool
	preset    string // "": unchanged
	setPreset bool
}

// parseVNishSettings parses a partial ViewConfig posted to /settings: the
// pools (one to three; empty slots, as the web interface sends them, are
// dropped) and the overclock preset. Sections the simulator does not keep
// are accepted and ignored.
func parseVNishSettings(body []byte) (vnishSettingsPatch, error) {
	var req struct {
		Miner *struct {
			Pools     *[]vnishPoolConf `json:"pools"`
			Overclock *struct {
				Preset json.RawMessage `json:"preset"`
			} `json:"overclock"`
		} `json:"miner"`
	}
	var p vnishSettingsPatch
	if err := json.Unmarshal(body, &req); err != nil {
		return p, errVNishBadJSON
	}
	if req.Miner == nil {
		return p, nil
	}
	if req.Miner.Pools != nil {
		p.setPools = true
		for _, c := range *req.Miner.Pools {
			if c.URL == "" && c.User == "" {
				continue
			}
			if c.URL == "" || !validPoolText(c.URL) || !validPoolText(c.User) || !validPoolText(c.Pass) {
				return vnishSettingsPatch{}, fmt.Errorf("invalid pool %q", c.URL)
			}
			p.pools = append(p.pools, PoolSetting{URL: c.URL, User: c.User, Password: c.Pass})
		}
		if len(p.pools) == 0 || len(p.pools) > maxAntPools {
			return vnishSettingsPatch{}, fmt.Errorf("%d pools; 1 to %d needed", len(p.pools), maxAntPools)
		}
	}
	if oc := req.Miner.Overclock; oc != nil && len(bytes.TrimSpace(oc.Preset)) > 0 && string(bytes.TrimSpace(oc.Preset)) != "null" {
		var name string
		if err := json.Unmarshal(oc.Preset, &name); err != nil {
			var n json.Number
			if err := json.Unmarshal(oc.Preset, &n); err != nil {
				return vnishSettingsPatch{}, errVNishBadJSON
			}
			name = n.String()
		}
		p.preset, p.setPreset = name, true
	}
	return p, nil
}

// vnishSaveSettings answers POST /settings. New pools need the miner
// process restarted, which the reply says (restart_required) and the
// caller does; a preset applies at once. A preset the miner does not have
// is ignored with the same success reply, as VNish does (hence clients
// read the settings back).
func (s *Sim) vnishSaveSettings(r *http.Request, m *miner, t float64, buf []byte) httpReply {
	if !s.vnishAuthorized(r, m, t) {
		return vnishUnauthorized(buf)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, vnishMaxBody))
	if err != nil {
		return vnishError(buf, http.StatusInternalServerError, "failed to read request")
	}
	p, err := parseVNishSettings(body)
	if errors.Is(err, errVNishBadJSON) {
		return httpReply{status: http.StatusBadRequest, contentType: "text/plain", body: append(buf, "Json deserialize error"...)}
	}
	if err != nil {
		return vnishError(buf, http.StatusInternalServerError, "config validation failed: "+err.Error())
	}
	restart := false
	s.write(m, t, false, func(c *minerControl) {
		if p.setPools && !samePools(c.settings.Pools, p.pools) {
			c.settings.Pools = p.pools
			restart = true
		}
		if p.setPreset && vnishKnownPreset(m.model, p.preset) {
			c.settings.Preset = p.preset
		}
	})
	return httpReply{status: http.StatusOK, contentType: "application/json",
		body: append(buf, `{"restart_required":`+strconv.FormatBool(restart)+`,"reboot_required":false}`...)}
}

// samePools reports whether a and b are the same pools in the same order.
func samePools(a, b []PoolSetting) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// vnishFindMiner answers POST /find-miner: it toggles the locate light and
// answers its new state.
func (s *Sim) vnishFindMiner(m *miner, t float64, buf []byte) httpReply {
	var on bool
	s.write(m, t, false, func(c *minerControl) {
		c.settings.Locate = !c.settings.Locate
		on = c.settings.Locate
	})
	return httpReply{status: http.StatusOK, contentType: "application/json", body: append(buf, `{"on":`+strconv.FormatBool(on)+`}`...)}
}

// vnishControl answers the token-protected mining and system controls
// (path without the /api/v1 prefix). Mining replies have an empty body;
// a reboot answers {"after":3}. A restart of the miner process, like a
// reboot, makes the simulated miner unreachable for the reboot time.
func (s *Sim) vnishControl(r *http.Request, m *miner, t float64, path string, buf []byte) httpReply {
	if !s.vnishAuthorized(r, m, t) {
		return vnishUnauthorized(buf)
	}
	ok := httpReply{status: http.StatusOK, contentType: "application/json", body: buf}
	switch path {
	case "/system/reboot":
		s.write(m, t, true, func(*minerControl) {})
		ok.body = append(buf, `{"after":`+strconv.Itoa(vnishRebootAfter)+`}`...)
	case "/mining/restart":
		s.write(m, t, true, func(*minerControl) {})
	case "/mining/stop", "/mining/pause":
		s.write(m, t, false, func(c *minerControl) { c.settings.Paused = true })
	case "/mining/start", "/mining/resume":
		s.write(m, t, false, func(c *minerControl) { c.settings.Paused = false })
	}
	return ok
}
