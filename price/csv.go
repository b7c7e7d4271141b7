package price

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// ParseCSV reads the generic price CSV. The first line is a header
// naming the columns, in any order and case: start and price are
// required; end, currency and unit are optional. Times are RFC 3339. A
// row without an end ends at the next row's start, and the last one
// after opt.Resolution. The unit column (per_mwh, per_kwh, MWh, kWh,
// EUR/MWh) or else opt.Unit says what the price is quoted per:
//
//	start,end,price,currency,unit
//	2026-03-29T00:00:00Z,2026-03-29T01:00:00Z,84.20,EUR,per_mwh
func ParseCSV(data []byte, opt Options) ([]hearth.PricePoint, error) {
	r := newCSVReader(data)
	header, err := r.Read()
	if err != nil {
		return nil, csvError(err, "the header")
	}
	col := columns(header)
	iStart, iEnd, iPrice := col.index("start"), col.index("end"), col.index("price")
	iCurrency, iUnit := col.index("currency"), col.index("unit")
	if iStart < 0 || iPrice < 0 {
		return nil, hearth.Errorf(hearth.EINVALID, "CSV line 1: the header %q needs start and price columns.", strings.Join(header, ","))
	}
	if iUnit < 0 && opt.Unit == "" {
		return nil, hearth.Errorf(hearth.EINVALID, "CSV line 1: no unit column and no unit option; say per_mwh or per_kwh.")
	}
	var rows []row
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err, "a row")
		}
		line, _ := r.FieldPos(0)
		where := fmt.Sprintf("CSV line %d", line)
		start, ok := parseTime(field(rec, iStart))
		if !ok {
			return nil, hearth.Errorf(hearth.EINVALID, "%s: start %q is not an RFC 3339 time.", where, field(rec, iStart))
		}
		var end time.Time
		if iEnd >= 0 && strings.TrimSpace(field(rec, iEnd)) != "" {
			if end, ok = parseTime(field(rec, iEnd)); !ok {
				return nil, hearth.Errorf(hearth.EINVALID, "%s: end %q is not an RFC 3339 time.", where, field(rec, iEnd))
			}
		}
		price, err := strconv.ParseFloat(strings.TrimSpace(field(rec, iPrice)), 64)
		if err != nil {
			return nil, hearth.Errorf(hearth.EINVALID, "%s: price %q is not a number.", where, field(rec, iPrice))
		}
		unit := opt.Unit
		if iUnit >= 0 && strings.TrimSpace(field(rec, iUnit)) != "" {
			if unit, ok = parseUnit(field(rec, iUnit)); !ok {
				return nil, hearth.Errorf(hearth.EINVALID, "%s: unit %q is neither per_mwh nor per_kwh.", where, field(rec, iUnit))
			}
		}
		if _, ok := parseUnit(string(unit)); !ok {
			return nil, hearth.Errorf(hearth.EINVALID, "%s: unit option %q is neither per_mwh nor per_kwh.", where, unit)
		}
		currency := opt.Currency
		if iCurrency >= 0 {
			currency = currencyOr(field(rec, iCurrency), opt.Currency)
		}
		rows = append(rows, row{hearth.PricePoint{Start: start, End: end, PerKWh: perKWh(price, unit), Currency: currencyOr(currency, "")}, where, 0})
	}
	if err := endAtNextStart(rows, opt.Resolution); err != nil {
		return nil, err
	}
	return finish(rows)
}

// endAtNextStart sorts rows by start and gives each row without an
// end the start of the next later row, or resolution when it is the
// last.
func endAtNextStart(rows []row, resolution time.Duration) error {
	slices.SortStableFunc(rows, func(a, b row) int { return a.Start.Compare(b.Start) })
	for i := range rows {
		if !rows[i].End.IsZero() {
			continue
		}
		j := i + 1
		for j < len(rows) && !rows[j].Start.After(rows[i].Start) {
			j++
		}
		switch {
		case j < len(rows):
			rows[i].End = rows[j].Start
		case resolution > 0:
			rows[i].End = rows[i].Start.Add(resolution)
		default:
			return hearth.Errorf(hearth.EINVALID, "%s: the last point has no end; give an end or a resolution.", rows[i].place())
		}
	}
	return nil
}

// newCSVReader returns a reader of data that tolerates a byte order
// mark, ragged rows and quotes in odd places, as spreadsheet exports
// have them.
func newCSVReader(data []byte) *csv.Reader {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = false
	return r
}

// csvError turns a CSV syntax error into an EPROTOCOL error naming
// where it happened.
func csvError(err error, where string) error {
	if err == io.EOF {
		return hearth.Errorf(hearth.EINVALID, "The CSV is empty: %s is missing.", where)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return hearth.WrapError(hearth.EPROTOCOL, err, "CSV line %d, column %d: %v.", pe.Line, pe.Column, pe.Err)
	}
	return hearth.WrapError(hearth.EPROTOCOL, err, "The CSV's %s is unreadable.", where)
}

// header maps normalized column names to their index.
type header map[string]int

// columns indexes a CSV header row.
func columns(rec []string) header {
	h := header{}
	for i, name := range rec {
		if _, dup := h[normalizeHeader(name)]; !dup {
			h[normalizeHeader(name)] = i
		}
	}
	return h
}

// index returns the column of the first of names present, or -1.
func (h header) index(names ...string) int {
	for _, n := range names {
		if i, ok := h[normalizeHeader(n)]; ok {
			return i
		}
	}
	return -1
}

// field returns rec[i], or "" for a missing column or a short row.
func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}
