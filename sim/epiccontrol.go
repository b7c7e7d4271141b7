package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ePIC UMC's writes: POST with {"param": <value>, "password": "…"} on the
// API port. UMC answers {"result":true,"error":null}, or
// {"result":false,"error":<ApiError>} — "BadPassword" for a wrong password,
// {"InvalidPoolAddr":"…"} for a pool it cannot use — with HTTP 200 either
// way. A body that does not deserialise into the endpoint's request type is
// refused by the web framework before UMC sees it: HTTP 400 with a text
// reason.

// EPICPassword is the password of every simulated ePIC miner, the one UMC
// ships with.
const EPICPassword = "letmein"

// epicMaxBody is the largest request body the simulated firmware reads.
const epicMaxBody = 64 << 10

// epicWritePaths are the write endpoints the simulator implements.
var epicWritePaths = map[string]struct{}{
	"/authenticate": {}, "/reboot": {}, "/softreboot": {}, "/identify": {},
	"/miner": {}, "/coin": {}, "/fanspeed": {},
}

// epicWriteReq is a parsed write: the password and what the parameter
// asks for on its path.
type epicWriteReq struct {
	path     string
	password string
	delay    uint64        // /reboot: seconds before the reboot
	on       bool          // /identify
	stop     bool          // /miner: "Stop" (true) or "Autostart"
	pools    []PoolSetting // /coin
	badPool  string        // /coin: the pool UMC refuses, "" when none
	fan      epicFanMode   // /fanspeed
}

// epicFanMode is a /fanspeed parameter.
type epicFanMode struct {
	manual     bool
	percent    int
	targetTemp int
	idleSpeed  int
}

// errEPICBody marks a body that does not deserialise.
var errEPICBody = errors.New("Json deserialize error")

// parseEPICWrite parses the body of a POST to path. It fails with
// errEPICBody (wrapped with the reason) where UMC's web framework would
// answer 400: not JSON, no password, a parameter of the wrong type.
func parseEPICWrite(path string, body []byte) (epicWriteReq, error) {
	w := epicWriteReq{path: path}
	var req struct {
		Param    json.RawMessage `json:"param"`
		Password *string         `json:"password"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return w, fmt.Errorf("%w: %v", errEPICBody, err)
	}
	if req.Password == nil {
		return w, fmt.Errorf("%w: missing field `password`", errEPICBody)
	}
	w.password = *req.Password
	param := bytes.TrimSpace(req.Param)
	missing := len(param) == 0 || string(param) == "null"
	bad := func(what string) (epicWriteReq, error) {
		return epicWriteReq{path: path}, fmt.Errorf("%w: param: %s", errEPICBody, what)
	}
	switch path {
	case "/authenticate", "/softreboot":
		// No parameter, or an optional string UMC ignores.
	case "/reboot":
		if missing || json.Unmarshal(param, &w.delay) != nil {
			return bad("expected u64")
		}
	case "/identify":
		if missing || json.Unmarshal(param, &w.on) != nil {
			return bad("expected a boolean")
		}
	case "/miner":
		var op string
		if missing || json.Unmarshal(param, &op) != nil || (op != "Stop" && op != "Autostart") {
			return bad("unknown variant, expected `Stop` or `Autostart`")
		}
		w.stop = op == "Stop"
	case "/coin":
		var coin struct {
			Coin           *string `json:"coin"`
			StratumConfigs *[]struct {
				Pool     *string `json:"pool"`
				Login    *string `json:"login"`
				Password *string `json:"password"`
			} `json:"stratum_configs"`
			UniqueID *bool `json:"unique_id"`
		}
		if missing || json.Unmarshal(param, &coin) != nil || coin.Coin == nil || coin.StratumConfigs == nil {
			return bad("expected coin and stratum_configs")
		}
		if c := strings.ToUpper(*coin.Coin); c != "BTC" && c != "LTC" {
			return bad("unknown variant, expected `BTC` or `LTC`")
		}
		for _, c := range *coin.StratumConfigs {
			if c.Pool == nil || c.Login == nil || c.Password == nil {
				return bad("stratum config needs pool, login and password")
			}
			p := PoolSetting{URL: *c.Pool, User: *c.Login, Password: *c.Password}
			if w.badPool == "" && !epicPoolURLOK(p) {
				w.badPool = p.URL
			}
			w.pools = append(w.pools, p)
		}
		if w.badPool == "" && (len(w.pools) == 0 || len(w.pools) > maxAntPools) {
			w.badPool = fmt.Sprintf("%d stratum configs", len(w.pools))
		}
	case "/fanspeed":
		var mode struct {
			Auto *struct {
				TargetTemp *int `json:"Target Temperature"`
				IdleSpeed  *int `json:"Idle Speed"`
			} `json:"Auto"`
			Manual *int `json:"Manual"`
		}
		if missing || json.Unmarshal(param, &mode) != nil || (mode.Auto == nil) == (mode.Manual == nil) {
			return bad("expected {\"Auto\":{…}} or {\"Manual\":n}")
		}
		if mode.Manual != nil {
			if *mode.Manual < 0 || *mode.Manual > 100 {
				return bad("fan speed must be 0 to 100")
			}
			w.fan = epicFanMode{manual: true, percent: *mode.Manual}
			break
		}
		a := mode.Auto
		if a.TargetTemp == nil || a.IdleSpeed == nil || *a.TargetTemp < 0 || *a.TargetTemp > 200 || *a.IdleSpeed < 0 || *a.IdleSpeed > 100 {
			return bad("Auto needs Target Temperature and Idle Speed")
		}
		w.fan = epicFanMode{targetTemp: *a.TargetTemp, idleSpeed: *a.IdleSpeed}
	}
	return w, nil
}

// epicPoolURLOK reports whether UMC would take p: a stratum URL with a
// host and port, and printable texts.
func epicPoolURLOK(p PoolSetting) bool {
	rest, ok := strings.CutPrefix(p.URL, "stratum+tcp://")
	if !ok {
		rest, ok = strings.CutPrefix(p.URL, "stratum+ssl://")
	}
	host, port, hasPort := strings.Cut(rest, ":")
	return ok && hasPort && host != "" && port != "" && p.User != "" &&
		validPoolText(p.URL) && validPoolText(p.User) && validPoolText(p.Password)
}

// epicResult is UMC's {"result":…,"error":…} answer.
func epicResult(buf []byte, errJSON string) httpReply {
	body := `{"result":true,"error":null}`
	if errJSON != "" {
		body = `{"result":false,"error":` + errJSON + `}`
	}
	return httpReply{status: http.StatusOK, contentType: "application/json", body: append(buf, body...)}
}

// epicWrite answers a POST to one of epicWritePaths and applies it. A
// reboot happens at once whatever its delay, and a soft reboot (a restart
// of the mining program) also makes the simulated miner unreachable for
// the reboot time.
func (s *Sim) epicWrite(r *http.Request, m *miner, t float64, buf []byte) httpReply {
	body, err := io.ReadAll(io.LimitReader(r.Body, epicMaxBody))
	if err != nil {
		return httpReply{status: http.StatusBadRequest, contentType: "text/plain", body: append(buf, "Failed to read request body"...)}
	}
	w, err := parseEPICWrite(r.URL.Path, body)
	if err != nil {
		return httpReply{status: http.StatusBadRequest, contentType: "text/plain; charset=utf-8", body: append(buf, err.Error()...)}
	}
	if w.password != EPICPassword {
		return epicResult(buf, `"BadPassword"`)
	}
	switch w.path {
	case "/reboot", "/softreboot":
		s.write(m, t, true, func(*minerControl) {})
	case "/identify":
		s.write(m, t, false, func(c *minerControl) { c.settings.Locate = w.on })
	case "/miner":
		s.write(m, t, false, func(c *minerControl) { c.settings.Paused = w.stop })
	case "/coin":
		if w.badPool != "" {
			detail, _ := json.Marshal(map[string]string{"InvalidPoolAddr": w.badPool})
			return epicResult(buf, string(detail))
		}
		s.write(m, t, false, func(c *minerControl) { c.settings.Pools = w.pools })
	case "/fanspeed":
		s.write(m, t, false, func(c *minerControl) {
			st := &c.settings
			st.FanManual = w.fan.manual
			if w.fan.manual {
				st.FanPercent = w.fan.percent
			} else {
				st.FanTargetTemp, st.FanIdleSpeed = w.fan.targetTemp, w.fan.idleSpeed
			}
		})
	}
	return epicResult(buf, "")
}
