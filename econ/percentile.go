package econ

import (
	"math"
	"slices"
)

// Percentiles summarise a distribution by the quantiles a risk fan shows.
type Percentiles struct {
	P5  float64 `json:"p5"`
	P25 float64 `json:"p25"`
	P50 float64 `json:"p50"`
	P75 float64 `json:"p75"`
	P95 float64 `json:"p95"`
}

// PercentilesOf returns the 5th, 25th, 50th, 75th and 95th percentiles of
// xs, interpolating linearly between order statistics. It sorts xs in place.
// An empty xs gives zeros.
func PercentilesOf(xs []float64) Percentiles {
	if len(xs) == 0 {
		return Percentiles{}
	}
	slices.Sort(xs)
	return Percentiles{P5: quantile(xs, 0.05), P25: quantile(xs, 0.25), P50: quantile(xs, 0.5), P75: quantile(xs, 0.75), P95: quantile(xs, 0.95)}
}

// quantile is the q-quantile of sorted xs (type 7, the common default).
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(math.Floor(pos))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i] + f*(sorted[i+1]-sorted[i])
}
