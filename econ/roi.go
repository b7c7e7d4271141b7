package econ

import (
	"fmt"
	"math"

	"github.com/hearth-fleet/hearth"
)

// Outlook is one scenario for the years ahead: where the network starts and
// how difficulty and price move from there.
type Outlook struct {
	// Start is the network on day zero.
	Start Network `json:"start"`
	// ElectricityPrice is USD per kWh, constant over the horizon.
	ElectricityPrice float64 `json:"electricity_price"`
	// Days is the horizon.
	Days int `json:"days"`
	// DifficultyGrowthPerEpoch is the difficulty change at each 2016-block
	// retarget, a fraction (0.0116 ≈ 2025's +35 % a year).
	DifficultyGrowthPerEpoch float64 `json:"difficulty_growth_per_epoch"`
	// PriceGrowthPerYear is the BTC price change per year, a fraction.
	PriceGrowthPerYear float64 `json:"price_growth_per_year"`
	// BlocksPerDay is the block rate; zero means 144. Faster blocks bring
	// the halvings and retargets sooner.
	BlocksPerDay float64 `json:"blocks_per_day"`
	// DiscountPerYear is the annual discount rate of the NPV.
	DiscountPerYear float64 `json:"discount_per_year"`
	// PricePath, when it has points, is the BTC price to follow instead of
	// Start.BTCPrice and PriceGrowthPerYear: day d takes the value in force
	// d days after the path's first point (a step series, so a sparse
	// scenario of a few dated prices works).
	PricePath Series `json:"-"`
}

// priceOn returns the BTC price on day d (1-based).
func (o Outlook) priceOn(d int) float64 {
	if o.PricePath.Len() > 0 {
		return o.PricePath.At(o.PricePath.Times[0] + int64(d)*86400)
	}
	return o.Start.BTCPrice * math.Pow(1+o.PriceGrowthPerYear, float64(d)/365)
}

// Validate refuses a horizon or rates that would make nonsense.
func (o Outlook) Validate() error {
	switch {
	case o.Days <= 0 || o.Days > 100*366:
		return hearth.Errorf(hearth.EINVALID, "horizon must be 1 to 36,600 days, got %d", o.Days)
	case !(o.Start.Difficulty > 0) || math.IsInf(o.Start.Difficulty, 0):
		return hearth.Errorf(hearth.EINVALID, "difficulty must be positive, got %g", o.Start.Difficulty)
	case !(o.Start.BTCPrice >= 0) || math.IsInf(o.Start.BTCPrice, 0):
		return hearth.Errorf(hearth.EINVALID, "BTC price must not be negative, got %g", o.Start.BTCPrice)
	case !(o.Start.FeesBTCPerBlock >= 0):
		return hearth.Errorf(hearth.EINVALID, "fees must not be negative, got %g", o.Start.FeesBTCPerBlock)
	case !(o.ElectricityPrice >= 0) || math.IsInf(o.ElectricityPrice, 0):
		return hearth.Errorf(hearth.EINVALID, "electricity price must not be negative, got %g", o.ElectricityPrice)
	case !(o.DifficultyGrowthPerEpoch > -1) || !(o.PriceGrowthPerYear > -1) || !(o.DiscountPerYear > -1):
		return hearth.Errorf(hearth.EINVALID, "growth and discount rates must be above −100 %%")
	case !(o.BlocksPerDay >= 0) || o.BlocksPerDay > 10000:
		return hearth.Errorf(hearth.EINVALID, "blocks per day must be 0 (144) to 10,000, got %g", o.BlocksPerDay)
	}
	for i, v := range o.PricePath.Values {
		if !(v >= 0) || math.IsInf(v, 0) {
			return hearth.Errorf(hearth.EINVALID, "price path point %d is %g; prices must not be negative", i+1, v)
		}
	}
	return nil
}

func (o Outlook) blocksPerDay() float64 {
	if o.BlocksPerDay == 0 {
		return BlocksPerDay
	}
	return o.BlocksPerDay
}

// startHeight is the outlook's day-zero height.
func (o Outlook) startHeight() int64 {
	if o.Start.Height == 0 {
		return DefaultHeight
	}
	return o.Start.Height
}

// ProjectedDay is one day of a projection: the network that day and what
// the rig made of it.
type ProjectedDay struct {
	// Day counts from 1, the first day after the purchase.
	Day int `json:"day"`
	// Height, Difficulty and BTCPrice are the network that day.
	Height     int64   `json:"height"`
	Difficulty float64 `json:"difficulty"`
	BTCPrice   float64 `json:"btc_price"`
	// Income is the day's bitcoin, revenue, energy and cost.
	Income Day `json:"income"`
	// CumulativeUSD is the running profit less capex: the payback curve.
	CumulativeUSD float64 `json:"cumulative_usd"`
}

// Projection is a rig's future under one outlook.
type Projection struct {
	// Rig and Outlook are the inputs, echoed for reports.
	Rig     Rig     `json:"rig"`
	Outlook Outlook `json:"outlook"`
	// Days are the horizon's days in order.
	Days []ProjectedDay `json:"days"`
	// Returns sum the days up.
	Returns Returns `json:"returns"`
	// BTC is the bitcoin mined over the horizon.
	BTC float64 `json:"btc"`
}

// Project runs rig through the outlook day by day. On day d (1-based) the
// height is h0 + d·blocks/day, the subsidy follows the halvings, the
// difficulty is D0·(1+g)^(retargets passed) and the price
// P0·(1+growth)^(d/365) or the price path's; income and cost are Rig.Day's.
func Project(rig Rig, o Outlook) (Projection, error) {
	if err := rig.Validate(); err != nil {
		return Projection{}, err
	}
	if err := o.Validate(); err != nil {
		return Projection{}, err
	}
	p := Projection{Rig: rig, Outlook: o, Days: make([]ProjectedDay, o.Days)}
	profits := make([]float64, o.Days)
	bpd := o.blocksPerDay()
	h0 := o.startHeight()
	cum := -rig.CapexUSD
	for d := 1; d <= o.Days; d++ {
		blocks := float64(d) * bpd
		n := o.Start
		n.Height = h0 + int64(blocks)
		n.Difficulty = o.Start.Difficulty * math.Pow(1+o.DifficultyGrowthPerEpoch, math.Floor(blocks/RetargetBlocks))
		n.BTCPrice = o.priceOn(d)
		day := rig.Day(n, o.ElectricityPrice)
		cum += day.Profit()
		profits[d-1] = day.Profit()
		p.BTC += day.BTC
		p.Days[d-1] = ProjectedDay{Day: d, Height: n.Height, Difficulty: n.Difficulty, BTCPrice: n.BTCPrice, Income: day, CumulativeUSD: cum}
	}
	p.Returns = Evaluate(rig.CapexUSD, profits, o.DiscountPerYear)
	return p, nil
}

// ScenarioGrid projects rig under every pair of price growth (rows) and
// difficulty growth per epoch (columns) around o, the risk grid public
// profitability calculators offer.
func ScenarioGrid(rig Rig, o Outlook, priceGrowths, difficultyGrowths []float64) ([][]Returns, error) {
	grid := make([][]Returns, len(priceGrowths))
	for i, pg := range priceGrowths {
		grid[i] = make([]Returns, len(difficultyGrowths))
		for j, dg := range difficultyGrowths {
			s := o
			s.PriceGrowthPerYear, s.DifficultyGrowthPerEpoch = pg, dg
			p, err := Project(rig, s)
			if err != nil {
				return nil, fmt.Errorf("scenario price %+g/year, difficulty %+g/epoch: %w", pg, dg, err)
			}
			grid[i][j] = p.Returns
		}
	}
	return grid, nil
}
