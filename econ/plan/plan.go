// Package plan turns the planner's requests (a rig named by a catalog model,
// a scenario, a backtest window, a home) into econ's inputs, and econ's
// results into the reports and charts hearth shows. The CLI ('hearth plan')
// and the server's /api/v1/plan endpoints both go through it, so that they
// accept the same inputs, print the same JSON and draw the same charts;
// neither holds a formula of its own.
package plan

import (
	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
)

// RigSpec describes the machines of an investment, by catalog model or by
// hash rate and power. It is the JSON a client sends and what the CLI's rig
// flags fill.
type RigSpec struct {
	// Model is a catalog model; HashrateTH and PowerW override its figures.
	Model string `json:"model"`
	// Count is the number of miners.
	Count int `json:"count"`
	// HashrateTH and PowerW are one miner's figures; zero takes the model's.
	HashrateTH float64 `json:"hashrate_th"`
	PowerW     float64 `json:"power_w"`
	// CapexUSD is the cost of all miners; negative takes the catalog price
	// times Count, where the catalog has one.
	CapexUSD float64 `json:"capex_usd"`
	// PoolFee is the pool's cut, a fraction.
	PoolFee float64 `json:"pool_fee"`
	// Uptime is the fraction of time the miners hash.
	Uptime float64 `json:"uptime"`
}

// DefaultRig is one Antminer S21 at its catalog price, a 2 % pool fee and
// 97 % uptime: what a request that names nothing plans.
func DefaultRig() RigSpec {
	return RigSpec{Model: "Antminer S21", Count: 1, CapexUSD: -1, PoolFee: 0.02, Uptime: 0.97}
}

// Rig resolves the spec against a catalog into the rig econ projects.
func (r RigSpec) Rig(c econ.Catalog) (econ.Rig, error) {
	hashrate, power, price := r.HashrateTH, r.PowerW, 0.0
	if r.Model != "" && (hashrate == 0 || power == 0) {
		m, err := c.Find(r.Model)
		if err != nil {
			return econ.Rig{}, hearth.Errorf(hearth.EINVALID, "%s (give a hash rate and power, or pick a catalog model)", hearth.ErrorMessage(err))
		}
		if hashrate == 0 {
			hashrate = m.HashrateTH
		}
		if power == 0 {
			power = m.PowerW
		}
		price = m.PriceUSD
	}
	if r.Count <= 0 {
		return econ.Rig{}, hearth.Errorf(hearth.EINVALID, "count must be positive, got %d", r.Count)
	}
	capex := r.CapexUSD
	if capex < 0 {
		if price == 0 {
			// Payback, ROI and IRR mean nothing without a purchase price.
			return econ.Rig{}, hearth.Errorf(hearth.EINVALID, "no purchase price is known for these miners: give the capex in USD (0 to leave the purchase out)")
		}
		capex = price * float64(r.Count)
	}
	rig := econ.Rig{HashrateTH: hashrate * float64(r.Count), PowerW: power * float64(r.Count), CapexUSD: capex, PoolFee: r.PoolFee, Uptime: r.Uptime}
	return rig, rig.Validate()
}

// DefaultNetwork is the network the planner assumes when told nothing:
// difficulty 148.26e12 at 87,000 USD, no fees, the current subsidy era.
func DefaultNetwork() econ.Network {
	return econ.Network{Difficulty: 148.26e12, BTCPrice: 87000}
}

// OutlookSpec is the scenario of a projection: the network on day zero and
// how it moves, the electricity price, the discount rate and the horizon.
type OutlookSpec struct {
	econ.Network
	ElectricityPrice         float64 `json:"electricity_price"`
	DifficultyGrowthPerEpoch float64 `json:"difficulty_growth_per_epoch"`
	PriceGrowthPerYear       float64 `json:"price_growth_per_year"`
	DiscountPerYear          float64 `json:"discount_per_year"`
	// Years is the horizon.
	Years float64 `json:"years"`
}

// DefaultOutlook is the default scenario: 0.06 USD/kWh, 2025's difficulty
// growth (+1.16 % a retarget, ≈ +35 % a year), a flat price, 8 % discount,
// three years.
func DefaultOutlook() OutlookSpec {
	return OutlookSpec{Network: DefaultNetwork(), ElectricityPrice: 0.06, DifficultyGrowthPerEpoch: 0.0116, DiscountPerYear: 0.08, Years: 3}
}

// Outlook returns the econ outlook of the spec.
func (o OutlookSpec) Outlook() econ.Outlook {
	return econ.Outlook{Start: o.Network, ElectricityPrice: o.ElectricityPrice, Days: int(o.Years * 365),
		DifficultyGrowthPerEpoch: o.DifficultyGrowthPerEpoch, PriceGrowthPerYear: o.PriceGrowthPerYear, DiscountPerYear: o.DiscountPerYear}
}
