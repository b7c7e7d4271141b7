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

// The Braiins OS REST API (25.07+): HTTP on port 80 under /api/v1, the
// protobuf messages of the gRPC API in JSON with snake_case names and
// integer enums (captured 25.07 fixtures). A reply whose message has one
// field is that field alone: power-target answers {"watt":…}, pause a bare
// boolean, locate a bare boolean, pools the array of groups. Requests
// carry the token of POST /api/v1/auth/login in the Authorization header,
// raw; without a live one the reply is 401. Builds before 25.07 serve
// only their web interface, so /api/v1 is 404 there.

// bosRESTMaxBody bounds a request body.
const bosRESTMaxBody = 64 << 10

// jobj is a JSON object; encoding/json writes its keys sorted, as the
// captured replies are.
type jobj = map[string]any

// bosWebReply answers an HTTP request to Braiins OS miner m.
func (s *Sim) bosWebReply(r *http.Request, m *miner, snap *snapshot) httpReply {
	fw := m.model.bos
	path := r.URL.Path
	if !strings.HasPrefix(path, "/api/") {
		return httpReply{status: http.StatusOK, contentType: "text/html",
			body: []byte("<!DOCTYPE html><html><head><title>Braiins OS</title></head><body><div id=\"root\"></div></body></html>\n")}
	}
	if !fw.rest || !strings.HasPrefix(path, "/api/v1/") {
		return bosRESTError(http.StatusNotFound, "not found")
	}
	t := snap.t
	route := r.Method + " " + strings.TrimPrefix(path, "/api/v1")
	if route == "POST /auth/login" {
		var creds struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}
		if err := readJSONBody(r, &creds); err != nil {
			return bosRESTError(http.StatusBadRequest, err.Error())
		}
		tok := s.bosLogin(m, t, creds.Username, creds.Password)
		if tok == "" {
			return bosRESTError(http.StatusUnauthorized, "invalid username or password")
		}
		return bosJSON(jobj{"token": tok, "timeout_s": bosTokenTimeout})
	}
	if !s.bosAuthorized(m, t, r.Header.Get("Authorization")) {
		return bosRESTError(http.StatusUnauthorized, "unauthorized")
	}
	switch route {
	case "GET /miner/details":
		return bosJSON(bosDetailsJSON(m, snap))
	case "GET /miner/stats":
		return bosJSON(bosStatsJSON(m, snap))
	case "GET /miner/hw/hashboards":
		boards := make([]any, m.model.Boards)
		for i := range boards {
			boards[i] = bosHashboardJSON(m, snap, i)
		}
		return bosJSON(jobj{"hashboards": boards})
	case "GET /cooling/state":
		fans := make([]any, m.model.Fans)
		for f := range fans {
			fans[f] = jobj{"position": f, "rpm": snap.fans[f],
				"target_speed_ratio": math.Round(float64(snap.fans[f])/bosFanMaxRPM*100) / 100}
		}
		out := jobj{"fans": fans}
		if at, hot := bosHottest(m, snap); at >= 0 {
			out["highest_temperature"] = jobj{"id": at + 1, "location": 1, "temperature": jobj{"degree_c": hot}}
		}
		return bosJSON(out)
	case "GET /pools/", "GET /pools":
		return bosJSON(bosPoolGroupsJSON(m, snap, m.bosGroups(t)))
	case "PUT /actions/reboot":
		s.write(m, t, true, func(c *minerControl) { c.bos.tokens = nil })
		return bosJSON(jobj{})
	case "PUT /actions/restart":
		s.write(m, t, true, func(*minerControl) {})
		return bosJSON(false)
	case "PUT /actions/pause":
		return bosJSON(s.bosSetPaused(m, t, true))
	case "PUT /actions/resume":
		return bosJSON(s.bosSetPaused(m, t, false))
	case "GET /actions/locate":
		return bosJSON(m.settingsAt(t).Locate)
	case "PUT /actions/locate":
		var on bool
		if err := readJSONBody(r, &on); err != nil {
			return bosRESTError(http.StatusBadRequest, err.Error())
		}
		s.bosSetLocateState(m, t, on)
		return bosJSON(on)
	case "PUT /performance/power-target":
		var p struct {
			Watt *uint64 `json:"watt"`
		}
		if err := readJSONBody(r, &p); err != nil {
			return bosRESTError(http.StatusBadRequest, err.Error())
		}
		if p.Watt == nil {
			return bosRESTError(http.StatusBadRequest, "missing field `watt`")
		}
		return bosJSON(jobj{"watt": s.bosApplyPowerTarget(m, t, *p.Watt)})
	case "GET /performance/tuner-state":
		st := m.settingsAt(t)
		overall := 2
		if m.faults.Load().idle() {
			overall = 1
		}
		return bosJSON(jobj{"overall_tuner_state": overall, "power_target_mode_state": jobj{
			"current_target": jobj{"watt": st.PowerTargetW},
			"profile": jobj{
				"created":                     jobj{"seconds": snap.unix - int64(snap.uptime), "nanos": 0},
				"target":                      jobj{"watt": st.PowerTargetW},
				"measured_hashrate":           jobj{"gigahash_per_second": bosNominalGHs(m, snap)},
				"estimated_power_consumption": jobj{"watt": int64(math.Round(snap.power))},
			}}})
	}
	return bosRESTError(http.StatusNotFound, "not found")
}

// readJSONBody decodes a request body of at most bosRESTMaxBody bytes
// holding exactly one JSON value.
func readJSONBody(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, bosRESTMaxBody+1))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	return decodeRESTBody(body, v)
}

// decodeRESTBody decodes body into v: one JSON value, nothing after it.
func decodeRESTBody(body []byte, v any) error {
	if len(body) > bosRESTMaxBody {
		return errors.New("request body too large")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON body: %w", err)
	}
	if dec.More() {
		return errors.New("invalid JSON body: trailing data")
	}
	return nil
}

// bosJSON is a 200 reply with v as its JSON body.
func bosJSON(v any) httpReply {
	b, err := json.Marshal(v)
	if err != nil {
		return bosRESTError(http.StatusInternalServerError, err.Error())
	}
	return httpReply{status: http.StatusOK, contentType: "application/json", body: b}
}

// bosRESTError is an error reply: the gRPC status the API maps to HTTP.
func bosRESTError(code int, msg string) httpReply {
	b, _ := json.Marshal(jobj{"code": code, "message": msg})
	return httpReply{status: code, contentType: "application/json", body: b}
}

func gh(v float64) jobj { return jobj{"gigahash_per_second": v} }

// bosDetailsJSON is GET /miner/details, the captured 25.07 shape.
func bosDetailsJSON(m *miner, snap *snapshot) jobj {
	fw := m.model.bos
	sys := bosSystemUptime(snap)
	identity := jobj{"brand": 1, "miner_model": fw.identity, "name": fw.identity}
	if fw.modelEnum != 0 {
		identity["model"] = fw.modelEnum
	}
	return jobj{
		"bos_mode":                 fw.bosMode,
		"bos_version":              jobj{"bos_plus": true, "current": fw.current, "major": fw.major},
		"bosminer_uptime_s":        uint64(snap.uptime),
		"control_board_soc_family": fw.socFamily,
		"hostname":                 m.name,
		"kernel_version":           fw.kernel,
		"mac_address":              m.macLower(),
		"miner_identity":           identity,
		"platform":                 fw.platform,
		"psu_info": jobj{"fw_version": nil, "max_voltage": jobj{"volt": 15.2}, "min_voltage": jobj{"volt": 11.96},
			"model_name": fw.psuModel, "serial_number": nil, "version": 117},
		"serial_number":    m.serial,
		"status":           bosStatus(m),
		"sticker_hashrate": gh(m.model.HashRate / 1e9),
		"system_uptime":    sys,
		"system_uptime_s":  sys,
		"uid":              bosUIDOf(m),
	}
}

// bosSolverJSON is WorkSolverStats in JSON.
func bosSolverJSON(windows [10]float64, nominal, errMHs float64, best uint64) jobj {
	names := [10]string{"last_5s", "last_15s", "last_30s", "last_1m", "last_5m", "last_15m", "last_30m", "last_1h", "last_24h", "since_restart"}
	real := jobj{}
	for i, n := range names {
		real[n] = gh(windows[i])
	}
	return jobj{"best_share": best, "error_hashrate": jobj{"megahash_per_second": errMHs}, "found_blocks": 0,
		"nominal_hashrate": gh(nominal), "real_hashrate": real}
}

// bosPoolStatsJSON is PoolStats in JSON.
func bosPoolStatsJSON(m *miner, snap *snapshot) jobj {
	out := jobj{"accepted_shares": snap.acc, "best_share": snap.best,
		"generated_work": uint64(snap.shares * m.model.poolDiff), "last_difficulty": uint64(m.model.poolDiff),
		"rejected_shares": snap.rej, "stale_shares": 0}
	if snap.acc > 0 {
		last := float64(snap.unix) - snap.lastShareAgo
		sec := math.Floor(last)
		out["last_share_time"] = jobj{"seconds": int64(sec), "nanos": int64((last - sec) * 1e9)}
	}
	return out
}

// bosStatsJSON is GET /miner/stats, the shape of fixture A.6.
func bosStatsJSON(m *miner, snap *snapshot) jobj {
	return jobj{
		"miner_stats": bosSolverJSON(bosWindowGHs(snap), bosNominalGHs(m, snap), bosErrorMHs(snap.rate), snap.best),
		"pool_stats":  bosPoolStatsJSON(m, snap),
		"power_stats": jobj{"approximated_consumption": jobj{"watt": uint64(math.Round(snap.power))},
			"efficiency": jobj{"joule_per_terahash": bosEfficiency(snap)}},
	}
}

// bosHashboardJSON is one Hashboard in JSON; see bosHashboard.
func bosHashboardJSON(m *miner, snap *snapshot, i int) jobj {
	fw := m.model.bos
	b := &snap.boards[i]
	id := string(rune('1' + i))
	out := jobj{"id": id, "enabled": true, "chips_count": 0, "model": fw.boardName,
		"board_name": fw.boardName, "chip_type": fw.chipType}
	if !b.present {
		return out
	}
	share := 0.0
	if snap.rate > 0 {
		share = b.rate / snap.rate
	}
	var windows [10]float64
	for k, v := range bosWindowGHs(snap) {
		windows[k] = v * share
	}
	out["chips_count"] = b.chips
	out["current_voltage"] = jobj{"volt": bosBoardVoltage(m, b)}
	out["current_frequency"] = jobj{"hertz": float64(b.freq) * 1e6}
	out["highest_chip_temp"] = jobj{"id": i + 1, "location": 1, "temperature": jobj{"degree_c": float64(chipMaxOf(b))}}
	out["board_temp"] = jobj{"degree_c": float64(max4(b.pcb))}
	out["lowest_inlet_temp"] = jobj{"degree_c": math.Min(float64(b.pcb[0]), float64(b.pcb[1]))}
	out["highest_outlet_temp"] = jobj{"degree_c": math.Max(float64(b.pcb[2]), float64(b.pcb[3]))}
	out["serial_number"] = m.serial + "-" + id
	out["stats"] = bosSolverJSON(windows, bosNominalGHs(m, snap)/float64(m.model.Boards), bosErrorMHs(b.rate), 0)
	return out
}

// bosPoolGroupsJSON is GET /pools/: the array of PoolGroup.
func bosPoolGroupsJSON(m *miner, snap *snapshot, groups []bosPoolGroup) []any {
	ag, ap := activePool(groups)
	out := make([]any, 0, len(groups))
	for gi, g := range groups {
		pools := make([]any, 0, len(g.pools))
		for pi, p := range g.pools {
			active := gi == ag && pi == ap
			stats := jobj{"accepted_shares": 0, "rejected_shares": 0, "stale_shares": 0, "last_difficulty": 0,
				"best_share": 0, "generated_work": 0}
			if active {
				stats = bosPoolStatsJSON(m, snap)
			}
			pools = append(pools, jobj{"uid": p.uid, "url": p.url, "user": p.user, "enabled": p.enabled,
				"alive": p.enabled, "active": active, "stats": stats})
		}
		group := jobj{"uid": g.uid, "name": g.name, "pools": pools}
		if g.hasRatio {
			group["fixed_share_ratio"] = jobj{"value": g.ratio}
		} else {
			group["quota"] = jobj{"value": g.quota}
		}
		out = append(out, group)
	}
	return out
}
