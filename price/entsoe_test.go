package price_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
)

// The fixture holds two DE-LU days as the API returns them: 28 March
// 2026 (24 hours, 23:00Z to 23:00Z) and 29 March, when the clocks go
// forward, so the delivery day is 23 hours (23:00Z to 22:00Z). The
// second series is curveType A03 and leaves out positions 3, 4 and 15,
// whose prices repeat the position before.
func TestParseENTSOE(t *testing.T) {
	points, err := price.ParseENTSOE(fixture(t, "entsoe_a44_dst.xml"))
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-03-27T23:00:00Z"), utc(t, "2026-03-29T22:00:00Z"))
	if len(points) != 24+23 {
		t.Fatalf("got %d points, want 47", len(points))
	}
	for _, tc := range []struct {
		start  string
		perKWh float64
	}{
		{"2026-03-27T23:00:00Z", 0.07812},
		{"2026-03-28T22:00:00Z", 0.08266},
		{"2026-03-28T23:00:00Z", 0.08001},
		{"2026-03-29T01:00:00Z", 0.07644},  // position 3, left out: repeats position 2
		{"2026-03-29T02:00:00Z", 0.07644},  // position 4, left out
		{"2026-03-29T13:00:00Z", -0.00501}, // position 15, left out: repeats a negative price
		{"2026-03-29T21:00:00Z", 0.08605},
	} {
		p := at(t, points, utc(t, tc.start))
		if !near(p.PerKWh, tc.perKWh) || p.Currency != "EUR" || p.End.Sub(p.Start) != time.Hour {
			t.Errorf("at %s: %v %s for %v, want %v EUR for an hour", tc.start, p.PerKWh, p.Currency, p.End.Sub(p.Start), tc.perKWh)
		}
	}
}

// at returns the point covering t.
func at(t *testing.T, points []hearth.PricePoint, when time.Time) hearth.PricePoint {
	t.Helper()
	for _, p := range points {
		if p.Covers(when) {
			return p
		}
	}
	t.Fatalf("no point covers %v", when)
	return hearth.PricePoint{}
}

// entsoeDoc builds a price document of one series per period given as
// start, end, resolution and prices.
func entsoeDoc(series ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3">
<type>A44</type>` + strings.Join(series, "") + `</Publication_MarketDocument>`
}

func entsoeSeries(start, end, resolution string, prices ...float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<TimeSeries><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name><curveType>A01</curveType>
<Period><timeInterval><start>%s</start><end>%s</end></timeInterval><resolution>%s</resolution>`, start, end, resolution)
	for i, p := range prices {
		fmt.Fprintf(&b, "<Point><position>%d</position><price.amount>%g</price.amount></Point>\n", i+1, p)
	}
	b.WriteString("</Period></TimeSeries>")
	return b.String()
}

// On 25 October 2026 the clocks go back: the delivery day is 25 hours,
// 100 quarter hours from 22:00Z to 23:00Z. An hourly series published
// alongside loses to the quarter hours where both cover.
func TestParseENTSOEQuarterHoursFallBack(t *testing.T) {
	quarters := make([]float64, 100)
	for i := range quarters {
		quarters[i] = float64(40 + i)
	}
	hours := make([]float64, 25)
	for i := range hours {
		hours[i] = 999
	}
	doc := entsoeDoc(
		entsoeSeries("2026-10-24T22:00Z", "2026-10-25T23:00Z", "PT60M", hours...),
		entsoeSeries("2026-10-24T22:00Z", "2026-10-25T23:00Z", "PT15M", quarters...),
	)
	points, err := price.ParseENTSOE([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-10-24T22:00:00Z"), utc(t, "2026-10-25T23:00:00Z"))
	if len(points) != 100 {
		t.Fatalf("got %d points, want 100 quarter hours", len(points))
	}
	if p := points[99]; !near(p.PerKWh, 0.139) || p.End.Sub(p.Start) != 15*time.Minute {
		t.Errorf("last point = %+v, want 0.139 for 15 minutes", p)
	}
}

func TestParseENTSOENoData(t *testing.T) {
	_, err := price.ParseENTSOE(fixture(t, "entsoe_ack_nodata.xml"))
	wantCode(t, err, hearth.ENOTFOUND)
	if !strings.Contains(hearth.ErrorMessage(err), "No matching data found") {
		t.Errorf("message %q does not carry the API's reason", hearth.ErrorMessage(err))
	}
}

func TestParseENTSOEErrors(t *testing.T) {
	day := func(res string, body string) string {
		return entsoeDoc(`<TimeSeries><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name>
<Period><timeInterval><start>2026-06-01T22:00Z</start><end>2026-06-02T22:00Z</end></timeInterval><resolution>` + res + `</resolution>` + body + `</Period></TimeSeries>`)
	}
	for _, tc := range []struct {
		name, data, code, says string
	}{
		{"not xml", "prices", hearth.EPROTOCOL, "ENTSO-E"},
		{"broken xml", "<Publication_MarketDocument>\n<TimeSeries>\n</Publication_MarketDocument>", hearth.EPROTOCOL, "line 3"},
		{"other document", "<GL_MarketDocument></GL_MarketDocument>", hearth.EPROTOCOL, "GL_MarketDocument"},
		{"other type", strings.Replace(entsoeDoc(""), "A44", "A65", 1), hearth.EINVALID, "A65"},
		{"per kWh unknown", strings.Replace(day("PT60M", "<Point><position>1</position><price.amount>1</price.amount></Point>"), "MWH", "MAW", 1), hearth.EINVALID, "MAW"},
		{"bad resolution", day("P1Y", "<Point><position>1</position><price.amount>1</price.amount></Point>"), hearth.EINVALID, "resolution"},
		{"uneven span", day("PT7M", "<Point><position>1</position><price.amount>1</price.amount></Point>"), hearth.EINVALID, "whole number"},
		{"position out of range", day("PT60M", "<Point><position>25</position><price.amount>1</price.amount></Point>"), hearth.EINVALID, "Point[0]: position \"25\""},
		{"no position 1", day("PT60M", "<Point><position>2</position><price.amount>1</price.amount></Point>"), hearth.EINVALID, "position 1"},
		{"twice", day("PT60M", "<Point><position>1</position><price.amount>1</price.amount></Point><Point><position>1</position><price.amount>2</price.amount></Point>"), hearth.EINVALID, "twice"},
		{"bad price", day("PT60M", "<Point><position>1</position><price.amount>n/a</price.amount></Point>"), hearth.EINVALID, "price.amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := price.ParseENTSOE([]byte(tc.data))
			wantCode(t, err, tc.code)
			if !strings.Contains(hearth.ErrorMessage(err), tc.says) {
				t.Errorf("message %q does not say %q", hearth.ErrorMessage(err), tc.says)
			}
		})
	}
}
