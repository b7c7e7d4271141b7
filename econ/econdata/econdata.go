// Package econdata is the data hearth's planner ships: sparse difficulty and
// price history, a synthetic hourly temperature year, a utility tariff and
// the model catalog, embedded so that backtests and site plans run offline.
// ATTRIBUTION.md says where every figure comes from.
package econdata

import (
	"bytes"
	"embed"
	"fmt"

	"github.com/hearth-fleet/hearth/econ"
)

// Files holds the shipped CSV files and ATTRIBUTION.md.
//
//go:embed *.csv ATTRIBUTION.md
var Files embed.FS

// Attribution returns the provenance and licence of the shipped data.
func Attribution() string {
	b, _ := Files.ReadFile("ATTRIBUTION.md")
	return string(b)
}

// Series reads column of the shipped file name.
func Series(name, column string) (econ.Series, error) {
	b, err := Files.ReadFile(name)
	if err != nil {
		return econ.Series{}, fmt.Errorf("shipped data %s: %w", name, err)
	}
	s, err := econ.ParseSeries(bytes.NewReader(b), column)
	if err != nil {
		return econ.Series{}, fmt.Errorf("shipped data %s: %w", name, err)
	}
	return s, nil
}

// History returns the shipped difficulty, height, price and temperature
// history (no electricity series: the shipped tariff is in CAD).
func History() (econ.History, error) {
	var h econ.History
	var err error
	if h.Difficulty, err = Series("difficulty.csv", "difficulty"); err != nil {
		return h, err
	}
	if h.Height, err = Series("difficulty.csv", "height"); err != nil {
		return h, err
	}
	if h.BTCPrice, err = Series("btc_price.csv", "usd"); err != nil {
		return h, err
	}
	if h.Temperature, err = Series("temperature_hourly.csv", "temp_c"); err != nil {
		return h, err
	}
	return h, nil
}

// Catalog returns the shipped model catalog.
func Catalog() (econ.Catalog, error) {
	b, err := Files.ReadFile("catalog.csv")
	if err != nil {
		return nil, fmt.Errorf("shipped catalog: %w", err)
	}
	return econ.ParseCatalog(bytes.NewReader(b))
}
