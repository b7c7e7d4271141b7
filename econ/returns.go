package econ

import "math"

// Returns sums up an investment from its daily profits.
type Returns struct {
	// PaybackDays is the first day on which cumulative profit covers the
	// capex, or -1 if it never does within the horizon.
	PaybackDays int `json:"payback_days"`
	// TotalProfitUSD is the sum of daily profits (revenue less electricity).
	TotalProfitUSD float64 `json:"total_profit_usd"`
	// ROI is total profit over capex, less one: 0.5 means the capex came back
	// with half again on top. Zero capex gives 0.
	ROI float64 `json:"roi"`
	// NPVUSD is the net present value at the discount rate: −capex plus each
	// day's profit discounted by (1+rate)^(day/365).
	NPVUSD float64 `json:"npv_usd"`
	// IRR is the annual discount rate at which the NPV is zero, or nil when
	// there is none (profits never turn the sign of the cash flow).
	IRR *float64 `json:"irr"`
}

// Evaluate returns the payback, ROI, NPV at annual discount rate and IRR of
// an investment of capex on day zero that earns profits[d] on day d+1.
func Evaluate(capex float64, profits []float64, discountPerYear float64) Returns {
	r := Returns{PaybackDays: paybackDay(capex, profits)}
	for _, p := range profits {
		r.TotalProfitUSD += p
	}
	if capex > 0 {
		r.ROI = r.TotalProfitUSD/capex - 1
	}
	r.NPVUSD = npv(capex, profits, discountPerYear)
	if irr, ok := internalRate(capex, profits); ok {
		r.IRR = &irr
	}
	return r
}

// paybackDay is the first day (1-based) on which the cumulative profit
// reaches capex, or -1.
func paybackDay(capex float64, profits []float64) int {
	cum := 0.0
	for d, p := range profits {
		cum += p
		if cum >= capex {
			return d + 1
		}
	}
	return -1
}

// npv discounts daily profits at an annual rate: −capex + Σ p_d·(1+rate)^(−(d+1)/365).
func npv(capex float64, profits []float64, ratePerYear float64) float64 {
	f := math.Pow(1+ratePerYear, -1.0/365)
	df, sum := 1.0, -capex
	for _, p := range profits {
		df *= f
		sum += p * df
	}
	return sum
}

// internalRate finds the annual rate that zeroes the NPV by bisection over
// −99 % … +10,000 %. The NPV of a capex followed by profits falls as the
// rate rises, so a sign change brackets the one root.
func internalRate(capex float64, profits []float64) (float64, bool) {
	if capex <= 0 || len(profits) == 0 {
		return 0, false
	}
	lo, hi := -0.99, 100.0
	flo, fhi := npv(capex, profits, lo), npv(capex, profits, hi)
	if math.IsNaN(flo) || math.IsNaN(fhi) || flo*fhi > 0 {
		return 0, false
	}
	for range 200 {
		mid := (lo + hi) / 2
		fm := npv(capex, profits, mid)
		if fm == 0 || hi-lo < 1e-9 {
			return mid, true
		}
		if (fm > 0) == (flo > 0) {
			lo, flo = mid, fm
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2, true
}
