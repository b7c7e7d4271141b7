package price_test

import (
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
)

// checkParsed asserts what every parser promises of any input: either
// a hearth error with a code, or well-formed points.
func checkParsed(t *testing.T, points []hearth.PricePoint, err error) {
	t.Helper()
	if err != nil {
		if code := hearth.ErrorCode(err); code == hearth.EINTERNAL {
			t.Fatalf("an error without a hearth code: %v", err)
		}
		return
	}
	checkWellFormed(t, points)
}

func FuzzParseCSV(f *testing.F) {
	f.Add(fixture(f, "prices.csv"))
	f.Add([]byte("start,price\n2026-06-01T00:00Z,84.2\n2026-06-01T00:15Z,90\n"))
	f.Add([]byte("start,end,price\n2026-06-01T02:00:00Z,2026-06-01T01:00:00Z,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		points, err := price.ParseCSV(data, price.Options{Unit: price.PerMWh, Resolution: time.Hour})
		checkParsed(t, points, err)
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add(fixture(f, "prices.json"))
	f.Add([]byte(`[{"start":"2026-06-01T00:00:00Z","price":1}]`))
	f.Add([]byte(`{"prices":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		points, err := price.ParseJSON(data, price.Options{Unit: price.PerKWh, Resolution: time.Hour})
		checkParsed(t, points, err)
	})
}

func FuzzParseENTSOE(f *testing.F) {
	f.Add(fixture(f, "entsoe_a44_dst.xml"))
	f.Add(fixture(f, "entsoe_ack_nodata.xml"))
	f.Add([]byte(entsoeDoc(entsoeSeries("2026-10-24T22:00Z", "2026-10-25T00:00Z", "PT15M", 1, 2, 3))))
	f.Fuzz(func(t *testing.T, data []byte) {
		points, err := price.ParseENTSOE(data)
		checkParsed(t, points, err)
	})
}

func FuzzParseERCOT(f *testing.F) {
	f.Add(fixture(f, "ercot_dam_fallback.csv"))
	f.Add(fixture(f, "ercot_dam_spring.csv"))
	f.Add(fixture(f, "ercot_rtm_fallback.csv"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, point := range []string{"HB_NORTH", "LZ_WEST"} {
			points, err := price.ParseERCOT(data, price.Options{SettlementPoint: point})
			checkParsed(t, points, err)
		}
	})
}

// FuzzParse feeds anything to format detection and the parser it
// picks.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"prices.csv", "prices.json", "entsoe_a44_dst.xml", "ercot_rtm_fallback.csv"} {
		f.Add(fixture(f, name))
	}
	f.Add(zipped(f, "dam.csv", fixture(f, "ercot_dam_spring.csv")))
	f.Fuzz(func(t *testing.T, data []byte) {
		points, err := price.Parse("", data, price.Options{Unit: price.PerMWh, Resolution: time.Hour, SettlementPoint: "HB_NORTH"})
		checkParsed(t, points, err)
	})
}

func FuzzParseHashprice(f *testing.F) {
	f.Add(fixture(f, "hashprice.json"))
	f.Add([]byte(`{"usd_per_th_day": 0.0382}`))
	f.Add([]byte(`{"usd_per_ph_day": -1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := price.ParseHashprice(data)
		if err != nil {
			if hearth.ErrorCode(err) == hearth.EINTERNAL {
				t.Fatalf("an error without a hearth code: %v", err)
			}
			return
		}
		if !(v > 0) || v > 1e308 {
			t.Fatalf("accepted hashprice %v", v)
		}
	})
}
