package sim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-fleet/hearth/sim"
)

func TestEPICLogs(t *testing.T) {
	s, mi, _ := epicSim(t)
	code, b := doHTTP(t, mi, mi.Port, http.MethodGet, "/log", "", "")
	if code != http.StatusOK {
		t.Fatalf("GET /log: %d %q", code, b)
	}
	text := string(b)
	for _, want := range []string{"INFO umc: Starting PowerPlay-BMS v1.5.13", "HB0: detected 126 of 126 chips", "HB2: detected", "Stratum: connected to stratum+tcp://", "Mining started"} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %q:\n%s", want, text)
		}
	}
	if code, b := doHTTP(t, mi, mi.Port, http.MethodGet, "/log/error", "", ""); code != http.StatusOK || len(b) != 0 {
		t.Errorf("healthy miner's /log/error: %d %q", code, b)
	}
	if code, _ := doHTTP(t, mi, mi.Port, http.MethodPost, "/log", "", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /log: %d, want 405", code)
	}

	if err := s.SetFault(sim.Fault{Index: 0, Kind: sim.FaultDeadBoard}); err != nil {
		t.Fatal(err)
	}
	code, b = doHTTP(t, mi, mi.Port, http.MethodGet, "/log/error", "", "")
	if code != http.StatusOK || !strings.Contains(string(b), "ERROR umc: HB1") || strings.Contains(string(b), "INFO") {
		t.Errorf("dead board's /log/error: %d %q", code, b)
	}
}
