package econ

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/hearth-fleet/hearth"
)

// Uncertainty is the randomness the Monte Carlo draws around an Outlook.
type Uncertainty struct {
	// PriceVolatilityPerYear is the annualised volatility σ of the BTC price,
	// which follows geometric Brownian motion with the outlook's growth as
	// its drift: each day ln P moves by ln(1+g)/365 − σ²/730 + σ·√(1/365)·Z,
	// so the mean path keeps the outlook's growth.
	PriceVolatilityPerYear float64 `json:"price_volatility_per_year"`
	// DifficultyVolatilityPerEpoch is the standard deviation of the log
	// change at each retarget around the outlook's growth.
	DifficultyVolatilityPerEpoch float64 `json:"difficulty_volatility_per_epoch"`
	// PriceDifficultyCorrelation ρ ties each retarget's difficulty shock to
	// the price's moves over the epoch before it (miners add machines when
	// the price rises): the shock is ρ·Z_price + √(1−ρ²)·Z, with Z_price the
	// epoch's standardised price return. Zero means independent.
	PriceDifficultyCorrelation float64 `json:"price_difficulty_correlation"`
	// Paths is the number of simulated futures.
	Paths int `json:"paths"`
	// Seed makes the run reproducible: the same seed gives the same figures
	// whatever the number of workers.
	Seed uint64 `json:"seed"`
	// Workers bounds the goroutines; zero means GOMAXPROCS.
	Workers int `json:"-"`
}

// MonteCarloResult is the distribution of outcomes over the paths.
type MonteCarloResult struct {
	Paths int `json:"paths"`
	Days  int `json:"days"`
	// SampleDays are the days at which Fan is taken (every 30 days and the
	// last).
	SampleDays []int `json:"sample_days"`
	// Fan is the percentiles of cumulative profit less capex at each sample
	// day: the percentile fan of the payback curve.
	Fan []Percentiles `json:"fan"`
	// NPV is the distribution of net present value.
	NPV Percentiles `json:"npv_usd"`
	// TotalProfit is the distribution of profit over the horizon.
	TotalProfit Percentiles `json:"total_profit_usd"`
	// PaybackProbability is the share of paths that pay back within the horizon.
	PaybackProbability float64 `json:"payback_probability"`
	// PaybackDays is the distribution of payback day among the paths that
	// pay back (see PaybackProbability for how many those are).
	PaybackDays Percentiles `json:"payback_days"`
}

// MonteCarlo simulates u.Paths futures of rig under outlook o with random
// price and difficulty paths and returns their percentiles. Each path draws
// from its own PCG stream seeded by (Seed, path index), so results do not
// depend on scheduling. The outlook's PricePath is not used: the paths are
// the Monte Carlo's own.
func MonteCarlo(rig Rig, o Outlook, u Uncertainty) (MonteCarloResult, error) {
	if err := rig.Validate(); err != nil {
		return MonteCarloResult{}, err
	}
	if err := o.Validate(); err != nil {
		return MonteCarloResult{}, err
	}
	switch {
	case u.Paths <= 0 || u.Paths > 1_000_000:
		return MonteCarloResult{}, hearth.Errorf(hearth.EINVALID, "paths must be 1 to 1,000,000, got %d", u.Paths)
	case !(u.PriceVolatilityPerYear >= 0) || u.PriceVolatilityPerYear > 10:
		return MonteCarloResult{}, hearth.Errorf(hearth.EINVALID, "price volatility must be 0 to 10, got %g", u.PriceVolatilityPerYear)
	case !(u.DifficultyVolatilityPerEpoch >= 0) || u.DifficultyVolatilityPerEpoch > 10:
		return MonteCarloResult{}, hearth.Errorf(hearth.EINVALID, "difficulty volatility must be 0 to 10, got %g", u.DifficultyVolatilityPerEpoch)
	case !(u.PriceDifficultyCorrelation >= -1 && u.PriceDifficultyCorrelation <= 1):
		return MonteCarloResult{}, hearth.Errorf(hearth.EINVALID, "price–difficulty correlation must be −1 to 1, got %g", u.PriceDifficultyCorrelation)
	}
	var samples []int
	for d := 30; d < o.Days; d += 30 {
		samples = append(samples, d)
	}
	samples = append(samples, o.Days)

	cum := make([]float64, u.Paths*len(samples)) // path-major
	npvs := make([]float64, u.Paths)
	totals := make([]float64, u.Paths)
	payback := make([]int, u.Paths)

	workers := u.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, u.Paths)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			sim := newPathSim(rig, o, u)
			for p := w; p < u.Paths; p += workers {
				sim.run(uint64(p), samples, cum[p*len(samples):(p+1)*len(samples)])
				npvs[p], totals[p], payback[p] = sim.npv, sim.total, sim.payback
			}
		})
	}
	wg.Wait()

	res := MonteCarloResult{Paths: u.Paths, Days: o.Days, SampleDays: samples, Fan: make([]Percentiles, len(samples))}
	col := make([]float64, u.Paths)
	for s := range samples {
		for p := range u.Paths {
			col[p] = cum[p*len(samples)+s]
		}
		res.Fan[s] = PercentilesOf(col)
	}
	res.NPV = PercentilesOf(npvs)
	res.TotalProfit = PercentilesOf(totals)
	var paid []float64
	for _, d := range payback {
		if d > 0 {
			paid = append(paid, float64(d))
		}
	}
	res.PaybackProbability = float64(len(paid)) / float64(u.Paths)
	res.PaybackDays = PercentilesOf(paid)
	return res, nil
}

// pathSim holds one worker's state for simulating paths without allocating.
type pathSim struct {
	rig Rig
	o   Outlook
	u   Uncertainty
	// per-day constants
	priceDrift, priceSigma, diffDrift float64
	rho, rhoC                         float64 // ρ and √(1−ρ²)
	discount                          float64
	// results of the last run
	npv, total float64
	payback    int
}

func newPathSim(rig Rig, o Outlook, u Uncertainty) *pathSim {
	s := u.PriceVolatilityPerYear
	return &pathSim{
		rig: rig, o: o, u: u,
		priceDrift: math.Log1p(o.PriceGrowthPerYear)/365 - s*s/730,
		priceSigma: s * math.Sqrt(1.0/365),
		diffDrift:  math.Log1p(o.DifficultyGrowthPerEpoch),
		rho:        u.PriceDifficultyCorrelation,
		rhoC:       math.Sqrt(1 - u.PriceDifficultyCorrelation*u.PriceDifficultyCorrelation),
		discount:   math.Pow(1+o.DiscountPerYear, -1.0/365),
	}
}

// run simulates path p, writing cumulative profit less capex at each sample
// day into out.
func (s *pathSim) run(p uint64, samples []int, out []float64) {
	rng := rand.New(rand.NewPCG(s.u.Seed, p))
	bpd := s.o.blocksPerDay()
	h0 := s.o.startHeight()
	n := s.o.Start
	price := n.BTCPrice
	cum, df, npv := -s.rig.CapexUSD, 1.0, -s.rig.CapexUSD
	s.payback = -1
	next := 0
	// A day's bitcoin and electricity change only at a retarget or a
	// halving; Rig.Day is called then and its bitcoin priced every day.
	// Thresholds rather than divisions find those days: this loop runs
	// tens of millions of times.
	nextRetarget := float64(RetargetBlocks)
	nextHalving := (h0/HalvingInterval + 1) * HalvingInterval
	var day Day
	epochZ, epochDays := 0.0, 0
	for d := 1; d <= s.o.Days; d++ {
		blocks := float64(d) * bpd
		n.Height = h0 + int64(blocks)
		changed := d == 1
		if blocks >= nextRetarget {
			// The epoch's standardised price return: the sum of its daily
			// shocks over √days.
			zp := 0.0
			if epochDays > 0 {
				zp = epochZ / math.Sqrt(float64(epochDays))
			}
			for ; blocks >= nextRetarget; nextRetarget += RetargetBlocks {
				z := s.rho*zp + s.rhoC*rng.NormFloat64()
				n.Difficulty *= math.Exp(s.diffDrift + s.u.DifficultyVolatilityPerEpoch*z)
				zp = 0 // a second retarget on the same day has no new price news
			}
			epochZ, epochDays = 0, 0
			changed = true
		}
		for n.Height >= nextHalving {
			nextHalving += HalvingInterval
			changed = true
		}
		if changed {
			day = s.rig.Day(n, s.o.ElectricityPrice)
		}
		zd := rng.NormFloat64()
		epochZ += zd
		epochDays++
		price *= expStep(s.priceDrift + s.priceSigma*zd)
		profit := day.BTC*price - day.CostUSD
		cum += profit
		df *= s.discount
		npv += profit * df
		if s.payback < 0 && cum >= 0 {
			s.payback = d
		}
		if next < len(samples) && samples[next] == d {
			out[next] = cum
			next++
		}
	}
	s.npv, s.total = npv, cum+s.rig.CapexUSD
}

// expStep is e^x for the small daily log-returns of a price path, where it
// is the Monte Carlo's hottest call: for |x| ≤ 1/8 a degree-8 Taylor
// polynomial (relative error below 3e-14, x⁹/9!) evaluated in Estrin's
// scheme, whose short dependency chains run about 3× faster than math.Exp;
// larger steps go to math.Exp.
func expStep(x float64) float64 {
	if x > 0.125 || x < -0.125 {
		return math.Exp(x)
	}
	x2 := x * x
	x4 := x2 * x2
	q0 := (1 + x) + x2*(0.5+x*(1.0/6))
	q1 := (1.0/24 + x*(1.0/120)) + x2*(1.0/720+x*(1.0/5040))
	return q0 + x4*(q1+x4*(1.0/40320))
}
