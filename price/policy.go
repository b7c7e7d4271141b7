package price

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// RequestID is the ID of the price response's power request: a site
// has at most one, and each decision replaces it.
const RequestID = "price"

// Policy is a site's price response: sleep the flexible miners while
// electricity costs more than the strike, wake them when it costs less
// by the hysteresis, and never change sooner than the dwell times allow.
// The hysteresis and dwell times are what keep a price that wobbles
// around the strike from cycling the miners (each wake costs minutes of
// hash rate and heat-cycles the boards).
type Policy struct {
	// Site is the site the policy sheds.
	Site string
	// StrikePerKWh is the fixed strike price per kWh, in the prices'
	// currency, used unless Breakeven is set.
	StrikePerKWh float64
	// Breakeven makes the strike follow the live hashprice: what a
	// fleet at JoulesPerTH earns per kWh, converted with USDRate, less
	// MarginPerKWh.
	Breakeven bool
	// JoulesPerTH is the efficiency of the site's flexible fleet, for
	// Breakeven (15 for an S21-class fleet at the wall).
	JoulesPerTH float64
	// MarginPerKWh is kept back from the breakeven strike, in the
	// prices' currency: pool fees, wear, a profit floor.
	MarginPerKWh float64
	// USDRate is how many units of the prices' currency a US dollar
	// buys, for Breakeven with prices not in USD (ENTSO-E quotes EUR).
	// Zero means 1.
	USDRate float64
	// Currency, when set, is the currency of the strike; a price in
	// another currency is not compared with it (and counts as no price).
	Currency string
	// HysteresisPerKWh is how far below the strike the price must fall
	// before sleeping miners wake. Sleeping needs a price above the
	// strike; a price at the strike changes nothing.
	HysteresisPerKWh float64
	// MinOff is the least time miners stay asleep once put to sleep.
	MinOff time.Duration
	// MinOn is the least time miners stay awake once woken.
	MinOn time.Duration
}

// Validate reports an EINVALID error for a policy that cannot decide.
func (p *Policy) Validate() error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case p.Site == "":
		return hearth.Errorf(hearth.EINVALID, "A price policy needs a site.")
	case p.Breakeven && !(p.JoulesPerTH > 0 && finite(p.JoulesPerTH)):
		return hearth.Errorf(hearth.EINVALID, "A breakeven price policy needs the fleet's efficiency in J/TH, not %v.", p.JoulesPerTH)
	case !finite(p.StrikePerKWh) || !finite(p.MarginPerKWh) || !finite(p.USDRate) || p.USDRate < 0:
		return hearth.Errorf(hearth.EINVALID, "A price policy's strike, margin and USD rate must be finite numbers.")
	case !(p.HysteresisPerKWh >= 0) || !finite(p.HysteresisPerKWh):
		return hearth.Errorf(hearth.EINVALID, "A price policy's hysteresis must be zero or more, not %v.", p.HysteresisPerKWh)
	case p.MinOff < 0 || p.MinOn < 0:
		return hearth.Errorf(hearth.EINVALID, "A price policy's dwell times must be zero or more.")
	}
	return nil
}

// Strike returns the strike price per kWh for a hashprice in USD per
// PH/s per day (ignored unless Breakeven), and false in breakeven mode
// without a usable hashprice.
func (p *Policy) Strike(hashpriceUSDPerPHDay float64) (float64, bool) {
	if !p.Breakeven {
		return p.StrikePerKWh, true
	}
	if !(hashpriceUSDPerPHDay > 0) || math.IsInf(hashpriceUSDPerPHDay, 0) || !(p.JoulesPerTH > 0) {
		return 0, false
	}
	rate := p.USDRate
	if rate == 0 {
		rate = 1
	}
	return RevenuePerKWh(hashpriceUSDPerPHDay, p.JoulesPerTH)*rate - p.MarginPerKWh, true
}

// State is what the price response remembers between decisions. The
// caller keeps it (in memory or stored) and passes it back.
type State struct {
	// Asleep reports whether the price response has the site asleep.
	Asleep bool
	// Since is when the site entered this state; zero means long ago,
	// so no dwell time holds.
	Since time.Time
}

// Decision is the outcome of one evaluation of the policy.
type Decision struct {
	// At is the time the decision was made for.
	At time.Time
	// Sleep reports whether the site's flexible miners should sleep.
	Sleep bool
	// Changed reports whether Sleep differs from the state before.
	Changed bool
	// Price is the price in force at At, when HasPrice.
	Price    hearth.PricePoint
	HasPrice bool
	// Strike is the strike price compared, when HasStrike.
	Strike    float64
	HasStrike bool
	// Until, when sleeping, is when the expensive run of known prices
	// ends (prices that would not wake the site), or the end of the
	// MinOff dwell if later. It is the end of the power request.
	Until time.Time
	// Next is when to decide again: the next price boundary or the end
	// of a dwell time holding back a change, whichever comes first.
	// Zero means nothing known will change the decision.
	Next time.Time
	// Reason says why, for the page and the audit log.
	Reason string
}

// Decide evaluates the policy at now for the prices (any order, as the
// feeds give them), the live hashprice in USD per PH/s per day (used in
// Breakeven mode) and the state left by the previous decision. It is a
// pure function: it returns the decision and the state to keep.
//
// Awake miners sleep when the price in force is above the strike and
// they have been awake for MinOn. Sleeping miners wake when the price
// is at least HysteresisPerKWh below the strike, or when there is no
// price or strike to compare, and they have slept for MinOff: without a
// price the price response has no reason to shed.
func (p *Policy) Decide(now time.Time, prices []hearth.PricePoint, hashpriceUSDPerPHDay float64, s State) (Decision, State) {
	if !slices.IsSortedFunc(prices, byStart) {
		prices = slices.SortedStableFunc(slices.Values(prices), byStart)
	}
	d := Decision{At: now, Sleep: s.Asleep}
	d.Strike, d.HasStrike = p.Strike(hashpriceUSDPerPHDay)
	current := -1
	for i, pt := range prices {
		if pt.Covers(now) {
			current = i
			break
		}
	}
	var currencyClash string
	if current >= 0 {
		pt := prices[current]
		if p.Currency != "" && pt.Currency != "" && !strings.EqualFold(p.Currency, pt.Currency) {
			currencyClash = fmt.Sprintf("the price is in %s, the strike in %s", pt.Currency, p.Currency)
		} else {
			d.Price, d.HasPrice = pt, true
		}
	}
	wakeBelow := d.Strike - p.HysteresisPerKWh
	var want bool // whether the prices alone would have the site asleep
	switch {
	case !d.HasStrike:
		d.Reason = "no hashprice to set the breakeven strike"
	case currencyClash != "":
		d.Reason = currencyClash
	case !d.HasPrice:
		d.Reason = "no price covers " + now.UTC().Format(time.RFC3339)
	case s.Asleep && d.Price.PerKWh > wakeBelow:
		want = true
		if d.Price.PerKWh > d.Strike {
			d.Reason = p.describe(d.Price, "above", d.Strike)
		} else {
			d.Reason = p.describe(d.Price, "within the hysteresis of", d.Strike)
		}
	case s.Asleep:
		d.Reason = p.describe(d.Price, "below", d.Strike) + fmt.Sprintf(" by at least %.3f", p.HysteresisPerKWh)
	case d.Price.PerKWh > d.Strike:
		want = true
		d.Reason = p.describe(d.Price, "above", d.Strike)
	default:
		d.Reason = p.describe(d.Price, "not above", d.Strike)
	}
	dwell, dwellEnd := p.MinOn, time.Time{}
	if s.Asleep {
		dwell = p.MinOff
	}
	if !s.Since.IsZero() {
		dwellEnd = s.Since.Add(dwell)
	}
	blocked := want != s.Asleep && now.Before(dwellEnd)
	switch {
	case blocked && s.Asleep:
		d.Reason += fmt.Sprintf("; asleep for at least %s, until %s", p.MinOff, dwellEnd.UTC().Format(time.RFC3339))
	case blocked:
		d.Reason += fmt.Sprintf("; awake for at least %s, until %s", p.MinOn, dwellEnd.UTC().Format(time.RFC3339))
	default:
		d.Sleep = want
	}
	d.Changed = d.Sleep != s.Asleep
	next := s
	if d.Changed {
		next = State{Asleep: d.Sleep, Since: now}
	}
	if d.Sleep {
		d.Until = next.Since.Add(p.MinOff)
		if d.HasPrice && d.HasStrike {
			if end := expensiveRunEnd(prices, current, wakeBelow); end.After(d.Until) {
				d.Until = end
			}
		}
	}
	if t, ok := NextChange(now, prices); ok {
		d.Next = t
	}
	if blocked && (d.Next.IsZero() || dwellEnd.Before(d.Next)) {
		d.Next = dwellEnd
	}
	return d, next
}

// describe words a comparison of a price with the strike, as in
// "electricity 0.142 USD/kWh above strike 0.120".
func (p *Policy) describe(pt hearth.PricePoint, relation string, strike float64) string {
	currency := pt.Currency
	if currency == "" {
		currency = p.Currency
	}
	unit := "/kWh"
	if currency != "" {
		unit = " " + currency + "/kWh"
	}
	return fmt.Sprintf("electricity %.3f%s %s strike %.3f", pt.PerKWh, unit, relation, strike)
}

// expensiveRunEnd returns the end of the run of back-to-back prices,
// from prices[from], that would keep a sleeping site asleep (above
// wakeBelow). The run stops at a gap: beyond the known prices nothing
// is known.
func expensiveRunEnd(prices []hearth.PricePoint, from int, wakeBelow float64) time.Time {
	end := prices[from].End
	for _, pt := range prices[from+1:] {
		if !pt.Start.Equal(end) || pt.PerKWh <= wakeBelow {
			break
		}
		end = pt.End
	}
	return end
}

// PowerRequest turns a decision into the power request the site's
// power controller resolves: a full shed of the flexible miners from
// the decision's time until the expensive run ends, with the decision's
// reason. It returns nil when the decision is to mine; the caller then
// deletes the site's request with source price and ID RequestID.
func (p *Policy) PowerRequest(d Decision) *hearth.PowerRequest {
	if !d.Sleep {
		return nil
	}
	return &hearth.PowerRequest{
		ID:           RequestID,
		Source:       hearth.SourcePrice,
		Site:         p.Site,
		Kind:         hearth.RequestShed,
		ShedFraction: 1,
		Start:        d.At,
		End:          d.Until,
		Reason:       d.Reason,
		CreatedBy:    "price",
		CreatedAt:    d.At,
	}
}

// NextChange returns the first price boundary (a start or an end)
// after now: the next time a decision could come out differently
// because of the prices. It reports false when no known price starts
// or ends after now.
func NextChange(now time.Time, prices []hearth.PricePoint) (time.Time, bool) {
	var next time.Time
	for _, pt := range prices {
		for _, t := range []time.Time{pt.Start, pt.End} {
			if t.After(now) && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
	}
	return next, !next.IsZero()
}

// byStart orders price points by start.
func byStart(a, b hearth.PricePoint) int { return a.Start.Compare(b.Start) }
