package sim_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestVNishLogs(t *testing.T) {
	_, mi, _ := vnishSim(t)
	code, b := doHTTP(t, mi, mi.Port, http.MethodGet, "/api/v1/logs/miner", "", "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/logs/miner: %d %q", code, b)
	}
	text := string(b)
	for _, want := range []string{"INFO: Starting miner 1.2.6", "Chain 0: found 126 chips of 126", "Chain 2: found", "Pool 0: connected to stratum+tcp://", "Mining started"} {
		if !strings.Contains(text, want) {
			t.Errorf("miner log lacks %q:\n%s", want, text)
		}
	}
	if !strings.HasPrefix(text, "[20") || !strings.HasSuffix(text, "\n") {
		t.Errorf("log lines are not stamped: %q", text)
	}
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, "/api/v1/logs/system", http.StatusOK},
		{http.MethodGet, "/api/v1/logs/autotune", http.StatusOK},
		{http.MethodGet, "/api/v1/logs/kernel", http.StatusNotFound},
		{http.MethodPost, "/api/v1/logs/miner", http.StatusMethodNotAllowed},
	} {
		if code, b := doHTTP(t, mi, mi.Port, tc.method, tc.path, "", ""); code != tc.code {
			t.Errorf("%s %s: %d %q, want %d", tc.method, tc.path, code, b, tc.code)
		}
	}
}
