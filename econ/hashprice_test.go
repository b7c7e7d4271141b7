package econ_test

import (
	"math"
	"testing"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6g, want %.6g ± %g", name, got, want, tol)
	}
}

func TestSubsidyFollowsTheHalvings(t *testing.T) {
	for _, c := range []struct {
		h    int64
		want int64
	}{{0, 5_000_000_000}, {839_999, 625_000_000}, {840_000, 312_500_000}, {1_049_999, 312_500_000}, {1_050_000, 156_250_000}, {1_260_000, 78_125_000}, {64 * 210_000, 0}, {-1, 0}} {
		if got := econ.SubsidySat(c.h); got != c.want {
			t.Errorf("SubsidySat(%d) = %d, want %d", c.h, got, c.want)
		}
	}
}

// The reference's cross-check: 148.26 T at $87,000 is $36.9/PH/day from the
// subsidy alone, 42.40 sats/TH/day, 1,061 EH/s.
func TestHashpriceReproducesTheReferenceFigures(t *testing.T) {
	hp, err := econ.HashpriceOf(econ.Network{Difficulty: 148.26e12, BTCPrice: 87000})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "BTC/TH/day", hp.BTCPerTHDay, 4.2401e-7, 0.0001e-7)
	near(t, "USD/PH/day", hp.USDPerPHDay, 36.89, 0.01)
	near(t, "network EH/s", hp.NetworkHashrate/1e18, 1061.3, 0.1)

	// 152 T at $91k: $37.6 before fees.
	hp, _ = econ.HashpriceOf(econ.Network{Difficulty: 152e12, BTCPrice: 91000})
	near(t, "152 T USD/PH/day", hp.USDPerPHDay, 37.6, 0.05)

	// Fees add to the reward: 0.036 BTC/block is 1.15 % on 3.125.
	withFees, _ := econ.HashpriceOf(econ.Network{Difficulty: 148.26e12, BTCPrice: 87000, FeesBTCPerBlock: 0.036})
	near(t, "fee uplift", withFees.USDPerPHDay/36.89, 1.0115, 0.001)

	// After the fifth halving the subsidy halves.
	late, _ := econ.HashpriceOf(econ.Network{Difficulty: 148.26e12, BTCPrice: 87000, Height: 1_050_000})
	near(t, "post-halving USD/PH/day", late.USDPerPHDay, 36.89/2, 0.01)
}

func TestHashpriceRefusesNonsense(t *testing.T) {
	for _, n := range []econ.Network{{Difficulty: 0, BTCPrice: 1}, {Difficulty: math.NaN(), BTCPrice: 1}, {Difficulty: 1, BTCPrice: -1}, {Difficulty: 1, BTCPrice: 1, FeesBTCPerBlock: -0.1}} {
		if _, err := econ.HashpriceOf(n); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("HashpriceOf(%+v) error %v, want EINVALID", n, err)
		}
	}
}

func TestRigIncomeScalesWithPoolFeeAndUptime(t *testing.T) {
	rig := econ.Rig{HashrateTH: 200, PowerW: 3500, PoolFee: 0.02, Uptime: 0.95}
	d := rig.Day(econ.Network{Difficulty: 148.26e12, BTCPrice: 87000}, 0.05)
	near(t, "revenue", d.RevenueUSD, 200*36.89/1000*0.98*0.95, 0.01)
	near(t, "energy", d.EnergyKWh, 3.5*24*0.95, 1e-9)
	near(t, "cost", d.CostUSD, 3.5*24*0.95*0.05, 1e-9)
}
