package price_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearth-fleet/hearth"
	"github.com/hearth-fleet/hearth/price"
)

// On 1 November 2026 the clocks in Texas go back at 02:00 CDT: the
// market day is 25 hours, 05:00Z to 06:00Z the next day, and the hour
// ending 02:00 comes twice, the repeat flagged DSTFlag Y.
func TestParseERCOTDayAheadFallBack(t *testing.T) {
	points, err := price.ParseERCOT(fixture(t, "ercot_dam_fallback.csv"), price.Options{SettlementPoint: "HB_NORTH"})
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-11-01T05:00:00Z"), utc(t, "2026-11-02T06:00:00Z"))
	if len(points) != 25 {
		t.Fatalf("got %d hours, want 25", len(points))
	}
	for _, tc := range []struct {
		start  string
		perKWh float64
	}{
		{"2026-11-01T05:00:00Z", 0.02140}, // HE 01:00, CDT
		{"2026-11-01T06:00:00Z", 0.01985}, // HE 02:00, CDT
		{"2026-11-01T07:00:00Z", 0.01985}, // HE 02:00 again, CST (DSTFlag Y)
		{"2026-11-01T08:00:00Z", 0.01802}, // HE 03:00, CST
		{"2026-11-01T22:00:00Z", 0.06135}, // HE 17:00 (16:00 CST), the evening peak
		{"2026-11-02T05:00:00Z", 0.02035}, // HE 24:00
	} {
		p := at(t, points, utc(t, tc.start))
		if !near(p.PerKWh, tc.perKWh) || p.Currency != "USD" {
			t.Errorf("at %s: %v %s, want %v USD", tc.start, p.PerKWh, p.Currency, tc.perKWh)
		}
	}
}

// Without the DSTFlag column the second hour ending 02:00 is still the
// repeated one.
func TestParseERCOTWithoutDSTFlag(t *testing.T) {
	data := regexp.MustCompile(`,[YN]?(DSTFlag)?\r\n`).ReplaceAllString(string(fixture(t, "ercot_dam_fallback.csv")), "\r\n")
	if strings.Contains(data, "DSTFlag") {
		t.Fatal("the column is still there")
	}
	points, err := price.ParseERCOT([]byte(data), price.Options{SettlementPoint: "hb_north"})
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-11-01T05:00:00Z"), utc(t, "2026-11-02T06:00:00Z"))
}

// On 8 March 2026 the clocks go forward at 02:00 CST: the day is 23
// hours, the hour ending 03:00 does not exist, and the file (quoted, as
// the MIS writes it) goes from HE 02:00 to HE 04:00 without a gap in
// time.
func TestParseERCOTDayAheadSpringForward(t *testing.T) {
	points, err := price.ParseERCOT(fixture(t, "ercot_dam_spring.csv"), price.Options{SettlementPoint: "LZ_WEST"})
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-03-08T06:00:00Z"), utc(t, "2026-03-09T05:00:00Z"))
	if len(points) != 23 {
		t.Fatalf("got %d hours, want 23", len(points))
	}
	if p := at(t, points, utc(t, "2026-03-08T08:00:00Z")); !near(p.PerKWh, 0.0169) {
		t.Errorf("HE 04:00 (03:00 CDT) = %v, want 0.0169", p.PerKWh)
	}
}

// Real-time prices come in 15-minute intervals of each delivery hour;
// the repeated hour's four intervals are flagged Y.
func TestParseERCOTRealTimeFallBack(t *testing.T) {
	points, err := price.ParseERCOT(fixture(t, "ercot_rtm_fallback.csv"), price.Options{SettlementPoint: "LZ_WEST"})
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-11-01T05:00:00Z"), utc(t, "2026-11-01T08:30:00Z"))
	if len(points) != 14 {
		t.Fatalf("got %d intervals, want 14", len(points))
	}
	// The first interval of the repeated hour, 01:00 CST, is 07:00Z.
	if p := at(t, points, utc(t, "2026-11-01T07:00:00Z")); !near(p.PerKWh, 0.029) || p.End.Sub(p.Start) != 15*time.Minute {
		t.Errorf("07:00Z = %+v, want 0.029 for 15 minutes", p)
	}
}

func TestParseERCOTErrors(t *testing.T) {
	const header = "DeliveryDate,HourEnding,SettlementPoint,SettlementPointPrice,DSTFlag\n"
	north := price.Options{SettlementPoint: "HB_NORTH"}
	for _, tc := range []struct {
		name, data string
		opt        price.Options
		code, says string
	}{
		{"no settlement point", header, price.Options{}, hearth.EINVALID, "settlement point"},
		{"other settlement point", header + "11/02/2026,01:00,HB_WEST,20,N\n", north, hearth.ENOTFOUND, "HB_NORTH"},
		{"bad header", "Date,Hour,Node,Price\n", north, hearth.EINVALID, "line 1"},
		{"skipped hour", header + "03/08/2026,03:00,HB_NORTH,20,N\n", north, hearth.EINVALID, "line 2: 03/08/2026 02:00 does not exist"},
		{"flag on a normal hour", header + "06/01/2026,02:00,HB_NORTH,20,Y\n", north, hearth.EINVALID, "did not go back"},
		{"bad flag", header + "06/01/2026,02:00,HB_NORTH,20,maybe\n", north, hearth.EINVALID, "DSTFlag"},
		{"bad hour", header + "06/01/2026,25:00,HB_NORTH,20,N\n", north, hearth.EINVALID, "HourEnding"},
		{"bad date", header + "2026/06/01,01:00,HB_NORTH,20,N\n", north, hearth.EINVALID, "DeliveryDate"},
		{"bad price", header + "06/01/2026,01:00,HB_NORTH,,N\n", north, hearth.EINVALID, "SettlementPointPrice"},
		{"duplicate hour", header + "06/01/2026,01:00,HB_NORTH,20,N\n06/01/2026,01:00,HB_NORTH,21,N\n", north, hearth.EINVALID, "overlaps"},
		{"bad interval", "DeliveryDate,DeliveryHour,DeliveryInterval,SettlementPointName,SettlementPointType,SettlementPointPrice,DSTFlag\n06/01/2026,1,5,HB_NORTH,HU,20,N\n", north, hearth.EINVALID, "DeliveryInterval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := price.ParseERCOT([]byte(tc.data), tc.opt)
			wantCode(t, err, tc.code)
			if !strings.Contains(hearth.ErrorMessage(err), tc.says) {
				t.Errorf("message %q does not say %q", hearth.ErrorMessage(err), tc.says)
			}
		})
	}
}

// The spaced column names of ERCOT's display pages read the same.
func TestParseERCOTSpacedHeader(t *testing.T) {
	data := "Delivery Date,Hour Ending,Settlement Point,Settlement Point Price\n06/01/2026,01:00,HB_NORTH,31.5\n06/01/2026,02:00,HB_NORTH,29.0\n"
	if f := price.DetectFormat([]byte(data)); f != price.FormatERCOT {
		t.Fatalf("detected %q, want ercot", f)
	}
	points, err := price.ParseERCOT([]byte(data), price.Options{SettlementPoint: "HB_NORTH"})
	if err != nil {
		t.Fatal(err)
	}
	checkContiguous(t, points, utc(t, "2026-06-01T05:00:00Z"), utc(t, "2026-06-01T07:00:00Z"))
}
