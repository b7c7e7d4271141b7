package price_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
)

func TestParseCSV(t *testing.T) {
	points, err := price.ParseCSV(fixture(t, "prices.csv"), price.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-06-01T00:00:00Z"), utc(t, "2026-06-01T09:00:00Z"))
	want := []struct {
		start, end string
		perKWh     float64
	}{
		{"2026-06-01T00:00:00Z", "2026-06-01T01:00:00Z", 0.095},
		{"2026-06-01T01:00:00Z", "2026-06-01T02:00:00Z", 0.118},
		// No end: it ends where the next row (written at -05:00) starts;
		// 142 per MWh is 0.142 per kWh.
		{"2026-06-01T02:00:00Z", "2026-06-01T08:00:00Z", 0.142},
		{"2026-06-01T08:00:00Z", "2026-06-01T09:00:00Z", 0.081},
	}
	if len(points) != len(want) {
		t.Fatalf("got %d points, want %d: %+v", len(points), len(want), points)
	}
	for i, w := range want {
		p := points[i]
		if !p.Start.Equal(utc(t, w.start)) || !p.End.Equal(utc(t, w.end)) || !near(p.PerKWh, w.perKWh) || p.Currency != "USD" {
			t.Errorf("point %d = %v–%v %v %s, want %s–%s %v USD", i, p.Start, p.End, p.PerKWh, p.Currency, w.start, w.end, w.perKWh)
		}
	}
}

func TestParseCSVOptions(t *testing.T) {
	data := "Start;Price\n" // not comma separated: no start column found
	if _, err := price.ParseCSV([]byte(data), price.Options{Unit: price.PerKWh}); err == nil {
		t.Fatal("a semicolon header parsed")
	}
	data = "PRICE,Start\n84.2,2026-03-29T00:00Z\n90.1,2026-03-29T00:15Z\n"
	points, err := price.ParseCSV([]byte(data), price.Options{Unit: price.PerMWh, Resolution: 15 * time.Minute, Currency: "eur"})
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-03-29T00:00:00Z"), utc(t, "2026-03-29T00:30:00Z"))
	if !near(points[0].PerKWh, 0.0842) || points[0].Currency != "EUR" {
		t.Errorf("first point = %+v, want 0.0842 EUR", points[0])
	}
}

func TestParseCSVErrors(t *testing.T) {
	perKWh := price.Options{Unit: price.PerKWh, Resolution: time.Hour}
	for _, tc := range []struct {
		name, data string
		opt        price.Options
		code, says string
	}{
		{"empty", "", perKWh, hearth.EINVALID, "empty"},
		{"no price column", "start,end,cost\n", perKWh, hearth.EINVALID, "line 1"},
		{"no unit", "start,price\n2026-06-01T00:00:00Z,1\n", price.Options{Resolution: time.Hour}, hearth.EINVALID, "unit"},
		{"bad unit", "start,price,unit\n2026-06-01T00:00:00Z,1,per_therm\n", perKWh, hearth.EINVALID, "line 2"},
		{"bad start", "start,price\n2026-06-01T00:00:00Z,1\n1 June 2026,2\n", perKWh, hearth.EINVALID, "line 3: start"},
		{"bad price", "start,price\n2026-06-01T00:00:00Z,cheap\n", perKWh, hearth.EINVALID, "line 2: price"},
		{"overlap", "start,end,price\n2026-06-01T00:00:00Z,2026-06-01T02:00:00Z,1\n2026-06-01T01:00:00Z,2026-06-01T03:00:00Z,2\n", perKWh, hearth.EINVALID, "overlaps CSV line 2"},
		{"backwards", "start,end,price\n2026-06-01T02:00:00Z,2026-06-01T01:00:00Z,1\n", perKWh, hearth.EINVALID, "line 2"},
		{"open last row", "start,price\n2026-06-01T00:00:00Z,1\n", price.Options{Unit: price.PerKWh}, hearth.EINVALID, "resolution"},
		{"not finite", "start,price\n2026-06-01T00:00:00Z,NaN\n", perKWh, hearth.EINVALID, "finite"},
		{"bare quote", "start,price\n2026-06-01T00:00:00Z,\"1\n", perKWh, hearth.EPROTOCOL, "CSV line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := price.ParseCSV([]byte(tc.data), tc.opt)
			wantCode(t, err, tc.code)
			if !strings.Contains(hearth.ErrorMessage(err), tc.says) {
				t.Errorf("message %q does not say %q", hearth.ErrorMessage(err), tc.says)
			}
		})
	}
}
