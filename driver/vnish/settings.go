package vnish

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/hearth-fleet/hearth"
)

// saveResult is the reply of POST /settings (spec SaveConfigResult).
type saveResult struct {
	RestartRequired bool `json:"restart_required"`
	RebootRequired  bool `json:"reboot_required"`
}

// saveSettings posts a partial configuration to /settings. When VNish
// answers that the miner process must restart for the change to apply, it
// sends POST /mining/restart, so that the change is in force when the verb
// returns, as the web interface does after saving.
func (d *Driver) saveSettings(ctx context.Context, ep endpoint, v any) error {
	r, err := d.sendJSON(ctx, ep, http.MethodPost, pathSettings, v)
	if err != nil {
		return err
	}
	var res saveResult
	if err := decode(pathSettings, r.body, &res); err != nil {
		return err
	}
	if res.RestartRequired {
		if _, err := d.send(ctx, ep, http.MethodPost, pathRestart, nil, true); err != nil {
			return err
		}
	}
	return nil
}

// settingsDoc is GET /settings kept as raw JSON, so that the driver can
// send back the overclock section with only the preset changed.
type settingsDoc struct {
	Miner struct {
		Overclock map[string]json.RawMessage `json:"overclock"`
	} `json:"miner"`
}

// readSettings fetches GET /settings.
func (d *Driver) readSettings(ctx context.Context, ep endpoint) (*settingsDoc, error) {
	r, err := d.send(ctx, ep, http.MethodGet, pathSettings, nil, true)
	if err != nil {
		return nil, err
	}
	return decodeSettings(r.body)
}

// decodeSettings parses a GET /settings body.
func decodeSettings(b []byte) (*settingsDoc, error) {
	var s settingsDoc
	if err := decode(pathSettings, b, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// preset returns the overclock preset the settings name, "" when none.
// VNish sends it as a string ("3495"); a number is accepted too.
func (s *settingsDoc) preset() string {
	raw, ok := s.Miner.Overclock["preset"]
	if !ok {
		return ""
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// SetPools replaces the miner's pools (one to three, in priority order)
// with POST /settings {"miner":{"pools":[{"url","user","pass"}…]}}, and
// restarts the miner process when VNish says the change needs it.
func (d *Driver) SetPools(ctx context.Context, t hearth.Target, pools []hearth.PoolConfig) error {
	ep, err := endpointOf(t)
	if err != nil {
		return err
	}
	if len(pools) == 0 || len(pools) > 3 {
		return hearth.Errorf(hearth.EINVALID, "VNish takes one to three pools, not %d.", len(pools))
	}
	type vnishPool struct {
		URL  string `json:"url"`
		User string `json:"user"`
		Pass string `json:"pass"`
	}
	list := make([]vnishPool, len(pools))
	for i, p := range pools {
		if p.URL == "" || p.User == "" {
			return hearth.Errorf(hearth.EINVALID, "Pool %d needs a URL and a user.", i+1)
		}
		list[i] = vnishPool{URL: p.URL, User: p.User, Pass: p.Password}
	}
	ctx, cancel := d.withDeadline(ctx)
	defer cancel()
	body := map[string]any{"miner": map[string]any{"pools": list}}
	if err := d.saveSettings(ctx, ep, body); err != nil {
		return wrap("set pools", ep, err)
	}
	return nil
}
