package price

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/hearth-fleet/hearth"
)

// MaxHashpriceBytes is the most a hashprice document may hold: it is
// one number, so a megabyte is generous.
const MaxHashpriceBytes = 1 << 20

// Hashprice is the live revenue of mining, in USD per PH/s per day
// (Luxor's "hashprice"): what one petahash of hash rate earns a day
// from block subsidy and fees at the current difficulty and bitcoin
// price. The price response compares it with electricity.
type Hashprice interface {
	HashpriceUSDPerPHDay(ctx context.Context) (float64, error)
}

// FixedHashprice is a hashprice the operator sets, for sites without a
// live source or for tests.
type FixedHashprice float64

// HashpriceUSDPerPHDay returns the fixed value.
func (h FixedHashprice) HashpriceUSDPerPHDay(context.Context) (float64, error) {
	return float64(h), nil
}

// HashpriceURL reads the hashprice from a JSON document at a URL (or a
// file path), such as a small service of the operator's that follows a
// hashprice index:
//
//	{"usd_per_ph_day": 48.2}
//
// {"usd_per_th_day": 0.0482} is read too (times 1000). Other fields are
// ignored.
type HashpriceURL struct {
	// URL is an http(s) URL, a file:// URL or a file path.
	URL string
	// Client makes HTTP requests; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds one fetch; zero means DefaultTimeout.
	Timeout time.Duration
}

// HashpriceUSDPerPHDay fetches and parses the document, bounded by
// MaxHashpriceBytes and the timeout.
func (h *HashpriceURL) HashpriceUSDPerPHDay(ctx context.Context) (float64, error) {
	data, err := readLocation(ctx, h.Client, nil, h.URL, MaxHashpriceBytes, h.Timeout)
	if err != nil {
		return 0, fmt.Errorf("hashprice: %w", err)
	}
	v, err := ParseHashprice(data)
	if err != nil {
		return 0, fmt.Errorf("hashprice: %w", err)
	}
	return v, nil
}

// ParseHashprice reads a hashprice document (see HashpriceURL) and
// returns USD per PH/s per day. The value must be a positive, finite
// number: a hashprice of zero would make every price look too dear.
func ParseHashprice(data []byte) (float64, error) {
	var doc struct {
		PH *float64 `json:"usd_per_ph_day"`
		TH *float64 `json:"usd_per_th_day"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return 0, jsonError(err)
	}
	var v float64
	switch {
	case doc.PH != nil:
		v = *doc.PH
	case doc.TH != nil:
		v = *doc.TH * 1000
	default:
		return 0, hearth.Errorf(hearth.EINVALID, "Hashprice JSON: no usd_per_ph_day field.")
	}
	if !(v > 0) || math.IsInf(v, 0) {
		return 0, hearth.Errorf(hearth.EINVALID, "Hashprice JSON: usd_per_ph_day %v is not a positive number.", v)
	}
	return v, nil
}

// RevenuePerKWh returns what mining earns per kWh it consumes, in USD,
// for a hashprice in USD per PH/s per day and a fleet efficiency in
// J/TH: a PH/s at j J/TH draws j kW, so a day uses 24·j kWh. At
// $30/PH/day and 15 J/TH that is $0.083 per kWh. It returns 0 when the
// efficiency is not positive.
func RevenuePerKWh(hashpriceUSDPerPHDay, joulesPerTH float64) float64 {
	if !(joulesPerTH > 0) {
		return 0
	}
	return hashpriceUSDPerPHDay / (24 * joulesPerTH)
}

// BreakevenPrice returns the electricity price per kWh, in USD, at
// which mining at joulesPerTH with this hashprice earns nothing after
// power and the margin per kWh the operator wants to keep (pool fees,
// wear, a profit floor). Electricity above it loses money.
func BreakevenPrice(hashpriceUSDPerPHDay, joulesPerTH, marginPerKWh float64) float64 {
	return RevenuePerKWh(hashpriceUSDPerPHDay, joulesPerTH) - marginPerKWh
}
