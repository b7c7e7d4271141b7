package econ

import (
	"math"

	"github.com/hearth-fleet/hearth"
)

// NetworkHashrate returns the network hash rate in hashes per second that
// difficulty d implies: H = d·2^32/600, the approximation every tool uses
// (the exact 2^48/0xFFFF differs by 1.5e-5).
func NetworkHashrate(d float64) float64 { return d * TwoPow32 / TargetSpacingSeconds }

// BTCPerTHDay returns the expected bitcoin a 1 TH/s miner earns in a day at
// difficulty d when each block pays rewardBTC (subsidy plus fees):
// 86400·1e12·R/(d·2^32). This is the BTC-denominated hashprice.
func BTCPerTHDay(d, rewardBTC float64) float64 {
	if d <= 0 {
		return 0
	}
	return 86400 * 1e12 * rewardBTC / (d * TwoPow32)
}

// Network is the state of Bitcoin that sets a miner's income on one day.
type Network struct {
	// Difficulty is the network difficulty (e.g. 148.26e12).
	Difficulty float64 `json:"difficulty"`
	// Height is the block height, which sets the subsidy. Zero means the
	// current era (DefaultHeight).
	Height int64 `json:"height"`
	// FeesBTCPerBlock is the average transaction fee income per block.
	FeesBTCPerBlock float64 `json:"fees_btc_per_block"`
	// BTCPrice is the price of one bitcoin in USD.
	BTCPrice float64 `json:"btc_price"`
}

// DefaultHeight is a height in the era that began at the fourth halving
// (block 840,000, April 2024), used when a Network gives no height.
const DefaultHeight = 840_000

// RewardBTC returns the income of one block: subsidy at the network's height
// plus the average fees.
func (n Network) RewardBTC() float64 {
	h := n.Height
	if h == 0 {
		h = DefaultHeight
	}
	return SubsidyBTC(h) + n.FeesBTCPerBlock
}

// Hashprice is the expected income of hash rate on one day, before pool fee
// and downtime.
type Hashprice struct {
	// BTCPerTHDay is bitcoin per TH/s per day.
	BTCPerTHDay float64 `json:"btc_per_th_day"`
	// USDPerPHDay is USD per PH/s per day, the unit hashprice indexes quote.
	USDPerPHDay float64 `json:"usd_per_ph_day"`
	// NetworkHashrate is the hash rate the difficulty implies, in H/s.
	NetworkHashrate float64 `json:"network_hashrate"`
	// RewardBTC is the block reward the figures assume (subsidy plus fees).
	RewardBTC float64 `json:"reward_btc"`
}

// HashpriceOf returns the hashprice of network n. It refuses a difficulty or
// a price that is not positive, or negative fees, as input errors.
func HashpriceOf(n Network) (Hashprice, error) {
	if !(n.Difficulty > 0) || math.IsInf(n.Difficulty, 0) {
		return Hashprice{}, hearth.Errorf(hearth.EINVALID, "difficulty must be positive, got %g", n.Difficulty)
	}
	if !(n.BTCPrice >= 0) || math.IsInf(n.BTCPrice, 0) {
		return Hashprice{}, hearth.Errorf(hearth.EINVALID, "BTC price must not be negative, got %g", n.BTCPrice)
	}
	if !(n.FeesBTCPerBlock >= 0) {
		return Hashprice{}, hearth.Errorf(hearth.EINVALID, "fees per block must not be negative, got %g", n.FeesBTCPerBlock)
	}
	r := n.RewardBTC()
	btc := BTCPerTHDay(n.Difficulty, r)
	return Hashprice{
		BTCPerTHDay:     btc,
		USDPerPHDay:     btc * n.BTCPrice * 1000,
		NetworkHashrate: NetworkHashrate(n.Difficulty),
		RewardBTC:       r,
	}, nil
}
