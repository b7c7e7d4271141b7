package axeos

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustDecode(t testing.TB, b []byte) *systemInfo {
	t.Helper()
	info, err := decodeSystemInfo(b)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// Best difficulty arrives as an SI string before v2.11.0 and as a number
// since; both decode to the same value.
func TestDecodeBestDifficulty(t *testing.T) {
	for _, tc := range []struct {
		file            string
		best, bestSince float64
	}{
		{"reference_v2_0_0_system_info.json", 483000, 0},
		{"asic-rs/v2_0_0_system_info.json", 483000, 0},
		{"v2_6_1_system_info.json", 4.29e9, 1e6},
		{"v2_14_0_faulted_system_info.json", 912003114, 0},
		{"head_v2_15_0_system_info.json", 5213338092, 48121553},
	} {
		info := mustDecode(t, readFixture(t, tc.file))
		if !info.BestDiff.ok || info.BestDiff.v != tc.best {
			t.Errorf("%s: bestDiff = %+v, want %g", tc.file, info.BestDiff, tc.best)
		}
		if !info.BestSessionDiff.ok || info.BestSessionDiff.v != tc.bestSince {
			t.Errorf("%s: bestSessionDiff = %+v, want %g", tc.file, info.BestSessionDiff, tc.bestSince)
		}
		if !info.looksLikeAxeOS() {
			t.Errorf("%s: not recognised as AxeOS", tc.file)
		}
		if info.typeError != "" {
			t.Errorf("%s: %s", tc.file, info.typeError)
		}
	}
}

func TestDecodeRejectsNonJSON(t *testing.T) {
	for _, b := range []string{"", "<html>", `{"hashRate":1`, `{"a":1} trailing`, "\x00\x01"} {
		if _, err := decodeSystemInfo([]byte(b)); err == nil {
			t.Errorf("decodeSystemInfo(%q) succeeded", b)
		}
	}
}

func TestFlexFloat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{`12.5`, 12.5, true},
		{`-1`, -1, true},
		{`"61.5"`, 61.5, true},
		{`" 7 "`, 7, true},
		{`"\u0037"`, 7, true},
		{`true`, 1, true},
		{`false`, 0, true},
		{`null`, 0, false},
		{`""`, 0, false},
		{`"N/A"`, 0, false},
		{`"NaN"`, 0, false},
		{`"Inf"`, 0, false},
		{`1e999`, 0, false},
		{`{"a":1}`, 0, false},
		{`[1]`, 0, false},
	} {
		var f flexFloat
		if err := json.Unmarshal([]byte(tc.in), &f); err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if f.ok != tc.ok || f.v != tc.want {
			t.Errorf("%s: got %+v, want {v:%g ok:%v}", tc.in, f, tc.want, tc.ok)
		}
	}
}

func TestFlexBool(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   bool
		wantOK bool
	}{
		{`true`, true, true},
		{`false`, false, true},
		{`1`, true, true},
		{`0`, false, true},
		{`2`, true, true},
		{`"1"`, true, true},
		{`"true"`, true, true},
		{`"0"`, false, true},
		{`null`, false, false},
		{`"maybe"`, false, false},
		{`[]`, false, false},
	} {
		var f flexBool
		if err := json.Unmarshal([]byte(tc.in), &f); err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if f.v != tc.want || f.ok != tc.wantOK {
			t.Errorf("%s: got %+v, want {v:%v ok:%v}", tc.in, f, tc.want, tc.wantOK)
		}
	}
}

func TestStratumURL(t *testing.T) {
	for _, tc := range []struct {
		host     string
		port     int
		tls      int
		protocol string
		want     string
	}{
		{"btc.example.pool", 3333, 0, "", "stratum+tcp://btc.example.pool:3333"},
		{"btc.example.pool", 3333, 1, "SV1", "stratum+ssl://btc.example.pool:3333"},
		{"btc.example.pool", 3333, 2, "SV1", "stratum+ssl://btc.example.pool:3333"},
		{"sv2.example.com", 34254, 0, "SV2", "stratum2+tcp://sv2.example.com:34254"},
		{"stratum+tcp://pool.example.com", 4334, 0, "", "stratum+tcp://pool.example.com:4334"},
		{"stratum+tcp://pool.example.com:9999", 4334, 0, "", "stratum+tcp://pool.example.com:4334"},
		{"stratum+ssl://pool.example.com", 443, 0, "", "stratum+ssl://pool.example.com:443"},
		{"STRATUM+TCP://pool.example.com/", 3333, 1, "", "stratum+ssl://pool.example.com:3333"},
		{"pool.example.com", 0, 0, "", "stratum+tcp://pool.example.com"},
		{"2001:db8::1", 3333, 0, "", "stratum+tcp://[2001:db8::1]:3333"},
		{"[2001:db8::1]", 3333, 0, "", "stratum+tcp://[2001:db8::1]:3333"},
		{" 10.0.0.2 ", 3333, 0, "", "stratum+tcp://10.0.0.2:3333"},
		{"", 3333, 0, "", ""},
		{"stratum+tcp://", 3333, 0, "", ""},
	} {
		if got := stratumURL(tc.host, tc.port, tc.tls, tc.protocol); got != tc.want {
			t.Errorf("stratumURL(%q, %d, %d, %q) = %q, want %q", tc.host, tc.port, tc.tls, tc.protocol, got, tc.want)
		}
	}
}

func TestModelName(t *testing.T) {
	for _, tc := range []struct{ device, board, asic, want string }{
		{"Gamma", "601", "BM1370", "Bitaxe Gamma"},
		{"", "601", "BM1370", "Bitaxe Gamma"},
		{"", "302", "BM1366", "Bitaxe Hex"},
		{"", "", "BM1366", "Bitaxe Ultra"},
		{"", "", "BM1368", "Bitaxe Supra"},
		{"", "", "BM1397", "Bitaxe Max"},
		{"", "", "BM1370", "Bitaxe Gamma"},
		{"", "999", "BM1373", "Bitaxe BM1373"},
		{"", "", "", "Bitaxe"},
	} {
		if got := modelName(tc.device, tc.board, tc.asic); got != tc.want {
			t.Errorf("modelName(%q, %q, %q) = %q, want %q", tc.device, tc.board, tc.asic, got, tc.want)
		}
	}
}
