package price_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
)

func TestParseJSON(t *testing.T) {
	points, err := price.ParseJSON(fixture(t, "prices.json"), price.Options{Resolution: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-06-01T00:00:00Z"), utc(t, "2026-06-01T03:00:00Z"))
	for i, want := range []float64{0.095, 0.142, 0.081} {
		if !near(points[i].PerKWh, want) || points[i].Currency != "USD" {
			t.Errorf("point %d = %v %s, want %v USD", i, points[i].PerKWh, points[i].Currency, want)
		}
	}
}

func TestParseJSONBareArray(t *testing.T) {
	data := `[{"start":"2026-06-01T01:00:00Z","end":"2026-06-01T02:00:00Z","price":120},
	          {"start":"2026-06-01T00:00:00Z","end":"2026-06-01T01:00:00Z","price":0}]`
	points, err := price.ParseJSON([]byte(data), price.Options{Unit: price.PerMWh, Currency: "usd"})
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-06-01T00:00:00Z"), utc(t, "2026-06-01T02:00:00Z"))
	if points[0].PerKWh != 0 || !near(points[1].PerKWh, 0.12) || points[1].Currency != "USD" {
		t.Errorf("points = %+v", points)
	}
}

func TestParseJSONErrors(t *testing.T) {
	opt := price.Options{Unit: price.PerKWh, Resolution: time.Hour}
	for _, tc := range []struct {
		name, data string
		opt        price.Options
		code, says string
	}{
		{"syntax", `[{"start": }]`, opt, hearth.EPROTOCOL, "JSON byte"},
		{"type", `[{"start": "2026-06-01T00:00:00Z", "price": "0.1"}]`, opt, hearth.EPROTOCOL, "price"},
		{"no prices", `{"data": []}`, opt, hearth.EINVALID, `"prices"`},
		{"missing price", `[{"start": "2026-06-01T00:00:00Z"}]`, opt, hearth.EINVALID, "prices[0].price"},
		{"bad start", `[{"start": "2026-06-01T00:00:00Z", "price": 1}, {"start": "yesterday", "price": 1}]`, opt, hearth.EINVALID, "prices[1].start"},
		{"bad end", `[{"start": "2026-06-01T00:00:00Z", "end": "soon", "price": 1}]`, opt, hearth.EINVALID, "prices[0].end"},
		{"no unit", `[{"start": "2026-06-01T00:00:00Z", "price": 1}]`, price.Options{Resolution: time.Hour}, hearth.EINVALID, "prices[0].unit"},
		{"empty", ``, opt, hearth.EPROTOCOL, "JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := price.ParseJSON([]byte(tc.data), tc.opt)
			wantCode(t, err, tc.code)
			if !strings.Contains(hearth.ErrorMessage(err), tc.says) {
				t.Errorf("message %q does not say %q", hearth.ErrorMessage(err), tc.says)
			}
		})
	}
}
