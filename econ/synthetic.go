package econ

import (
	"math"
	"math/rand/v2"
	"time"
)

// SyntheticClimate is a made-up climate for tests, benchmarks and the demo
// data the project ships where no freely licensed observations are at hand:
// a yearly cosine, a daily cosine and AR(1) weather noise. It is not any
// place's weather and must never be presented as such.
type SyntheticClimate struct {
	// MeanC is the annual mean temperature.
	MeanC float64
	// AnnualAmplitudeK is half the difference between the warmest and the
	// coldest day's mean.
	AnnualAmplitudeK float64
	// ColdestDay is the day of the year (1–365) of the coldest mean.
	ColdestDay float64
	// DailyAmplitudeK is half the day–night swing, warmest at 15:00.
	DailyAmplitudeK float64
	// NoiseK is the standard deviation of the weather noise, which keeps
	// 98 % of itself from hour to hour.
	NoiseK float64
	// Seed picks the noise.
	Seed uint64
}

// DefaultSyntheticClimate is a cold-winter continental climate: mean 7 °C,
// ±14 K over the year (coldest 20 January), ±4 K over the day, 3 K weather.
var DefaultSyntheticClimate = SyntheticClimate{MeanC: 7, AnnualAmplitudeK: 14, ColdestDay: 20, DailyAmplitudeK: 4, NoiseK: 3, Seed: 2025}

// Hourly returns n hourly temperatures from start, rounded to 0.1 °C:
// T = mean − A_y·cos(2π(doy − coldest)/365.25) − A_d·cos(2π(hour − 3)/24) + x,
// with x_{h+1} = 0.98·x_h + √(1 − 0.98²)·σ·Z.
func (c SyntheticClimate) Hourly(start time.Time, n int) []float64 {
	rng := rand.New(rand.NewPCG(c.Seed, 0x7e3d))
	const phi = 0.98
	innov := c.NoiseK * math.Sqrt(1-phi*phi)
	x := c.NoiseK * rng.NormFloat64()
	out := make([]float64, n)
	start = start.UTC()
	for h := range n {
		t := start.Add(time.Duration(h) * time.Hour)
		doy := float64(t.YearDay()) + float64(t.Hour())/24
		v := c.MeanC - c.AnnualAmplitudeK*math.Cos(2*math.Pi*(doy-c.ColdestDay)/365.25) -
			c.DailyAmplitudeK*math.Cos(2*math.Pi*(float64(t.Hour())-3)/24) + x
		out[h] = math.Round(v*10) / 10
		x = phi*x + innov*rng.NormFloat64()
	}
	return out
}
