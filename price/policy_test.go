package price_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
)

var t0 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// hourly returns back-to-back hourly USD prices from t0.
func hourly(perKWh ...float64) []hearth.PricePoint {
	out := make([]hearth.PricePoint, len(perKWh))
	for i, p := range perKWh {
		start := t0.Add(time.Duration(i) * time.Hour)
		out[i] = hearth.PricePoint{Start: start, End: start.Add(time.Hour), PerKWh: p, Currency: "USD"}
	}
	return out
}

// run drives the policy as hearth does: decide, then decide again at
// the decision's Next, until the prices end. It returns every decision.
func run(t *testing.T, p *price.Policy, prices []hearth.PricePoint, hashprice float64) []price.Decision {
	t.Helper()
	var out []price.Decision
	var s price.State
	now := prices[0].Start
	for range 1000 {
		d, next := p.Decide(now, prices, hashprice, s)
		if d.Changed != (next.Asleep != s.Asleep) || d.Sleep != next.Asleep {
			t.Fatalf("at %v: decision %+v disagrees with the new state %+v", now, d, next)
		}
		if req := p.PowerRequest(d); d.Sleep {
			if err := req.Validate(); err != nil {
				t.Fatalf("at %v: the request %+v is invalid: %v", now, req, err)
			}
		} else if req != nil {
			t.Fatalf("at %v: a request %+v while mining", now, req)
		}
		out = append(out, d)
		s = next
		if d.Next.IsZero() {
			return out
		}
		if !d.Next.After(now) {
			t.Fatalf("at %v: next decision at %v is not later", now, d.Next)
		}
		now = d.Next
	}
	t.Fatal("the decisions never ran out")
	return nil
}

// flips returns the times the state changed.
func flips(ds []price.Decision) []time.Time {
	var out []time.Time
	for _, d := range ds {
		if d.Changed {
			out = append(out, d.At)
		}
	}
	return out
}

func TestPolicySleepsOnExpensiveRunAndWakesBelow(t *testing.T) {
	p := &price.Policy{Site: "barn", StrikePerKWh: 0.120, HysteresisPerKWh: 0.010}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	prices := hourly(0.090, 0.100, 0.142, 0.150, 0.130, 0.115, 0.105, 0.080)
	ds := run(t, p, prices, 0)
	got := flips(ds)
	if len(got) != 2 || !got[0].Equal(t0.Add(2*time.Hour)) || !got[1].Equal(t0.Add(6*time.Hour)) {
		t.Fatalf("flips at %v, want sleep at 02:00 and wake at 06:00", got)
	}
	sleep := ds[2]
	req := p.PowerRequest(sleep)
	want := hearth.PowerRequest{
		ID: "price", Source: hearth.SourcePrice, Site: "barn", Kind: hearth.RequestShed, ShedFraction: 1,
		Start: t0.Add(2 * time.Hour), End: t0.Add(6 * time.Hour), // 0.115 is not low enough to wake
		Reason: "electricity 0.142 USD/kWh above strike 0.120", CreatedBy: "price", CreatedAt: t0.Add(2 * time.Hour),
	}
	if *req != want {
		t.Errorf("request = %+v\nwant      %+v", *req, want)
	}
	if d := ds[5]; !d.Sleep || !strings.Contains(d.Reason, "within the hysteresis") {
		t.Errorf("at 05:00 (0.115): %+v, want asleep within the hysteresis", d)
	}
	if d := ds[6]; d.Sleep || d.Reason != "electricity 0.105 USD/kWh below strike 0.120 by at least 0.010" {
		t.Errorf("at 06:00: sleep %v, reason %q", d.Sleep, d.Reason)
	}
}

// A price that only reaches the strike never sheds.
func TestPolicyIgnoresPriceAtStrike(t *testing.T) {
	p := &price.Policy{Site: "barn", StrikePerKWh: 0.120}
	if got := flips(run(t, p, hourly(0.1, 0.12, 0.12, 0.1, 0.12), 0)); len(got) != 0 {
		t.Errorf("flipped at %v on prices that touch the strike", got)
	}
}

// A price oscillating hourly around the strike within the hysteresis
// band sleeps the site once and leaves it asleep, until the known
// prices run out.
func TestPolicySawtoothWithinHysteresis(t *testing.T) {
	p := &price.Policy{Site: "barn", StrikePerKWh: 0.120, HysteresisPerKWh: 0.010}
	saw := make([]float64, 24)
	for i := range saw {
		saw[i] = 0.125
		if i%2 == 1 {
			saw[i] = 0.112
		}
	}
	got := flips(run(t, p, hourly(saw...), 0))
	if len(got) != 2 || !got[0].Equal(t0) || !got[1].Equal(t0.Add(24*time.Hour)) {
		t.Errorf("flips at %v, want a sleep at the start and a wake when the prices end", got)
	}
}

// A sawtooth that crosses the whole band every hour changes the state
// no more often than the dwell times allow.
func TestPolicySawtoothDwell(t *testing.T) {
	p := &price.Policy{Site: "barn", StrikePerKWh: 0.120, HysteresisPerKWh: 0.010, MinOff: 3 * time.Hour, MinOn: 2 * time.Hour}
	saw := make([]float64, 24)
	for i := range saw {
		saw[i] = 0.180
		if i%2 == 1 {
			saw[i] = 0.060
		}
	}
	ds := run(t, p, hourly(saw...), 0)
	got := flips(ds)
	if len(got) < 2 {
		t.Fatalf("flips at %v: the policy never woke", got)
	}
	if len(got) > 10 {
		t.Errorf("%d flips in a day, more than 24h / (3h + 2h) allows", len(got))
	}
	for i := 1; i < len(got); i++ {
		min := p.MinOn
		if i%2 == 1 { // the odd flips wake a site that slept
			min = p.MinOff
		}
		if gap := got[i].Sub(got[i-1]); gap < min {
			t.Errorf("flip %d at %v only %v after the last", i, got[i], gap)
		}
	}
	// A sleeping site whose dwell holds it back shows when it ends.
	for _, d := range ds {
		if d.Sleep && !d.Changed && strings.Contains(d.Reason, "asleep for at least 3h0m0s") && d.Until.Before(d.At) {
			t.Errorf("at %v: asleep until %v, in the past", d.At, d.Until)
		}
	}
	// Without dwell times the same prices flip every hour.
	p.MinOff, p.MinOn = 0, 0
	if got := flips(run(t, p, hourly(saw...), 0)); len(got) != 24 {
		t.Errorf("without dwell: %d flips, want 24", len(got))
	}
}

// In breakeven mode the strike is what the fleet earns per kWh: at
// 15 J/TH and $30/PH/day about 0.083, so 0.09 electricity sheds; when
// the hashprice rises to $48 the strike is 0.133 and the site wakes.
func TestPolicyBreakevenFollowsHashprice(t *testing.T) {
	p := &price.Policy{Site: "barn", Breakeven: true, JoulesPerTH: 15, HysteresisPerKWh: 0.005}
	prices := hourly(0.09, 0.09, 0.09, 0.09)
	d, s := p.Decide(t0, prices, 30, price.State{})
	if !d.Sleep || !d.HasStrike || !near(d.Strike, 30.0/360) {
		t.Fatalf("at $30: %+v, want asleep at strike 0.0833", d)
	}
	if want := "electricity 0.090 USD/kWh above strike 0.083"; d.Reason != want {
		t.Errorf("reason %q, want %q", d.Reason, want)
	}
	if !d.Until.Equal(t0.Add(4 * time.Hour)) {
		t.Errorf("asleep until %v, want the end of the known prices", d.Until)
	}
	d, s = p.Decide(t0.Add(90*time.Minute), prices, 48, s)
	if d.Sleep || !d.Changed || !near(d.Strike, 48.0/360) {
		t.Fatalf("at $48: %+v, want awake at strike 0.133", d)
	}
	// No hashprice: no strike, and nothing to shed for.
	d, _ = p.Decide(t0.Add(2*time.Hour), prices, 0, s)
	if d.Sleep || d.HasStrike || !strings.Contains(d.Reason, "no hashprice") {
		t.Errorf("without a hashprice: %+v", d)
	}
	// A margin lowers the strike.
	p.MarginPerKWh = 0.01
	if strike, _ := p.Strike(48); !near(strike, 48.0/360-0.01) {
		t.Errorf("strike with margin = %v", strike)
	}
}

// Prices in euros compare with a breakeven strike converted at USDRate;
// a policy pinned to USD ignores them.
func TestPolicyCurrency(t *testing.T) {
	eur := hourly(0.10, 0.10)
	for i := range eur {
		eur[i].Currency = "EUR"
	}
	p := &price.Policy{Site: "hof", Breakeven: true, JoulesPerTH: 15, USDRate: 0.9, Currency: "EUR"}
	d, _ := p.Decide(t0, eur, 48, price.State{}) // 0.1333 USD = 0.12 EUR
	if d.Sleep || !near(d.Strike, 0.12) || d.Reason != "electricity 0.100 EUR/kWh not above strike 0.120" {
		t.Errorf("EUR: %+v", d)
	}
	p.Currency = "USD"
	d, _ = p.Decide(t0, eur, 30, price.State{})
	if d.Sleep || d.HasPrice || !strings.Contains(d.Reason, "EUR") {
		t.Errorf("EUR prices for a USD policy: %+v", d)
	}
}

// Without a price the site mines, once the dwell time lets it.
func TestPolicyNoPrice(t *testing.T) {
	p := &price.Policy{Site: "barn", StrikePerKWh: 0.1, MinOff: time.Hour}
	asleep := price.State{Asleep: true, Since: t0}
	d, s := p.Decide(t0.Add(30*time.Minute), nil, 0, asleep)
	if !d.Sleep || !d.Until.Equal(t0.Add(time.Hour)) || !d.Next.Equal(t0.Add(time.Hour)) {
		t.Errorf("inside MinOff: %+v, want asleep until and next at 01:00", d)
	}
	d, _ = p.Decide(t0.Add(time.Hour), nil, 0, s)
	if d.Sleep || !d.Changed || !strings.Contains(d.Reason, "no price covers") {
		t.Errorf("after MinOff: %+v, want awake", d)
	}
}

func TestNextChange(t *testing.T) {
	prices := hourly(0.1, 0.2)
	prices = append(prices, hearth.PricePoint{Start: t0.Add(5 * time.Hour), End: t0.Add(6 * time.Hour), PerKWh: 0.3})
	for _, tc := range []struct {
		now, want time.Duration
		ok        bool
	}{
		{-time.Hour, 0, true},
		{30 * time.Minute, time.Hour, true},
		{time.Hour, 2 * time.Hour, true},
		{3 * time.Hour, 5 * time.Hour, true},
		{6 * time.Hour, 0, false},
	} {
		got, ok := price.NextChange(t0.Add(tc.now), prices)
		if ok != tc.ok || (ok && !got.Equal(t0.Add(tc.want))) {
			t.Errorf("NextChange(+%v) = %v, %v; want +%v, %v", tc.now, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	for _, p := range []price.Policy{
		{StrikePerKWh: 0.1},
		{Site: "barn", Breakeven: true},
		{Site: "barn", HysteresisPerKWh: -0.01},
		{Site: "barn", MinOff: -time.Minute},
	} {
		if err := p.Validate(); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", p, err)
		}
	}
}
