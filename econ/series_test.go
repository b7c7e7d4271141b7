package econ_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/econ"
	"github.com/hearth-fleet/hearth/econ/econdata"
)

func TestParseSeriesReadsDatesHoursAndGaps(t *testing.T) {
	s, err := econ.ParseSeries(strings.NewReader("# comment\ntime,temp_c,other\n2025-01-01T00:00,-3.5,x\n2025-01-01T01:00,,y\n2025-01-01T02:00:00Z,-4,z\n"), "TEMP_C")
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 2 || s.Values[1] != -4 {
		t.Fatalf("series %+v, want 2 points ending at -4 (the empty cell skipped)", s)
	}
	at := func(h int) float64 { return s.At(time.Date(2025, 1, 1, h, 30, 0, 0, time.UTC).Unix()) }
	if at(0) != -3.5 || at(1) != -3.5 || at(5) != -4 {
		t.Errorf("step values %g %g %g", at(0), at(1), at(5))
	}
	if got := s.At(0); got != -3.5 {
		t.Errorf("before the start = %g, want the first value", got)
	}
}

func TestParseSeriesRefusesBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"empty":       "",
		"no column":   "date,usd\n2025-01-01,1\n",
		"bad time":    "date,difficulty\nyesterday,1\n",
		"bad value":   "date,difficulty\n2025-01-01,lots\n",
		"infinite":    "date,difficulty\n2025-01-01,Inf\n",
		"not ordered": "date,difficulty\n2025-01-02,1\n2025-01-01,2\n",
		"no rows":     "date,difficulty\n",
		"first col":   "height,difficulty\n1,2\n",
	} {
		if _, err := econ.ParseSeries(strings.NewReader(in), "difficulty"); hearth.ErrorCode(err) != hearth.EINVALID {
			t.Errorf("%s: error %v, want EINVALID", name, err)
		}
	}
}

// FuzzParseSeries feeds the series parser arbitrary files: it must return a
// series with strictly increasing times and finite values, or an error.
func FuzzParseSeries(f *testing.F) {
	for _, name := range []string{"difficulty.csv", "btc_price.csv", "hydroquebec_rate_cb.csv"} {
		b, _ := econdata.Files.ReadFile(name)
		f.Add(b, "difficulty")
		f.Add(b, "usd")
	}
	f.Add([]byte("time,temp_c\n2025-01-01T00:00,-13.1\n2025-01-01T01:00,-14.9\n"), "temp_c")
	f.Add([]byte("date,usd\n\"2025-01-01\",\"1e3\"\n2025-01-02,NaN\n"), "usd")
	f.Fuzz(func(t *testing.T, data []byte, col string) {
		s, err := econ.ParseSeries(bytes.NewReader(data), col)
		if err != nil {
			return
		}
		if s.Len() == 0 || len(s.Values) != s.Len() {
			t.Fatalf("accepted a malformed series %+v", s)
		}
		for i := range s.Times {
			if i > 0 && s.Times[i] <= s.Times[i-1] {
				t.Fatalf("times not increasing at %d", i)
			}
			if v := s.Values[i]; v != v || v > 1.7e308 || v < -1.7e308 {
				t.Fatalf("non-finite value %g", v)
			}
		}
	})
}

// FuzzParseCatalog feeds the catalog parser arbitrary files: every model it
// accepts has a name, a hash rate and a power.
func FuzzParseCatalog(f *testing.F) {
	b, _ := econdata.Files.ReadFile("catalog.csv")
	f.Add(b)
	f.Add([]byte("model,hashrate_th,power_w,j_per_th,cooling,price_usd,source\nX,1,,,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := econ.ParseCatalog(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, m := range c {
			if m.Name == "" || !(m.HashrateTH > 0) || !(m.PowerW > 0) || !(m.JPerTH > 0) {
				t.Fatalf("accepted a model without its figures: %+v", m)
			}
		}
	})
}
