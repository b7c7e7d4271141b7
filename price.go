package hearth

import "time"

// PricePoint is the price of electricity over an interval, as a
// day-ahead or real-time market, a tariff or an OpenADR PRICE event
// publishes it. hearth compares it with what mining earns to decide
// whether to mine.
type PricePoint struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// PerKWh is the price of one kilowatt-hour in Currency. Markets
	// quote per MWh; feeds convert.
	PerKWh   float64 `json:"per_kwh"`
	Currency string  `json:"currency,omitempty"`
}

// Covers reports whether p is the price at t.
func (p PricePoint) Covers(t time.Time) bool { return !t.Before(p.Start) && t.Before(p.End) }
