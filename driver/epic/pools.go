package epic

import (
	"context"

	"github.com/hearth-fleet/hearth"
)

// maxPools is how many stratum configurations UMC accepts ("Supports up
// to 3 stratum_configs").
const maxPools = 3

// coinParam is the param of POST /coin.
type coinParam struct {
	// Coin is "BTC": the spec's enum spelling (pyasic sends "Btc";
	// asic-rs and the spec's example send "BTC").
	Coin           string         `json:"coin"`
	StratumConfigs []stratumEntry `json:"stratum_configs"`
	// UniqueID false keeps the worker name as given; true would make UMC
	// append a suffix of its own (the IP address, by default).
	UniqueID bool `json:"unique_id"`
}

// stratumEntry is one pool of coinParam.
type stratumEntry struct {
	Pool     string `json:"pool"`
	Login    string `json:"login"`
	Password string `json:"password"`
}

// SetPools replaces the miner's pools, in priority order, with POST /coin
// {"coin":"BTC","stratum_configs":[{pool,login,password}…],"unique_id":false}.
// One to three pools, each with a URL and a user, are accepted; anything
// else is EINVALID before the miner is contacted.
func (d *Driver) SetPools(ctx context.Context, t hearth.Target, pools []hearth.PoolConfig) error {
	if len(pools) == 0 || len(pools) > maxPools {
		return hearth.Errorf(hearth.EINVALID, "ePIC miners take one to %d pools, not %d.", maxPools, len(pools))
	}
	param := coinParam{Coin: "BTC", StratumConfigs: make([]stratumEntry, len(pools))}
	for i, p := range pools {
		if p.URL == "" || p.User == "" {
			return hearth.Errorf(hearth.EINVALID, "Pool %d needs a URL and a user.", i+1)
		}
		param.StratumConfigs[i] = stratumEntry{Pool: p.URL, Login: p.User, Password: p.Password}
	}
	return d.post(ctx, t, "set-pools", pathCoin, param)
}
