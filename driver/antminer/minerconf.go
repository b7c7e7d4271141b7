package antminer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hearth-fleet/hearth"
)

// Work modes of set_miner_conf's "miner-mode" (and get_miner_conf's
// "bitmain-work-mode"), as pyasic and asic-rs use them.
const (
	modeNormal   = 0
	modeSleep    = 1
	modeLowPower = 3
)

// minerConf is a get_miner_conf.cgi reply kept member by member, so that
// everything hearth does not change goes back to the miner unchanged:
// set_miner_conf.cgi replaces the whole configuration, and a member left
// out is a setting lost.
type minerConf map[string]json.RawMessage

// parseMinerConf reads a get_miner_conf reply. It must be a JSON object
// with a "pools" array, or it is not a configuration hearth can send back
// whole.
func parseMinerConf(body []byte) (minerConf, error) {
	var conf minerConf
	if err := json.Unmarshal(body, &conf); err != nil || conf == nil {
		return nil, hearth.Errorf(hearth.EPROTOCOL, "get_miner_conf.cgi's reply is not a JSON object.")
	}
	var pools []json.RawMessage
	if err := json.Unmarshal(conf["pools"], &pools); err != nil {
		return nil, hearth.Errorf(hearth.EPROTOCOL, "get_miner_conf.cgi's reply has no pools list; hearth will not send back a partial configuration.")
	}
	return conf, nil
}

// withMode sets the work mode: "miner-mode" as a number, the member
// set_miner_conf reads; "bitmain-work-mode", the member get_miner_conf
// reports, to the same value in the type it came in (a string on most
// builds), as asic-rs also sends both. When the reply named the frequency
// level only as "bitmain-freq-level", it is copied to "freq-level", the
// name set_miner_conf reads (the web UI sends "freq-level").
func (c minerConf) withMode(mode int) {
	c["miner-mode"] = json.RawMessage(fmt.Sprint(mode))
	if old, ok := c["bitmain-work-mode"]; ok {
		if len(old) > 0 && old[0] == '"' {
			c["bitmain-work-mode"] = json.RawMessage(fmt.Sprintf("%q", fmt.Sprint(mode)))
		} else {
			c["bitmain-work-mode"] = json.RawMessage(fmt.Sprint(mode))
		}
	}
	if _, ok := c["freq-level"]; !ok {
		if level, ok := c["bitmain-freq-level"]; ok {
			c["freq-level"] = level
		}
	}
}

// confPool is one entry of set_miner_conf's "pools".
type confPool struct {
	URL  string `json:"url"`
	User string `json:"user"`
	Pass string `json:"pass"`
}

// poolSlots is the number of pool slots of stock firmware; set_miner_conf
// always gets all three, unused ones empty (as pyasic sends them).
const poolSlots = 3

// withPools replaces the pools, padding to the three slots.
func (c minerConf) withPools(pools []hearth.PoolConfig) error {
	slots := make([]confPool, poolSlots)
	for i, p := range pools {
		slots[i] = confPool{URL: p.URL, User: p.User, Pass: p.Password}
	}
	b, err := json.Marshal(slots)
	if err != nil {
		return hearth.WrapError(hearth.EINTERNAL, err, "Encoding pools failed.")
	}
	c["pools"] = b
	if _, ok := c["freq-level"]; !ok {
		if level, ok := c["bitmain-freq-level"]; ok {
			c["freq-level"] = level
		}
	}
	return nil
}

// editMinerConf reads the configuration with GET get_miner_conf.cgi, lets
// edit change it, and sends the whole of it back with POST
// set_miner_conf.cgi (a JSON body), whose reply is
// {"stats":"success","code":"M000","msg":"OK!"}.
func (d *Driver) editMinerConf(ctx context.Context, t hearth.Target, verb string, edit func(minerConf) error) error {
	ctx, cancel := d.controlContext(ctx)
	defer cancel()
	body, err := d.webGet(ctx, t, cgiGetMinerConf)
	if err != nil {
		return fmt.Errorf("antminer %s %s: %w", verb, t.Address, err)
	}
	conf, err := parseMinerConf(body)
	if err != nil {
		return fmt.Errorf("antminer %s %s: %w", verb, t.Address, err)
	}
	if err := edit(conf); err != nil {
		return fmt.Errorf("antminer %s %s: %w", verb, t.Address, err)
	}
	out, err := json.Marshal(conf)
	if err != nil {
		return hearth.WrapError(hearth.EINTERNAL, err, "antminer %s %s: encoding the configuration failed.", verb, t.Address)
	}
	reply, err := d.webRequest(ctx, t, http.MethodPost, cgiSetMinerConf, out)
	if err != nil {
		return fmt.Errorf("antminer %s %s: %w", verb, t.Address, err)
	}
	if err := checkCGIResult(cgiSetMinerConf, reply); err != nil {
		return fmt.Errorf("antminer %s %s: %w", verb, t.Address, err)
	}
	return nil
}

// setMode switches the work mode, keeping the rest of the configuration.
func (d *Driver) setMode(ctx context.Context, t hearth.Target, verb string, mode int) error {
	return d.editMinerConf(ctx, t, verb, func(c minerConf) error {
		c.withMode(mode)
		return nil
	})
}

// Pause puts the miner to sleep: get_miner_conf, then set_miner_conf with
// the whole configuration and "miner-mode" 1. The hash boards stop; the
// controller, its web interface and the RPC API stay up.
func (d *Driver) Pause(ctx context.Context, t hearth.Target) error {
	return d.setMode(ctx, t, "pause", modeSleep)
}

// Resume wakes the miner into the normal work mode ("miner-mode" 0), the
// same way as Pause.
func (d *Driver) Resume(ctx context.Context, t hearth.Target) error {
	return d.setMode(ctx, t, "resume", modeNormal)
}

// SetPools replaces the pools through get_miner_conf and set_miner_conf:
// "pools" becomes exactly three {"url","user","pass"} entries, the unused
// ones empty strings, and the rest of the configuration is kept. URLs go
// to the firmware as given (bmminer takes "stratum+tcp://host:port").
func (d *Driver) SetPools(ctx context.Context, t hearth.Target, pools []hearth.PoolConfig) error {
	switch {
	case len(pools) == 0:
		return hearth.Errorf(hearth.EINVALID, "At least one pool is required.")
	case len(pools) > poolSlots:
		return hearth.Errorf(hearth.EINVALID, "Antminers keep three pools, not %d.", len(pools))
	}
	for _, p := range pools {
		if p.URL == "" || p.User == "" {
			return hearth.Errorf(hearth.EINVALID, "Every pool needs a URL and a user.")
		}
	}
	return d.editMinerConf(ctx, t, "set pools", func(c minerConf) error {
		return c.withPools(pools)
	})
}
