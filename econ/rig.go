package econ

import (
	"math"

	"github.com/hearth-fleet/hearth"
)

// Rig is a mining investment: what the machines do, what they cost to buy,
// and the share of their nominal income that reaches the owner.
type Rig struct {
	// HashrateTH is the total hash rate in TH/s.
	HashrateTH float64 `json:"hashrate_th"`
	// PowerW is the total power at the wall in watts.
	PowerW float64 `json:"power_w"`
	// CapexUSD is the purchase and installation cost, paid on day zero.
	CapexUSD float64 `json:"capex_usd"`
	// PoolFee is the pool's cut of the income, a fraction (0.02 = 2 %).
	PoolFee float64 `json:"pool_fee"`
	// Uptime is the fraction of time the rig hashes (and draws power).
	Uptime float64 `json:"uptime"`
}

// Validate refuses a rig whose figures cannot describe a real machine.
func (r Rig) Validate() error {
	switch {
	case !(r.HashrateTH > 0) || math.IsInf(r.HashrateTH, 0):
		return hearth.Errorf(hearth.EINVALID, "hash rate must be positive, got %g TH/s", r.HashrateTH)
	case !(r.PowerW >= 0) || math.IsInf(r.PowerW, 0):
		return hearth.Errorf(hearth.EINVALID, "power must not be negative, got %g W", r.PowerW)
	case !(r.CapexUSD >= 0) || math.IsInf(r.CapexUSD, 0):
		return hearth.Errorf(hearth.EINVALID, "capex must not be negative, got %g USD", r.CapexUSD)
	case !(r.PoolFee >= 0 && r.PoolFee < 1):
		return hearth.Errorf(hearth.EINVALID, "pool fee must be a fraction in [0, 1), got %g", r.PoolFee)
	case !(r.Uptime > 0 && r.Uptime <= 1):
		return hearth.Errorf(hearth.EINVALID, "uptime must be a fraction in (0, 1], got %g", r.Uptime)
	}
	return nil
}

// EfficiencyJPerTH returns the rig's efficiency, watts per TH/s.
func (r Rig) EfficiencyJPerTH() float64 { return r.PowerW / r.HashrateTH }

// Day is one day of a rig's operation.
type Day struct {
	// BTC is the bitcoin earned after pool fee and downtime.
	BTC float64 `json:"btc"`
	// RevenueUSD is BTC at the day's price.
	RevenueUSD float64 `json:"revenue_usd"`
	// EnergyKWh is the electricity drawn.
	EnergyKWh float64 `json:"energy_kwh"`
	// CostUSD is the electricity bill of the day.
	CostUSD float64 `json:"cost_usd"`
}

// Profit returns revenue less electricity.
func (d Day) Profit() float64 { return d.RevenueUSD - d.CostUSD }

// Hours returns the rig's income and electricity over a span of hours at one
// network state and one electricity price:
//
//	btc    = H·hours·3600·R/(D·2^32) · (1 − pool fee) · uptime
//	energy = P/1000 · hours · uptime
//	cost   = energy · price
//
// It is the single place a rig's income is computed; days, backtests and
// the Monte Carlo all call it.
func (r Rig) Hours(hours float64, n Network, usdPerKWh float64) Day {
	btc := r.HashrateTH * BTCPerTHDay(n.Difficulty, n.RewardBTC()) * hours / 24 * (1 - r.PoolFee) * r.Uptime
	e := r.PowerW / 1000 * hours * r.Uptime
	return Day{BTC: btc, RevenueUSD: btc * n.BTCPrice, EnergyKWh: e, CostUSD: e * usdPerKWh}
}

// Day returns one day of the rig's operation; see Hours.
func (r Rig) Day(n Network, usdPerKWh float64) Day { return r.Hours(24, n, usdPerKWh) }
