package econ

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-fleet/hearth"
)

// Series is a time series of one quantity: difficulty, BTC price, outdoor
// temperature or electricity price. A value holds from its time until the
// next one (a step), which is how difficulty epochs and tariffs behave and a
// fair reading of hourly or daily samples.
type Series struct {
	// Name is the quantity, as its CSV column names it.
	Name string
	// Times are Unix seconds, strictly increasing.
	Times []int64
	// Values are the quantity at each time.
	Values []float64
}

// Len returns the number of points.
func (s Series) Len() int { return len(s.Times) }

// At returns the value in force at Unix time t: that of the last point at or
// before t, or the first point's for a time before the series starts. An
// empty series gives NaN.
func (s Series) At(t int64) float64 {
	if len(s.Times) == 0 {
		return math.NaN()
	}
	i := sort.Search(len(s.Times), func(i int) bool { return s.Times[i] > t })
	if i == 0 {
		return s.Values[0]
	}
	return s.Values[i-1]
}

// Span returns the times of the first and last points.
func (s Series) Span() (first, last time.Time) {
	if len(s.Times) == 0 {
		return time.Time{}, time.Time{}
	}
	return time.Unix(s.Times[0], 0).UTC(), time.Unix(s.Times[len(s.Times)-1], 0).UTC()
}

// cursor walks a Series forward in time in amortised constant time, for the
// hour-by-hour loops of backtests.
type cursor struct {
	s *Series
	i int
}

func (c *cursor) at(t int64) float64 {
	if len(c.s.Times) == 0 {
		return math.NaN()
	}
	for c.i+1 < len(c.s.Times) && c.s.Times[c.i+1] <= t {
		c.i++
	}
	return c.s.Values[c.i]
}

// MaxSeriesRows bounds a series read from a file: a century of hours is
// under 900,000 rows, so more is a mistake, not data.
const MaxSeriesRows = 1_000_000

// timeLayouts are the forms a series' time column may take.
var timeLayouts = []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339, "2006-01-02 15:04", "2006-01-02 15:04:05"}

// ParseTime reads a series time: a date, a date with hour and minute (UTC),
// or RFC 3339.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, hearth.Errorf(hearth.EINVALID, "time %q is not a date (2006-01-02), a UTC hour (2006-01-02T15:04) or RFC 3339", s)
}

// ParseSeries reads column from a CSV whose first column is the time ("date"
// or "time") and whose first row names the columns. Lines starting with '#'
// are comments (attribution lives there). Times must increase strictly and
// values must be finite numbers; an empty cell skips the row, since sources
// leave gaps (ERCOT misses days). It reads at most MaxSeriesRows rows.
func ParseSeries(r io.Reader, column string) (Series, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return Series{}, hearth.Errorf(hearth.EINVALID, "series %s: empty file", column)
		}
		return Series{}, hearth.WrapError(hearth.EINVALID, err, "series %s: header", column)
	}
	if len(head) == 0 {
		return Series{}, hearth.Errorf(hearth.EINVALID, "series %s: empty header", column)
	}
	tc := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(head[0], "\ufeff")))
	if tc != "date" && tc != "time" {
		return Series{}, hearth.Errorf(hearth.EINVALID, "series %s: first column is %q, want date or time", column, head[0])
	}
	vc := -1
	for i, h := range head {
		if strings.EqualFold(strings.TrimSpace(h), column) {
			vc = i
		}
	}
	if vc <= 0 {
		return Series{}, hearth.Errorf(hearth.EINVALID, "series: no column %q in header %q", column, strings.Join(head, ","))
	}
	s := Series{Name: column}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A csv.ParseError names its line; FieldPos is only valid after
			// a record was read.
			return Series{}, hearth.WrapError(hearth.EINVALID, err, "series %s", column)
		}
		line, _ := cr.FieldPos(0)
		if len(s.Times) >= MaxSeriesRows {
			return Series{}, hearth.Errorf(hearth.ETOOLARGE, "series %s: more than %d rows", column, MaxSeriesRows)
		}
		if vc >= len(rec) || strings.TrimSpace(rec[vc]) == "" {
			continue
		}
		t, err := ParseTime(rec[0])
		if err != nil {
			return Series{}, hearth.WrapError(hearth.EINVALID, err, "series %s: line %d", column, line)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[vc]), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return Series{}, hearth.Errorf(hearth.EINVALID, "series %s: line %d: %q is not a number", column, line, rec[vc])
		}
		u := t.Unix()
		if n := len(s.Times); n > 0 && u <= s.Times[n-1] {
			return Series{}, hearth.Errorf(hearth.EINVALID, "series %s: line %d: time %s does not follow the previous row", column, line, rec[0])
		}
		s.Times = append(s.Times, u)
		s.Values = append(s.Values, v)
	}
	if len(s.Times) == 0 {
		return Series{}, hearth.Errorf(hearth.EINVALID, "series %s: no rows", column)
	}
	return s, nil
}
