package econ_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
)

func mustSeries(t testing.TB, csv, col string) econ.Series {
	t.Helper()
	s, err := econ.ParseSeries(strings.NewReader(csv), col)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBacktestReplaysStepsHourByHour(t *testing.T) {
	h := econ.History{
		Difficulty: mustSeries(t, "date,difficulty\n2025-12-25,148.26e12\n2025-12-27,296.52e12\n", "difficulty"),
		BTCPrice:   mustSeries(t, "date,usd\n2025-12-01,87000\n", "usd"),
	}
	rig := econ.Rig{HashrateTH: 1000, PowerW: 15000, CapexUSD: 100, Uptime: 1}
	res, err := econ.Backtest(h, econ.BacktestInputs{Rig: rig, Start: time.Date(2025, 12, 25, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC), ElectricityPrice: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if res.Hours != 96 || len(res.Days) != 4 {
		t.Fatalf("%d hours in %d days, want 96 in 4", res.Hours, len(res.Days))
	}
	// 1 PH/s at $36.89/PH/day, then at double difficulty half that.
	near(t, "day 1 revenue", res.Days[0].RevenueUSD, 36.89, 0.01)
	near(t, "day 3 revenue", res.Days[2].RevenueUSD, 36.89/2, 0.01)
	near(t, "day cost", res.Days[0].CostUSD, 15*24*0.05, 1e-9)
	near(t, "cumulative", res.Days[3].CumulativeUSD, -100+2*36.89+36.89-4*18, 0.05)
}

func TestBacktestHeatCreditCountsOnlyNeededHeat(t *testing.T) {
	h := econ.History{
		Difficulty:  mustSeries(t, "date,difficulty\n2025-01-01,148.26e12\n", "difficulty"),
		BTCPrice:    mustSeries(t, "date,usd\n2025-01-01,87000\n", "usd"),
		Temperature: mustSeries(t, "time,temp_c\n2025-01-01T00:00,-2\n2025-01-01T12:00,30\n", "temp_c"),
	}
	rig := econ.Rig{HashrateTH: 200, PowerW: 3000, Uptime: 1}
	hc := &econ.HeatCredit{HeatLossWPerK: 200, BaseC: 18, Source: econ.SourceGround, Emitter: econ.EmitterFloor, Model: econ.CarnotFor(econ.SourceGround)}
	res, err := econ.Backtest(h, econ.BacktestInputs{Rig: rig, Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), ElectricityPrice: 0.2, Heat: hc})
	if err != nil {
		t.Fatal(err)
	}
	// 12 cold hours need 200 W/K × 20 K = 4 kW, the miner gives 3 kW; warm hours need none.
	near(t, "heat used", res.HeatUsedKWh, 12*3, 1e-9)
	cop := hc.Model.COP(0, econ.EmitterFloor.FlowTemperature(-2))
	near(t, "heat credit", res.HeatCreditUSD, 36*0.2/cop, 1e-9)
}

func TestBacktestRefusesMissingHistory(t *testing.T) {
	_, err := econ.Backtest(econ.History{}, econ.BacktestInputs{Rig: econ.Rig{HashrateTH: 1, Uptime: 1}, Start: time.Unix(0, 0), End: time.Unix(7200, 0)})
	if hearth.ErrorCode(err) != hearth.EINVALID {
		t.Errorf("error %v, want EINVALID", err)
	}
}

// BenchmarkBacktest10YearsHourly is the brief's target: a 10-year hourly
// backtest (87,660 hours, daily price, retarget difficulty, hourly
// temperature and electricity price, heat credit) in ≤ 200 ms.
func BenchmarkBacktest10YearsHourly(b *testing.B) {
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	hours := 87_660
	var h econ.History
	temps := econ.DefaultSyntheticClimate.Hourly(start, hours)
	for i := range hours {
		t := start.Unix() + int64(i)*3600
		h.Temperature.Times = append(h.Temperature.Times, t)
		h.Temperature.Values = append(h.Temperature.Values, temps[i])
		h.Electricity.Times = append(h.Electricity.Times, t)
		h.Electricity.Values = append(h.Electricity.Values, 0.05+0.03*float64(i%24)/24)
		if i%24 == 0 {
			h.BTCPrice.Times = append(h.BTCPrice.Times, t)
			h.BTCPrice.Values = append(h.BTCPrice.Values, 10000+float64(i))
		}
		if i%(14*24) == 0 {
			h.Difficulty.Times = append(h.Difficulty.Times, t)
			h.Difficulty.Values = append(h.Difficulty.Values, 1e12*(1+float64(i)/1000))
		}
	}
	in := econ.BacktestInputs{Rig: econ.Rig{HashrateTH: 200, PowerW: 3500, CapexUSD: 3000, Uptime: 1}, Start: start, End: start.Add(time.Duration(hours) * time.Hour),
		Heat: &econ.HeatCredit{HeatLossWPerK: 250, BaseC: 18, Source: econ.SourceAir, Emitter: econ.EmitterFloor, Model: econ.CarnotFor(econ.SourceAir)}}
	for b.Loop() {
		if _, err := econ.Backtest(h, in); err != nil {
			b.Fatal(err)
		}
	}
}
