package avalon_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/hearth-fleet/hearth/driver/avalon"
)

func TestParseStats(t *testing.T) {
	st := avalon.ParseStats("'STATS':{Ver[Q-25052801_14a19a2] SYSTEMSTATU[Work: In Idle, Hash Board: 1] SSID[] " +
		"FanR[72%] MGHS[26907.01 26025.06] Nonce Mask[25] Odd[a[1] b] TMax[77] TMax[99] Temp[inf] PS[0 1214 nan 242]} " +
		"HBinfo 'HB0':{PVT_T0[ 58  59 ] Cut[1 2")
	for key, want := range map[string]string{
		"Ver":         "Q-25052801_14a19a2",
		"SYSTEMSTATU": "Work: In Idle, Hash Board: 1",
		"SSID":        "",
		"Nonce Mask":  "25",
		"Odd":         "a[1] b",
		"TMax":        "77",
		"PVT_T0":      "58  59",
		"Cut":         "1 2",
	} {
		if !st.Has(key) || st.Text(key) != want {
			t.Errorf("%s = %q (present %v), want %q", key, st.Text(key), st.Has(key), want)
		}
	}
	if f, ok := st.Float("FanR"); !ok || f != 72 {
		t.Errorf("FanR = %g %v", f, ok)
	}
	if f, ok := st.FloatAt("MGHS", 1); !ok || f != 26025.06 {
		t.Errorf("MGHS[1] = %g %v", f, ok)
	}
	if _, ok := st.FloatAt("MGHS", 2); ok {
		t.Error("MGHS[2] exists")
	}
	if _, ok := st.Float("Temp"); ok {
		t.Error("inf read as a number")
	}
	if _, ok := st.FloatAt("PS", 2); ok {
		t.Error("nan read as a number")
	}
	if got := st.Floats("PS"); len(got) != 3 || got[2] != 242 {
		t.Errorf("Floats(PS) = %v", got)
	}
	if st.Has("HB0") || st.Has("STATS") || st.Has("Mask") {
		t.Errorf("section names or key fragments taken as keys: %v", st)
	}
}

func TestParseStatsFixtures(t *testing.T) {
	for _, tc := range []struct {
		file, key string
		want      map[string]string
	}{
		{"stats.json", "MM ID0:Summary", map[string]string{"GHSmm": "55032.79", "MPO": "800", "WORKLEVEL": "0", "DNA": "<DELETED>", "ATA0": "800-65-2264-258-20", "Nonce Mask": "25"}},
		{"avalon_a_stats.json", "MM ID0", map[string]string{"Led": "0", "MTmax": "77 77 76", "FanR": "72%", "WORKMODE": "1", "FACOPTS0": "", "POW_I2C": "OK"}},
	} {
		b, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ STATS []map[string]any }
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		st := avalon.ParseStats(doc.STATS[0][tc.key].(string))
		for k, v := range tc.want {
			if st.Text(k) != v || !st.Has(k) {
				t.Errorf("%s: %s = %q, want %q", tc.file, k, st.Text(k), v)
			}
		}
	}
}
