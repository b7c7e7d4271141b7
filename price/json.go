package price

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// jsonPoint is one point of the generic JSON feed. Price is a pointer
// so that a missing price is told apart from a price of zero.
type jsonPoint struct {
	Start    string   `json:"start"`
	End      string   `json:"end"`
	Price    *float64 `json:"price"`
	Currency string   `json:"currency"`
	Unit     string   `json:"unit"`
}

// ParseJSON reads the generic JSON feed: an array of points, or an
// object holding the array under "prices". A point has start (RFC 3339)
// and price, and optionally end, currency and unit (per_mwh or
// per_kwh, else opt.Unit). A point without an end ends at the next
// point's start, and the last one after opt.Resolution:
//
//	{"prices": [{"start": "2026-03-29T00:00:00Z", "end": "2026-03-29T01:00:00Z",
//	             "price": 0.142, "currency": "USD", "unit": "per_kwh"}]}
func ParseJSON(data []byte, opt Options) ([]hearth.PricePoint, error) {
	var points []jsonPoint
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	var err error
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var doc struct {
			Prices *[]jsonPoint `json:"prices"`
		}
		if err = json.Unmarshal(data, &doc); err == nil && doc.Prices == nil {
			return nil, hearth.Errorf(hearth.EINVALID, "JSON: the object has no \"prices\" array.")
		}
		if doc.Prices != nil {
			points = *doc.Prices
		}
	} else {
		err = json.Unmarshal(data, &points)
	}
	if err != nil {
		return nil, jsonError(err)
	}
	rows := make([]row, 0, len(points))
	for i, p := range points {
		where := fmt.Sprintf("JSON prices[%d]", i)
		start, ok := parseTime(p.Start)
		if !ok {
			return nil, hearth.Errorf(hearth.EINVALID, "%s.start: %q is not an RFC 3339 time.", where, p.Start)
		}
		var end time.Time
		if strings.TrimSpace(p.End) != "" {
			if end, ok = parseTime(p.End); !ok {
				return nil, hearth.Errorf(hearth.EINVALID, "%s.end: %q is not an RFC 3339 time.", where, p.End)
			}
		}
		if p.Price == nil {
			return nil, hearth.Errorf(hearth.EINVALID, "%s.price is missing.", where)
		}
		unit := opt.Unit
		if p.Unit != "" {
			unit = Unit(p.Unit)
		}
		if unit, ok = parseUnit(string(unit)); !ok {
			return nil, hearth.Errorf(hearth.EINVALID, "%s.unit: %q is neither per_mwh nor per_kwh; set it or the unit option.", where, p.Unit)
		}
		rows = append(rows, row{hearth.PricePoint{Start: start, End: end, PerKWh: perKWh(*p.Price, unit), Currency: currencyOr(p.Currency, opt.Currency)}, where, 0})
	}
	if err := endAtNextStart(rows, opt.Resolution); err != nil {
		return nil, err
	}
	return finish(rows)
}

// jsonError turns a JSON decoding error into an EPROTOCOL error naming
// the byte offset or the field at fault.
func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return hearth.WrapError(hearth.EPROTOCOL, err, "JSON byte %d: %v.", se.Offset, se.Error())
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return hearth.WrapError(hearth.EPROTOCOL, err, "JSON byte %d: field %q should be a %s, not %s.", te.Offset, te.Field, te.Type, te.Value)
	}
	return hearth.WrapError(hearth.EPROTOCOL, err, "JSON is unreadable.")
}
