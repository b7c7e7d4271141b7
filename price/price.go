// Package price reads electricity price feeds and the live revenue of
// mining (hashprice), and decides when a site's flexible miners should
// sleep because electricity costs more than mining earns.
//
// Feeds are parsers of outside bytes: generic CSV and JSON, ENTSO-E
// day-ahead documents and ERCOT settlement point prices. Each returns
// hearth.PricePoint values sorted by start, priced per kWh. Malformed
// syntax is an EPROTOCOL error; well-formed input with a bad value (a
// missing column, an unknown unit, overlapping intervals) is EINVALID.
// Both name the line, field or position at fault.
//
// Importing the package registers the power-program kind price
// (hearth.ProgramPrice): a Runner that follows a feed with a Policy and
// publishes its shed for the program's sites. Its settings are Settings;
// README.md lists them.
package price

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Format names a price feed's wire format.
type Format string

// The feed formats.
const (
	// FormatCSV is the generic, header-driven CSV (start,end,price...).
	FormatCSV Format = "csv"
	// FormatJSON is the generic JSON array of points, bare or under
	// "prices".
	FormatJSON Format = "json"
	// FormatENTSOE is an ENTSO-E Transparency Platform A44 price
	// document (Publication_MarketDocument XML).
	FormatENTSOE Format = "entsoe"
	// FormatERCOT is an ERCOT settlement point price CSV, day-ahead
	// (hourly) or real-time (15-minute).
	FormatERCOT Format = "ercot"
)

// Unit is the energy unit a feed quotes its prices per.
type Unit string

// The units a feed may quote in.
const (
	// PerMWh is how wholesale markets quote; feeds divide by 1000.
	PerMWh Unit = "per_mwh"
	// PerKWh is how tariffs quote.
	PerKWh Unit = "per_kwh"
)

// parseUnit reads a unit as feeds and options spell it: per_mwh, MWh,
// EUR/MWh, /kWh and the like.
func parseUnit(s string) (Unit, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.LastIndexAny(s, "/_ "); i >= 0 {
		s = s[i+1:]
	}
	switch s {
	case "mwh":
		return PerMWh, true
	case "kwh":
		return PerKWh, true
	}
	return "", false
}

// perKWh converts a price quoted per unit u into a price per kWh.
func perKWh(price float64, u Unit) float64 {
	if u == PerMWh {
		return price / 1000
	}
	return price
}

// Options tune how a feed is read. Formats ignore the options they do
// not need.
type Options struct {
	// Unit is the unit of prices in a CSV or JSON feed that does not
	// say so itself. There is no default: reading a per-MWh feed as per
	// kWh would be off by a factor of a thousand.
	Unit Unit
	// Resolution is the length of a CSV or JSON point that has no end
	// and no next point to end at (the last row).
	Resolution time.Duration
	// Currency is the currency of a CSV or JSON feed that does not say
	// so itself.
	Currency string
	// SettlementPoint selects the ERCOT settlement point (a hub such as
	// HB_NORTH, a load zone such as LZ_WEST, or a resource node). ERCOT
	// files carry every settlement point, so it is required.
	SettlementPoint string
}

// Parse reads data in format f. A zip archive holding one feed file
// (as ERCOT's MIS serves its reports) is unpacked first. An empty format
// is detected from the data with DetectFormat.
func Parse(f Format, data []byte, opt Options) ([]hearth.PricePoint, error) {
	data, err := unzipFeed(data)
	if err != nil {
		return nil, err
	}
	if f == "" {
		f = DetectFormat(data)
	}
	switch f {
	case FormatCSV:
		return ParseCSV(data, opt)
	case FormatJSON:
		return ParseJSON(data, opt)
	case FormatENTSOE:
		return ParseENTSOE(data)
	case FormatERCOT:
		return ParseERCOT(data, opt)
	}
	return nil, hearth.Errorf(hearth.EINVALID, "Unknown price feed format %q; use csv, json, entsoe or ercot.", f)
}

// DetectFormat guesses a feed's format from its first bytes: XML is
// ENTSO-E, a JSON object or array is JSON, a CSV header with a
// settlement point price column is ERCOT, and anything else is the
// generic CSV.
func DetectFormat(data []byte) Format {
	s := strings.TrimLeft(strings.TrimPrefix(string(data[:min(len(data), 4096)]), "\ufeff"), " \t\r\n")
	switch {
	case strings.HasPrefix(s, "<"):
		return FormatENTSOE
	case strings.HasPrefix(s, "{"), strings.HasPrefix(s, "["):
		return FormatJSON
	}
	header, _, _ := strings.Cut(s, "\n")
	if strings.Contains(normalizeHeader(header), "settlementpointprice") {
		return FormatERCOT
	}
	return FormatCSV
}

// normalizeHeader folds a column name so that "Settlement Point Price",
// "SettlementPointPrice" and "settlement_point_price" compare equal.
func normalizeHeader(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '"', '-', '\ufeff':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// row is a parsed point with where it came from, so that checks made
// after sorting can still name the line or position at fault.
type row struct {
	hearth.PricePoint
	where    string
	position int // an ENTSO-E position within where, when not 0
}

// place names where r came from.
func (r row) place() string {
	if r.position == 0 {
		return r.where
	}
	return fmt.Sprintf("%s position %d", r.where, r.position)
}

// finish sorts rows by start and checks that every interval is
// non-empty, every price finite and no two intervals overlap.
func finish(rows []row) ([]hearth.PricePoint, error) {
	slices.SortStableFunc(rows, func(a, b row) int { return a.Start.Compare(b.Start) })
	out := make([]hearth.PricePoint, 0, len(rows))
	for i, r := range rows {
		if !r.End.After(r.Start) {
			return nil, hearth.Errorf(hearth.EINVALID, "%s: the interval ends at %s, not after its start %s.", r.place(), r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))
		}
		if math.IsNaN(r.PerKWh) || math.IsInf(r.PerKWh, 0) {
			return nil, hearth.Errorf(hearth.EINVALID, "%s: the price %v is not a finite number.", r.place(), r.PerKWh)
		}
		if i > 0 && r.Start.Before(rows[i-1].End) {
			return nil, hearth.Errorf(hearth.EINVALID, "%s: the interval from %s overlaps %s, which ends at %s.", r.place(), r.Start.Format(time.RFC3339), rows[i-1].place(), rows[i-1].End.Format(time.RFC3339))
		}
		out = append(out, r.PricePoint)
	}
	return out, nil
}

// parseTime reads an RFC 3339 time, also without seconds
// ("2026-03-29T01:00Z"), as ENTSO-E and many exports write it.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// currencyOr returns s upper-cased, or def when s is blank.
func currencyOr(s, def string) string {
	if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
		return s
	}
	return strings.ToUpper(strings.TrimSpace(def))
}
