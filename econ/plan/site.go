package plan

import (
	"strconv"
	"strings"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
)

// SiteRequest asks for the electrical and economic plan of a site.
type SiteRequest struct {
	// Miners are "MODEL=COUNT" or "MODEL" (which fills the power left).
	Miners           []string `json:"miners"`
	PowerAvailableKW float64  `json:"power_available_kw"`
	VoltageV         float64  `json:"voltage_v"`
	Phases           int      `json:"phases"`
	RackPowerKW      float64  `json:"rack_power_kw"`
	BreakerA         float64  `json:"breaker_a"`
	PowerFactor      float64  `json:"power_factor"`
	AirRiseK         float64  `json:"air_rise_k"`
	// HashpriceUSDPerPHDay zero takes the hashprice of the network.
	HashpriceUSDPerPHDay float64 `json:"hashprice_usd_per_ph_day"`
	ElectricityPrice     float64 `json:"electricity_price"`
	PoolFee              float64 `json:"pool_fee"`
	econ.Network
}

// DefaultSiteRequest is the request whose omitted fields take the
// defaults: 100 kW of S21s on single-phase 240 V.
func DefaultSiteRequest() SiteRequest {
	return SiteRequest{Miners: []string{"Antminer S21"}, PowerAvailableKW: 100, VoltageV: 240, Phases: 1, RackPowerKW: 40,
		PowerFactor: econ.DefaultPowerFactor, AirRiseK: 20, ElectricityPrice: 0.06, PoolFee: 0.02, Network: DefaultNetwork()}
}

// Inputs resolves the request's mix against a catalog.
func (s SiteRequest) Inputs(c econ.Catalog) (econ.SiteInputs, error) {
	in := econ.SiteInputs{PowerAvailableKW: s.PowerAvailableKW, VoltageV: s.VoltageV, Phases: s.Phases, RackPowerKW: s.RackPowerKW, BreakerA: s.BreakerA,
		PowerFactor: s.PowerFactor, AirRiseK: s.AirRiseK, HashpriceUSDPerPHDay: s.HashpriceUSDPerPHDay, ElectricityPrice: s.ElectricityPrice, PoolFee: s.PoolFee}
	for _, spec := range s.Miners {
		name, count := spec, 0
		if i := strings.LastIndex(spec, "="); i >= 0 {
			name = spec[:i]
			var err error
			if count, err = strconv.Atoi(strings.TrimSpace(spec[i+1:])); err != nil || count <= 0 {
				return in, hearth.Errorf(hearth.EINVALID, "miner %q: the count after '=' must be a positive whole number", spec)
			}
		}
		m, err := c.Find(strings.TrimSpace(name))
		if err != nil {
			return in, err
		}
		in.Items = append(in.Items, econ.SiteItem{Model: m, Count: count})
	}
	if in.HashpriceUSDPerPHDay == 0 {
		hp, err := econ.HashpriceOf(s.Network)
		if err != nil {
			return in, err
		}
		in.HashpriceUSDPerPHDay = hp.USDPerPHDay
	}
	return in, nil
}

// SiteReport is a site plan with its inputs: what 'hearth plan site
// --json' prints and the API returns.
type SiteReport struct {
	Inputs econ.SiteInputs `json:"inputs"`
	Plan   econ.SitePlan   `json:"plan"`
}
